import { z } from 'zod';
import type { CheckResult, DbQuery } from '../../../base/model/check.js';
import {
  type DbInfo,
  dbCheck,
  dbInfo,
  formatCount,
  formatMs,
  judgeHigh,
  type Levels,
  shortQuery,
  worst,
} from './common.js';

/**
 * pg_stat_statements columns: `mean_time`/`total_time` (extension < 1.8, what runbook 002 queries),
 * `mean_exec_time`/`total_exec_time` (1.8, PostgreSQL 13+, ops guide §13.2.2), and `blk_read_time`
 * renamed `shared_blk_read_time` in 1.11 (PostgreSQL 17). The columns the view really has decide: a
 * major-version upgrade leaves the extension at its old version until ALTER EXTENSION ... UPDATE. Without
 * them (`columns` undefined), the server version's own extension version is assumed.
 */
export function statementColumns(
  serverVersion: number,
  columns?: readonly string[],
): { mean: string; total: string; readTime: string } {
  const execTime = columns ? columns.includes('mean_exec_time') : serverVersion >= 130000;
  const sharedReadTime = columns ? columns.includes('shared_blk_read_time') : serverVersion >= 170000;
  return {
    mean: execTime ? 'mean_exec_time' : 'mean_time',
    total: execTime ? 'total_exec_time' : 'total_time',
    readTime: sharedReadTime ? 'shared_blk_read_time' : 'blk_read_time',
  };
}

export interface StatementsAvailability {
  installed: boolean;
  /** null: the role may not read shared_preload_libraries and the extension is not there to try. */
  preloaded: boolean | null;
  canReadAll: boolean;
  user: string;
  /** Where the extension lives (its view is queried by qualified name). */
  schema?: string;
  /** The columns of its view, which follow the installed extension version. */
  columns?: string[];
}

/** When pg_stat_statements cannot answer fully: which part is missing and the statement that fixes it. */
export function evaluateAvailability(a: StatementsAvailability): CheckResult | null {
  const base = {
    id: 'db.slow-queries.extension',
    title: 'pg_stat_statements is available',
    resource: 'pg_stat_statements',
  };
  if (a.preloaded === false) {
    return {
      ...base,
      status: 'warn',
      expected: "shared_preload_libraries includes 'pg_stat_statements'",
      observed: 'pg_stat_statements is not in shared_preload_libraries: slow queries cannot be measured',
      remediation:
        "On RDS: add pg_stat_statements to shared_preload_libraries in the instance's DB parameter group and reboot, then CREATE EXTENSION pg_stat_statements; elsewhere: ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements' and restart.",
    };
  }
  if (!a.installed) {
    return {
      ...base,
      status: 'warn',
      expected: 'the pg_stat_statements extension exists in this database',
      observed:
        a.preloaded === null
          ? 'the pg_stat_statements extension is not created in this database'
          : 'pg_stat_statements is preloaded but the extension is not created in this database',
      remediation:
        a.preloaded === null
          ? "CREATE EXTENSION pg_stat_statements; (as the RDS master user or a database owner); it also needs 'pg_stat_statements' in shared_preload_libraries (on RDS: the DB parameter group, then a reboot)"
          : 'CREATE EXTENSION pg_stat_statements; (as the RDS master user or a database owner)',
    };
  }
  if (!a.canReadAll) {
    return {
      ...base,
      status: 'warn',
      expected: 'the role can read every statement (pg_read_all_stats)',
      observed: `role ${a.user} lacks pg_read_all_stats: other roles' statements show as <insufficient privilege>`,
      remediation: `GRANT pg_read_all_stats TO ${a.user}; (or GRANT pg_monitor, which includes it)`,
    };
  }
  return null;
}

export interface StatementRow {
  queryid: string;
  query: string;
  calls: number;
  meanMs: number;
  totalMs: number;
  rows: number;
  readMs: number;
  hitPercent: number | null;
}

function statementLine(s: StatementRow): string {
  const hit = s.hitPercent === null ? '' : `, cache hit ${s.hitPercent.toFixed(1)}%`;
  return `mean ${formatMs(s.meanMs)} x ${formatCount(s.calls)} calls = ${formatMs(s.totalMs)} total, ${formatCount(s.rows)} rows${hit}`;
}

/** Slowest statements by mean time (runbooks 002/003 cut-offs) and the heaviest by total time. */
export function evaluateStatements(
  byMean: StatementRow[],
  byTotal: StatementRow[],
  levels: Levels,
): CheckResult[] {
  const slow = byMean.filter((s) => s.meanMs >= levels.warn);
  const results: CheckResult[] = slow.map((s) => ({
    id: 'db.slow-queries.mean',
    title: 'Slow statement (mean time)',
    status: judgeHigh(s.meanMs, levels),
    resource: `queryid ${s.queryid}`,
    expected: `mean execution time < ${levels.warn} ms (fail at ${levels.fail} ms)`,
    observed: statementLine(s),
    detail: shortQuery(s.query, 400),
    remediation:
      'EXPLAIN (ANALYZE, BUFFERS) the statement with realistic parameters; add the missing index (CREATE INDEX CONCURRENTLY) or ANALYZE the table (runbook 003 Query Optimization).',
  }));
  if (slow.length === 0) {
    results.push({
      id: 'db.slow-queries.mean',
      title: 'Slow statements (mean time)',
      status: 'pass',
      resource: 'pg_stat_statements',
      expected: `mean execution time < ${levels.warn} ms`,
      observed: byMean[0]
        ? `slowest mean ${formatMs(byMean[0].meanMs)}: ${shortQuery(byMean[0].query, 80)}`
        : 'no statements recorded yet',
    });
  }
  const top = byTotal.slice(0, 5);
  results.push({
    id: 'db.slow-queries.total',
    title: 'Statements taking the most total time',
    status: worst(top.map((s) => judgeHigh(s.meanMs, levels))),
    resource: 'pg_stat_statements',
    expected: `the busiest statements stay under ${levels.warn} ms each`,
    observed: top[0]
      ? `top: ${formatMs(top[0].totalMs)} in ${formatCount(top[0].calls)} calls (queryid ${top[0].queryid})`
      : 'no statements recorded yet',
    detail: top.map((s) => `${statementLine(s)}: ${shortQuery(s.query, 120)}`).join('\n'),
    remediation:
      'Optimise the statements at the top first: a small gain on a statement called millions of times matters most.',
  });
  return results;
}

