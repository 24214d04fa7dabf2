import { type Finding, type Interruption, overallStatus, type Report } from './model/finding.js';

/**
 * A report of findings. `interruption` (the run was stopped by Ctrl-C/SIGTERM before it finished)
 * makes its status `interrupted` whatever the findings say: an interrupted run is never a pass.
 */
export function buildReport(
  command: string,
  env: string | null,
  startedAt: Date,
  findings: Finding[],
  notes?: string[],
  interruption?: Interruption,
): Report {
  return {
    command,
    env,
    status: interruption ? 'interrupted' : overallStatus(findings),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    findings,
    ...(notes?.length ? { notes } : {}),
    ...(interruption ? { interruption } : {}),
  };
}
