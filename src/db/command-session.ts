import { AwsClients } from '../aws/clients.js';
import { type EnvContext, loadConfig, renderTemplate } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { type EnvSession, type GlobalOptions, openEnvSession, verifyAccount } from '../engine/session.js';
import {
  type DbConnectionOptions,
  type DbSession,
  type DbTarget,
  openDbSession,
  resolveDbTarget,
} from './session.js';

export interface DbCommandOptions extends GlobalOptions, DbConnectionOptions {}

/**
 * The environment context of a database command run against a bare URL (no --env): the config's
 * global thresholds and names, no account, no profile. Checks that need an environment's sizes get
 * explicit parameters instead (see src/commands/db-checks.ts).
 */
export function detachedEnv(config: Config, name = 'database'): EnvContext {
  const settings = Object.values(config.environments)[0]!;
  return {
    name,
    region: config.region,
    profile: undefined,
    accountId: null,
    components: config.components,
    settings: {
      ...settings,
      accountId: null,
      protected: false,
      thresholds: undefined,
      names: undefined,
      database: {},
    },
    thresholds: config.thresholds,
    names: config.names,
    config,
    nameOf(key, component) {
      return renderTemplate(config.names[key], { env: name, component });
    },
  };
}

export interface DbCommandSession {
  config: Config;
  env: EnvContext;
  /** Null when the database came from --db-url or DATABASE_URL without --env. */
  envSession: EnvSession | null;
  aws: AwsClients;
  target: DbTarget;
  db: DbSession;
  close(): Promise<void>;
}

/**
 * Resolves the target (--db-url, --env, DATABASE_URL, FSOPS_ENV), guards the AWS account before
 * reading an environment's secret, and opens the read-only diagnostic session.
 */
export async function openDbCommandSession(
  options: DbCommandOptions,
  { envFromEnvironment = true } = {},
): Promise<DbCommandSession> {
  const { target, envSession } = await resolveDbTarget(
    options,
    async (envName) => {
      const session = openEnvSession(options, envName);
      await verifyAccount(session);
      return session;
    },
    { envFromEnvironment },
  );
  const config = envSession?.config ?? loadConfig(options.config).config;
  const env = envSession?.env ?? detachedEnv(config);
  const aws =
    envSession?.aws ??
    new AwsClients({
      region: options.region ?? process.env.AWS_REGION ?? config.region,
      profile: options.profile,
      endpoint: options.endpointUrl,
      ...config.aws,
    });
  let db: DbSession;
  try {
    db = await openDbSession(target, { readOnly: true, settings: config.database.session });
  } catch (error) {
    aws.destroy();
    throw error;
  }
  return {
    config,
    env,
    envSession,
    aws,
    target,
    db,
    async close() {
      await db.close();
      aws.destroy();
    },
  };
}
