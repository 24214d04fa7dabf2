import { z } from 'zod';
import type { CheckResult } from '../../../base/model/check.js';
import type { Levels } from './common.js';
import { dbCheck, formatBytes, judgeLow, levelsText } from './common.js';

export interface TableSize {
  name: string;
  totalBytes: number;
  tableBytes: number;
  indexBytes: number;
  estimatedRows: number;
  /**
   * Someone holds or awaits an ACCESS EXCLUSIVE lock on it (a migration, REINDEX): its size is the
   * planner's page count, because measuring it would queue fsops behind that lock.
   */
  locked?: boolean;
}

export interface SizeFacts {
  database: string;
  databaseBytes: number;
  /** All databases of the server: what the instance's storage holds (besides WAL and logs). */
  serverBytes: number;
  /** Databases the role may not measure (no CONNECT, e.g. RDS's rdsadmin), left out of serverBytes. */
  unmeasured?: string[];
  largest: TableSize[];
}

/**
 * Database size (ops guide §13.2.2) and, when the environment's allocated storage is known
 * (deployment guide §4.1), the share of it still free, judged like the RDS FreeStorageSpace alarm
 * (ops guide §8.1.1: alert below 20%).
 */
export function evaluateSize(
  facts: SizeFacts,
  allocatedGb: number | null,
  freeLevels: Levels,
): CheckResult[] {
  // By bytes, whatever order the facts came in (an ORDER BY on a ::text alias once sorted them as text).
  const tables = [...facts.largest]
    .sort((a, b) => b.totalBytes - a.totalBytes)
    .map(
      (t) =>
        `${t.name}: ${t.locked ? '~' : ''}${formatBytes(t.totalBytes)} (table ${formatBytes(t.tableBytes)}, indexes ${formatBytes(t.indexBytes)}, ~${Math.round(t.estimatedRows).toLocaleString('en-US')} rows)${t.locked ? '; ACCESS EXCLUSIVE lock held or awaited: estimated from pg_class, not measured' : ''}`,
    );
  const unmeasured = facts.unmeasured ?? [];
  const observedSize = `${facts.database} is ${formatBytes(facts.databaseBytes)}; all databases ${formatBytes(facts.serverBytes)}${unmeasured.length ? ` (not counting ${unmeasured.join(', ')}: no CONNECT privilege)` : ''}`;
  const results: CheckResult[] = [];
  if (allocatedGb) {
    const allocated = allocatedGb * 1024 ** 3;
    const freePercent = Math.max(0, ((allocated - facts.serverBytes) / allocated) * 100);
    results.push({
      id: 'db.size.storage',
      title: 'Database size against allocated storage',
      status: judgeLow(freePercent, freeLevels),
      resource: facts.database,
      expected: `free storage ${levelsText(freeLevels, '%', false)} of ${allocatedGb} GiB`,
      observed: `${observedSize}: ${freePercent.toFixed(0)}% of ${allocatedGb} GiB free (WAL and logs not counted)`,
      detail: tables.length ? `largest tables:\n${tables.join('\n')}` : '',
      remediation:
        'Plan a storage increase (modify-db-instance --allocated-storage) and archive old rows (runbook 002 data retention); see the largest tables above.',
    });
  } else {
    results.push({
      id: 'db.size.storage',
      title: 'Database size against allocated storage',
      status: 'skip',
      resource: facts.database,
      expected: 'allocated storage known (pass --env)',
      observed: `${observedSize}; allocated storage unknown without --env`,
      detail: tables.length ? `largest tables:\n${tables.join('\n')}` : '',
      remediation:
        'To judge free storage, run with --env <env> (its allocated storage, deployment guide §4.1), or see FreeStorageSpace in CloudWatch.',
    });
  }
  return results;
}

