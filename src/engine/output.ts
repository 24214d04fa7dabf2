import { type Finding, overallStatus, type Report } from './model/finding.js';
import { printerFor } from './printer.js';
import type { GlobalOptions } from './session.js';

export function buildReport(
  command: string,
  env: string | null,
  startedAt: Date,
  findings: Finding[],
  notes?: string[],
): Report {
  return {
    command,
    env,
    status: overallStatus(findings),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    findings,
    ...(notes?.length ? { notes } : {}),
  };
}

/** Prints the report in the chosen format to stdout and returns the exit code docs/architecture.md gives it. */
export function emitReport(report: Report, options: GlobalOptions): number {
  return printerFor(options, report.command).report(report);
}
