import type { CheckResult } from '../../../base/model/check.js';
import { noParams } from '../../../base/model/check.js';
import { dbCheck, formatCount, judgeLow, type Levels, levelsText } from './common.js';

export interface CacheFacts {
  database: string;
  hit: number;
  read: number;
  /** Tables reading the most blocks from disk: name, heap hit ratio, blocks read. */
  tables: { name: string; hitPercent: number; read: number }[];
}

/** Shared-buffer cache hit ratio of the database; below the threshold, the tables reading most from disk. */
export function evaluateCache(facts: CacheFacts, levels: Levels, minBlocks: number): CheckResult[] {
  const total = facts.hit + facts.read;
  const expected = `cache hit ratio ${levelsText(levels, '%', false)}`;
  if (total < minBlocks) {
    return [
      {
        status: 'skip',
        resource: facts.database,
        expected,
        observed: `only ${formatCount(total)} block reads since statistics began (< ${formatCount(minBlocks)}): too little traffic to judge`,
        // Nothing to do: the check's own advice (add memory) would be wrong here.
        remediation: '',
      },
    ];
  }
  const percent = (facts.hit / total) * 100;
  return [
    {
      status: judgeLow(percent, levels),
      resource: facts.database,
      expected,
      observed: `${percent.toFixed(2)}% of ${formatCount(total)} block reads served from shared buffers`,
      detail: facts.tables.length
        ? `most disk reads:\n${facts.tables.map((t) => `${t.name}: ${t.hitPercent.toFixed(1)}% hit, ${formatCount(t.read)} blocks from disk`).join('\n')}`
        : '',
      remediation:
        'The working set does not fit in memory: look at the tables above for missing indexes (sequential scans) or bloat, or move to an instance class with more memory (shared_buffers follows it on RDS).',
    },
  ];
}

export const cacheCheck = dbCheck({
  id: 'db.cache',
  title: 'Cache hit ratio',
  severity: 'medium',
  source: 'ops guide §8.1.1 (FreeableMemory, ReadLatency); PgHero cache hit rate',
  remediation: 'Add memory or fix the queries reading from disk.',
  params: noParams,
  async run(ctx, db) {
    const t = ctx.env.config.database.thresholds;
    // The tables reading most from disk only detail the ratio: a query of them that fails is its own
    // error, and the ratio is still judged.
    const [totals, tablesGot] = await Promise.all([
      db.query<{ database: string; hit: number; read: number }>(
        `SELECT datname AS database, blks_hit::float8 AS hit, blks_read::float8 AS read
           FROM pg_stat_database WHERE datname = current_database()`,
      ),
      db
        .query<{ name: string; hit_percent: number; read: number }>(
          `SELECT relid::regclass::text AS name,
                (100.0 * heap_blks_hit / NULLIF(heap_blks_hit + heap_blks_read, 0))::float8 AS hit_percent,
                heap_blks_read::float8 AS read
           FROM pg_statio_user_tables WHERE heap_blks_read > 0
          ORDER BY heap_blks_read DESC LIMIT 5`,
        )
        .then(
          (rows) => ({ ok: true as const, rows }),
          (error: unknown) => ({ ok: false as const, reason: (error as Error).message }),
        ),
    ]);
    const tables = tablesGot.ok ? tablesGot.rows : [];
    const row = totals[0]!;
    const judged = evaluateCache(
      {
        database: row.database,
        hit: row.hit,
        read: row.read,
        tables: tables.map((x) => ({ name: x.name, hitPercent: x.hit_percent ?? 0, read: x.read })),
      },
      t.cacheHitPercent,
      t.minCacheBlocks,
    );
    if (tablesGot.ok) return judged;
    return [
      {
        id: 'db.cache.tables',
        status: 'error',
        resource: row.database,
        expected: 'the tables reading most from disk can be read (pg_statio_user_tables)',
        observed: `could not read the tables reading most from disk: ${tablesGot.reason}`,
        remediation:
          'Check that the role can read pg_statio_user_tables (GRANT pg_monitor); the hit ratio was judged without the table list.',
      },
      ...judged,
    ];
  },
});
