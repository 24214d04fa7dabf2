import { UsageError } from '../base/model/errors.js';
import { retentionDeleteAction } from '../catalogue/actions/db/retention.js';
import { type DbCommandOptions, runDbActions } from '../engine/commands/db-command.js';
import type { Runtime } from '../engine/runtime.js';

export interface RetentionOptions extends DbCommandOptions {
  table?: string[];
  batchSize?: string;
}

export function parseBatchSize(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const size = Number(text);
  if (!Number.isInteger(size) || size < 1 || size > 100_000) {
    throw new UsageError(`invalid --batch-size '${text}': a whole number of rows from 1 to 100000`);
  }
  return size;
}

/**
 * `fsops db retention` (runbook 002 Regular Maintenance Tasks, runbook 003 Weekly Tasks): deletes rows
 * past maintenance.retention in small batches. `--dry-run` counts only.
 */
export async function dbRetention(options: RetentionOptions, runtime: Runtime): Promise<number> {
  const batchSize = parseBatchSize(options.batchSize);
  return runDbActions(
    {
      command: 'db retention',
      steps: [
        {
          action: retentionDeleteAction,
          params: { tables: options.table, batchSize },
        },
      ],
    },
    options,
    runtime,
  );
}
