import { type CatalogueEntry, toFinding } from '../base/model/check.js';
import {
  createNextPartitionsAction,
  dropOldPartitionsAction,
  parseMonths,
  partitionedTables,
  partitionFindings,
} from '../catalogue/actions/db/partitions.js';
import type { ChangeStep } from '../engine/changes.js';
import { type DbCommandOptions, runDbActions } from '../engine/commands/db-command.js';
import type { Runtime } from '../engine/runtime.js';

export interface PartitionsOptions extends DbCommandOptions {
  createNext?: boolean;
  dropOlderThan?: string;
}

/** What the listing's findings are known by (they are not a catalogue check's: nothing runs them). */
const listing: CatalogueEntry = {
  id: 'db.partitions.next-month',
  title: "Next month's partition exists",
  severity: 'high',
  source: 'runbook 003 §2 Database Maintenance (Partition Management)',
  remediation: 'Create it: fsops db partitions --create-next',
};

/**
 * `fsops db partitions` (runbook 003 Partition Management): partitioned tables and their ranges; with
 * --create-next the missing partitions of this and next month; with --drop-older-than the old ones.
 */
export async function dbPartitions(options: PartitionsOptions, runtime: Runtime): Promise<number> {
  const olderThanMonths = options.dropOlderThan
    ? parseMonths(options.dropOlderThan, '--drop-older-than')
    : undefined;
  const steps: ChangeStep[] = [];
  if (options.createNext) steps.push({ action: createNextPartitionsAction, params: {} });
  if (olderThanMonths) steps.push({ action: dropOldPartitionsAction, params: { olderThanMonths } });
  return runDbActions(
    {
      command: 'db partitions',
      readOnly: steps.length === 0,
      steps,
      // The listing is the report when nothing is asked; with --create-next the action's results say the rest.
      before: async (target) => {
        const { results, notes } = partitionFindings(await partitionedTables(target.db), new Date());
        return {
          findings: options.createNext ? [] : results.map((r) => toFinding(listing, r)),
          notes: notes.length
            ? [`Partitioned tables${steps.length ? ' (before the changes)' : ''}:\n${notes.join('\n')}`]
            : ['No partitioned tables.'],
        };
      },
    },
    options,
    runtime,
  );
}
