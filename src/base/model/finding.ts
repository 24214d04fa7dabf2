import type { ChalkInstance } from 'chalk';
export const STATUSES = ['pass', 'warn', 'fail', 'skip', 'error'] as const;
export type Status = (typeof STATUSES)[number];
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** One judged fact: what was expected, what was observed, and what to do about it. */
export interface Finding {
  id: string;
  title: string;
  status: Status;
  severity: Severity;
  resource: string;
  detail: string;
  expected: string;
  observed: string;
  remediation: string;
  source: string;
  /** The number the status was judged on (a metric's latest datapoint, running tasks), in `unit`; absent when none. */
  value?: number;
  unit?: string;
  /**
   * The check that produced it (`logs.groups` for `logs.group.retention`): set by the runner for every
   * finding of a check (`toFinding`; of an action: the action's id); a command's own finding names the
   * step it stands for (`deploy.staging`), a manual step its own id. What "came from this check" means
   * (recheck after changes, the status dashboard), never a prefix of the finding's id; not part of the
   * JSON report's contract (`toJson` and the status view drop it).
   */
  checkId: string;
}

/** What an interrupted run did and did not do (Ctrl-C, SIGTERM, SIGHUP), for its report. */
export interface Interruption {
  done: string[];
  notDone: string[];
}

/**
 * A report's verdict: the worst of its findings, or `interrupted` when the run was stopped before it
 * finished — whatever its findings say, an interrupted run is never a pass (exit 130).
 */
export type ReportStatus = Status | 'interrupted';

export interface Report {
  command: string;
  env: string | null;
  status: ReportStatus;
  startedAt: string;
  durationMs: number;
  findings: Finding[];
  /** Extra sections some commands print after the findings (e.g. a troubleshooting plan). */
  notes?: string[];
  /** Set when the run was interrupted: what was done, what was not. */
  interruption?: Interruption;
}

const RANK: Record<Status, number> = { skip: 0, pass: 1, warn: 2, error: 3, fail: 4 };

/**
 * The report's overall status: the worst of its findings (a fail outranks an error). Skipped findings
 * do not lower a pass; a report of nothing but skips is `skip`.
 */
export function overallStatus(findings: readonly Pick<Finding, 'status'>[]): Status {
  if (findings.length === 0) return 'pass';
  let worst: Status = 'skip';
  for (const finding of findings) if (RANK[finding.status] > RANK[worst]) worst = finding.status;
  return worst;
}

/** The exit code of a report: 130 when interrupted, else its findings' (exitCodeFor). */
export function reportExitCode(report: Pick<Report, 'status' | 'findings'>, strict: boolean): number {
  return report.status === 'interrupted' ? 130 : exitCodeFor(report.findings, strict);
}

/**
 * The report of a run: its findings, when it started and how long it took, and notes after the
 * findings. `interruption` (the run was stopped by Ctrl-C/SIGTERM/SIGHUP before it finished) makes
 * its status `interrupted` whatever the findings say: an interrupted run is never a pass.
 */
export function buildReport(
  command: string,
  env: string | null,
  startedAt: Date,
  findings: Finding[],
  notes?: string[],
  now: () => number = Date.now,
  interruption?: Interruption,
): Report {
  return {
    command,
    env,
    status: interruption ? 'interrupted' : overallStatus(findings),
    startedAt: startedAt.toISOString(),
    durationMs: now() - startedAt.getTime(),
    findings,
    ...(notes?.length ? { notes } : {}),
    ...(interruption ? { interruption } : {}),
  };
}

/** docs/architecture.md exit codes: 1 a check failed, 3 something could not be checked, `--strict` makes warnings 1. */
export function exitCodeFor(findings: readonly Pick<Finding, 'status'>[], strict: boolean): number {
  if (findings.some((f) => f.status === 'fail')) return 1;
  if (findings.some((f) => f.status === 'error')) return 3;
  if (strict && findings.some((f) => f.status === 'warn')) return 1;
  return 0;
}

export function countByStatus(findings: readonly Pick<Finding, 'status'>[]): Record<Status, number> {
  const counts: Record<Status, number> = { pass: 0, warn: 0, fail: 0, skip: 0, error: 0 };
  for (const finding of findings) counts[finding.status] += 1;
  return counts;
}

/** The one color of each status, in every text view (reports, the status dashboard). */
export function statusColors(c: ChalkInstance): Record<ReportStatus, (s: string) => string> {
  return {
    pass: c.green,
    warn: c.yellow,
    fail: c.red.bold,
    error: c.magenta,
    skip: c.gray,
    interrupted: c.magenta.bold,
  };
}
