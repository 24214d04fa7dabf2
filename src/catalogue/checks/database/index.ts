import type { Check } from '../../../base/model/check.js';
import { bloatCheck } from './bloat.js';
import { cacheCheck } from './cache.js';
import { connectionsCheck } from './connections.js';
import { indexesCheck } from './indexes.js';
import { locksCheck } from './locks.js';
import { longQueriesCheck } from './long-queries.js';
import { replicationCheck } from './replication.js';
import { sequencesCheck } from './sequences.js';
import { sizeCheck } from './size.js';
import { slowQueriesCheck } from './slow-queries.js';
import { wraparoundCheck } from './wraparound.js';

/** `fsops db <name>` -> check, in the order `fsops db health` reports them. */
export const DB_COMMAND_CHECKS = {
  connections: connectionsCheck,
  'long-queries': longQueriesCheck,
  locks: locksCheck,
  'slow-queries': slowQueriesCheck,
  size: sizeCheck,
  indexes: indexesCheck,
  bloat: bloatCheck,
  wraparound: wraparoundCheck,
  sequences: sequencesCheck,
  cache: cacheCheck,
  replication: replicationCheck,
} as const;

/** The database checks, registered in src/catalogue/checks/index.ts (runbooks name them by id, e.g. `db.locks`). */
export const databaseChecks: Check[] = Object.values(DB_COMMAND_CHECKS);
