import { describeAwsError, isAccessDenied, isCredentialsError, isNotFound } from '../../base/aws/errors.js';
import { UnreachableError, UsageError } from '../../base/model/errors.js';
import type { EnvSession } from '../../base/model/session.js';

// Which database and how to reach it (--db-url, the environment's Secrets Manager secret, DATABASE_URL,
// --db-host/--db-port for a tunnel), resolved without connecting; ./connection.ts opens the session.

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

/** Flags of the database commands (declared in src/commands/cli/database.ts). */
export interface DbConnectionOptions {
  dbUrl?: string;
  dbHost?: string;
  dbPort?: string;
  env?: string;
}

const RDS_HOST = /\.rds\.amazonaws\.com(\.cn)?$/i;

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
