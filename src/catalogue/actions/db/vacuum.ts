import { z } from 'zod';
import type { Config, MaintenanceConfig } from '../../../base/config/schema.js';
import type { CheckResult, DbQuery } from '../../../base/model/check.js';
import { UsageError } from '../../../base/model/errors.js';
import { type MaintenanceDb, quoteQualified, type ServerNotice } from '../../../domain/db/writable.js';
import { defineAction, interruptedResult } from '../../action.js';

export interface TableStats {
  schema: string;
  table: string;
  liveTuples: number;
  deadTuples: number;
  modsSinceAnalyze: number;
  lastVacuum: Date | null;
  lastAnalyze: Date | null;
}

export interface VacuumTarget extends TableStats {
  reason: string;
}

type Thresholds = NonNullable<MaintenanceConfig['vacuum']>;

/**
 * The weekly VACUUM's thresholds: the ones `fsops db bloat` judges by (database.thresholds: the warn
 * levels), so every table that check warns about is vacuumed; `maintenance.vacuum` only as an override.
 */
export function vacuumThresholds(config: Pick<Config, 'maintenance' | 'database'>): Thresholds {
  if (config.maintenance.vacuum) return config.maintenance.vacuum;
  const t = config.database.thresholds;
  return {
    deadTuplePercent: t.deadTuplePercent.warn,
    minDeadTuples: t.minDeadTuples,
    staleDays: t.vacuumStaleDays.warn,
  };
}

export async function tableStats(db: DbQuery, only?: string[]): Promise<TableStats[]> {
  const rows = await db.query<{
    schemaname: string;
    relname: string;
    n_live_tup: string;
    n_dead_tup: string;
    n_mod_since_analyze: string;
    last_vacuum: Date | null;
    last_analyze: Date | null;
  }>(
    `SELECT schemaname, relname, n_live_tup, n_dead_tup, n_mod_since_analyze,
            GREATEST(last_vacuum, last_autovacuum) AS last_vacuum,
            GREATEST(last_analyze, last_autoanalyze) AS last_analyze
       FROM pg_stat_user_tables
      ORDER BY schemaname, relname`,
  );
  return rows
    .map((r) => ({
      schema: r.schemaname,
      table: r.relname,
      liveTuples: Number(r.n_live_tup),
      deadTuples: Number(r.n_dead_tup),
      modsSinceAnalyze: Number(r.n_mod_since_analyze),
      lastVacuum: r.last_vacuum,
      lastAnalyze: r.last_analyze,
    }))
    .filter((t) => !only || only.includes(t.table) || only.includes(`${t.schema}.${t.table}`));
}

const DAY = 86_400_000;
const ago = (date: Date | null, now: Date) =>
  date ? `${Math.floor((now.getTime() - date.getTime()) / DAY)}d ago` : 'never';

/** Dead tuples over both thresholds: share of the table and count. */
export function overDeadTupleThreshold(t: TableStats, thresholds: Thresholds): boolean {
  const total = t.liveTuples + t.deadTuples;
  const deadPercent = total > 0 ? (100 * t.deadTuples) / total : 0;
  return t.deadTuples >= thresholds.minDeadTuples && deadPercent >= thresholds.deadTuplePercent;
}

/**
 * Tables the weekly run vacuums (ops guide §12.3.1 "Vacuum analyze operations"): many dead tuples
 * (share and count over the thresholds), or changed since a vacuum/analyze older than `staleDays`.
 */
export function selectVacuumTargets(tables: TableStats[], thresholds: Thresholds, now: Date): VacuumTarget[] {
  const targets: VacuumTarget[] = [];
  for (const t of tables) {
    const total = t.liveTuples + t.deadTuples;
    const deadPercent = total > 0 ? (100 * t.deadTuples) / total : 0;
    const reasons: string[] = [];
    if (overDeadTupleThreshold(t, thresholds)) {
      reasons.push(`${deadPercent.toFixed(1)}% dead tuples (${t.deadTuples} of ${total})`);
    }
    const staleBefore = now.getTime() - thresholds.staleDays * DAY;
    const changed = t.deadTuples > 0 || t.modsSinceAnalyze > 0;
    const vacuumStale = !t.lastVacuum || t.lastVacuum.getTime() < staleBefore;
    const analyzeStale = !t.lastAnalyze || t.lastAnalyze.getTime() < staleBefore;
    if (reasons.length === 0 && changed && (vacuumStale || analyzeStale)) {
      reasons.push(
        `changed (${t.deadTuples} dead, ${t.modsSinceAnalyze} modified) since vacuum ${ago(t.lastVacuum, now)} / analyze ${ago(t.lastAnalyze, now)} (> ${thresholds.staleDays}d)`,
      );
    }
    if (reasons.length) targets.push({ ...t, reason: reasons.join('; ') });
  }
  return targets;
}

