import { type MaintenanceDb, openMaintenanceSession } from '../../actions/db/session.js';
import type { ActionContext, ActionDefinition } from '../../actions/types.js';
import { AwsClients } from '../../aws/clients.js';
import { loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { type DbConnectionOptions, resolveDbTarget } from '../../db/session.js';
import type { AuditTarget } from '../audit.js';
import { promptIO } from '../change.js';
import { afterEvidence, buildEvidence, evidenceFormat, type StepTiming, writeEvidence } from '../evidence.js';
import { ExitCode } from '../model/errors.js';
import type { Finding } from '../model/finding.js';
import { buildReport, emitReport } from '../output.js';
import { createProgress } from '../progress.js';
import { runActions } from '../run-actions.js';
import type { PromptIO } from '../safety.js';
import {
  type EnvSession,
  type GlobalOptions,
  openEnvSession,
  outputFormat,
  verifyAccount,
} from '../session.js';

export interface DbCommandOptions extends GlobalOptions, DbConnectionOptions {
  dryRun?: boolean;
  yes?: boolean;
  report?: string;
}

export interface MaintenanceTarget {
  config: Config;
  envSession: EnvSession | null;
  db: MaintenanceDb;
  /** The environment name, or the database name when given by URL. */
  label: string;
  protectedEnv: boolean;
  identity: string | null;
  audit: { env: string; target: AuditTarget; aws?: AwsClients };
  context(log: (text: string) => void): Omit<ActionContext, 'signal' | 'stopRequested'>;
  close(): Promise<void>;
}

/**
 * Opens the writable maintenance session for `fsops db retention|partitions|reindex`: the database of
 * --db-url, or the environment's (its Secrets Manager secret). A database given only by URL is treated
 * as protected (the person types its name), since nothing says it is not production.
 */
export async function openMaintenanceTarget(
  options: DbCommandOptions,
  readOnly = false,
): Promise<MaintenanceTarget> {
  const { target, envSession } = await resolveDbTarget(
    options,
    (envName) => openEnvSession(options, envName),
    { envFromEnvironment: readOnly },
  );
  const config = envSession?.config ?? loadConfig(options.config).config;
  let identity: string | null = null;
  try {
    if (envSession) identity = (await verifyAccount(envSession, true))?.arn ?? null;
  } catch (error) {
    envSession?.aws.destroy();
    throw error;
  }
  const db = await openMaintenanceSession(target, config, { readOnly }).catch((error) => {
    envSession?.aws.destroy();
    throw error;
  });
  const label = envSession?.env.name ?? target.database;
  const aws =
    envSession?.aws ??
    new AwsClients({
      region: options.region ?? process.env.AWS_REGION ?? config.region,
      profile: options.profile,
      endpoint: options.endpointUrl,
      ...config.aws,
    });
  return {
    config,
    envSession,
    db,
    label,
    protectedEnv: envSession ? envSession.env.settings.protected : true,
    identity,
    audit: { env: label, target: config.audit, aws: envSession?.aws },
    context: (log) => ({
      env: envSession?.env ?? null,
      config,
      aws,
      now: new Date(),
      db: async () => db,
      log,
    }),
    async close() {
      await db.close();
      aws.destroy();
    },
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
  const format = outputFormat(options);
  const evidence = evidenceFormat(options.report);
  const startedAt = new Date();
  const target = await openMaintenanceTarget(options, run.readOnly ?? false);
  const progress = await createProgress(`${run.command} (${target.label})`, format);
  try {
    const timings: StepTiming[] = [];
    const interruption = { interrupted: false };
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
    const code = emitReport(report, options);
    const problem =
      evidence && options.report
        ? writeEvidence(options.report, buildEvidence(report, timings, target.identity), evidence)
        : null;
    return afterEvidence(interruption.interrupted ? ExitCode.interrupted : code, problem);
  } finally {
    progress.stop();
    await target.close();
  }
}
