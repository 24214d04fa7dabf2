import { oneLine } from '../../base/model/text.js';
import type { IncidentRecord, Snapshot } from './record.js';
import { cell } from './text.js';

/** The findings of one snapshot that are not passing, as a markdown table. */
export function snapshotTable(snapshot: Snapshot): string[] {
  const problems = snapshot.findings.filter((f) => f.status !== 'pass' && f.status !== 'skip');
  const passed = snapshot.findings.filter((f) => f.status === 'pass').length;
  const lines = [
    `${problems.length} problem${problems.length === 1 ? '' : 's'}, ${passed} passing (runbook \`${snapshot.runbook}\`)`,
    '',
  ];
  if (problems.length === 0) return lines;
  lines.push('| status | check | resource | observed |', '|---|---|---|---|');
  for (const f of problems)
    lines.push(
      `| ${f.status} | ${cell(f.title)} (\`${f.id}\`) | ${cell(f.resource)} | ${cell(f.observed)} |`,
    );
  lines.push('');
  return lines;
}

/** incident.md: the record for people. Pure. */
export function recordMarkdown(r: IncidentRecord): string {
  const lines = [
    `# ${r.id}: ${oneLine(r.title)}`,
    '',
    `| | |`,
    `|---|---|`,
    `| Environment | ${r.env} |`,
    `| Severity | SEV${r.severity} (${r.severityName})${r.severityChoice === 'override' ? `, overriding the proposed SEV${r.proposal.severity}` : ''} |`,
    `| Proposed from | ${cell(r.proposal.rule)}: ${cell(r.proposal.reason)} |`,
    `| State | ${r.state}${r.resolvedAt ? ` at ${r.resolvedAt}` : ''} |`,
    `| Current status | ${cell(r.currentStatus)} |`,
    `| Started | ${r.startedAt} |`,
    `| Commander | ${cell(r.commander)} |`,
    `| Affected services | ${cell(r.affectedServices.join(', ') || 'none identified')} |`,
    `| ETA | ${cell(r.eta ?? 'unknown')} |`,
    ...(r.rootCause
      ? [`| Root cause | ${cell(r.rootCause)} |`, `| Resolution | ${cell(r.resolution ?? '')} |`]
      : []),
    '',
    '## Timeline',
    '',
    ...r.timeline.map((t) => `- ${t.at} ${oneLine(t.event)}`),
    '',
  ];
  if (r.updates.length > 0) {
    lines.push('## Updates', '');
    for (const u of r.updates) {
      lines.push(
        `### Update #${u.number} - ${u.at}`,
        '',
        `- Status: ${oneLine(u.status)}`,
        `- Actions taken: ${oneLine(u.actions)}`,
        `- Next steps: ${oneLine(u.next)}`,
        `- ETA: ${oneLine(u.eta ?? 'unknown')}`,
      );
      for (const c of u.changes.cleared) lines.push(`- cleared: ${oneLine(c)}`);
      for (const c of u.changes.newProblems) lines.push(`- new: ${oneLine(c)}`);
      lines.push('');
    }
  }
  lines.push('## Evidence', '');
  for (const s of r.snapshots) lines.push(`### ${s.label} - ${s.at}`, '', ...snapshotTable(s));
  if (r.deliveries.length > 0) {
    lines.push('## Notifications', '', '| at | notice | channel | result |', '|---|---|---|---|');
    for (const d of r.deliveries)
      lines.push(
        `| ${d.at} | ${d.notice} | ${d.channel} | ${d.ok ? 'delivered' : 'not delivered'}: ${cell(d.detail)} |`,
      );
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
