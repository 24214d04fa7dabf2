import { DB_COMMAND_CHECKS } from '../catalogue/checks/database/index.js';
import { type DbCommandOptions, type DbCommandSession, withReadSession } from '../engine/database.js';
import type { Runtime } from '../engine/runtime.js';
import { type DatabaseStep, runDatabaseReadCommand } from './kit/read.js';

export type DbCheckName = keyof typeof DB_COMMAND_CHECKS;
export const DB_CHECK_NAMES = Object.keys(DB_COMMAND_CHECKS) as DbCheckName[];

/**
 * Parameters that depend on knowing the environment: with a bare --db-url there is no allocated
 * storage to compare with and no replica count to expect.
 */
function paramsFor(name: DbCheckName, session: DbCommandSession): Record<string, unknown> {
  if (session.envSession) return {};
  if (name === 'size') return { allocatedStorageGb: null };
  if (name === 'replication') return { expectedReplicas: 0 };
  return {};
}

/** The named database checks, with the parameters the session allows. */
export function dbSteps(names: readonly DbCheckName[], session: DbCommandSession): DatabaseStep[] {
  return names.map((name) => ({
    check: DB_COMMAND_CHECKS[name] as DatabaseStep['check'],
    params: paramsFor(name, session),
  }));
}

/** `fsops db <check>`: the named checks over one read-only session of the database the flags name. */
const dbCommand =
  (names: readonly DbCheckName[], label: string) =>
  (options: DbCommandOptions, runtime: Runtime): Promise<number> =>
    runDatabaseReadCommand(
      {
        label,
        steps: (session) => dbSteps(names, session),
        open: async () => withReadSession(await runtime.openDatabase(options)),
      },
      options,
      runtime,
    );

export const dbHealth = dbCommand(DB_CHECK_NAMES, 'db health');
export const dbConnections = dbCommand(['connections'], 'db connections');
export const dbLongQueries = dbCommand(['long-queries'], 'db long-queries');
export const dbLocks = dbCommand(['locks'], 'db locks');
export const dbSlowQueries = dbCommand(['slow-queries'], 'db slow-queries');
export const dbSize = dbCommand(['size'], 'db size');
export const dbIndexes = dbCommand(['indexes'], 'db indexes');
export const dbBloat = dbCommand(['bloat'], 'db bloat');
export const dbWraparound = dbCommand(['wraparound'], 'db wraparound');
export const dbSequences = dbCommand(['sequences'], 'db sequences');
export const dbCache = dbCommand(['cache'], 'db cache');
export const dbReplication = dbCommand(['replication'], 'db replication');