const vacuumParams = z
  .object({
    /** Only these tables (`table` or `schema.table`); default all that need it. */
    tables: z.array(z.string()).optional(),
  })
  .strict();

export const vacuumAnalyzeAction = defineAction({
  id: 'db.vacuum-analyze',
  title: 'VACUUM (ANALYZE) of the tables that need it',
  severity: 'medium',
  source: 'ops guide §12.3.1 (weekly); runbook 003 Weekly Tasks; runbook 002 Regular Maintenance Tasks',
  remediation:
    'Look at the error, then run `fsops maintenance run weekly` again (each table is independent).',
  params: vacuumParams,
  recheck: ['db.bloat'],
  async plan(ctx, params) {
    const db = await ctx.db();
    const thresholds = vacuumThresholds(ctx.config);
    const resource = (t: TableStats) => `${t.schema}.${t.table}`;
    const tables = await tableStats(db, params.tables);
    // A table the step names that the database does not have is bad input: never "nothing needs VACUUM".
    const unknown = (params.tables ?? []).filter(
      (n) => !tables.some((t) => t.table === n || resource(t) === n),
    );
    if (unknown.length) {
      throw new UsageError(
        `no table ${unknown.map((n) => `'${n}'`).join(', ')} in ${db.label}: name tables as table or schema.table (the tables parameter of db.vacuum-analyze)`,
      );
    }
    const targets = selectVacuumTargets(tables, thresholds, ctx.now);
    if (targets.length === 0) {
      return {
        lines: [],
        preview: [
          {
            status: 'pass',
            resource: db.label,
            observed: 'no table needs VACUUM (ANALYZE)',
            expected: 'dead tuples under the thresholds',
          },
        ],
        apply: async () => [],
      };
    }
    return {
      lines: targets.map((t) => `VACUUM (ANALYZE) ${resource(t)}: ${t.reason}`),
      preview: targets.map((t) => ({
        status: 'skip',
        resource: resource(t),
        observed: `dry run: would VACUUM (ANALYZE): ${t.reason}`,
      })),
      async apply() {
        const results: CheckResult[] = [];
        for (const t of targets) {
          if (ctx.stopRequested?.()) {
            results.push(interruptedResult(resource(t)));
            continue;
          }
          const started = Date.now();
          ctx.log(`VACUUM (ANALYZE) ${resource(t)} ...`);
          // VACUUM cannot run in a transaction block: one statement per table, autocommit.
          let warnings: ServerNotice[];
          try {
            const result = await db.execute(`VACUUM (ANALYZE) ${quoteQualified(`${t.schema}.${t.table}`)}`);
            warnings = result.notices.filter((n) => n.severity === 'WARNING');
          } catch (error) {
            results.push({
              status: 'error',
              resource: resource(t),
              expected: 'VACUUM (ANALYZE) completes',
              observed: `VACUUM failed: ${(error as Error).message}`,
            });
            continue;
          }
          // PostgreSQL answers a VACUUM it did not do (the role does not own the table) with a WARNING,
          // not an error: that is not "done".
          const skipped = warnings.filter((w) => /\bskipping\b/i.test(w.message));
          if (skipped.length) {
            const [who] = await db
              .query<{ owner: string; me: string }>(
                'SELECT pg_get_userbyid(relowner) AS owner, current_user AS me FROM pg_class WHERE oid = $1::regclass',
                [quoteQualified(`${t.schema}.${t.table}`)],
              )
              .catch(() => []);
            results.push({
              status: 'error',
              resource: resource(t),
              expected: 'VACUUM (ANALYZE) completes',
              observed: `not vacuumed: PostgreSQL skipped it (WARNING: ${skipped.map((w) => w.message).join('; WARNING: ')})${
                who
                  ? `; the table is owned by ${printable(who.owner)}, fsops connected as ${printable(who.me)}`
                  : ''
              }`,
              remediation:
                "Run the maintenance as the table's owner (or the database owner), or grant the owner's role to the role fsops connects as; then run it again.",
            });
            continue;
          }
          const after = await freshStats(db, t);
          const done = `VACUUM (ANALYZE) done in ${((Date.now() - started) / 1000).toFixed(1)}s: dead tuples ${t.deadTuples} -> ${after?.deadTuples ?? '?'}`;
          const warned = warnings.length
            ? `; WARNING: ${warnings.map((w) => w.message).join('; WARNING: ')}`
            : '';
          const stuck =
            after !== undefined &&
            (overDeadTupleThreshold(after, thresholds) ||
              (t.deadTuples > 0 && after.deadTuples >= t.deadTuples));
          const holders = stuck ? await horizonHolders(db) : [];
          results.push({
            status: stuck || warnings.length ? 'warn' : 'pass',
            resource: resource(t),
            expected: stuck ? `dead tuples under the thresholds after VACUUM (${t.reason})` : t.reason,
            observed: stuck
              ? `${done}: VACUUM could not remove them, a transaction older than these rows is still open (${
                  holders.length
                    ? `held back by ${holders.join('; ')}`
                    : 'no session, slot or prepared transaction found holding the horizon now'
                })${warned}`
              : `${done}${warned}`,
            ...(stuck
              ? {
                  remediation:
                    'Find what holds back cleanup: a session idle in a transaction or a long query (fsops db connections, fsops db long-queries), an unused replication slot or a prepared transaction; end it, then VACUUM again.',
                }
              : {}),
          });
        }
        return results;
      },
    };
  },
});