/**
 * Whether pg_stat_statements can answer. shared_preload_libraries is hidden from roles without
 * pg_read_all_settings, so when the extension exists, reading its view is the test that counts.
 */
async function availability(db: DbQuery, info: DbInfo): Promise<StatementsAvailability> {
  const [row] = await db.query<{
    installed: boolean;
    libraries: string | null;
    schema: string | null;
    columns: string[] | null;
  }>(
    `WITH ext AS (
       SELECT quote_ident(n.nspname) AS schema
         FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'pg_stat_statements'
     )
     SELECT EXISTS (SELECT 1 FROM ext) AS installed, (SELECT schema FROM ext) AS schema,
            (SELECT array_agg(a.attname::text) FROM pg_attribute a
              WHERE a.attrelid = (SELECT to_regclass(schema || '.pg_stat_statements') FROM ext)
                AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
            (SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries') AS libraries`,
  );
  const schema = row!.schema ?? 'public';
  let preloaded: boolean | null =
    row!.libraries === null
      ? null
      : row!.libraries
          .split(',')
          .map((lib) => lib.trim().replace(/^"|"$/g, ''))
          .includes('pg_stat_statements');
  if (row!.installed && preloaded !== false) {
    try {
      await db.query(`SELECT 1 FROM ${schema}.pg_stat_statements LIMIT 1`);
      preloaded = true;
    } catch (error) {
      if (!/shared_preload_libraries/.test((error as Error).message)) throw error;
      preloaded = false;
    }
  }
  return {
    installed: row!.installed,
    preloaded,
    canReadAll: info.readAllStats,
    user: info.user,
    schema,
    columns: row!.columns ?? undefined,
  };
}

export const slowQueriesCheck = dbCheck({
  id: 'db.slow-queries',
  title: 'Slow queries (pg_stat_statements)',
  severity: 'high',
  source: 'ops guide §13.2.2; runbook 002 (Query Optimization); runbook 003 (Performance Degradation)',
  remediation: 'Optimise the slowest statements.',
  params: z.object({ limit: z.number().int().positive().optional() }).strict(),
  async run(ctx, db, params) {
    const info = await dbInfo(ctx, db);
    const avail = await availability(db, info);
    const problem = evaluateAvailability(avail);
    if (!avail.installed || !avail.preloaded) return [problem!];
    const cols = statementColumns(db.serverVersion, avail.columns);
    const limit = params.limit ?? 10;
    const select = `SELECT queryid::text AS queryid, left(query, 2000) AS query, calls::float8 AS calls,
                           ${cols.mean}::float8 AS mean_ms, ${cols.total}::float8 AS total_ms, rows::float8 AS rows,
                           ${cols.readTime}::float8 AS read_ms,
                           CASE WHEN shared_blks_hit + shared_blks_read > 0
                                THEN 100.0 * shared_blks_hit / (shared_blks_hit + shared_blks_read) END::float8 AS hit_percent
                      FROM ${avail.schema}.pg_stat_statements
                     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                       AND calls > 0 AND query NOT LIKE '/* fsops */%'`;
    type Row = {
      queryid: string;
      query: string;
      calls: number;
      mean_ms: number;
      total_ms: number;
      rows: number;
      read_ms: number;
      hit_percent: number | null;
    };
    const toRow = (r: Row): StatementRow => ({
      queryid: r.queryid,
      query: r.query,
      calls: r.calls,
      meanMs: r.mean_ms,
      totalMs: r.total_ms,
      rows: r.rows,
      readMs: r.read_ms,
      hitPercent: r.hit_percent,
    });
    // The slowest by mean and the heaviest by total are two orderings of the same rows: one statement
    // reads the view once (pg_stat_statements reads every entry and its query texts file on each
    // scan), so the two lists are one fact that arrives or fails whole, never one without the other.
    const rows = await db.query<Row & { ordering: 'mean' | 'total' }>(
      `WITH s AS (${select})
       (SELECT 'mean' AS ordering, s.* FROM s ORDER BY mean_ms DESC LIMIT $1)
       UNION ALL
       (SELECT 'total' AS ordering, s.* FROM s ORDER BY total_ms DESC LIMIT $1)`,
      [limit],
    );
    // Each list in its own order (a stable sort keeps the server's order of ties).
    const byMean = rows.filter((r) => r.ordering === 'mean').sort((a, b) => b.mean_ms - a.mean_ms);
    const byTotal = rows.filter((r) => r.ordering === 'total').sort((a, b) => b.total_ms - a.total_ms);
    const results = evaluateStatements(
      byMean.map(toRow),
      byTotal.map(toRow),
      ctx.env.config.database.thresholds.slowQueryMeanMs,
    );
    return problem ? [problem, ...results] : results;
  },
});
