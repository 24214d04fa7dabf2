import type { z } from 'zod';
import type { DatabaseConfig } from '../../../base/config/schema.js';
import type { Check, CheckContext, CheckResult, DbQuery, ParamsSchema } from '../../../base/model/check.js';
import { couldNotCheck, defineCheck } from '../../../base/model/check.js';
import { overallStatus, type Severity, type Status } from '../../../base/model/finding.js';
import { type Got, unreadFact } from '../partial.js';

export type Levels = { warn: number; fail: number };
export type DbThresholds = DatabaseConfig['thresholds'];

/** Higher is worse (ages, percentages used). */
export function judgeHigh(value: number, levels: Levels): Status {
  if (value >= levels.fail) return 'fail';
  if (value >= levels.warn) return 'warn';
  return 'pass';
}

/** Lower is worse (cache hit ratio). */
export function judgeLow(value: number, levels: Levels): Status {
  if (value < levels.fail) return 'fail';
  if (value < levels.warn) return 'warn';
  return 'pass';
}

export function worst(statuses: Status[]): Status {
  return overallStatus(statuses.map((status) => ({ status })));
}

/** 75 -> "1m 15s", 7200 -> "2h 0m", 200000 -> "2d 7h". */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** 0.8 -> "0.8 ms", 784 -> "784 ms", 95000 -> "1m 35s". */
export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return formatAge(ms / 1000);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** One line of SQL for a report: whitespace collapsed, cut at `max` characters. */
export function shortQuery(query: string | null | undefined, max = 160): string {
  const flat = (query ?? '').replace(/\s+/g, ' ').trim();
  if (!flat) return '(no query text)';
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function levelsText(levels: Levels, unit: string, higherIsWorse = true): string {
  return higherIsWorse
    ? `< ${levels.warn}${unit} (warn at ${levels.warn}${unit}, fail at ${levels.fail}${unit})`
    : `>= ${levels.warn}${unit} (warn below ${levels.warn}${unit}, fail below ${levels.fail}${unit})`;
}

/** "…and 12 more" after a capped list. */
export function moreLine(total: number, shown: number): string[] {
  return total > shown ? [`…and ${total - shown} more`] : [];
}

export interface DbInfo {
  database: string;
  user: string;
  superuser: boolean;
  /** Member of pg_read_all_stats (or pg_monitor): sees every session's query text. */
  readAllStats: boolean;
  inRecovery: boolean;
  version: string;
}

/** Facts about the session every database check may want, gathered once per run. */
export function dbInfo(ctx: CheckContext, db: DbQuery): Promise<DbInfo> {
  return ctx.once('db.info', async () => {
    const [row] = await db.query<{
      database: string;
      user: string;
      superuser: boolean;
      read_all_stats: boolean;
      in_recovery: boolean;
      version: string;
    }>(
      `SELECT current_database() AS database, current_user AS "user",
              (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
              pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS read_all_stats,
              pg_is_in_recovery() AS in_recovery,
              current_setting('server_version') AS version`,
    );
    return {
      database: row!.database,
      user: row!.user,
      superuser: row!.superuser,
      readAllStats: row!.superuser || row!.read_all_stats,
      inRecovery: row!.in_recovery,
      version: row!.version,
    };
  });
}

export interface DbCheckSpec<S extends ParamsSchema> {
  id: string;
  title: string;
  severity: Severity;
  source: string;
  remediation: string;
  /** The step parameters it takes (see CheckSpec.params; `noParams` for none). */
  params: S;
  run(ctx: CheckContext, db: DbQuery, params: z.infer<S>): Promise<CheckResult[]>;
}

/**
 * A database check: opens (once per run) the diagnostic session and turns a failed or timed-out
 * query into an `error` finding of this check, so that the other checks still report.
 */
export function dbCheck<S extends ParamsSchema>(spec: DbCheckSpec<S>): Check {
  return defineCheck({
    id: spec.id,
    title: spec.title,
    severity: spec.severity,
    source: spec.source,
    remediation: spec.remediation,
    params: spec.params,
    async run(ctx, params) {
      try {
        const db = await ctx.db();
        return await spec.run(ctx, db, params);
      } catch (error) {
        const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
        return [
          couldNotCheck(
            spec.id,
            message ?? '',
            'Check the database connection and that the role can read the statistics views (GRANT pg_monitor), or raise database.session.statementTimeoutMs.',
          ),
        ];
      }
    },
  });
}

/**
 * One query of a database check as a fact on its own (src/catalogue/checks/partial.ts): a query that
 * fails (a function or view the role may not use, a statement timeout) is its reason, in the
 * server's words (first line), and never the other queries' loss.
 */
export async function dbFacts<T extends readonly unknown[]>(
  ...queries: { [K in keyof T]: Promise<T[K]> }
): Promise<{ [K in keyof T]: Got<T[K]> }> {
  const settled = await Promise.allSettled(queries);
  return settled.map((s) =>
    s.status === 'fulfilled'
      ? { ok: true, value: s.value }
      : {
          ok: false,
          reason: (s.reason instanceof Error ? s.reason.message : String(s.reason)).split('\n')[0] ?? '',
        },
  ) as { [K in keyof T]: Got<T[K]> };
}

/** The `error` finding of a query a database check could not read; the rest of the check was judged without it. */
export function unreadQuery(id: string, resource: string, what: string, reason: string): CheckResult {
  return unreadFact(
    id,
    resource,
    what,
    reason,
    'Check that the role can read the statistics (GRANT pg_monitor) or raise database.session.statementTimeoutMs; the other findings were judged without this one.',
  );
}
