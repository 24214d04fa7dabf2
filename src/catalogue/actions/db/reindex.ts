import { z } from 'zod';
import type { CheckResult, DbQuery } from '../../../base/model/check.js';
import { UsageError } from '../../../base/model/errors.js';
import { type MaintenanceDb, quoteQualified } from '../../../domain/db/writable.js';
import { defineAction, interruptedResult } from '../../action.js';

export interface IndexCandidate {
  schema: string;
  index: string;
  table: string;
  bytes: number;
  valid: boolean;
  /** pgstatindex avg_leaf_density (btree), when the pgstattuple extension is installed. */
  leafDensity: number | null;
  reason: string;
}

/** Below this btree leaf density an index is called bloated (a fresh btree is ~90% dense). */
export const BLOATED_LEAF_DENSITY = 50;
/** Smaller indexes are not worth rebuilding for bloat. */
export const BLOAT_MIN_BYTES = 8 * 1024 * 1024;

export async function hasPgstattuple(db: DbQuery): Promise<boolean> {
  const [row] = await db.query<{ ok: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pgstattuple') AS ok",
  );
  return Boolean(row?.ok);
}

interface IndexRow {
  oid: string;
  schema: string;
  index: string;
  table: string;
  bytes: string;
  valid: boolean;
  btree: boolean;
  building: boolean;
}

async function indexRows(db: DbQuery, name?: string): Promise<IndexRow[]> {
  return db.query<IndexRow>(
    `SELECT ic.oid::int8 AS oid, n.nspname AS schema, ic.relname AS index, tc.relname AS table,
            pg_relation_size(ic.oid) AS bytes, i.indisvalid AS valid, am.amname = 'btree' AS btree,
            EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.index_relid = ic.oid) AS building
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_class tc ON tc.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = ic.relnamespace
       JOIN pg_am am ON am.oid = ic.relam
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        AND ic.relkind = 'i'
        AND ($1::text IS NULL OR ic.relname = $1 OR n.nspname || '.' || ic.relname = $1)
      ORDER BY n.nspname, ic.relname`,
    [name ?? null],
  );
}

/**
 * Indexes to rebuild: invalid ones (a failed CREATE INDEX CONCURRENTLY; not one being built now, and
 * not the _ccnew/_ccold leftovers of a failed REINDEX CONCURRENTLY, which are dropped, not rebuilt),
 * and btree indexes whose leaf density shows bloat (when pgstattuple can measure it).
 */
export async function reindexCandidates(
  db: DbQuery,
  name?: string,
): Promise<{ candidates: IndexCandidate[]; notes: string[]; leftovers: string[] }> {
  const rows = await indexRows(db, name);
  if (name && rows.length === 0)
    throw new UsageError(`index '${name}' not found (give its name or schema.name)`);
  const measurable = await hasPgstattuple(db);
  const notes: string[] = [];
  if (!measurable && !name) {
    notes.push(
      'bloat not measured: the pgstattuple extension is not installed (CREATE EXTENSION pgstattuple)',
    );
  }
  const candidates: IndexCandidate[] = [];
  const leftovers: string[] = [];
  for (const r of rows) {
    const qualified = `${r.schema}.${r.index}`;
    if (/_ccnew\d*$|_ccold\d*$/.test(r.index) && !r.valid) {
      leftovers.push(qualified);
      continue;
    }
    if (r.building) continue;
    const base = { schema: r.schema, index: r.index, table: r.table, bytes: Number(r.bytes), valid: r.valid };
    if (!r.valid) {
      candidates.push({ ...base, leafDensity: null, reason: 'invalid (indisvalid = false)' });
      continue;
    }
    let density: number | null = null;
    if (measurable && r.btree && (name || Number(r.bytes) >= BLOAT_MIN_BYTES)) {
      const [stat] = await db.query<{ d: number }>(
        'SELECT avg_leaf_density AS d FROM pgstatindex($1::regclass)',
        [quoteQualified(qualified)],
      );
      density = stat ? Number(stat.d) : null;
    }
    if (density !== null && density < BLOATED_LEAF_DENSITY) {
      candidates.push({
        ...base,
        leafDensity: density,
        reason: `bloated (leaf density ${density.toFixed(0)}%)`,
      });
    } else if (name) {
      candidates.push({ ...base, leafDensity: density, reason: 'requested with --index' });
    }
  }
  return { candidates, notes, leftovers };
}

