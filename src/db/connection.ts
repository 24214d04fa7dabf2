import { readFileSync } from 'node:fs';
import { type ConnectionOptions, checkServerIdentity } from 'node:tls';
import type pg from 'pg';
import { describeAwsError, isAccessDenied, isCredentialsError, isNotFound } from '../aws/errors.js';
import type { DatabaseConfig } from '../config/schema.js';
import type { DbQuery } from '../engine/model/check.js';
import { UnreachableError, UsageError } from '../engine/model/errors.js';
import type { EnvSession } from '../engine/model/session.js';
import { redactSecrets } from './redact.js';

export type SslMode = 'disable' | 'require' | 'verify-full';

/** Where and as whom to connect; `password` never leaves this module except to the pg driver. */
export interface DbTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  ssl: SslMode;
  /** The host the certificate must name when connecting through a tunnel (--db-host). */
  tlsServerName?: string;
  /** Where the target came from, for messages: "--db-url", "DATABASE_URL", "secret fivestar/payments/prod/database". */
  source: string;
}

/** Flags of the database commands (declared in src/cli/database.ts). */
export interface DbConnectionOptions {
  dbUrl?: string;
  dbHost?: string;
  dbPort?: string;
  env?: string;
}

export interface DbSession extends DbQuery {
  target: DbTarget;
  /** "user@host:port/database", no password. */
  label: string;
  /** The backend pid of each connection this session opened (so `db cancel` can refuse to cancel itself). */
  ownPids(): number[];
  /**
   * When the server refused some of the connections asked for (near max_connections, or the role's
   * CONNECTION LIMIT): how many the checks shared, of how many. null when it got them all.
   */
  degraded?(): { connections: number; of: number; reason: string } | null;
  close(): Promise<void>;
}

/** The server refused a new connection for lack of slots (too_many_connections, 53300). */
export function isConnectionSlotError(error: unknown): boolean {
  const err = error as { code?: string; message?: string };
  return (
    err?.code === '53300' ||
    /too many (clients|connections)|remaining connection slots|connection limit exceeded/i.test(
      String(err?.message ?? ''),
    )
  );
}

export interface OpenOptions {
  /** Diagnostic sessions are read-only; only `db cancel`/`db terminate` open a writable one, for one statement. */
  readOnly: boolean;
  settings: DatabaseConfig['session'];
  /** Connections in the pool (1 for the single statement of a mutation). */
  poolSize?: number;
  /** The run's signal: aborting it gives up connecting (the pool is ended). */
  signal?: AbortSignal;
}

/** Prefix of every diagnostic query, so that pg_stat_statements reports can leave fsops's own out. */
export const FSOPS_QUERY_TAG = '/* fsops */';

const RDS_HOST = /\.rds\.amazonaws\.com(\.cn)?$/i;
const LOCAL_HOST = /^(localhost|127\.\d+\.\d+\.\d+|::1)$/i;

export function targetLabel(target: Pick<DbTarget, 'user' | 'host' | 'port' | 'database'>): string {
  return `${target.user}@${target.host}:${target.port}/${target.database}`;
}

/** The TLS mode a host gets when nothing says otherwise: RDS requires TLS, loopback (a tunnel) has none. */
export function defaultSslMode(host: string): SslMode {
  if (RDS_HOST.test(host)) return 'require';
  return 'disable';
}

/** sslmode as libpq spells it, mapped to what fsops does: prefer/allow become require, verify-ca verify-full. */
export function normalizeSslMode(value: string, where: string): SslMode {
  switch (value) {
    case 'disable':
      return 'disable';
    case 'allow':
    case 'prefer':
    case 'require':
      return 'require';
    case 'verify-ca':
    case 'verify-full':
      return 'verify-full';
    default:
      throw new UsageError(
        `${where}: unknown sslmode '${value}' (valid: disable, allow, prefer, require, verify-ca, verify-full)`,
      );
  }
}

/** Parses a postgres:// URL; errors name the problem, never the URL (it may hold a password). */
export function parseDbUrl(raw: string, source: string): DbTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `${source} is not a valid URL: expected postgres://user[:password]@host[:port]/database`,
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new UsageError(
      `${source} must start with postgres:// or postgresql:// (got ${url.protocol.replace(/:$/, '')}://)`,
    );
  }
  const host = decodeURIComponent(url.hostname).replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = url.port ? Number(url.port) : 5432;
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
  const user = decodeURIComponent(url.username) || url.searchParams.get('user') || 'postgres';
  const password = url.password
    ? decodeURIComponent(url.password)
    : (url.searchParams.get('password') ?? undefined);
  const sslParam = url.searchParams.get('sslmode');
  return {
    host,
    port,
    database,
    user,
    password,
    ssl: sslParam ? normalizeSslMode(sslParam, source) : defaultSslMode(host),
    source,
  };
}

