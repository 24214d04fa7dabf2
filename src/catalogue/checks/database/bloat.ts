import type { CheckResult } from '../../../base/model/check.js';
import { noParams } from '../../../base/model/check.js';
import { type DbThresholds, dbCheck, formatAge, formatCount, judgeHigh, moreLine, worst } from './common.js';

export interface TableActivity {
  table: string;
  live: number;
  dead: number;
  modsSinceAnalyze: number;
  /** Seconds since the last (auto)vacuum / (auto)analyze; null = never. */
  vacuumAge: number | null;
  analyzeAge: number | null;
  autovacuumEnabled: boolean;
  /** Dead rows past which autovacuum picks the table (threshold + scale_factor x reltuples). */
  vacuumThreshold: number;
  analyzeThreshold: number;
  beingVacuumed: boolean;
}

export interface AutovacuumSettings {
  enabled: boolean;
  maxWorkers: number;
}

const LIST = 10;
const DAY = 86_400;

function deadPercent(t: TableActivity): number {
  return t.live + t.dead > 0 ? (t.dead / (t.live + t.dead)) * 100 : 0;
}

function ageText(seconds: number | null): string {
  return seconds === null ? 'never' : `${formatAge(seconds)} ago`;
}

/**
 * Dead tuples, vacuum/analyze staleness and the autovacuum queue (runbook 003 weekly VACUUM ANALYZE,
 * ops guide §12.3.1). `tables` are the candidates the query picked (dead or modified rows).
 */
