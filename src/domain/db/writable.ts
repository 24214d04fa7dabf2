import type { Config } from '../../base/config/schema.js';
import type { DbQuery } from '../../base/model/check.js';
import {
  connectFailure,
  connectionConfig,
  DbQueryError,
  describePgError,
  sessionParameters,
} from './connection.js';
import { redactSecrets } from './redact.js';
import { type DbTarget, targetLabel } from './target.js';

/**
 * The one WRITABLE session of a maintenance run (VACUUM, retention deletes, partition DDL, REINDEX).
 * A single connection in autocommit mode: every statement is its own transaction (VACUUM and
 * REINDEX CONCURRENTLY cannot run inside one, and a batch delete must not hold locks across batches).
 */
export interface MaintenanceDb extends DbQuery {
  label: string;
  /**
   * Runs one statement and reports how many rows it touched, and the notices and warnings the server
   * sent while it ran (facts to judge: a VACUUM PostgreSQL skipped only says so in a WARNING).
   */
  execute(
    sql: string,
    params?: unknown[],
  ): Promise<{ rowCount: number; rows: Record<string, unknown>[]; notices: ServerNotice[] }>;
  close(): Promise<void>;
}

/** A NOTICE or WARNING the server sent during a statement. */
export interface ServerNotice {
  severity: string;
  message: string;
  code?: string;
}

export const MAINTENANCE_APPLICATION_NAME = 'fsops-maintenance';

export function maintenanceSettings(config: Config) {
  return {
    ...config.database.session,
    // VACUUM of a large table or a batch delete needs longer than a diagnostic query.
    statementTimeoutMs: config.maintenance.statementTimeoutMs,
    lockTimeoutMs: config.maintenance.lockTimeoutMs,
  };
}

/** How the one writable session is opened; the defaults are a maintenance run's. */
export interface WriteSessionOptions {
  /** A run that only lists opens it read-only. */
  readOnly?: boolean;
  /** `application_name` (default fsops-maintenance). */
  applicationName?: string;
  /**
   * Timeouts and TLS (default: the diagnostic session's with the maintenance statement and lock
   * timeouts). `db cancel`/`db terminate` keep the diagnostic ones: one short statement.
   */
  settings?: Config['database']['session'];
}

export async function openMaintenanceSession(
  target: DbTarget,
  config: Config,
  options: WriteSessionOptions = {},
): Promise<MaintenanceDb> {
  const settings = options.settings ?? maintenanceSettings(config);
  const secrets = target.password ? [target.password] : [];
  // Partition bounds are written and read as UTC dates.
  const parameters = { ...sessionParameters(settings, options.readOnly ?? false), TimeZone: 'UTC' };
  // pg loads when a session opens, not with this module (src/engine/database.ts imports it for every run).
  const { default: pg } = await import('pg');
  const client = new pg.Client(
    connectionConfig(target, settings, options.applicationName ?? MAINTENANCE_APPLICATION_NAME, parameters),
  );
  client.on('error', () => {});
  let notices: ServerNotice[] = [];
  client.on('notice', (notice: { severity?: string; message?: string; code?: string }) => {
    notices.push({
      severity: notice.severity ?? 'NOTICE',
      message: redactSecrets(String(notice.message ?? ''), secrets),
      ...(notice.code ? { code: notice.code } : {}),
    });
  });
  let serverVersion: number;
  try {
    await client.connect();
    serverVersion = Number(
      (await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]!.v,
    );
  } catch (error) {
    await client.end().catch(() => {});
    throw connectFailure(error, target, settings);
  }
  const run = async (sql: string, params?: unknown[]) => {
    try {
      return await client.query(sql, params);
    } catch (error) {
      throw new DbQueryError(describePgError(error, settings, secrets), (error as { code?: string }).code);
    }
  };
  let closed = false;
  return {
    label: targetLabel(target),
    serverVersion,
    async query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]> {
      return (await run(sql, params)).rows as R[];
    },
    async execute(sql, params) {
      notices = [];
      const result = await run(sql, params);
      const sent = notices;
      notices = [];
      return { rowCount: result.rowCount ?? 0, rows: result.rows, notices: sent };
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.end().catch(() => {});
    },
  };
}

/** `"schema"."table"` from `table` or `schema.table` (names from the config, validated there). */
export function quoteQualified(name: string): string {
  return name
    .split('.')
    .map((part) => `"${part.replace(/"/g, '""')}"`)
    .join('.');
}
