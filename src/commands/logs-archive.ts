import { UsageError } from '../base/model/errors.js';
import { type ArchiveExportParams, archiveExportAction } from '../catalogue/actions/logs/archive-export.js';
import { CHECKS } from '../catalogue/checks/index.js';
import { monthProblem, parseMonth } from '../domain/logs/archive.js';
import { type EnvActionOptions, runEnvActions } from '../engine/commands/env-command.js';
import { stepsFor } from '../engine/runner.js';
import type { Runtime } from '../engine/runtime.js';

export interface LogsArchiveOptions extends EnvActionOptions {
  /** `YYYY-MM`; default the last closed month. */
  month?: string;
}

/**
 * `fsops logs archive --env E [--month YYYY-MM]` (runbook 002 "Log Archival"; PCI DSS 10.5.1): the log
 * groups of ops guide §3.1.1 exported to the archive bucket for a closed month, planned, confirmed,
 * audited, then `logs.archive` checked again.
 */
export async function logsArchive(options: LogsArchiveOptions, runtime: Runtime): Promise<number> {
  // Bad input is refused before any AWS call: a month that is not one, not over, or closed too recently.
  if (options.month) {
    const problem = monthProblem(parseMonth(options.month), new Date(runtime.clock.now()));
    if (problem) throw new UsageError(`refusing to export: ${problem}`);
  }
  const params: ArchiveExportParams = options.month ? { month: options.month } : {};
  return runEnvActions(
    {
      command: 'logs archive',
      why: 'logs archive creates CloudWatch Logs export tasks',
      steps: [{ action: archiveExportAction, params }],
      recheck: stepsFor(CHECKS, [{ check: 'logs.archive' }]),
    },
    options,
    runtime,
  );
}
