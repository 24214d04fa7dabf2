import type { Finding, Status } from '../base/model/finding.js';
import type { Runbook } from './runbook.js';

export interface RankedStep {
  step: string;
  /** Position in the guide's order (1-based). */
  position: number;
  /** The observed problems (fail, warn) whose ids the step's `when` prefixes match. */
  because: Finding[];
  /**
   * Checks behind the step that could not run (`error`): shown next to it, never a reason to rank it.
   * Advice comes only from facts that were observed.
   */
  unchecked: Finding[];
}

/**
 * Statuses that point at a cause: observed problems only. `error` (the check could not run), `skip`
 * (not checked, no data) and `pass` do not.
 */
const POINTING: Partial<Record<Status, number>> = { fail: 2, warn: 1 };

/** Whether `id` is `prefix` or lies under it (`ecs.tasks` matches `ecs.tasks.oom`, not `ecs.tasks-x`). */
export function idMatches(id: string, prefix: string): boolean {
  return id === prefix || id.startsWith(`${prefix}.`);
}

/**
 * The guide's resolution steps with the ones the findings point to first: steps whose `when`
 * prefixes match a failing finding, then a warning; the guide's order within each rank and for the
 * steps nothing points to. A check that could not run points nowhere.
 */
export function rankResolution(
  resolution: Runbook['resolution'],
  findings: readonly Finding[],
): RankedStep[] {
  const ranked = resolution.map((r, i) => {
    const because = findings
      .filter((f) => POINTING[f.status] !== undefined && r.when.some((prefix) => idMatches(f.id, prefix)))
      .sort((a, b) => POINTING[b.status]! - POINTING[a.status]!);
    const unchecked = findings.filter(
      (f) => f.status === 'error' && r.when.some((prefix) => idMatches(f.id, prefix)),
    );
    const weight = Math.max(0, ...because.map((f) => POINTING[f.status]!));
    return { step: r.step, position: i + 1, because, unchecked, weight };
  });
  ranked.sort((a, b) => b.weight - a.weight || a.position - b.position);
  return ranked.map(({ weight: _weight, ...step }) => step);
}

function findingRef(f: Finding): string {
  return `${f.status.toUpperCase()} ${f.id} [${f.resource}]`;
}

/** The ranked steps as the report's notes: what the findings point to, then the rest of the guide's steps. */
export function planNotes(runbook: Pick<Runbook, 'source'>, ranked: readonly RankedStep[]): string[] {
  if (ranked.length === 0) return [];
  const pointed = ranked.filter((r) => r.because.length > 0);
  const rest = ranked.filter((r) => r.because.length === 0);
  const lines: string[] = [];
  let n = 0;
  if (pointed.length) {
    lines.push(`What to do first (the findings point here; ${runbook.source}):`);
    for (const r of pointed) {
      n += 1;
      const refs = r.because.slice(0, 3).map(findingRef).join(', ');
      const more = r.because.length > 3 ? ` and ${r.because.length - 3} more` : '';
      lines.push(`  ${n}. ${r.step}`, `     because: ${refs}${more}`);
      lines.push(...uncheckedLine(r));
    }
  } else {
    lines.push(
      `Nothing the checks found points to a step; the guide's steps, in its order (${runbook.source}):`,
    );
  }
  if (rest.length) {
    if (pointed.length) lines.push('', 'Other steps from the guide:');
    for (const r of rest) {
      n += 1;
      lines.push(`  ${n}. ${r.step}`);
      lines.push(...uncheckedLine(r));
    }
  }
  return [lines.join('\n')];
}

function uncheckedLine(r: RankedStep): string[] {
  if (r.unchecked.length === 0) return [];
  const refs = r.unchecked.slice(0, 3).map(findingRef).join(', ');
  const more = r.unchecked.length > 3 ? ` and ${r.unchecked.length - 3} more` : '';
  return [`     could not check: ${refs}${more}`];
}
