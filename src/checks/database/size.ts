import type { CheckResult } from '../../core/check.js';
import type { Levels } from './common.js';
import { dbCheck, formatBytes, judgeLow, levelsText } from './common.js';

export interface TableSize {
  name: string;
  totalBytes: number;
  tableBytes: number;
  indexBytes: number;
  estimatedRows: number;
}

export interface SizeFacts {
  database: string;
  databaseBytes: number;
  /** All databases of the server: what the instance's storage holds (besides WAL and logs). */
  serverBytes: number;
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
  const tables = facts.largest.map(
    (t) =>
      `${t.name}: ${formatBytes(t.totalBytes)} (table ${formatBytes(t.tableBytes)}, indexes ${formatBytes(t.indexBytes)}, ~${Math.round(t.estimatedRows).toLocaleString('en-US')} rows)`,
  );
  const observedSize = `${facts.database} is ${formatBytes(facts.databaseBytes)}; all databases ${formatBytes(facts.serverBytes)}`;
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

export const sizeCheck = dbCheck<{ allocatedStorageGb?: number | null; limit?: number }>({
  id: 'db.size',
  title: 'Database size and largest tables',
  severity: 'medium',
  source: 'ops guide §13.2.2 (database and table sizes), §8.1.1 (FreeStorageSpace); deployment guide §4.1',
  remediation: 'Plan storage growth.',
  async run(ctx, db, params) {
    const limit = params.limit ?? 10;
    // Ranked by the planner's page counts (a catalog join), then measured exactly for the top few only:
    // pg_total_relation_size over every table costs a file stat per relation fork.
    const [sizes, largest] = await Promise.all([
      db.query<{ database: string; database_bytes: string; server_bytes: string }>(
        `SELECT current_database() AS database, pg_database_size(current_database())::text AS database_bytes,
                (SELECT sum(pg_database_size(oid)) FROM pg_database WHERE datallowconn)::text AS server_bytes`,
      ),
      db.query<{ name: string; total: string; table_bytes: string; index_bytes: string; rows: number }>(
        `WITH ranked AS (
           SELECT c.oid, c.reltuples
             FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
            WHERE c.relkind IN ('r', 'm', 'p')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
            ORDER BY c.relpages + COALESCE(t.relpages, 0)
                     + COALESCE((SELECT sum(i.relpages) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                                  WHERE x.indrelid = c.oid), 0) DESC
            LIMIT $1 * 3
         )
         SELECT oid::regclass::text AS name, pg_total_relation_size(oid)::text AS total,
                pg_table_size(oid)::text AS table_bytes, pg_indexes_size(oid)::text AS index_bytes,
                GREATEST(reltuples, 0)::float8 AS rows
           FROM ranked ORDER BY pg_total_relation_size(oid) DESC LIMIT $1`,
        [limit],
      ),
    ]);
    const row = sizes[0]!;
    const allocated =
      params.allocatedStorageGb === undefined
        ? ctx.env.settings.rds.allocatedStorage
        : params.allocatedStorageGb;
    return evaluateSize(
      {
        database: row.database,
        databaseBytes: Number(row.database_bytes),
        serverBytes: Number(row.server_bytes),
        largest: largest.map((t) => ({
          name: t.name,
          totalBytes: Number(t.total),
          tableBytes: Number(t.table_bytes),
          indexBytes: Number(t.index_bytes),
          estimatedRows: t.rows,
        })),
      },
      allocated,
      ctx.env.thresholds.rdsFreeStoragePercent,
    );
  },
});
