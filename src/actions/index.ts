import { alarmsApplyAction } from './alarms-apply.js';
import { createNextPartitionsAction } from './db/partitions.js';
import { reindexAction } from './db/reindex.js';
import { retentionDeleteAction } from './db/retention.js';
import { vacuumAnalyzeAction } from './db/vacuum.js';
import type { ActionDefinition } from './types.js';

/** Every mutating step a runbook can name with `action:`, by id. */
export const ACTIONS: Record<string, ActionDefinition<never>> = Object.fromEntries(
  [
    vacuumAnalyzeAction,
    retentionDeleteAction,
    createNextPartitionsAction,
    reindexAction,
    alarmsApplyAction as ActionDefinition<never>,
  ].map((action) => [action.id, action as ActionDefinition<never>]),
);
