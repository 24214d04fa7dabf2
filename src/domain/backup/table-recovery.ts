import type { CheckResult, DbQuery } from '../../base/model/check.js';
import { UsageError } from '../../base/model/errors.js';
import { quoteQualified } from '../db/writable.js';
import { secondStamp } from './naming.js';

/**
 * `fsops recover table` (runbook 002 Partial Recovery: restore specific tables, verify data consistency):
 * the names, the column and key facts of a table, the comparison of the recovered rows with the live
 * ones by primary key, and the SQL an engineer would run to merge them. Pure SQL text and small reads.
 */

export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

/** `schema.table` from the command line (bad input: one line, exit 2). */
export function parseTableName(text: string): { schema: string; table: string } {
  if (!TABLE_NAME.test(text)) {
    throw new UsageError(`table '${text}' is not schema.table (letters, digits, _), e.g. payment.payments`);
  }
  const [schema, table] = text.split('.') as [string, string];
  return { schema, table };
}

/** The side schema the recovered rows land in: `recovered_20261129_231502`. */
export function sideSchemaName(at: Date): string {
  return `recovered_${secondStamp(at).replace('-', '_')}`;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

export interface TableFacts {
  /** Columns in table order (no dropped or generated ones). */
  columns: string[];
  /** Primary-key columns, in key order; empty when the table has none. */
  key: string[];
}

/** The columns and primary key of `schema.table`; null when it does not exist. */
export async function tableFacts(db: DbQuery, schema: string, table: string): Promise<TableFacts | null> {
  const exists = await db.query<{ oid: number }>(
    `SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
    [schema, table],
  );
  if (exists.length === 0) return null;
  const oid = exists[0]!.oid;
  const columns = await db.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute
      WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
      ORDER BY attnum`,
    [oid],
  );
  const key = await db.query<{ name: string }>(
    `SELECT a.attname AS name
       FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1 AND i.indisprimary
      ORDER BY k.ord`,
    [oid],
  );
  return { columns: columns.map((c) => c.name), key: key.map((k) => k.name) };
}

/** The SQL of the side table: the live table's columns and primary key, no defaults (no live sequence is touched). */
export function sideTableSql(live: string, side: string, facts: TableFacts): string[] {
  const [schema] = side.split('.') as [string];
  return [
    `CREATE SCHEMA ${ident(schema)}`,
    `CREATE TABLE ${quoteQualified(side)} (LIKE ${quoteQualified(live)} INCLUDING GENERATED)`,
    ...(facts.key.length
      ? [`ALTER TABLE ${quoteQualified(side)} ADD PRIMARY KEY (${facts.key.map(ident).join(', ')})`]
      : []),
  ];
}

const cols = (alias: string, names: string[]) => names.map((c) => `${alias}.${ident(c)}`).join(', ');
const keyMatch = (key: string[]) => key.map((k) => `l.${ident(k)} = r.${ident(k)}`).join(' AND ');

/** The three differences by key: rows only in the copy (deleted since), only live (written since), changed. */
export function diffSql(live: string, side: string, facts: TableFacts) {
  const L = quoteQualified(live);
  const R = quoteQualified(side);
  const match = keyMatch(facts.key);
  const keys = (alias: string) => `json_build_array(${cols(alias, facts.key)})::text`;
  const changed = `(${cols('l', facts.columns)}) IS DISTINCT FROM (${cols('r', facts.columns)})`;
  return {
    onlyCopy: `SELECT ${keys('r')} AS k FROM ${R} r WHERE NOT EXISTS (SELECT 1 FROM ${L} l WHERE ${match})`,
    onlyLive: `SELECT ${keys('l')} AS k FROM ${L} l WHERE NOT EXISTS (SELECT 1 FROM ${R} r WHERE ${match})`,
    changed: `SELECT ${keys('l')} AS k FROM ${L} l JOIN ${R} r ON ${match} WHERE ${changed}`,
  };
}

export interface TableDiff {
  onlyCopy: { count: number; sample: string[] };
  onlyLive: { count: number; sample: string[] };
  changed: { count: number; sample: string[] };
}

/** Counts each difference and keeps up to `sample` keys of each (read-only on both tables). */
export async function diffByKey(
  db: DbQuery,
  live: string,
  side: string,
  facts: TableFacts,
  sample = 10,
): Promise<TableDiff> {
  const sql = diffSql(live, side, facts);
  const one = async (query: string) => {
    const [count] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM (${query}) d`);
    const keys = await db.query<{ k: string }>(`${query} ORDER BY 1 LIMIT ${sample}`);
    return { count: Number(count!.n), sample: keys.map((row) => row.k) };
  };
  return {
    onlyCopy: await one(sql.onlyCopy),
    onlyLive: await one(sql.onlyLive),
    changed: await one(sql.changed),
  };
}

/** The SQL an engineer would review and run to merge the recovered rows back (fsops never runs it). */
export function mergeSql(live: string, side: string, facts: TableFacts): string {
  const L = quoteQualified(live);
  const R = quoteQualified(side);
  const match = keyMatch(facts.key);
  const nonKey = facts.columns.filter((c) => !facts.key.includes(c));
  const all = facts.columns.map(ident).join(', ');
  const [schema] = side.split('.') as [string];
  return [
    `-- Review before running: compare ${R} (the table as it was at the restore point) with ${L}.`,
    'BEGIN;',
    '-- 1. Rows deleted since the restore point (only in the copy): put them back.',
    `INSERT INTO ${L} (${all})`,
    `  SELECT ${cols('r', facts.columns)} FROM ${R} r`,
    `  WHERE NOT EXISTS (SELECT 1 FROM ${L} l WHERE ${match});`,
    ...(nonKey.length
      ? [
          '-- 2. Rows changed since the restore point: take back the values of the copy.',
          `UPDATE ${L} l SET ${nonKey.map((c) => `${ident(c)} = r.${ident(c)}`).join(', ')}`,
          `  FROM ${R} r WHERE ${match}`,
          `  AND (${cols('l', facts.columns)}) IS DISTINCT FROM (${cols('r', facts.columns)});`,
        ]
      : []),
    '-- 3. Rows written since the restore point (only live) are kept. To remove them as well:',
    `-- DELETE FROM ${L} l WHERE NOT EXISTS (SELECT 1 FROM ${R} r WHERE ${match});`,
    'COMMIT;',
    `-- When done: DROP SCHEMA ${ident(schema)} CASCADE;`,
  ].join('\n');
}

/** The findings of a table comparison: each difference counted, with sample keys. */
export function evaluateTableDiff(live: string, side: string, diff: TableDiff): CheckResult[] {
  const row = (what: string, part: { count: number; sample: string[] }, meaning: string): CheckResult => ({
    id: 'recover.table.diff',
    title: `Rows ${what}`,
    status: part.count === 0 ? 'pass' : 'warn',
    resource: `${live} vs ${side}`,
    expected: meaning,
    observed:
      part.count === 0
        ? 'none'
        : `${part.count} row(s); keys ${part.sample.join(', ')}${part.count > part.sample.length ? ', ...' : ''}`,
  });
  return [
    row(
      'only in the copy (deleted since the restore point)',
      diff.onlyCopy,
      'rows the restore point had that live lacks',
    ),
    row('changed since the restore point', diff.changed, 'rows whose values differ, by key'),
    row('only live (written since the restore point)', diff.onlyLive, 'rows written after the restore point'),
  ];
}
