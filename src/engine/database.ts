import type { AwsClients } from '../base/aws/clients.js';
import { type EnvContext, loadConfig, renderTemplate } from '../base/config/load.js';
import type { Config } from '../base/config/schema.js';
import { type DbSession, openDbSession } from '../domain/db/connection.js';
import {
  applyTunnel,
  type DbConnectionOptions,
  type DbTarget,
  envDbTarget,
  parseDbUrl,
  resolveDbTarget,
} from '../domain/db/target.js';
import {
  type MaintenanceDb,
  openMaintenanceSession,
  type WriteSessionOptions,
} from '../domain/db/writable.js';
import { readsUntilInterrupted } from './interrupt.js';
import {
  awsClientsFor,
  type EnvSession,
  type GlobalOptions,
  openEnvSession,
  verifyAccount,
} from './session.js';

/**
 * The engine's one database layer (docs/architecture.md, "Database"): which database (the
 * environment's secret, --db-url, DATABASE_URL, with --db-host/--db-port for a tunnel; see
 * src/domain/db/target.ts resolveDbTarget), opened read-only for diagnostics (statement_timeout,
 * lock_timeout, application_name=fsops, default_transaction_read_only) or writable for maintenance
 * (src/domain/db/writable.ts), each at most once and only when first used, and one `close()`.
 */
export interface DatabaseHandles {
  /** The read-only diagnostic session (opened on first call). */
  read(): Promise<DbSession>;
  /**
   * The one maintenance session (opened on first call): writable, or read-only for a run that only
   * lists (`readOnly`, decided by the first call). UTC, maintenance timeouts and
   * application_name=fsops-maintenance unless the first call names others (src/domain/db/writable.ts).
   */
  write(options?: WriteSessionOptions): Promise<MaintenanceDb>;
  /** Ends whatever was opened; never throws. */
  close(): Promise<void>;
  /**
   * The resolved target (--db-url or the environment's secret, with --db-host/--db-port applied),
   * resolved at most once, without connecting: for an action that opens a database of its own and
   * must compare with this one (the test restore).
   */
  resolveTarget(): Promise<DbTarget>;
}

function handles(resolveTarget: (signal: AbortSignal) => Promise<DbTarget>, config: Config): DatabaseHandles {
  let target: Promise<DbTarget> | null = null;
  let reader: Promise<DbSession> | null = null;
  let writer: Promise<MaintenanceDb> | null = null;
  // Ended with the run: a secret read or a connect still hanging then is given up, not waited for.
  const run = new AbortController();
  const targetOnce = () => {
    target ??= resolveTarget(run.signal);
    return target;
  };
  return {
    resolveTarget: targetOnce,
    read() {
      reader ??= targetOnce().then((t) =>
        openDbSession(t, { readOnly: true, settings: config.database.session, signal: run.signal }),
      );
      return reader;
    },
    write(options = {}) {
      writer ??= targetOnce().then((t) => openMaintenanceSession(t, config, options));
      return writer;
    },
    async close() {
      if (!target && !reader && !writer) return;
      // Also a target resolved alone (the test restore's dbTarget): its secret read may still hang.
      run.abort(new Error('the run ended'));
      await Promise.all(
        [reader, writer].map((opened) => opened?.then((db) => db.close()).catch(() => undefined)),
      );
    },
  };
}

/** A database command's handles whose close() also ends its AWS clients. */
function closingAws(db: DatabaseHandles, aws: AwsClients): DatabaseHandles {
  return {
    resolveTarget: db.resolveTarget,
    read: db.read,
    write: db.write,
    async close() {
      await db.close();
      aws.destroy();
    },
  };
}

/** A database a run opens only when a check first asks for it (`open` is `read`), and closes afterwards. */
export interface LazyDatabase extends DatabaseHandles {
  open(): Promise<DbSession>;
}

/**
 * The lazy database of an environment run (validate, runbook run, troubleshoot, maintenance run):
 * --db-url (with --db-host/--db-port) when given, else the environment's secret.
 */
