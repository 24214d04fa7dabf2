import { z } from 'zod';
import type { CheckResult, DbQuery } from '../../../base/model/check.js';
import { UsageError } from '../../../base/model/errors.js';
import { type MaintenanceDb, quoteQualified } from '../../../domain/db/writable.js';
import { defineAction, interruptedResult } from '../../action.js';

export interface Partition {
  name: string;
  /** The bound expression, e.g. `FOR VALUES FROM ('2026-11-01') TO ('2026-12-01')` or `DEFAULT`. */
  bound: string;
  /** `YYYY-MM-DD` dates of a range bound on a time key; null for MINVALUE/MAXVALUE or other keys. */
  from: string | null;
  to: string | null;
  isDefault: boolean;
}

export interface PartitionedTable {
  schema: string;
  table: string;
  strategy: 'range' | 'list' | 'hash';
  keyColumns: string[];
  keyTypes: string[];
  partitions: Partition[];
}

const STRATEGY = { r: 'range', l: 'list', h: 'hash' } as const;

/** Parses `FOR VALUES FROM ('2026-11-01 00:00:00+00') TO ('2026-12-01 00:00:00+00')` into dates. */
export function parseRangeBound(bound: string): { from: string | null; to: string | null } | null {
  const match = /FROM \((.+)\) TO \((.+)\)$/.exec(bound);
  if (!match) return null;
  const date = (v: string) => {
    const literal = /^'(\d{4}-\d{2}-\d{2})/.exec(v.trim());
    return literal ? literal[1]! : null;
  };
  return { from: date(match[1]!), to: date(match[2]!) };
}

export async function partitionedTables(db: DbQuery): Promise<PartitionedTable[]> {
  const rows = await db.query<{
    schema: string;
    table: string;
    strategy: 'r' | 'l' | 'h';
    key_columns: string[];
    key_types: string[];
    partition: string | null;
    bound: string | null;
  }>(
    `SELECT n.nspname AS schema, c.relname AS table, p.partstrat AS strategy,
            ARRAY(SELECT a.attname::text FROM unnest(p.partattrs) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY k.ord) AS key_columns,
            ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM unnest(p.partattrs) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY k.ord) AS key_types,
            child.relname AS partition,
            pg_get_expr(child.relpartbound, child.oid) AS bound
       FROM pg_partitioned_table p
       JOIN pg_class c ON c.oid = p.partrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_inherits i ON i.inhparent = c.oid
       LEFT JOIN pg_class child ON child.oid = i.inhrelid
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      ORDER BY n.nspname, c.relname, child.relname`,
  );
  const tables = new Map<string, PartitionedTable>();
  for (const r of rows) {
    const key = `${r.schema}.${r.table}`;
    let table = tables.get(key);
    if (!table) {
      table = {
        schema: r.schema,
        table: r.table,
        strategy: STRATEGY[r.strategy],
        keyColumns: r.key_columns,
        keyTypes: r.key_types,
        partitions: [],
      };
      tables.set(key, table);
    }
    if (r.partition && r.bound) {
      const range = parseRangeBound(r.bound);
      table.partitions.push({
        name: r.partition,
        bound: r.bound,
        from: range?.from ?? null,
        to: range?.to ?? null,
        isDefault: r.bound === 'DEFAULT',
      });
    }
  }
  return [...tables.values()];
}