export function evaluateBloat(
  tables: TableActivity[],
  autovacuum: AutovacuumSettings,
  t: Pick<DbThresholds, 'deadTuplePercent' | 'minDeadTuples' | 'vacuumStaleDays'>,
): CheckResult[] {
  const results: CheckResult[] = [];

  const dead = tables
    .filter((x) => x.dead >= t.minDeadTuples && deadPercent(x) >= t.deadTuplePercent.warn)
    .sort((a, b) => b.dead - a.dead);
  const deadExpected = `dead rows < ${t.deadTuplePercent.warn}% of a table (fail at ${t.deadTuplePercent.fail}%; tables with ${formatCount(t.minDeadTuples)}+ dead rows)`;
  if (dead.length === 0) {
    results.push({
      id: 'db.bloat.dead-tuples',
      title: 'Dead tuples',
      status: 'pass',
      resource: 'pg_stat_user_tables',
      expected: deadExpected,
      observed: 'no table has a high share of dead rows',
    });
  }
  for (const [i, x] of dead.slice(0, LIST).entries()) {
    results.push({
      id: 'db.bloat.dead-tuples',
      title: 'Dead tuples',
      status: judgeHigh(deadPercent(x), t.deadTuplePercent),
      resource: x.table,
      expected: deadExpected,
      observed: `${formatCount(x.dead)} dead rows (${deadPercent(x).toFixed(0)}% of ${formatCount(x.live + x.dead)}); last vacuum ${ageText(x.vacuumAge)}${x.autovacuumEnabled ? '' : '; autovacuum is disabled for this table'}`,
      detail: i === 0 ? moreLine(dead.length, LIST).join('\n') : '',
      remediation: `VACUUM (ANALYZE, VERBOSE) ${x.table};${x.autovacuumEnabled ? ' then look for long transactions holding back cleanup (db connections, db long-queries).' : ` and re-enable autovacuum: ALTER TABLE ${x.table} RESET (autovacuum_enabled);`}`,
    });
  }

  const staleLimit = t.vacuumStaleDays.warn * DAY;
  const stale = tables
    .filter((x) => x.dead >= t.minDeadTuples || x.modsSinceAnalyze >= t.minDeadTuples)
    .map((x) => ({
      x,
      age: Math.min(x.vacuumAge ?? Number.POSITIVE_INFINITY, x.analyzeAge ?? Number.POSITIVE_INFINITY),
    }))
    .filter(({ age }) => age >= staleLimit)
    .sort((a, b) => b.age - a.age);
  const staleExpected = `tables with changes vacuumed or analyzed within ${t.vacuumStaleDays.warn} days (fail at ${t.vacuumStaleDays.fail}; ops guide §12.3.1 weekly)`;
  if (stale.length === 0) {
    results.push({
      id: 'db.bloat.stale',
      title: 'Vacuum and analyze staleness',
      status: 'pass',
      resource: 'pg_stat_user_tables',
      expected: staleExpected,
      observed: 'every changed table was vacuumed or analyzed recently',
    });
  }
  for (const { x, age } of stale.slice(0, LIST)) {
    const never = !Number.isFinite(age);
    results.push({
      id: 'db.bloat.stale',
      title: 'Vacuum and analyze staleness',
      // Never vacuumed nor analyzed: we cannot tell for how long, so a warning, not a failure.
      status: never ? 'warn' : judgeHigh(age / DAY, t.vacuumStaleDays),
      resource: x.table,
      expected: staleExpected,
      observed: `last vacuum ${ageText(x.vacuumAge)}, last analyze ${ageText(x.analyzeAge)}; ${formatCount(x.modsSinceAnalyze)} rows changed since, ${formatCount(x.dead)} dead`,
      remediation: `VACUUM (ANALYZE) ${x.table};${x.autovacuumEnabled ? '' : ` autovacuum is off for it: ALTER TABLE ${x.table} RESET (autovacuum_enabled);`}`,
    });
  }

  const queue = tables.filter((x) => x.dead > x.vacuumThreshold || x.modsSinceAnalyze > x.analyzeThreshold);
  const off = queue.filter((x) => !x.autovacuumEnabled);
  const running = tables.filter((x) => x.beingVacuumed).length;
  const backlog = queue.length > 2 * autovacuum.maxWorkers;
  const statuses = [
    !autovacuum.enabled && queue.length > 0 ? 'fail' : 'pass',
    off.length > 0 || backlog ? 'warn' : 'pass',
  ] as const;
  results.push({
    id: 'db.bloat.autovacuum-queue',
    title: 'Autovacuum queue',
    status: worst([...statuses]),
    resource: 'autovacuum',
    expected: `autovacuum on, no table excluded from it, queue within 2 x autovacuum_max_workers (${2 * autovacuum.maxWorkers})`,
    observed: `${queue.length} table${queue.length === 1 ? '' : 's'} past the autovacuum threshold, ${running} being vacuumed now${autovacuum.enabled ? '' : '; autovacuum is OFF for the server'}${
      off.length
        ? `; autovacuum disabled on ${off.length}: ${off
            .slice(0, 5)
            .map((x) => x.table)
            .join(', ')}`
        : ''
    }`,
    detail: queue
      .slice(0, LIST)
      .map(
        (x) =>
          `${x.table}: ${formatCount(x.dead)} dead (threshold ${formatCount(x.vacuumThreshold)}), ${formatCount(x.modsSinceAnalyze)} changed since analyze (threshold ${formatCount(x.analyzeThreshold)})${x.autovacuumEnabled ? '' : ', autovacuum disabled'}`,
      )
      .concat(moreLine(queue.length, LIST))
      .join('\n'),
    remediation: !autovacuum.enabled
      ? 'Turn autovacuum back on (parameter group on RDS): without it tables bloat and transaction IDs wrap around.'
      : off.length
        ? `Re-enable autovacuum: ${off
            .map((x) => `ALTER TABLE ${x.table} RESET (autovacuum_enabled);`)
            .slice(0, 3)
            .join(' ')}`
        : 'Autovacuum is behind: raise autovacuum_max_workers or autovacuum_vacuum_cost_limit, or VACUUM the largest tables by hand in a quiet hour.',
  });
  return results;
}

