import { type Finding, overallStatus, type Report } from './model/finding.js';

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