/** Range partitioning on one date/timestamp column: the tables runbook 003 partitions by month. */
export function isMonthlyCandidate(table: PartitionedTable): boolean {
  return (
    table.strategy === 'range' && table.keyTypes.length === 1 && /^(date|timestamp)/.test(table.keyTypes[0]!)
  );
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The month starting `offset` months after `now`'s (UTC): `{ from: '2026-12-01', to: '2027-01-01', suffix: '2026_12' }`. */
export function monthRange(now: Date, offset: number): { from: string; to: string; suffix: string } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  const day = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-01`;
  return {
    from: day(start),
    to: day(end),
    suffix: `${start.getUTCFullYear()}_${pad(start.getUTCMonth() + 1)}`,
  };
}

/** Whether the (non-default) partitions together cover [from, to). Dates compare as `YYYY-MM-DD` text. */
export function covers(partitions: Partition[], from: string, to: string): boolean {
  const ranges = partitions
    .filter((p) => !p.isDefault && (p.from !== null || p.bound.includes('MINVALUE')))
    .map((p) => ({
      from: p.from ?? '0000-00-00',
      to: p.to ?? (p.bound.includes('MAXVALUE') ? '9999-99-99' : ''),
    }))
    .sort((a, b) => a.from.localeCompare(b.from));
  let reached = from;
  for (const r of ranges) {
    if (r.from > reached) break;
    if (r.to > reached) reached = r.to;
    if (reached >= to) return true;
  }
  return reached >= to;
}

export interface MissingPartition {
  table: PartitionedTable;
  name: string;
  from: string;
  to: string;
}

/** The next month's partition each monthly-partitioned table lacks (`months` ahead, default 1). */
export function missingPartitions(
  tables: PartitionedTable[],
  now: Date,
  monthsAhead = 1,
): MissingPartition[] {
  const missing: MissingPartition[] = [];
  for (const table of tables.filter(isMonthlyCandidate)) {
    for (let offset = 0; offset <= monthsAhead; offset++) {
      const month = monthRange(now, offset);
      if (!covers(table.partitions, month.from, month.to)) {
        missing.push({ table, name: `${table.table}_${month.suffix}`, from: month.from, to: month.to });
      }
    }
  }
  return missing;
}

/** Partitions entirely before the cutoff date (their upper bound is on or before it). */
export function partitionsOlderThan(
  tables: PartitionedTable[],
  cutoff: string,
): { table: PartitionedTable; partition: Partition }[] {
  return tables
    .filter(isMonthlyCandidate)
    .flatMap((table) =>
      table.partitions
        .filter((p) => !p.isDefault && p.to !== null && p.to <= cutoff)
        .map((partition) => ({ table, partition })),
    );
}

/**
 * The statements that create a missing partition without ACCESS EXCLUSIVE on the (hot) parent.
 * `CREATE TABLE ... PARTITION OF` locks the parent ACCESS EXCLUSIVE: behind any long reader, every
 * insert would queue behind fsops. Instead (PostgreSQL >= 12): create the table standalone (LIKE only
 * reads the parent), give it a CHECK matching the bounds so ATTACH skips its validation scan, attach
 * it (SHARE UPDATE EXCLUSIVE on the parent: readers and writers go on), then drop the redundant CHECK.
 * They run in one transaction: a failure leaves no half-made table behind.
 */
export function createPartitionStatements(m: MissingPartition): string[] {
  const parent = quoteQualified(`${m.table.schema}.${m.table.table}`);
  const child = quoteQualified(`${m.table.schema}.${m.name}`);
  const column = quoteQualified(m.table.keyColumns[0]!);
  const type = m.table.keyTypes[0]!;
  const check = quoteQualified(`${m.name}_fsops_bound`.slice(0, 63));
  return [
    `CREATE TABLE ${child} (LIKE ${parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)`,
    `ALTER TABLE ${child} ADD CONSTRAINT ${check} CHECK (${column} IS NOT NULL AND ${column} >= '${m.from}'::${type} AND ${column} < '${m.to}'::${type})`,
    `ALTER TABLE ${parent} ATTACH PARTITION ${child} FOR VALUES FROM ('${m.from}') TO ('${m.to}')`,
    `ALTER TABLE ${child} DROP CONSTRAINT ${check}`,
  ];
}

/** Creates the partition as `createPartitionStatements` says, in one transaction. */
async function createPartition(db: MaintenanceDb, m: MissingPartition): Promise<void> {
  await db.execute('BEGIN');
  try {
    for (const statement of createPartitionStatements(m)) await db.execute(statement);
    await db.execute('COMMIT');
  } catch (error) {
    await db.execute('ROLLBACK').catch(() => {});
    throw error;
  }
}

export function describeTable(t: PartitionedTable): string {
  return `${t.schema}.${t.table} (${t.strategy} on ${t.keyColumns.join(', ')} ${t.keyTypes.join(', ')})`;
}

export const createNextPartitionsAction = defineAction({
  id: 'db.create-next-partitions',
  title: "Create next month's partitions",
  severity: 'high',
  source: 'runbook 003 §2 Database Maintenance (Partition Management)',
  remediation:
    'Without the partition, inserts for next month fail (or land in the DEFAULT partition): create it with `fsops db partitions --create-next`.',
  params: z
    .object({
      /** How many months ahead to create (default 1: next month's). */
      monthsAhead: z.number().int().optional(),
    })
    .strict(),
  async plan(ctx, params) {
    const db = await ctx.db();
    const tables = await partitionedTables(db);
    const missing = missingPartitions(tables, ctx.now, params.monthsAhead ?? 1);
    const monthly = tables.filter(isMonthlyCandidate);
    if (missing.length === 0) {
      return {
        lines: [],
        preview: [
          {
            status: 'pass',
            resource: db.label,
            expected: "this and next month's partitions exist",
            observed: monthly.length
              ? `${monthly.length} monthly-partitioned table(s), all covered: ${monthly.map((t) => `${t.schema}.${t.table}`).join(', ')}`
              : 'no range-partitioned table on a date/time key',
          },
        ],
        apply: async () => [],
      };
    }
    return {
      lines: missing.flatMap((m) => createPartitionStatements(m).map((statement) => `${statement};`)),
      preview: missing.map((m) => ({
        status: 'warn',
        resource: `${m.table.schema}.${m.table.table}`,
        expected: `a partition for ${m.from} .. ${m.to}`,
        observed: `missing; dry run: would create ${m.table.schema}.${m.name}`,
      })),
      async apply() {
        const results: CheckResult[] = [];
        for (const m of missing) {
          if (ctx.stopRequested?.()) {
            results.push(interruptedResult(`${m.table.schema}.${m.table.table}`));
            continue;
          }
          try {
            await createPartition(db, m);
            results.push({
              status: 'pass',
              resource: `${m.table.schema}.${m.table.table}`,
              expected: `a partition for ${m.from} .. ${m.to}`,
              observed: `created ${m.table.schema}.${m.name} FOR VALUES FROM ('${m.from}') TO ('${m.to}')`,
            });
          } catch (error) {
            results.push({
              status: 'error',
              resource: `${m.table.schema}.${m.table.table}`,
              expected: `a partition for ${m.from} .. ${m.to}`,
              observed: `could not create ${m.name}: ${(error as Error).message}`,
              remediation:
                'If a DEFAULT partition holds rows of that month, move them out first (runbook 003 Partition Management).',
            });
          }
        }
        return results;
      },
    };
  },
});

/** `12mo`, `18mo`, `1y`, `2y` -> months; at least 1. */
export function parseMonths(text: string, flag: string): number {
  const match = /^(\d+)\s*(mo|m|months?|y|years?)$/i.exec(text.trim());
  const months = match ? Number(match[1]) * (/^y/i.test(match[2]!) ? 12 : 1) : Number.NaN;
  if (!Number.isInteger(months) || months < 1 || months > 1200) {
    throw new UsageError(`invalid ${flag} '${text}': use months or years, e.g. 12mo, 18mo, 2y`);
  }
  return months;
}

export const dropOldPartitionsAction = defineAction({
  id: 'db.drop-old-partitions',
  title: 'Drop partitions past retention',
  severity: 'high',
  source: 'runbook 003 §2 Database Maintenance (Partition Management: drop old partitions)',
  remediation: 'Check the error (lock_timeout: the parent table was busy), then run again.',
  params: z
    .object({
      /** Partitions whose whole range ends this many months before now. */
      olderThanMonths: z.number().int(),
    })
    .strict(),
  async plan(ctx, params) {
    const db = await ctx.db();
    const cutoff = monthRange(ctx.now, -params.olderThanMonths).from;
    const old = partitionsOlderThan(await partitionedTables(db), cutoff);
    const name = (o: (typeof old)[number]) => `${o.table.schema}.${o.partition.name}`;
    if (old.length === 0) {
      return {
        lines: [],
        preview: [
          {
            status: 'pass',
            resource: db.label,
            expected: `no partition ending on or before ${cutoff}`,
            observed: 'nothing to drop',
          },
        ],
        apply: async () => [],
      };
    }
    const sizes = new Map<string, string>();
    for (const o of old) {
      const [row] = await db.query<{ n: string; size: string }>(
        `SELECT (SELECT count(*) FROM ${quoteQualified(name(o))}) AS n, pg_size_pretty(pg_total_relation_size($1::regclass)) AS size`,
        [quoteQualified(name(o))],
      );
      sizes.set(name(o), `${row?.n ?? '?'} rows, ${row?.size ?? '?'}`);
    }
    return {
      lines: old.map(
        (o) =>
          `DROP TABLE ${quoteQualified(name(o))}  -- ${o.partition.bound}; ${sizes.get(name(o))} (data is deleted)`,
      ),
      preview: old.map((o) => ({
        status: 'skip',
        resource: name(o),
        observed: `dry run: would drop (${o.partition.bound}; ${sizes.get(name(o))})`,
      })),
      async apply() {
        const results: CheckResult[] = [];
        for (const o of old) {
          if (ctx.stopRequested?.()) {
            results.push(interruptedResult(name(o)));
            continue;
          }
          try {
            await db.execute(`DROP TABLE ${quoteQualified(name(o))}`);
            results.push({
              status: 'pass',
              resource: name(o),
              expected: `no partition ending on or before ${cutoff}`,
              observed: `dropped (${o.partition.bound}; ${sizes.get(name(o))})`,
            });
          } catch (error) {
            results.push({
              status: 'error',
              resource: name(o),
              expected: `no partition ending on or before ${cutoff}`,
              observed: `could not drop: ${(error as Error).message}`,
            });
          }
        }
        return results;
      },
    };
  },
});

/** The read-only listing: each partitioned table, its ranges, and a finding per missing month. */
export function partitionFindings(
  tables: PartitionedTable[],
  now: Date,
  monthsAhead = 1,
): { results: CheckResult[]; notes: string[] } {
  const missing = missingPartitions(tables, now, monthsAhead);
  const results: CheckResult[] = [];
  const notes: string[] = [];
  for (const t of tables) {
    const resource = `${t.schema}.${t.table}`;
    const lines = t.partitions.map((p) => `    ${p.name}: ${p.bound}`);
    notes.push(
      `${describeTable(t)}: ${t.partitions.length} partition(s)${lines.length ? `\n${lines.join('\n')}` : ''}`,
    );
    if (!isMonthlyCandidate(t)) continue;
    const gaps = missing.filter((m) => m.table === t);
    results.push({
      status: gaps.length ? 'warn' : 'pass',
      resource,
      expected: `partitions up to ${monthRange(now, monthsAhead).to}`,
      observed: gaps.length
        ? `missing: ${gaps.map((g) => `${g.from} .. ${g.to}`).join(', ')}`
        : `covered up to ${monthRange(now, monthsAhead).to} (${t.partitions.length} partitions)`,
      remediation: `Create it: fsops db partitions --create-next (${gaps.map((g) => g.name).join(', ')})`,
    });
  }
  return { results, notes };
}
