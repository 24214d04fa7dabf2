import { DB_COMMAND_CHECKS } from '../checks/database/index.js';
import { targetLabel } from '../db/connection.js';
import { type DbCommandOptions, type DbCommandSession, openDbCommandSession } from '../engine/database.js';
import type { Report } from '../engine/model/finding.js';
import { buildReport } from '../engine/output.js';
import { type Printer, printerFor } from '../engine/printer.js';
import { createProgress } from '../engine/progress.js';
import { runChecks, type Step } from '../engine/runner.js';

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

/** Runs the named database checks concurrently over one diagnostic session and prints the report. */
export async function runDbChecks(
  names: DbCheckName[],
  commandLabel: string,
  options: DbCommandOptions,
  openSession: () => Promise<DbCommandSession> = () => openDbCommandSession(options),
  onReport?: (report: Report) => void,
  // A command that runs these checks as part of something else (the demo) has parsed --output already.
  printer: Printer = printerFor(options, commandLabel),
): Promise<number> {
  const format = printer.format;
  const startedAt = new Date();
  const session = await openSession();
  const progress = await createProgress(`${commandLabel} (${session.db.label})`, format);
  try {
    const steps: Step[] = names.map((name) => ({
      check: DB_COMMAND_CHECKS[name] as Step['check'],
      params: paramsFor(name, session),
    }));
    const { findings } = await runChecks(session, steps, {
      db: async () => session.db,
      onCheckStart: progress.onCheckStart,
      onCheckDone: progress.onCheckDone,
    });
    progress.stop();
    const version = (session.db.serverVersion / 10000).toFixed(0);
    const note = `Database: ${targetLabel(session.target)} (PostgreSQL ${version}, via ${session.target.source}; read-only session)`;
    const degraded = session.db.degraded?.();
    const notes = degraded
      ? [
          note,
          `Ran degraded: the checks shared ${degraded.connections} of ${degraded.of} connections (the server refused the others: ${degraded.reason}); every check still ran, one after another.`,
        ]
      : [note];
    const report = buildReport(
      commandLabel,
      session.envSession?.env.name ?? null,
      startedAt,
      findings,
      notes,
    );
    onReport?.(report);
    return printer.report(report);
  } finally {
    progress.stop();
    await session.close();
  }
}

export const dbHealth = (options: DbCommandOptions) => runDbChecks(DB_CHECK_NAMES, 'db health', options);
export const dbConnections = (options: DbCommandOptions) =>
  runDbChecks(['connections'], 'db connections', options);
export const dbLongQueries = (options: DbCommandOptions) =>
  runDbChecks(['long-queries'], 'db long-queries', options);
export const dbLocks = (options: DbCommandOptions) => runDbChecks(['locks'], 'db locks', options);
export const dbSlowQueries = (options: DbCommandOptions) =>
  runDbChecks(['slow-queries'], 'db slow-queries', options);
export const dbSize = (options: DbCommandOptions) => runDbChecks(['size'], 'db size', options);
export const dbIndexes = (options: DbCommandOptions) => runDbChecks(['indexes'], 'db indexes', options);
export const dbBloat = (options: DbCommandOptions) => runDbChecks(['bloat'], 'db bloat', options);
export const dbWraparound = (options: DbCommandOptions) =>
  runDbChecks(['wraparound'], 'db wraparound', options);
export const dbSequences = (options: DbCommandOptions) => runDbChecks(['sequences'], 'db sequences', options);
export const dbCache = (options: DbCommandOptions) => runDbChecks(['cache'], 'db cache', options);
export const dbReplication = (options: DbCommandOptions) =>
  runDbChecks(['replication'], 'db replication', options);
