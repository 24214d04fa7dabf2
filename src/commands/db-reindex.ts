import { reindexAction } from '../catalogue/actions/db/reindex.js';
import { type DbCommandOptions, runDbActions } from '../engine/commands/db-command.js';
import type { Runtime } from '../engine/runtime.js';

export interface ReindexOptions extends DbCommandOptions {
  index?: string;
}

/** `fsops db reindex` (runbook 003 Index Management): REINDEX INDEX CONCURRENTLY of invalid or bloated indexes. */
export async function dbReindex(options: ReindexOptions, runtime: Runtime): Promise<number> {
  return runDbActions(
    {
      command: 'db reindex',
      steps: [{ action: reindexAction, params: { index: options.index } }],
    },
    options,
    runtime,
  );
}
