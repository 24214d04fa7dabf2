import type { CheckResult } from '../../../base/model/check.js';
import { noParams } from '../../../base/model/check.js';
import { dbCheck, formatAge, formatBytes, moreLine } from './common.js';

export interface IndexRow {
  index: string;
  table: string;
  bytes: number;
  definition: string;
}

export interface DuplicateIndex extends IndexRow {
  /** The index that makes this one redundant. */
  coveredBy: string;
  coveredByDefinition: string;
  /** Same columns, same everything: exact duplicate; otherwise a leading-column prefix. */
  exact: boolean;
}

export interface IndexFacts {
  invalid: IndexRow[];
  duplicates: DuplicateIndex[];
  unused: (IndexRow & { scans: number })[];
  /** Seconds since the statistics were reset; null when they never were; 'unread' when that could not be read. */
  statsAge: number | null | 'unread';
  unusedTotal: number;
}

const LIST = 10;

/** Invalid, duplicate and unused indexes (runbook 003 Index Management; ops guide §12.3.1). */
export function evaluateIndexes(facts: IndexFacts, minUnusedBytes: number): CheckResult[] {
  const results: CheckResult[] = [];
  if (facts.invalid.length === 0) {
    results.push({
      id: 'db.indexes.invalid',
      title: 'Invalid indexes',
      status: 'pass',
      resource: 'pg_index',
      expected: 'no invalid index',
      observed: 'no invalid index',
    });
  }
  for (const ix of facts.invalid.slice(0, LIST)) {
    results.push({
      id: 'db.indexes.invalid',
      title: 'Invalid index',
      status: 'fail',
      resource: ix.index,
      expected: 'every index valid',
      observed: `${ix.index} on ${ix.table} is invalid (${formatBytes(ix.bytes)}): a failed CREATE INDEX CONCURRENTLY; it is maintained on every write but never used`,
      detail: ix.definition,
      remediation: `DROP INDEX CONCURRENTLY ${ix.index}; then create it again (CREATE INDEX CONCURRENTLY), or REINDEX INDEX CONCURRENTLY ${ix.index}.`,
    });
  }
  if (facts.duplicates.length === 0) {
    results.push({
      id: 'db.indexes.duplicate',
      title: 'Duplicate indexes',
      status: 'pass',
      resource: 'pg_index',
      expected: 'no duplicate or redundant index',
      observed: 'no duplicate or redundant index',
    });
  }
  for (const ix of facts.duplicates.slice(0, LIST)) {
    results.push({
      id: 'db.indexes.duplicate',
      title: ix.exact ? 'Duplicate index' : 'Redundant index (prefix of another)',
      status: 'warn',
      resource: ix.index,
      expected: 'no index duplicating another',
      observed: `${ix.index} (${formatBytes(ix.bytes)}) ${ix.exact ? 'duplicates' : 'is a leading prefix of'} ${ix.coveredBy} on ${ix.table}`,
      detail: `${ix.definition}\n${ix.coveredByDefinition}`,
      remediation: `DROP INDEX CONCURRENTLY ${ix.index}; (${ix.coveredBy} serves the same lookups; every index slows writes)`,
    });
  }
  const since =
    facts.statsAge === 'unread'
      ? 'since statistics were last reset (when could not be read)'
      : facts.statsAge === null
        ? 'since statistics began (never reset)'
        : `in the ${formatAge(facts.statsAge)} since statistics were reset`;
  if (facts.unused.every((u) => facts.duplicates.some((d) => d.index === u.index))) {
    results.push({
      id: 'db.indexes.unused',
      title: 'Unused indexes',
      status: 'pass',
      resource: 'pg_stat_user_indexes',
      expected: `every index of ${formatBytes(minUnusedBytes)} or more is scanned`,
      observed: `no unused index of ${formatBytes(minUnusedBytes)} or more ${since}`,
    });
  }
  // An index already reported as a duplicate is not reported again as unused.
  const duplicates = new Set(facts.duplicates.map((d) => d.index));
  for (const [i, ix] of facts.unused
    .filter((u) => !duplicates.has(u.index))
    .slice(0, LIST)
    .entries()) {
    results.push({
      id: 'db.indexes.unused',
      title: 'Unused index',
      status: 'warn',
      resource: ix.index,
      expected: 'indexes are used by queries',
      observed: `${ix.index} on ${ix.table} (${formatBytes(ix.bytes)}) has had 0 scans ${since}`,
      detail: [ix.definition, ...(i === 0 ? moreLine(facts.unusedTotal, LIST) : [])].join('\n'),
      remediation: `Check the read replicas too (their scans are not counted here), then DROP INDEX CONCURRENTLY ${ix.index};`,
    });
  }
  return results;
}

