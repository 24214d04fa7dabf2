import type { CheckResult } from '../../../base/model/check.js';
import { noParams } from '../../../base/model/check.js';
import { dbCheck, dbFacts, formatCount, judgeHigh, type Levels, unreadQuery, worst } from './common.js';

/** Transaction IDs are 32-bit: PostgreSQL stops accepting writes as the oldest unfrozen XID nears 2^31. */
export const XID_LIMIT = 2 ** 31;

export interface XidAges {
  /** null: pg_database (the ages of every database) could not be read. */
  databases: { name: string; xidAge: number; mxidAge: number }[] | null;
  /** The oldest tables of this database; null: they could not be read. */
  tables: { name: string; xidAge: number }[] | null;
  /** null: autovacuum_freeze_max_age could not be read (the freeze is not judged overdue or not). */
  freezeMaxAge: number | null;
}

/**
 * Transaction ID (and multixact) wraparound: the age of the oldest unfrozen XID of any database
 * against 2^31. One finding for the server: when any database reaches the limit, the whole server
 * stops accepting writes. Without pg_database, this database is still judged by its oldest table
 * (its datfrozenxid is the oldest relfrozenxid of its tables); each fact that could not be read is
 * its own error finding (the check's `run`), never a pass.
 */
export function evaluateWraparound(facts: XidAges, levels: Levels): CheckResult[] {
  const percentText = (p: number) => `${p.toFixed(p < 1 ? 4 : 1)}%`;
  const freezeText =
    facts.freezeMaxAge === null
      ? ' (autovacuum_freeze_max_age could not be read)'
      : `, below autovacuum_freeze_max_age ${formatCount(facts.freezeMaxAge)}`;
  const overdueOf = (xidAge: number) => facts.freezeMaxAge !== null && xidAge > facts.freezeMaxAge;
  const overdueText = '; past autovacuum_freeze_max_age: anti-wraparound vacuum is due or stuck';
  const expected = `oldest unfrozen XID < ${levels.warn}% of 2^31 (fail at ${levels.fail}%)${freezeText}`;
  const remediation =
    'Find what holds back freezing (long transactions, idle-in-transaction sessions, abandoned replication slots or prepared transactions) and VACUUM (FREEZE, VERBOSE) the oldest tables listed.';
  const tablesLine = facts.tables?.length
    ? [
        `oldest tables in this database: ${facts.tables.map((t) => `${t.name} ${formatCount(t.xidAge)}`).join(', ')}`,
      ]
    : [];
  if (facts.databases === null) {
    const oldestTable = facts.tables?.[0];
    if (!oldestTable) return [];
    const percent = (oldestTable.xidAge / XID_LIMIT) * 100;
    const overdue = overdueOf(oldestTable.xidAge);
    return [
      {
        status: worst([judgeHigh(percent, levels), overdue ? 'warn' : 'pass']),
        resource: 'this database',
        expected,
        observed: `oldest table in this database: ${oldestTable.name}, xid age ${formatCount(oldestTable.xidAge)} (${percentText(percent)} of the wraparound limit)${overdue ? overdueText : ''}; the other databases and the multixact ages could not be read`,
        detail: tablesLine.join('\n'),
        remediation,
      },
    ];
  }
  const ranked = facts.databases
    .map((d) => ({ ...d, percent: (Math.max(d.xidAge, d.mxidAge) / XID_LIMIT) * 100 }))
    .sort((a, b) => b.percent - a.percent);
  const oldest = ranked[0];
  if (!oldest) {
    return [{ status: 'error', resource: 'pg_database', observed: 'no database visible in pg_database' }];
  }
  const overdue = overdueOf(oldest.xidAge);
  return [
    {
      status: worst([judgeHigh(oldest.percent, levels), overdue ? 'warn' : 'pass']),
      resource: oldest.name,
      expected,
      observed: `oldest: ${oldest.name}, xid age ${formatCount(oldest.xidAge)}, multixact age ${formatCount(oldest.mxidAge)} (${percentText(oldest.percent)} of the wraparound limit)${overdue ? overdueText : ''}`,
      detail: [
        `databases: ${ranked.map((d) => `${d.name} ${formatCount(d.xidAge)}`).join(', ')}`,
        ...tablesLine,
      ].join('\n'),
      remediation,
    },
  ];
}

export const wraparoundCheck = dbCheck({
  id: 'db.wraparound',
  title: 'Transaction ID wraparound',
  severity: 'critical',
  source:
    'ops guide §12.3.1 (vacuum operations); PostgreSQL docs §25.1.5 (preventing XID wraparound failures)',
  remediation: 'VACUUM FREEZE the oldest tables.',
  params: noParams,
  async run(ctx, db) {
    // Each query on its own: one that cannot be read (a function or view the role may not use, a
    // statement timeout) is its own error, and the others are judged.
    const [databases, tables, settings] = await dbFacts(
      db.query<{ name: string; xid_age: number; mxid_age: number }>(
        `SELECT datname AS name, age(datfrozenxid)::float8 AS xid_age, mxid_age(datminmxid)::float8 AS mxid_age
           FROM pg_database WHERE datallowconn ORDER BY age(datfrozenxid) DESC`,
      ),
      db.query<{ name: string; xid_age: number }>(
        // The five oldest are picked first and named after: naming every relation (regclass to text)
        // is what a 10,000-table catalog spends its time on.
        `SELECT oid::regclass::text AS name, xid_age
           FROM (SELECT c.oid, age(c.relfrozenxid)::float8 AS xid_age
                   FROM pg_class c WHERE c.relkind IN ('r', 'm', 't') AND c.relfrozenxid <> 0
                  ORDER BY age(c.relfrozenxid) DESC LIMIT 5) oldest
          ORDER BY xid_age DESC`,
      ),
      db.query<{ freeze_max_age: number }>(
        `SELECT setting::float8 AS freeze_max_age FROM pg_settings WHERE name = 'autovacuum_freeze_max_age'`,
      ),
    );
    const id = 'db.wraparound';
    const freezeMaxAge = settings.ok ? (settings.value[0]?.freeze_max_age ?? null) : null;
    return [
      ...(databases.ok
        ? []
        : [unreadQuery(`${id}.databases`, 'pg_database', 'the XID ages of the databases', databases.reason)]),
      ...(tables.ok
        ? []
        : [unreadQuery(`${id}.tables`, 'pg_class', 'the oldest tables of this database', tables.reason)]),
      ...(settings.ok
        ? []
        : [unreadQuery(`${id}.settings`, 'pg_settings', 'autovacuum_freeze_max_age', settings.reason)]),
      ...evaluateWraparound(
        {
          databases: databases.ok
            ? databases.value.map((d) => ({ name: d.name, xidAge: d.xid_age, mxidAge: d.mxid_age }))
            : null,
          tables: tables.ok ? tables.value.map((t) => ({ name: t.name, xidAge: t.xid_age })) : null,
          freezeMaxAge,
        },
        ctx.env.config.database.thresholds.xidAgePercent,
      ),
    ];
  },
});
