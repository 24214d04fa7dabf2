import { oneLine } from '../../base/model/text.js';
import { snapshotTable } from './markdown.js';
import { humanDuration } from './notices.js';
import type { IncidentRecord } from './record.js';

/**
 * The post-mortem (ops guide §11.2.1 PostIncident; the template of runbook 002): timeline, impact
 * window, evidence, root cause and resolution from the record; the rest for people to fill. Pure.
 */
export function postmortemMarkdown(r: IncidentRecord, dueAt: Date): string {
  const end = r.resolvedAt ?? r.startedAt;
  const duration = humanDuration(new Date(end).getTime() - new Date(r.startedAt).getTime());
  const first = r.snapshots[0];
  const last = r.snapshots.at(-1);
  return `${[
    `# Post-Mortem: ${oneLine(r.title)} (${r.id})`,
    '',
    `Due: ${dueAt.toISOString()} (within 48 hours of resolution, ops guide §11.2.1)`,
    '',
    '## Summary',
    '',
    `SEV${r.severity} (${r.severityName}) in ${r.env}. Proposed SEV${r.proposal.severity}: ${oneLine(r.proposal.rule)}, because ${oneLine(r.proposal.reason)}.`,
    `Incident commander: ${oneLine(r.commander)}. Affected services: ${oneLine(r.affectedServices.join(', ') || 'none identified')}.`,
    '',
    '_TODO: describe the incident in two or three sentences._',
    '',
    '## Impact',
    '',
    `- Impact window: ${r.startedAt} to ${end} (${duration})`,
    '- Users affected: _TODO_',
    '- Revenue impact: _TODO_',
    '',
    '## Timeline',
    '',
    ...r.timeline.map((t) => `- ${t.at} ${oneLine(t.event)}`),
    '',
    '## Evidence',
    '',
    ...(first ? [`### At the start (${first.at})`, '', ...snapshotTable(first)] : []),
    ...(last && last !== first ? [`### At resolution (${last.at})`, '', ...snapshotTable(last)] : []),
    '## Root Cause',
    '',
    oneLine(r.rootCause ?? '_TODO_'),
    '',
    '## Resolution',
    '',
    oneLine(r.resolution ?? '_TODO_'),
    '',
    '## Prevention and action items',
    '',
    '| action | owner | due |',
    '|---|---|---|',
    '| _TODO: preventive measure (ops guide §11.2.1 step 2)_ | | |',
    '| _TODO: update monitoring and alerting (step 3)_ | | |',
    '| _TODO: update runbooks and documentation_ | | |',
    '',
    '## Lessons Learned',
    '',
    '_TODO: share with the team (step 4)._',
  ].join('\n')}\n`;
}