interface SecretShape {
  username?: string;
  password?: string;
  host?: string;
  port?: number | string;
  database?: string;
  dbname?: string;
}

/** The environment's database: the Secrets Manager secret (deployment guide §4.2.2), config overrides on top. */
export async function envDbTarget(session: EnvSession, signal?: AbortSignal): Promise<DbTarget> {
  const configured = session.env.settings.database;
  const secretName = session.env.nameOf('dbSecret');
  const complete = configured.host && configured.user && configured.password !== undefined;
  const secret = complete ? {} : await readDbSecret(session, secretName, signal);
  const host = configured.host ?? secret.host;
  if (!host) {
    throw new UsageError(
      `secret ${secretName} has no host, and environments.${session.env.name}.database.host is not set`,
    );
  }
  const user = configured.user ?? secret.username;
  if (!user) throw new UsageError(`secret ${secretName} has no username`);
  return {
    host,
    port: configured.port ?? (secret.port ? Number(secret.port) : 5432),
    database: configured.database ?? secret.database ?? secret.dbname ?? 'fivestar_payments',
    user,
    password: configured.password ?? secret.password,
    ssl: configured.ssl ?? defaultSslMode(host),
    source: complete ? `environments.${session.env.name}.database` : `secret ${secretName}`,
  };
}

async function readDbSecret(
  session: EnvSession,
  secretName: string,
  signal?: AbortSignal,
): Promise<SecretShape> {
  const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const env = session.env.name;
  let text: string | undefined;
  try {
    const client = await session.aws.secrets();
    // The run's signal: when the run ends (its report is out), a hanging call must not keep the process alive.
    text = (await client.send(new GetSecretValueCommand({ SecretId: secretName }), { abortSignal: signal }))
      .SecretString;
  } catch (error) {
    if (isCredentialsError(error)) {
      throw new UsageError(
        `no AWS credentials to read the database secret of ${env}: set --profile or AWS_PROFILE, or pass --db-url`,
      );
    }
    if (isNotFound(error)) {
      throw new UsageError(
        `database secret ${secretName} not found for ${env} (names.dbSecret in the config, or pass --db-url)`,
      );
    }
    if (isAccessDenied(error)) {
      throw new UnreachableError(
        `not allowed to read the database secret ${secretName}: ${describeAwsError(error)}`,
      );
    }
    throw new UnreachableError(`cannot read the database secret ${secretName}: ${describeAwsError(error)}`);
  }
  try {
    const parsed = JSON.parse(text ?? '') as unknown;
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    return parsed as SecretShape;
  } catch {
    throw new UsageError(
      `database secret ${secretName} is not JSON with username, password, host, port, database (deployment guide §4.2.2)`,
    );
  }
}

/**
 * Which database a command talks to: --db-url, then --env (its secret), then DATABASE_URL, then
 * FSOPS_ENV. --db-host/--db-port replace host and port (an SSH or SSM tunnel), keeping TLS checks
 * against the real host name.
 */
export async function resolveDbTarget(
  options: DbConnectionOptions,
  openEnv: (envName: string) => EnvSession | Promise<EnvSession>,
  { envFromEnvironment = true, signal }: { envFromEnvironment?: boolean; signal?: AbortSignal } = {},
): Promise<{ target: DbTarget; envSession: EnvSession | null }> {
  let target: DbTarget;
  let envSession: EnvSession | null = null;
  if (options.dbUrl) {
    target = parseDbUrl(options.dbUrl, '--db-url');
    // --env next to --db-url still names the environment (thresholds, expected replicas, audit, prod guard).
    if (options.env) envSession = await openEnv(options.env);
  } else if (options.env) {
    envSession = await openEnv(options.env);
    target = await envDbTarget(envSession, signal);
  } else if (process.env.DATABASE_URL) {
    target = parseDbUrl(process.env.DATABASE_URL, 'DATABASE_URL');
  } else if (envFromEnvironment && process.env.FSOPS_ENV) {
    envSession = await openEnv(process.env.FSOPS_ENV);
    target = await envDbTarget(envSession, signal);
  } else {
    throw new UsageError(
      `no database given: pass --db-url postgres://user@host:port/db, set DATABASE_URL, or pass --env (reads its Secrets Manager secret)${envFromEnvironment ? '' : '; FSOPS_ENV is not used by commands that change something'}`,
    );
  }
  return { target: applyTunnel(target, options), envSession };
}

