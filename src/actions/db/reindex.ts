import { quoteQualified } from '../../db/writable.js';
import type { CheckResult, DbQuery } from '../../engine/model/check.js';
import { UsageError } from '../../engine/model/errors.js';
import { type ActionDefinition, interruptedResult } from '../types.js';

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
    `SELECT n.nspname AS schema, ic.relname AS index, tc.relname AS table,
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

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export function reindexSql(c: Pick<IndexCandidate, 'schema' | 'index'>, serverVersion: number): string {
  const concurrently = serverVersion >= 120000 ? ' CONCURRENTLY' : '';
  return `REINDEX INDEX${concurrently} ${quoteQualified(`${c.schema}.${c.index}`)}`;
}

export const reindexAction: ActionDefinition<{ index?: string }> = {
  id: 'db.reindex',
  title: 'REINDEX CONCURRENTLY of invalid or bloated indexes',
  severity: 'medium',
  source: 'runbook 003 §2 Index Management; runbook 002 Regular Maintenance Tasks (REINDEX)',
  remediation:
    'A failed REINDEX CONCURRENTLY leaves an invalid <name>_ccnew index: drop it (DROP INDEX CONCURRENTLY) and run again.',
  recheck: ['db.indexes'],
  async plan(ctx, params) {
    const db = await ctx.db();
    const { candidates, notes, leftovers } = await reindexCandidates(db, params.index);
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
          {
            status: 'pass',
            resource: db.label,
            expected: 'no invalid or bloated index',
            observed: 'no index needs a rebuild',
          },
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
        const results: CheckResult[] = [...leftoverFindings, ...noteFindings];
        for (const c of candidates) {
          if (ctx.stopRequested?.()) {
            results.push(interruptedResult(`${c.schema}.${c.index}`));
            continue;
          }
          const started = Date.now();
          ctx.log(`${reindexSql(c, db.serverVersion)} ...`);
          try {
            await db.execute(reindexSql(c, db.serverVersion));
            const [after] = await indexRows(db, `${c.schema}.${c.index}`);
            results.push({
              status: after?.valid ? 'pass' : 'fail',
              resource: `${c.schema}.${c.index}`,
              expected: 'valid after the rebuild',
              observed: `rebuilt in ${((Date.now() - started) / 1000).toFixed(1)}s (${c.reason}): ${mb(c.bytes)} -> ${mb(Number(after?.bytes ?? 0))}, ${after?.valid ? 'valid' : 'still invalid'}`,
            });
          } catch (error) {
            results.push({
              status: 'error',
              resource: `${c.schema}.${c.index}`,
              expected: 'valid after the rebuild',
              observed: `REINDEX failed: ${(error as Error).message}`,
            });
          }
        }
        return results;
      },
    };
  },
};
