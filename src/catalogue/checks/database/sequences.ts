import type { CheckResult } from '../../../base/model/check.js';
import { noParams } from '../../../base/model/check.js';
import { dbCheck, dbInfo, formatCount, judgeHigh, type Levels, moreLine } from './common.js';

export interface SequenceUse {
  sequence: string;
  lastValue: number;
  maxValue: number;
  /** The column the sequence feeds, when it is narrower than the sequence (e.g. an integer id on a bigint sequence). */
  column: string | null;
  columnType: string | null;
  columnMax: number | null;
}

const LIST = 10;

/**
 * How close each sequence is to the largest value it (or the column it feeds) can hold.
 * `unreadable`: sequences the role may not read, which therefore cannot be judged.
 */
export function evaluateSequences(
  sequences: SequenceUse[],
  levels: Levels,
  unreadable: { names: string[]; user: string } = { names: [], user: '' },
): CheckResult[] {
  const access: CheckResult[] = unreadable.names.length
    ? [
        {
          id: 'db.sequences.access',
          title: 'Sequences the diagnostic role cannot read',
          status: 'warn',
          resource: unreadable.names[0]!,
          expected: 'every sequence readable, so that its position can be judged',
          observed: `${unreadable.names.length} sequence${unreadable.names.length === 1 ? '' : 's'} not readable by ${unreadable.user}: ${unreadable.names.slice(0, 5).join(', ')}${unreadable.names.length > 5 ? ', …' : ''}`,
          remediation: `GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${unreadable.names[0]!.includes('.') ? unreadable.names[0]!.split('.')[0] : 'public'} TO ${unreadable.user}; (SELECT on a sequence only reads its position)`,
        },
      ]
    : [];
  return [...access, ...judgeSequences(sequences, levels)];
}

function judgeSequences(sequences: SequenceUse[], levels: Levels): CheckResult[] {
  const judged = sequences
    .map((s) => {
      const limit = s.columnMax !== null && s.columnMax < s.maxValue ? s.columnMax : s.maxValue;
      return { s, limit, percent: (s.lastValue / limit) * 100 };
    })
    .sort((a, b) => b.percent - a.percent);
  const flagged = judged.filter((j) => j.percent >= levels.warn);
  const expected = `sequences below ${levels.warn}% of their maximum (fail at ${levels.fail}%)`;
  if (flagged.length === 0) {
    const top = judged[0];
    return [
      {
        status: 'pass',
        resource: 'pg_sequences',
        expected,
        observed: top
          ? `highest: ${top.s.sequence} at ${top.percent < 0.01 ? '<0.01' : top.percent.toFixed(2)}% of ${formatCount(top.limit)}`
          : 'no sequence in use',
      },
    ];
  }
  return flagged.slice(0, LIST).map(({ s, limit, percent }, i) => {
    const byColumn = limit === s.columnMax && s.columnMax !== s.maxValue;
    return {
      status: judgeHigh(percent, levels),
      resource: s.sequence,
      expected,
      observed: `${formatCount(s.lastValue)} of ${formatCount(limit)} (${percent.toFixed(1)}%)${byColumn ? `: the ${s.columnType} column ${s.column} overflows before the sequence does` : ''}; ${formatCount(limit - s.lastValue)} values left`,
      detail: i === 0 ? moreLine(flagged.length, LIST).join('\n') : '',
      remediation: byColumn
        ? `Widen the column before it overflows: ALTER TABLE ... ALTER COLUMN ${s.column?.split('.').pop()} TYPE bigint (rewrites the table: plan a window), then ALTER SEQUENCE ${s.sequence} AS bigint.`
        : `ALTER SEQUENCE ${s.sequence} AS bigint MAXVALUE 9223372036854775807; and widen the column it feeds to bigint.`,
    };
  });
}

const TYPE_MAX: Record<string, number> = {
  smallint: 32767,
  integer: 2147483647,
  // 2^63 - 1 is not exact as a double; the percentage does not need it to be.
  bigint: 2 ** 63,
};

export const sequencesCheck = dbCheck({
  id: 'db.sequences',
  title: 'Sequences near their maximum',
  severity: 'high',
  source: 'ops guide §12.3.1 (capacity planning); check_postgres sequence check',
  remediation: 'Widen the sequence and its column to bigint.',
  params: noParams,
  async run(ctx, db) {
    // Only sequences that have been used (and that the role may read) are judged.
    const info = await dbInfo(ctx, db);
    const rows = await db.query<{
      sequence: string;
      readable: boolean;
      last_value: string;
      max_value: string;
      column: string | null;
      column_type: string | null;
    }>(
      // Positions are read first (OFFSET 0 keeps the planner from merging the steps); only the used
      // (or unreadable) sequences are then named and matched to their column: on a catalog of 10,000
      // serial columns of which a few are used, that is the difference.
      `SELECT u.oid::regclass::text AS sequence, u.readable, u.last_value::text, u.max_value::text,
              col.name AS column, col.type AS column_type
         FROM (
           SELECT * FROM (
             SELECT c.oid, p.readable,
                    CASE WHEN p.readable THEN pg_sequence_last_value(c.oid) END AS last_value,
                    CASE WHEN s.seqincrement > 0 THEN s.seqmax ELSE -s.seqmin END AS max_value
               FROM pg_sequence s
               JOIN pg_class c ON c.oid = s.seqrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
              CROSS JOIN LATERAL (SELECT has_sequence_privilege(c.oid, 'SELECT,USAGE') AS readable) p
              WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
             OFFSET 0
           ) positions
           WHERE last_value IS NOT NULL OR NOT readable
         ) u
         LEFT JOIN LATERAL (
           SELECT format('%s.%I', d.refobjid::regclass, a.attname) AS name, format_type(a.atttypid, NULL) AS type
             FROM pg_depend d
             JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            WHERE d.classid = 'pg_class'::regclass AND d.objid = u.oid
              AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
            LIMIT 1
         ) col ON true`,
    );
    const unreadable = rows.filter((r) => !r.readable).map((r) => r.sequence);
    return evaluateSequences(
      rows
        .filter((r) => r.readable)
        .map((r) => ({
          sequence: r.sequence,
          // Descending sequences count down from -1: judge their distance from the minimum the same way.
          lastValue: Math.abs(Number(r.last_value)),
          maxValue: Math.abs(Number(r.max_value)),
          column: r.column,
          columnType: r.column_type,
          columnMax: r.column_type ? (TYPE_MAX[r.column_type] ?? null) : null,
        })),
      ctx.env.config.database.thresholds.sequencePercent,
      { names: unreadable, user: info.user },
    );
  },
});
