import type { Finding } from '../../base/model/finding.js';
import type { DbConnectionOptions } from '../../domain/db/target.js';
import type { MaintenanceDb } from '../../domain/db/writable.js';
import { promptIO } from '../change.js';
import { type ChangeSession, type ChangeStep, changeReport, runChanges } from '../changes.js';
import type { Database } from '../database.js';
import { evidenceFormat, finishChangeRun } from '../evidence.js';
import { printerFor } from '../printer.js';
import { createProgress } from '../progress.js';
import type { Runtime } from '../runtime.js';
import type { GlobalOptions } from '../session.js';

export interface DbCommandOptions extends GlobalOptions, DbConnectionOptions {
  dryRun?: boolean;
  yes?: boolean;
  report?: string;
}

export interface MaintenanceTarget extends Database {
  /** The maintenance session, already open. */
  db: MaintenanceDb;
  /** The run of changes against it (src/engine/changes.ts). */
  changes: ChangeSession;
}

/** The change session of a database command: the environment's name or the database's, and its sessions. */
export function databaseChangeSession(
  database: Database,
  runtime: Pick<Runtime, 'stderr' | 'clock'>,
): ChangeSession {
  return {
    runtime,
    label: database.label,
    protectedEnv: database.protectedEnv,
    identity: database.identity,
    audit: { target: database.config.audit, aws: database.envSession?.aws },
    ...(database.envSession ? { checkSession: database.envSession } : {}),
    context: {
      env: database.envSession?.env ?? null,
      config: database.config,
      aws: database.aws,
      now: new Date(runtime.clock.now()),
      db: (options) => database.write(options),
      readDb: () => database.read(),
      dbTarget: () => database.resolveTarget(),
    },
  };
}

/**
 * Opens the maintenance session for `fsops db retention|partitions|reindex` through the engine's
 * database layer (openDatabase): the database of --db-url, or the environment's (its Secrets Manager
 * secret); writable unless the run only lists.
 */
export async function openMaintenanceTarget(
  options: DbCommandOptions,
  readOnly = false,
  runtime: Runtime,
): Promise<MaintenanceTarget> {
  const database = await runtime.openDatabase(options, { envFromEnvironment: readOnly, identity: true });
  let db: MaintenanceDb;
  try {
    db = await database.write({ readOnly });
  } catch (error) {
    await database.close();
    throw error;
  }
  return { ...database, db, changes: databaseChangeSession(database, runtime) };
}

export interface DbActionRun {
  /** "db retention" */
  command: string;
  steps: ChangeStep[];
  /** Read-only findings gathered before the actions (e.g. the partition listing). */
  before?: (target: MaintenanceTarget) => Promise<{ findings: Finding[]; notes: string[] }>;
  readOnly?: boolean;
}

/** A `fsops db ...` maintenance command: the driver's run of changes, its report (and `--report FILE` evidence). */
export async function runDbActions(
  run: DbActionRun,
  options: DbCommandOptions,
  runtime: Runtime,
): Promise<number> {
  const printer = printerFor(options, run.command, undefined, runtime);
  const evidence = evidenceFormat(options.report);
  const startedAt = new Date(runtime.clock.now());
  const target = await openMaintenanceTarget(options, run.readOnly ?? false, runtime);
  const progress = await createProgress(`${run.command} (${target.label})`, printer.format, runtime.stderr);
  try {
    const before = run.before ? await run.before(target) : { findings: [], notes: [] };
    const result = run.steps.length
      ? await runChanges(target.changes, run.steps, {
          command: run.command,
          yes: options.yes,
          dryRun: options.dryRun,
          io: promptIO(printer.format, runtime.io, runtime.stderr),
          log: progress.log,
        })
      : null;
    progress.stop();
    const findings = [...before.findings, ...(result?.findings ?? [])];
    const report = changeReport(
      run.command,
      target.label,
      startedAt,
      () => runtime.clock.now(),
      findings,
      result,
      before.notes,
    );
    return finishChangeRun(printer, report, {
      declined: result?.declined ?? false,
      reportFile: options.report,
      evidence,
      timings: result?.timings ?? [],
      identity: target.identity,
      runtime,
    });
  } finally {
    progress.stop();
    await target.close();
  }
}