export const indexesCheck = dbCheck({
  id: 'db.indexes',
  title: 'Indexes: invalid, duplicate, unused',
  severity: 'medium',
  source: 'runbook 003 (Database Maintenance: Index Management); ops guide §12.3.1 (index usage analysis)',
  remediation: 'Drop or rebuild the index.',
  params: noParams,
  async run(ctx, db) {
    const minBytes = ctx.env.config.database.thresholds.unusedIndexMinBytes;
    // Sizes come from pg_class.relpages (kept by VACUUM/ANALYZE/CREATE INDEX): a stat() per index would not scale.
    const userIndexes = `pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_namespace n ON n.oid = i.relnamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`;
    type Row = { index: string; table: string; bytes: string; definition: string };
    // Each query on its own: one that fails (a statement timeout, a statistics function the role may
    // not call) is its own error, and the others are judged.
    const [invalidGot, duplicatesGot, unusedGot, statsGot] = await Promise.allSettled([
      db.query<Row>(
        `SELECT x.indexrelid::regclass::text AS index, x.indrelid::regclass::text AS table,
                (i.relpages::bigint * current_setting('block_size')::int)::text AS bytes,
                pg_get_indexdef(x.indexrelid) AS definition
           FROM ${userIndexes} AND NOT x.indisvalid
          ORDER BY 1 LIMIT ${LIST + 1}`,
      ),
      db.query<Row & { covered_by: string; covered_by_definition: string; exact: boolean }>(
        `WITH ix AS (
           SELECT x.indexrelid, x.indrelid, x.indkey::text AS cols, x.indclass::text AS ops,
                  x.indisunique OR x.indisprimary OR x.indisexclusion AS constraining, x.indexprs IS NULL AND x.indpred IS NULL AS plain,
                  COALESCE(x.indexprs::text, '') AS exprs, COALESCE(x.indpred::text, '') AS pred, i.relam, i.relpages
             FROM ${userIndexes} AND x.indisvalid
         )
         SELECT DISTINCT ON (a.indexrelid)
                a.indexrelid::regclass::text AS index, a.indrelid::regclass::text AS table,
                (a.relpages::bigint * current_setting('block_size')::int)::text AS bytes,
                pg_get_indexdef(a.indexrelid) AS definition,
                b.indexrelid::regclass::text AS covered_by, pg_get_indexdef(b.indexrelid) AS covered_by_definition,
                a.cols = b.cols AS exact
           FROM ix a JOIN ix b ON a.indrelid = b.indrelid AND a.indexrelid <> b.indexrelid AND a.relam = b.relam
          WHERE NOT a.constraining
            AND ((a.cols = b.cols AND a.ops = b.ops AND a.exprs = b.exprs AND a.pred = b.pred
                  AND (b.constraining OR a.indexrelid > b.indexrelid))
                 OR (a.plain AND b.plain AND a.cols <> b.cols
                     AND (b.cols || ' ') LIKE (a.cols || ' %') AND (b.ops || ' ') LIKE (a.ops || ' %')))
          ORDER BY a.indexrelid, (a.cols = b.cols) DESC, b.indexrelid
          LIMIT ${LIST + 1}`,
      ),
      db.query<Row & { scans: string; total: string }>(
        // pg_stat_user_indexes' rows, without asking the statistics about every index: first the
        // catalog's candidates big enough to matter (OFFSET 0 keeps that step first), then their scan
        // count, then the definition of the few listed.
        `SELECT index, "table", bytes, pg_get_indexdef(oid) AS definition, scans, total
           FROM (
             SELECT c.oid, c.oid::regclass::text AS index, c.indrelid::regclass::text AS table,
                    (c.relpages::bigint * current_setting('block_size')::int)::text AS bytes,
                    scans::text AS scans, count(*) OVER ()::text AS total, c.relpages
               FROM (
                 SELECT *, pg_stat_get_numscans(oid) AS scans
                   FROM (
                     SELECT i.oid, x.indrelid, i.relpages
                       FROM ${userIndexes} AND i.relkind = 'i' AND x.indisvalid
                        AND NOT (x.indisunique OR x.indisprimary OR x.indisexclusion)
                        AND i.relpages::bigint * current_setting('block_size')::int >= $1
                     OFFSET 0
                   ) candidates
               ) c
              WHERE scans = 0
              ORDER BY c.relpages DESC LIMIT ${LIST}
           ) listed
          ORDER BY relpages DESC`,
        [minBytes],
      ),
      db.query<{ stats_age: number | null }>(
        `SELECT EXTRACT(EPOCH FROM now() - stats_reset)::float8 AS stats_age
           FROM pg_stat_database WHERE datname = current_database()`,
      ),
    ]);
    const rows = <T>(got: PromiseSettledResult<T[]>): T[] => (got.status === 'fulfilled' ? got.value : []);
    const invalid = rows(invalidGot);
    const duplicates = rows(duplicatesGot);
    const unused = rows(unusedGot);
    const judged = evaluateIndexes(
      {
        invalid: invalid.map((r) => ({
          index: r.index,
          table: r.table,
          bytes: Number(r.bytes),
          definition: r.definition,
        })),
        duplicates: duplicates.map((r) => ({
          index: r.index,
          table: r.table,
          bytes: Number(r.bytes),
          definition: r.definition,
          coveredBy: r.covered_by,
          coveredByDefinition: r.covered_by_definition,
          exact: r.exact,
        })),
        unused: unused.map((r) => ({
          index: r.index,
          table: r.table,
          bytes: Number(r.bytes),
          definition: r.definition,
          scans: Number(r.scans),
        })),
        statsAge: statsGot.status === 'fulfilled' ? (statsGot.value[0]?.stats_age ?? null) : 'unread',
        unusedTotal: Number(unused[0]?.total ?? 0),
      },
      minBytes,
    );
    const failed = [
      { got: invalidGot, id: 'db.indexes.invalid', what: 'the invalid indexes' },
      { got: duplicatesGot, id: 'db.indexes.duplicate', what: 'the duplicate indexes' },
      { got: unusedGot, id: 'db.indexes.unused', what: 'the unused indexes' },
      { got: statsGot, id: 'db.indexes.stats', what: 'when the statistics were reset' },
    ].filter((f) => f.got.status === 'rejected');
    const unreadIds = new Set(failed.map((f) => f.id));
    return [
      ...failed.map(
        (f): CheckResult => ({
          id: f.id,
          status: 'error',
          resource: 'pg_index',
          expected: `${f.what} can be read`,
          observed: `could not read ${f.what}: ${((f.got as PromiseRejectedResult).reason as Error).message}`,
          remediation:
            'Check that the role can read the statistics (GRANT pg_monitor) or raise database.session.statementTimeoutMs; the other index findings were judged without it.',
        }),
      ),
      ...judged.filter((r) => !unreadIds.has(r.id ?? '')),
    ];
  },
});