/**
 * The table's dead and live tuples as the server counts them now: the statistics snapshot of this
 * session is dropped first, and the per-table counters are read directly (not a cached view).
 */
async function freshStats(db: MaintenanceDb, t: TableStats): Promise<TableStats | undefined> {
  await db.query('SELECT pg_stat_clear_snapshot()');
  const [row] = await db.query<{ live: string; dead: string; mods: string }>(
    `SELECT pg_stat_get_live_tuples(c.oid) AS live, pg_stat_get_dead_tuples(c.oid) AS dead,
            pg_stat_get_mod_since_analyze(c.oid) AS mods
       FROM pg_class c WHERE c.oid = $1::regclass`,
    [quoteQualified(`${t.schema}.${t.table}`)],
  );
  if (!row) return undefined;
  return {
    ...t,
    liveTuples: Number(row.live),
    deadTuples: Number(row.dead),
    modsSinceAnalyze: Number(row.mods),
  };
}

const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 60);

/**
 * What holds the xmin horizon back, oldest first: sessions with an old backend_xmin/backend_xid
 * (pid, application_name, state, transaction age), replication slots and prepared transactions.
 */
export async function horizonHolders(db: DbQuery): Promise<string[]> {
  // One after the other: the maintenance session is one pg client, and pg deprecates (and pg 9
  // refuses) a query sent while another is still running on it.
  const sessions = await db.query<{
    pid: number;
    app: string | null;
    state: string | null;
    age: string;
    open: string | null;
  }>(
    `SELECT pid, application_name AS app, state,
              greatest(age(backend_xmin), age(backend_xid)) AS age,
              to_char(now() - xact_start, 'HH24:MI:SS') AS open
         FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND datname = current_database()
          AND (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL)
        ORDER BY greatest(age(backend_xmin), age(backend_xid)) DESC NULLS LAST
        LIMIT 3`,
  );
  const slots = await db.query<{ slot: string; age: string }>(
    `SELECT slot_name AS slot, greatest(age(xmin), age(catalog_xmin)) AS age
       FROM pg_replication_slots WHERE xmin IS NOT NULL OR catalog_xmin IS NOT NULL
      ORDER BY 2 DESC LIMIT 3`,
  );
  const prepared = await db.query<{ gid: string; age: string; owner: string }>(
    `SELECT gid, age(transaction) AS age, owner FROM pg_prepared_xacts ORDER BY 2 DESC LIMIT 3`,
  );
  return [
    ...sessions.map(
      (s) =>
        `pid ${s.pid} (application_name '${printable(s.app ?? '')}', ${s.state ?? 'state unknown'}, xmin age ${s.age} transactions${s.open ? `, transaction open ${s.open}` : ''})`,
    ),
    ...slots.map((s) => `replication slot '${printable(s.slot)}' (xmin age ${s.age})`),
    ...prepared.map(
      (p) => `prepared transaction '${printable(p.gid)}' of ${printable(p.owner)} (age ${p.age})`,
    ),
  ];
}
