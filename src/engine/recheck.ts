import type { Finding } from '../base/model/finding.js';

/**
 * Whether a finding came from a check: every finding names its check (`checkId`), whatever the
 * finding's own id (`logs.groups` emits `logs.group.*`).
 */
export function fromCheck(finding: Finding, checkId: string): boolean {
  return finding.checkId === checkId;
}

/**
 * A run's findings with those of `checkIds` replaced by the same checks run again after the changes,
 * so a "dead tuples" warning does not stand next to "VACUUM done". The problems seen before the changes
 * stay in the report as a note (evidence of why the change was made).
 */
export function mergeRechecked(
  findings: Finding[],
  after: Finding[],
  checkIds: string[],
): { findings: Finding[]; note: string | null } {
  if (checkIds.length === 0) return { findings, note: null };
  const replaced = (f: Finding) => checkIds.some((id) => fromCheck(f, id));
  const first = findings.findIndex(replaced);
  const kept = findings.filter((f) => !replaced(f));
  const at = first === -1 ? kept.length : findings.slice(0, first).filter((f) => !replaced(f)).length;
  const before = findings.filter(replaced).filter((f) => f.status !== 'pass');
  // A check that did not run before the changes has nothing to compare with: its findings come last.
  if (first === -1) {
    return {
      findings: [...findings, ...after],
      note: `Checked again after the changes: ${checkIds.join(', ')} (the findings after the changes' own).`,
    };
  }
  const lines = [
    `Checked again after the changes: ${checkIds.join(', ')}. Before the changes:`,
    ...(before.length
      ? before.map((f) => `  ${f.status.toUpperCase()}  ${f.title} [${f.resource}]: ${f.observed}`)
      : ['  nothing to report']),
  ];
  return {
    findings: [...kept.slice(0, at), ...after, ...kept.slice(at)],
    note: lines.join('\n'),
  };
}