/** What a unique index is built on: its key columns/expressions, predicate and NULL semantics. */
interface UniqueShape {
  table: string;
  keys: string[];
  predicate: string | null;
  nullsNotDistinct: boolean;
}

async function uniqueShape(
  db: DbQuery,
  c: Pick<IndexCandidate, 'schema' | 'index'>,
): Promise<UniqueShape | null> {
  const nulls = db.serverVersion >= 150000 ? 'i.indnullsnotdistinct' : 'false';
  const [row] = await db.query<{
    unique: boolean;
    table: string;
    keys: string[];
    predicate: string | null;
    nulls_not_distinct: boolean;
  }>(
    `SELECT i.indisunique AS unique, quote_ident(tn.nspname) || '.' || quote_ident(tc.relname) AS table,
            ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k ORDER BY k) AS keys,
            pg_get_expr(i.indpred, i.indrelid, true) AS predicate, ${nulls} AS nulls_not_distinct
       FROM pg_index i
       JOIN pg_class tc ON tc.oid = i.indrelid
       JOIN pg_namespace tn ON tn.oid = tc.relnamespace
      WHERE i.indexrelid = $1::regclass`,
    [quoteQualified(`${c.schema}.${c.index}`)],
  );
  if (!row?.unique || row.keys.length === 0) return null;
  return {
    table: row.table,
    keys: row.keys,
    predicate: row.predicate,
    nullsNotDistinct: row.nulls_not_distinct,
  };
}

/** The read-only query that finds the keys a unique index cannot be built over. */
export function duplicateKeysSql(shape: UniqueShape): string {
  const keys = shape.keys.map((k) => `(${k})`);
  const columns = keys.map((k, i) => `${k} AS k${i + 1}`);
  const where = [
    ...(shape.predicate ? [`(${shape.predicate})`] : []),
    // NULLs never collide in a unique index unless it says NULLS NOT DISTINCT.
    ...(shape.nullsNotDistinct ? [] : keys.map((k) => `${k} IS NOT NULL`)),
  ];
  return `SELECT ${columns.join(', ')}, count(*) AS n FROM ${shape.table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} GROUP BY ${keys.join(', ')} HAVING count(*) > 1`;
}

export interface DuplicateKeys {
  keys: string[];
  groups: number;
  rows: number;
  sample: { key: string; n: number }[];
  query: string;
}

/**
 * Duplicate keys under an invalid unique index (read-only, one grouped query). A REINDEX of it would
 * fail again on them and leave another invalid `_ccnew` index behind at every run.
 */
