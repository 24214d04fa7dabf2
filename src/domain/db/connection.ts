import { readFileSync } from 'node:fs';
import { type ConnectionOptions, checkServerIdentity } from 'node:tls';
import type pg from 'pg';
import type { DatabaseConfig } from '../../base/config/schema.js';
import type { DbQuery } from '../../base/model/check.js';
import { UnreachableError, UsageError } from '../../base/model/errors.js';
import { redactSecrets } from './redact.js';
import { type DbTarget, targetLabel } from './target.js';

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

const LOCAL_HOST = /^(localhost|127\.\d+\.\d+\.\d+|::1)$/i;

/** Prefix of every diagnostic query, so that pg_stat_statements reports can leave fsops's own out. */
export const FSOPS_QUERY_TAG = '/* fsops */';

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
