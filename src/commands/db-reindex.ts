import type { ActionDefinition } from '../catalogue/action.js';
import { reindexAction } from '../catalogue/actions/db/reindex.js';
import { type DbCommandOptions, runDbActions } from '../engine/commands/db-command.js';
import type { PromptIO } from '../engine/safety.js';

export interface ReindexOptions extends DbCommandOptions {
  index?: string;
  io?: PromptIO;
}

/** `fsops db reindex` (runbook 003 Index Management): REINDEX INDEX CONCURRENTLY of invalid or bloated indexes. */
export async function dbReindex(options: ReindexOptions): Promise<number> {
  return runDbActions(
    {
      command: 'db reindex',
      steps: [{ action: reindexAction as ActionDefinition<never>, params: { index: options.index } }],
      io: options.io,
    },
    options,
  );
}