export async function duplicateKeys(
  db: DbQuery,
  c: Pick<IndexCandidate, 'schema' | 'index'>,
): Promise<DuplicateKeys | null> {
  const shape = await uniqueShape(db, c);
  if (!shape) return null;
  const query = duplicateKeysSql(shape);
  const rows = await db.query<{ key: string; n: string; groups: string; rows: string }>(
    `SELECT row_to_json(d)::text AS key, d.n, count(*) OVER () AS groups, sum(d.n) OVER () AS rows
       FROM (${query}) d ORDER BY d.n DESC LIMIT 3`,
  );
  if (rows.length === 0) return null;
  return {
    keys: shape.keys,
    groups: Number(rows[0]!.groups),
    rows: Number(rows[0]!.rows),
    sample: rows.map((r) => {
      const values = Object.entries(JSON.parse(r.key) as Record<string, unknown>)
        .filter(([name]) => name !== 'n')
        // Table data, not fsops's text: no control characters reach the terminal.
        .map(([, v]) => (v === null ? 'NULL' : String(v).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')))
        .map((v) => (v.length > 40 ? `${v.slice(0, 39)}…` : v));
      return { key: `(${values.join(', ')})`, n: Number(r.n) };
    }),
    query,
  };
}

function duplicateFinding(c: IndexCandidate, d: DuplicateKeys): CheckResult {
  const qualified = `${c.schema}.${c.index}`;
  return {
    status: 'fail',
    resource: qualified,
    expected: 'no duplicate keys under a unique index before rebuilding it',
    observed: `not rebuilt: ${d.groups} duplicate key(s) (${d.rows} rows) in (${d.keys.join(', ')}), e.g. ${d.sample
      .map((s) => `${s.key} x${s.n}`)
      .join(', ')}; a REINDEX would fail on them and leave another invalid index behind`,
    remediation: `Remove or merge the duplicate rows (find them with: ${d.query}), then run fsops db reindex again; if the index should not be unique, DROP INDEX CONCURRENTLY ${quoteQualified(qualified)}; and create the right one.`,
  };
}

/** Invalid `<index>_ccnew*` / `_ccold*` of the same table that a REINDEX CONCURRENTLY left behind. */
async function concurrentLeftovers(db: DbQuery, c: Pick<IndexCandidate, 'schema' | 'index' | 'table'>) {
  const rows = await db.query<{ name: string; valid: boolean }>(
    `SELECT ic.relname AS name, i.indisvalid AS valid
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE i.indrelid = $1::regclass`,
    [quoteQualified(`${c.schema}.${c.table}`)],
  );
  const pattern = /^_cc(new|old)\d*$/;
  return rows
    .filter((r) => r.name.startsWith(c.index) && pattern.test(r.name.slice(c.index.length)))
    .map((r) => ({
      name: `${c.schema}.${r.name}`,
      valid: r.valid,
      old: r.name.includes('_ccold', c.index.length),
    }));
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export function reindexSql(c: Pick<IndexCandidate, 'schema' | 'index'>, serverVersion: number): string {
  const concurrently = serverVersion >= 120000 ? ' CONCURRENTLY' : '';
  return `REINDEX INDEX${concurrently} ${quoteQualified(`${c.schema}.${c.index}`)}`;
}

export const reindexAction = defineAction({
  id: 'db.reindex',
  title: 'REINDEX CONCURRENTLY of invalid or bloated indexes',
  severity: 'medium',
  source: 'runbook 003 §2 Index Management; runbook 002 Regular Maintenance Tasks (REINDEX)',
  remediation:
    'Read the error: fsops dropped the _ccnew/_ccold indexes its REINDEX left; lock_timeout means the table was busy (run again later); a unique index over duplicate rows needs the duplicates fixed first.',
  params: z
    .object({
      /** Only this index (`index` or `schema.index`); default every invalid or bloated one. */
      index: z.string().optional(),
    })
    .strict(),
  recheck: ['db.indexes'],
  async plan(ctx, params) {
    const db = await ctx.db();
    const found = await reindexCandidates(db, params.index);
    const { notes, leftovers } = found;
    // An invalid unique index over duplicate data cannot be rebuilt: say what to fix instead.
    const duplicates: CheckResult[] = [];
    const candidates: IndexCandidate[] = [];
    for (const c of found.candidates) {
      const dup = c.valid ? null : await duplicateKeys(db, c);
      if (dup) duplicates.push(duplicateFinding(c, dup));
      else candidates.push(c);
    }
    const leftoverFindings: CheckResult[] = leftovers.map((name) => ({
      status: 'warn',
      resource: name,
      expected: 'no leftovers of a failed REINDEX CONCURRENTLY',
      observed: 'invalid leftover index',
      remediation: `DROP INDEX CONCURRENTLY ${quoteQualified(name)};`,
    }));
    const noteFindings: CheckResult[] = notes.map((note) => ({
      status: 'skip',
      resource: db.label,
      observed: note,
      remediation:
        'To measure btree bloat: CREATE EXTENSION pgstattuple; (RDS allows it), then run fsops db reindex again.',
    }));
    if (candidates.length === 0) {
      return {
        lines: [],
        preview: [
          ...leftoverFindings,
          ...noteFindings,
          ...duplicates,
          ...(duplicates.length
            ? []
            : [
                {
                  status: 'pass',
                  resource: db.label,
                  expected: 'no invalid or bloated index',
                  observed: 'no index needs a rebuild',
                } satisfies CheckResult,
              ]),
        ],
        apply: async () => [],
      };
    }
    const lockNote =
      db.serverVersion < 120000 ? ' (PostgreSQL < 12: without CONCURRENTLY, writes to the table wait)' : '';
    return {
      lines: candidates.map(
        (c) => `${reindexSql(c, db.serverVersion)}: ${c.reason}, ${mb(c.bytes)}${lockNote}`,
      ),
      preview: [
        ...leftoverFindings,
        ...noteFindings,
        ...duplicates,
        ...candidates.map(
          (c): CheckResult => ({
            status: c.valid ? 'skip' : 'warn',
            resource: `${c.schema}.${c.index}`,
            expected: 'valid, not bloated',
            observed: `${c.reason}, ${mb(c.bytes)}; dry run: would ${reindexSql(c, db.serverVersion)}`,
          }),
        ),
      ],
      async apply() {
        const results: CheckResult[] = [...leftoverFindings, ...noteFindings, ...duplicates];
        for (const c of candidates) {
          if (ctx.stopRequested?.()) {
            results.push(interruptedResult(`${c.schema}.${c.index}`));
            continue;
          }
          const started = Date.now();
          const qualified = `${c.schema}.${c.index}`;
          const [before] = await indexRows(db, qualified);
          const leftBefore = new Set((await concurrentLeftovers(db, c)).map((l) => l.name));
          ctx.log(`${reindexSql(c, db.serverVersion)} ...`);
          try {
            await db.execute(reindexSql(c, db.serverVersion));
            const [after] = await indexRows(db, qualified);
            results.push({
              status: after?.valid ? 'pass' : 'fail',
              resource: qualified,
              expected: 'valid after the rebuild',
              observed: `rebuilt in ${((Date.now() - started) / 1000).toFixed(1)}s (${c.reason}): ${mb(c.bytes)} -> ${mb(Number(after?.bytes ?? 0))}, ${after?.valid ? 'valid' : 'still invalid'}`,
            });
          } catch (error) {
            results.push(await afterFailedReindex(db, c, before, leftBefore, (error as Error).message));
          }
        }
        return results;
      },
    };
  },
});

/**
 * What an interrupted or failed REINDEX CONCURRENTLY really did. If it got past the swap, the index
 * under the original name is the new, valid one: that is done, not failed. Either way, the `_ccnew` /
 * `_ccold` indexes this run left behind are dropped concurrently (each costs every write), and the
 * result says which.
 */
async function afterFailedReindex(
  db: MaintenanceDb,
  c: IndexCandidate,
  before: IndexRow | undefined,
  leftBefore: Set<string>,
  message: string,
): Promise<CheckResult> {
  const qualified = `${c.schema}.${c.index}`;
  const [after] = await indexRows(db, qualified).catch(() => [] as IndexRow[]);
  const swapped = Boolean(after?.valid && before && after.oid !== before.oid);
  const ours = (await concurrentLeftovers(db, c).catch(() => [])).filter((l) => !leftBefore.has(l.name));
  const dropped: string[] = [];
  const kept: string[] = [];
  for (const leftover of ours) {
    try {
      await db.execute(`DROP INDEX CONCURRENTLY IF EXISTS ${quoteQualified(leftover.name)}`);
      dropped.push(leftover.name);
    } catch (error) {
      kept.push(`${leftover.name} (${(error as Error).message})`);
    }
  }
  const cleanup = [
    ...(dropped.length ? [`dropped the leftover ${dropped.join(', ')} it left`] : []),
    ...(kept.length ? [`could not drop ${kept.join(', ')}`] : []),
  ];
  const tail = cleanup.length ? `; ${cleanup.join('; ')}` : '';
  if (swapped) {
    return {
      status: kept.length ? 'warn' : 'pass',
      resource: qualified,
      expected: 'valid after the rebuild',
      observed: `rebuilt (${c.reason}): the REINDEX was interrupted after the new index took over (${message}); ${qualified} is valid${tail}`,
      ...(kept.length ? { remediation: `DROP INDEX CONCURRENTLY each leftover named above.` } : {}),
    };
  }
  return {
    status: 'error',
    resource: qualified,
    expected: 'valid after the rebuild',
    observed: `REINDEX failed: ${message}; ${qualified} is ${after?.valid ? 'valid (unchanged)' : 'still invalid'}${tail}`,
    ...(kept.length
      ? { remediation: 'DROP INDEX CONCURRENTLY each leftover named above, then run again.' }
      : {}),
  };
}