export const sizeCheck = dbCheck({
  id: 'db.size',
  title: 'Database size and largest tables',
  severity: 'medium',
  source: 'ops guide §13.2.2 (database and table sizes), §8.1.1 (FreeStorageSpace); deployment guide §4.1',
  remediation: 'Plan storage growth.',
  params: z
    .object({
      allocatedStorageGb: z.number().positive().nullable().optional(),
      limit: z.number().int().positive().optional(),
    })
    .strict(),
  async run(ctx, db, params) {
    const limit = params.limit ?? 10;
    // ORDER BY sized.total, the bigint: a bare `total` names the ::text output column (text order).
    // Ranked by the planner's page counts (a catalog join), then measured exactly for the top few only:
    // pg_total_relation_size over every table costs a file stat per relation fork.
    // pg_database_size needs CONNECT on the database (or pg_read_all_stats): RDS's rdsadmin is left
    // out, and named, rather than failing the whole check.
    // Relations under an ACCESS EXCLUSIVE lock (held or awaited: a migration stuck behind a long
    // transaction) are not measured: the size functions would queue behind it until lock_timeout.
    // The largest tables only detail the size: a query of them that fails is its own error, and the
    // size is still judged.
    const [sizes, largestGot] = await Promise.all([
      db.query<{ database: string; database_bytes: string; server_bytes: string; unmeasured: string[] }>(
        `WITH dbs AS (
           SELECT datname, has_database_privilege(oid, 'CONNECT')
                           OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS measurable,
                  oid
             FROM pg_database WHERE datallowconn
         ), sized AS (
           -- Each database measured once: pg_database_size stats every file in it.
           SELECT datname, pg_database_size(oid) AS bytes FROM dbs WHERE measurable
         )
         SELECT current_database() AS database,
                COALESCE((SELECT bytes FROM sized WHERE datname = current_database()),
                         pg_database_size(current_database()))::text AS database_bytes,
                (SELECT sum(bytes) FROM sized)::text AS server_bytes,
                ARRAY(SELECT datname::text FROM dbs WHERE NOT measurable ORDER BY 1) AS unmeasured`,
      ),
      db
        .query<{
          name: string;
          total: string;
          table_bytes: string;
          index_bytes: string;
          rows: number;
          locked: boolean;
        }>(
          `WITH exclusive AS (
           SELECT DISTINCT relation FROM pg_locks
            WHERE locktype = 'relation' AND mode = 'AccessExclusiveLock'
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
         ), pages AS (
           SELECT c.oid, c.reltuples, c.reltoastrelid, c.relpages + COALESCE(t.relpages, 0) AS heap_pages,
                  COALESCE((SELECT sum(i.relpages) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                             WHERE x.indrelid = c.oid), 0) AS index_pages
             FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
            WHERE c.relkind IN ('r', 'm', 'p')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
         ), ranked AS (
           SELECT p.*,
                  EXISTS (SELECT 1 FROM exclusive e
                           WHERE e.relation IN (p.oid, p.reltoastrelid)
                              OR e.relation IN (SELECT x.indexrelid FROM pg_index x WHERE x.indrelid = p.oid)) AS locked
             FROM (SELECT * FROM pages ORDER BY heap_pages + index_pages DESC LIMIT $1 * 3) p
         ), sized AS (
           SELECT oid, reltuples, locked,
                  CASE WHEN locked THEN (heap_pages + index_pages) * current_setting('block_size')::bigint
                       ELSE pg_total_relation_size(oid) END AS total,
                  CASE WHEN locked THEN heap_pages * current_setting('block_size')::bigint
                       ELSE pg_table_size(oid) END AS table_bytes,
                  CASE WHEN locked THEN index_pages * current_setting('block_size')::bigint
                       ELSE pg_indexes_size(oid) END AS index_bytes
             FROM ranked
         )
         SELECT oid::regclass::text AS name, total::text AS total, table_bytes::text AS table_bytes,
                index_bytes::text AS index_bytes, GREATEST(reltuples, 0)::float8 AS rows, locked
           FROM sized ORDER BY sized.total DESC LIMIT $1`,
          [limit],
        )
        .then(
          (rows) => ({ ok: true as const, rows }),
          (error: unknown) => ({ ok: false as const, reason: (error as Error).message }),
        ),
    ]);
    const largest = largestGot.ok ? largestGot.rows : [];
    const row = sizes[0]!;
    const allocated =
      params.allocatedStorageGb === undefined
        ? ctx.env.settings.rds.allocatedStorage
        : params.allocatedStorageGb;
    const judged = evaluateSize(
      {
        database: row.database,
        databaseBytes: Number(row.database_bytes),
        serverBytes: Number(row.server_bytes),
        unmeasured: row.unmeasured,
        largest: largest.map((t) => ({
          name: t.name,
          totalBytes: Number(t.total),
          tableBytes: Number(t.table_bytes),
          indexBytes: Number(t.index_bytes),
          estimatedRows: t.rows,
          locked: t.locked,
        })),
      },
      allocated,
      ctx.env.thresholds.rdsFreeStoragePercent,
    );
    if (largestGot.ok) return judged;
    return [
      {
        id: 'db.size.tables',
        status: 'error',
        resource: row.database,
        expected: 'the largest tables can be measured',
        observed: `could not read the largest tables: ${largestGot.reason}`,
        remediation:
          'Check that the role may call the size functions (pg_total_relation_size; GRANT pg_monitor); the size was judged without the table list.',
      },
      ...judged,
    ];
  },
});