export function lazyDatabase(
  session: EnvSession,
  options: Pick<DbConnectionOptions, 'dbUrl' | 'dbHost' | 'dbPort'> = {},
): LazyDatabase {
  const db = handles(
    async (signal) =>
      applyTunnel(
        options.dbUrl ? parseDbUrl(options.dbUrl, '--db-url') : await envDbTarget(session, signal),
        options,
      ),
    session.config,
  );
  return { ...db, open: db.read };
}

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

/** A database command's database: where it is, what it belongs to, and its sessions. */
export interface Database extends DatabaseHandles {
  config: Config;
  env: EnvContext;
  /** Null when the database came from --db-url or DATABASE_URL without --env. */
  envSession: EnvSession | null;
  /** The environment's AWS clients, or (bare URL) clients for the config's region; destroyed by close(). */
  aws: AwsClients;
  target: DbTarget;
  /** The environment name, or the database name when given by URL. */
  label: string;
  /** A database given only by URL is treated as protected: nothing says it is not production. */
  protectedEnv: boolean;
  /** The caller's AWS identity (for the audit) when `identity` was asked for and there is an environment. */
  identity: string | null;
}

export interface OpenDatabaseOptions {
  /** Whether FSOPS_ENV may name the environment (not for commands that change something). */
  envFromEnvironment?: boolean;
  /** Fetch the caller's identity for the audit (changes). */
  identity?: boolean;
}

/**
 * Resolves the target (--db-url, --env, DATABASE_URL, FSOPS_ENV) and guards the AWS account before
 * reading an environment's secret. Nothing is connected yet: `read()`/`write()` connect on first use.
 */
export async function openDatabase(
  options: DbCommandOptions,
  { envFromEnvironment = true, identity: wantIdentity = false }: OpenDatabaseOptions = {},
): Promise<Database> {
  let identity: string | null = null;
  const { target, envSession } = await resolveDbTarget(
    options,
    async (envName) => {
      const session = openEnvSession(options, envName);
      try {
        identity =
          (await readsUntilInterrupted((signal) => verifyAccount(session, wantIdentity, signal)))?.arn ??
          null;
      } catch (error) {
        session.aws.destroy();
        throw error;
      }
      return session;
    },
    { envFromEnvironment },
  );
  const config = envSession?.config ?? loadConfig(options.config).config;
  const aws = envSession?.aws ?? awsClientsFor(options, config);
  const db = handles(async () => target, config);
  return {
    config,
    env: envSession?.env ?? detachedEnv(config),
    envSession,
    aws,
    target,
    label: envSession?.env.name ?? target.database,
    protectedEnv: envSession ? envSession.env.settings.protected : true,
    identity,
    ...closingAws(db, aws),
  };
}

/** A database given by its target and config alone (no environment, no AWS account): e.g. the demo's server. */
export function detachedDatabase(target: DbTarget, config: Config, name = 'database'): Database {
  const aws = awsClientsFor({}, config);
  const db = handles(async () => target, config);
  return {
    config,
    env: detachedEnv(config, name),
    envSession: null,
    aws,
    target,
    label: target.database,
    protectedEnv: true,
    identity: null,
    ...closingAws(db, aws),
  };
}

/** The read-only session of a database, opened now (connect failures surface here, exit 3). */
export async function withReadSession(database: Database): Promise<DbCommandSession> {
  try {
    return { ...database, db: await database.read() };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** A database command with its read-only session open (connect failures surface here, exit 3). */
export interface DbCommandSession extends Database {
  db: DbSession;
}

/** openDatabase, then the read-only diagnostic session (db health, db <check>, db cancel/terminate). */
export async function openDbCommandSession(
  options: DbCommandOptions,
  openOptions: OpenDatabaseOptions = {},
): Promise<DbCommandSession> {
  return withReadSession(await openDatabase(options, openOptions));
}
