import type { CheckResult } from '../../../base/model/check.js';
import { noParams } from '../../../base/model/check.js';
import { dbCheck, formatCount, judgeHigh, type Levels, worst } from './common.js';

/** Transaction IDs are 32-bit: PostgreSQL stops accepting writes as the oldest unfrozen XID nears 2^31. */
export const XID_LIMIT = 2 ** 31;

export interface XidAges {
  databases: { name: string; xidAge: number; mxidAge: number }[];
  tables: { name: string; xidAge: number }[];
  freezeMaxAge: number;
}

/**
 * Transaction ID (and multixact) wraparound: the age of the oldest unfrozen XID of any database
 * against 2^31. One finding for the server: when any database reaches the limit, the whole server
 * stops accepting writes.
 */
export function evaluateWraparound(facts: XidAges, levels: Levels): CheckResult[] {
  const ranked = facts.databases
    .map((d) => ({ ...d, percent: (Math.max(d.xidAge, d.mxidAge) / XID_LIMIT) * 100 }))
    .sort((a, b) => b.percent - a.percent);
  const oldest = ranked[0];
  if (!oldest) {
    return [{ status: 'error', resource: 'pg_database', observed: 'no database visible in pg_database' }];
  }
  const overdue = oldest.xidAge > facts.freezeMaxAge;
  const percentText = (p: number) => `${p.toFixed(p < 1 ? 4 : 1)}%`;
  return [
    {
      status: worst([judgeHigh(oldest.percent, levels), overdue ? 'warn' : 'pass']),
      resource: oldest.name,
      expected: `oldest unfrozen XID < ${levels.warn}% of 2^31 (fail at ${levels.fail}%), below autovacuum_freeze_max_age ${formatCount(facts.freezeMaxAge)}`,
      observed: `oldest: ${oldest.name}, xid age ${formatCount(oldest.xidAge)}, multixact age ${formatCount(oldest.mxidAge)} (${percentText(oldest.percent)} of the wraparound limit)${overdue ? '; past autovacuum_freeze_max_age: anti-wraparound vacuum is due or stuck' : ''}`,
      detail: [
        `databases: ${ranked.map((d) => `${d.name} ${formatCount(d.xidAge)}`).join(', ')}`,
        ...(facts.tables.length
          ? [
              `oldest tables in this database: ${facts.tables.map((t) => `${t.name} ${formatCount(t.xidAge)}`).join(', ')}`,
            ]
          : []),
      ].join('\n'),
      remediation:
        'Find what holds back freezing (long transactions, idle-in-transaction sessions, abandoned replication slots or prepared transactions) and VACUUM (FREEZE, VERBOSE) the oldest tables listed.',
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
    const [databases, tables, settings] = await Promise.all([
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
        `SELECT current_setting('autovacuum_freeze_max_age')::float8 AS freeze_max_age`,
      ),
    ]);
    return evaluateWraparound(
      {
        databases: databases.map((d) => ({ name: d.name, xidAge: d.xid_age, mxidAge: d.mxid_age })),
        tables: tables.map((t) => ({ name: t.name, xidAge: t.xid_age })),
        freezeMaxAge: settings[0]!.freeze_max_age,
      },
      ctx.env.config.database.thresholds.xidAgePercent,
    );
  },
});