export function applyTunnel(
  target: DbTarget,
  options: Pick<DbConnectionOptions, 'dbHost' | 'dbPort'>,
): DbTarget {
  if (!options.dbHost && !options.dbPort) return target;
  let port = target.port;
  if (options.dbPort !== undefined) {
    port = Number(options.dbPort);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new UsageError(`--db-port must be a port number 1-65535 (got '${options.dbPort}')`);
    }
  }
  const host = options.dbHost ?? target.host;
  return { ...target, host, port, tlsServerName: host === target.host ? target.tlsServerName : target.host };
}

export function tlsOptions(target: DbTarget, sslRootCert: string | null): false | ConnectionOptions {
  if (target.ssl === 'disable') return false;
  if (target.ssl === 'require') return { rejectUnauthorized: false };
  const expectedHost = target.tlsServerName ?? target.host;
  let ca: string | undefined;
  if (sslRootCert) {
    try {
      ca = readFileSync(sslRootCert, 'utf8');
    } catch (error) {
      throw new UsageError(
        `database.session.sslRootCert: cannot read ${sslRootCert} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  return {
    rejectUnauthorized: true,
    ca,
    servername: LOCAL_HOST.test(expectedHost) ? undefined : expectedHost,
    checkServerIdentity: (_host, cert) => checkServerIdentity(expectedHost, cert),
  };
}

/** pg connection settings for a target: credentials, TLS, startup parameters (`-c key=value`), timeout. */
export function connectionConfig(
  target: DbTarget,
  settings: DatabaseConfig['session'],
  applicationName: string,
  parameters: Record<string, string>,
): pg.ClientConfig {
  return {
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.user,
    password: target.password,
    ssl: tlsOptions(target, settings.sslRootCert),
    application_name: applicationName,
    options: Object.entries(parameters)
      .map(([key, value]) => `-c ${key}=${value}`)
      .join(' '),
    connectionTimeoutMillis: settings.connectTimeoutMs,
  };
}

/** The startup options every session gets: read-only (unless a mutation), timeouts, application_name. */
export function sessionParameters(
  settings: DatabaseConfig['session'],
  readOnly: boolean,
): Record<string, string> {
  return {
    default_transaction_read_only: readOnly ? 'on' : 'off',
    statement_timeout: String(settings.statementTimeoutMs),
    lock_timeout: String(settings.lockTimeoutMs),
    idle_in_transaction_session_timeout: String(settings.idleInTransactionSessionTimeoutMs),
  };
}

/** An error from a diagnostic query: message redacted, with the SQLSTATE. */
export class DbQueryError extends Error {
  override name = 'DbQueryError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** One line for a pg error: what happened, and for timeouts which limit hit. */
export function describePgError(
  error: unknown,
  settings: DatabaseConfig['session'],
  secrets: string[],
): string {
  const pgError = error as { code?: string; message?: string };
  const message = String(pgError.message ?? error).split('\n')[0]!;
  let text: string;
  if (pgError.code === '57014' && /statement timeout/i.test(message)) {
    text = `query cancelled by statement_timeout (${settings.statementTimeoutMs} ms, database.session.statementTimeoutMs)`;
  } else if (pgError.code === '55P03') {
    text = `gave up waiting for a lock after lock_timeout (${settings.lockTimeoutMs} ms)`;
  } else if (pgError.code === '42501') {
    text = `permission denied: ${message}`;
  } else {
    text = pgError.code ? `${message} (SQLSTATE ${pgError.code})` : message;
  }
  return redactSecrets(text, secrets);
}

/** The one connect-failure message (read-only and writable sessions): the reason kept, the password never. */
export function connectFailure(
  error: unknown,
  target: DbTarget,
  settings: DatabaseConfig['session'],
): UnreachableError {
  const secrets = target.password ? [target.password] : [];
  const err = error as { code?: string; message?: string };
  const raw = String(err.message ?? error).split('\n')[0]!;
  let reason: string;
  if (err.code === 'ECONNREFUSED') reason = 'connection refused (is the server running, or the tunnel open?)';
  else if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') reason = `host ${target.host} not found`;
  else if (/timeout/i.test(raw) || err.code === 'ETIMEDOUT')
    reason = `no answer within ${settings.connectTimeoutMs} ms (security group, VPN or tunnel?)`;
  else if (err.code === '28P01') reason = `password authentication failed for user ${target.user}`;
  else if (err.code === '28000') reason = raw;
  else if (err.code === '3D000') reason = `database ${target.database} does not exist`;
  else if (/does not support SSL/i.test(raw)) {
    reason =
      'the server does not offer TLS, which this connection requires (RDS hosts default to sslmode=require): for a server without TLS use ?sslmode=disable in the URL or environments.<env>.database.ssl: disable';
  } else if (/self[- ]signed|certificate|SSL|TLS/i.test(raw)) {
    reason = `TLS problem: ${raw} (set database.session.sslRootCert to the RDS CA bundle, or use sslmode=require)`;
  } else reason = err.code ? `${raw} (${err.code})` : raw;
  return new UnreachableError(
    redactSecrets(
      `cannot connect to PostgreSQL ${targetLabel(target)} (from ${target.source}): ${reason}`,
      secrets,
    ),
  );
}

/**
 * Opens a small pool of sessions to the target and proves it answers. Every session is read-only
 * (unless `readOnly: false`), with statement_timeout, lock_timeout, idle_in_transaction_session_timeout
 * and application_name `fsops`. Unreachable -> UnreachableError (exit 3), without the password.
 */
export async function openDbSession(target: DbTarget, options: OpenOptions): Promise<DbSession> {
  const { settings } = options;
  const secrets = target.password ? [target.password] : [];
  const parameters = sessionParameters(settings, options.readOnly);
  // pg loads here, not with this module: `fsops validate` imports it for its lazy database and
  // usually never opens one.
  const { default: pgModule } = await import('pg');
  const pool = new pgModule.Pool({
    ...connectionConfig(target, settings, 'fsops', parameters),
    max: options.poolSize ?? settings.poolSize,
    idleTimeoutMillis: 5000,
    allowExitOnIdle: true,
  });
  // A connection dropped by the server (terminated, network) surfaces on the next query, not as a crash.
  pool.on('error', () => {});
  const backendPids = new Set<number>();
  pool.on('connect', (client) => {
    const pid = (client as unknown as { processID?: number }).processID;
    if (pid) backendPids.add(pid);
  });
  pool.on('remove', (client) => {
    backendPids.delete((client as unknown as { processID?: number }).processID ?? -1);
  });
  let serverVersion: number;
  try {
    options.signal?.throwIfAborted();
    const client = await (options.signal ? untilAborted(pool.connect(), options.signal) : pool.connect());
    try {
      const result = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      serverVersion = Number(result.rows[0]!.v);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw connectFailure(error, target, settings);
  }
  let closed = false;
  // Near max_connections the server may grant fewer connections than the pool asks for. Then every
  // query waits for one of the connections it did get (down to one) instead of failing.
  const wanted = options.poolSize ?? settings.poolSize;
  let capacity = wanted;
  let refusal = '';
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const acquire = async () => {
    while (inFlight >= capacity) await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight += 1;
  };
  const release = () => {
    inFlight -= 1;
    waiting.shift()?.();
  };
  const run = async (sql: string, params?: unknown[]) => {
    for (;;) {
      await acquire();
      try {
        return await pool.query(`${FSOPS_QUERY_TAG} ${sql}`, params);
      } catch (error) {
        const have = pool.totalCount;
        if (!isConnectionSlotError(error) || have < 1) throw error;
        capacity = Math.min(capacity, have);
        refusal ||= String((error as Error).message ?? error).split('\n')[0]!;
      } finally {
        release();
      }
    }
  };
  return {
    target,
    label: targetLabel(target),
    serverVersion,
    async query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]> {
      try {
        const result = await run(sql, params);
        return result.rows as R[];
      } catch (error) {
        throw new DbQueryError(describePgError(error, settings, secrets), (error as { code?: string }).code);
      }
    },
    ownPids() {
      return [...backendPids];
    },
    degraded() {
      return capacity < wanted
        ? { connections: capacity, of: wanted, reason: redactSecrets(refusal, secrets) }
        : null;
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end().catch(() => {});
    },
  };
}

/** `promise`, or the signal's reason as soon as it is aborted (what was started is ended by the caller). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