export const bloatCheck = dbCheck({
  id: 'db.bloat',
  title: 'Bloat, dead tuples and vacuum',
  severity: 'medium',
  source: 'runbook 003 (Weekly Tasks: VACUUM ANALYZE); ops guide §12.3.1 (weekly vacuum analyze)',
  remediation: 'VACUUM ANALYZE the table.',
  params: noParams,
  async run(ctx, db) {
    const thresholds = ctx.env.config.database.thresholds;
    // Fresh statistics: a re-check after VACUUM must not read this session's cached snapshot.
    await db.query('SELECT pg_stat_clear_snapshot()');
    const [settings, rows] = await Promise.all([
      db.query<{ enabled: boolean; max_workers: number }>(
        `SELECT current_setting('autovacuum')::bool AS enabled, current_setting('autovacuum_max_workers')::int AS max_workers`,
      ),
      // Only tables with something to judge (dead or changed rows) come back; the per-table autovacuum
      // thresholds honour ALTER TABLE ... SET (autovacuum_*) overrides.
      db.query<{
        table: string;
        live: number;
        dead: number;
        mods: number;
        vacuum_age: number | null;
        analyze_age: number | null;
        av_enabled: boolean;
        vacuum_threshold: number;
        analyze_threshold: number;
        being_vacuumed: boolean;
      }>(
        `WITH opts AS (
           SELECT c.oid, c.reltuples,
                  (SELECT split_part(o, '=', 2) FROM unnest(c.reloptions) o WHERE o LIKE 'autovacuum_enabled=%') AS av_enabled,
                  (SELECT split_part(o, '=', 2) FROM unnest(c.reloptions) o WHERE o LIKE 'autovacuum_vacuum_threshold=%') AS v_base,
                  (SELECT split_part(o, '=', 2) FROM unnest(c.reloptions) o WHERE o LIKE 'autovacuum_vacuum_scale_factor=%') AS v_scale,
                  (SELECT split_part(o, '=', 2) FROM unnest(c.reloptions) o WHERE o LIKE 'autovacuum_analyze_threshold=%') AS a_base,
                  (SELECT split_part(o, '=', 2) FROM unnest(c.reloptions) o WHERE o LIKE 'autovacuum_analyze_scale_factor=%') AS a_scale
             FROM pg_class c WHERE c.relkind IN ('r', 'm', 'p')
         )
         SELECT s.relid::regclass::text AS table, s.n_live_tup::float8 AS live, s.n_dead_tup::float8 AS dead,
                s.n_mod_since_analyze::float8 AS mods,
                EXTRACT(EPOCH FROM now() - GREATEST(s.last_vacuum, s.last_autovacuum))::float8 AS vacuum_age,
                EXTRACT(EPOCH FROM now() - GREATEST(s.last_analyze, s.last_autoanalyze))::float8 AS analyze_age,
                COALESCE(o.av_enabled::bool, true) AS av_enabled,
                (COALESCE(o.v_base::float8, current_setting('autovacuum_vacuum_threshold')::float8)
                  + COALESCE(o.v_scale::float8, current_setting('autovacuum_vacuum_scale_factor')::float8)
                    * GREATEST(o.reltuples, 0))::float8 AS vacuum_threshold,
                (COALESCE(o.a_base::float8, current_setting('autovacuum_analyze_threshold')::float8)
                  + COALESCE(o.a_scale::float8, current_setting('autovacuum_analyze_scale_factor')::float8)
                    * GREATEST(o.reltuples, 0))::float8 AS analyze_threshold,
                EXISTS (SELECT 1 FROM pg_stat_progress_vacuum p WHERE p.relid = s.relid) AS being_vacuumed
           FROM pg_stat_user_tables s JOIN opts o ON o.oid = s.relid
          WHERE s.n_dead_tup > 0 OR s.n_mod_since_analyze > 0
          ORDER BY s.n_dead_tup DESC, s.n_mod_since_analyze DESC
          LIMIT 500`,
      ),
    ]);
    return evaluateBloat(
      rows.map((r) => ({
        table: r.table,
        live: r.live,
        dead: r.dead,
        modsSinceAnalyze: r.mods,
        vacuumAge: r.vacuum_age,
        analyzeAge: r.analyze_age,
        autovacuumEnabled: r.av_enabled,
        vacuumThreshold: r.vacuum_threshold,
        analyzeThreshold: r.analyze_threshold,
        beingVacuumed: r.being_vacuumed,
      })),
      { enabled: settings[0]!.enabled, maxWorkers: settings[0]!.max_workers },
      thresholds,
    );
  },
});
