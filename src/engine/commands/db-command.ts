import type { ActionContext, ActionDefinition } from '../../actions/types.js';
import type { AwsClients } from '../../aws/clients.js';
import type { DbConnectionOptions } from '../../db/connection.js';
import type { MaintenanceDb } from '../../db/writable.js';
import type { AuditTarget } from '../audit.js';
import { promptIO } from '../change.js';
import { type Database, openDatabase } from '../database.js';
import { evidenceFormat, finishChangeRun, type StepTiming } from '../evidence.js';
import type { Finding } from '../model/finding.js';
import { buildReport } from '../model/finding.js';
import { printerFor } from '../printer.js';
import { createProgress } from '../progress.js';
import { runActions } from '../run-actions.js';
import type { PromptIO } from '../safety.js';
import type { GlobalOptions } from '../session.js';

export interface DbCommandOptions extends GlobalOptions, DbConnectionOptions {
  dryRun?: boolean;
  yes?: boolean;
  report?: string;
}

export interface MaintenanceTarget extends Database {
  /** The maintenance session, already open. */
  db: MaintenanceDb;
  audit: { env: string; target: AuditTarget; aws?: AwsClients };
  context(log: (text: string) => void): Omit<ActionContext, 'signal' | 'stopRequested'>;
}

/**
 * Opens the maintenance session for `fsops db retention|partitions|reindex` through the engine's
 * database layer (openDatabase): the database of --db-url, or the environment's (its Secrets Manager
 * secret); writable unless the run only lists.
 */
export async function openMaintenanceTarget(
  options: DbCommandOptions,
  readOnly = false,
): Promise<MaintenanceTarget> {
  const database = await openDatabase(options, { envFromEnvironment: readOnly, identity: true });
  let db: MaintenanceDb;
  try {
    db = await database.write({ readOnly });
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    ...database,
    db,
    audit: { env: database.label, target: database.config.audit, aws: database.envSession?.aws },
    context: (log) => ({
      env: database.envSession?.env ?? null,
      config: database.config,
      aws: database.aws,
      now: new Date(),
      db: async () => db,
      log,
    }),
  };
}

export interface DbActionRun {
  /** "db retention" */
  command: string;
  steps: { action: ActionDefinition<never>; params: unknown }[];
  /** Read-only findings gathered before the actions (e.g. the partition listing). */
  before?: (target: MaintenanceTarget) => Promise<{ findings: Finding[]; notes: string[] }>;
  readOnly?: boolean;
  io?: PromptIO;
}

/** A `fsops db ...` maintenance command: plan, confirm, apply, report (and `--report FILE` evidence). */
export async function runDbActions(run: DbActionRun, options: DbCommandOptions): Promise<number> {
  const printer = printerFor(options, run.command);
  const format = printer.format;
  const evidence = evidenceFormat(options.report);
  const startedAt = new Date();
  const target = await openMaintenanceTarget(options, run.readOnly ?? false);
  const progress = await createProgress(`${run.command} (${target.label})`, format);
  try {
    const timings: StepTiming[] = [];
    const interruption = { interrupted: false };
    const refusal = { declined: false };
    const before = run.before ? await run.before(target) : { findings: [], notes: [] };
    const acted = run.steps.length
      ? await runActions(run.steps, {
          audit: target.audit,
          identity: target.identity,
          command: run.command,
          target: target.label,
          protectedEnv: target.protectedEnv,
          yes: options.yes,
          dryRun: options.dryRun,
          io: run.io ?? promptIO(format),
          context: target.context(progress.log),
          onTiming: (t) => timings.push(t),
          interruption,
          refusal,
        })
      : [];
    progress.stop();
    const report = buildReport(
      run.command,
      target.label,
      startedAt,
      [...before.findings, ...acted],
      before.notes,
    );
    return finishChangeRun(printer, report, {
      interruption,
      refusal,
      reportFile: options.report,
      evidence,
      timings,
      identity: target.identity,
    });
  } finally {
    progress.stop();
    await target.close();
  }
}
