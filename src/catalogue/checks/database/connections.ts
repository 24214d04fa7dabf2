import type { CheckResult } from '../../../base/model/check.js';
import { noParams } from '../../../base/model/check.js';
import { type ActivityFacts, activity, describeSession, type SessionRow, visibilityGap } from './activity.js';
import {
  type DbThresholds,
  dbCheck,
  formatAge,
  judgeHigh,
  type Levels,
  levelsText,
  moreLine,
  worst,
} from './common.js';

const LIST = 10;

function countBy(sessions: SessionRow[], key: (s: SessionRow) => string): string {
  const counts = new Map<string, number>();
  for (const s of sessions) counts.set(key(s), (counts.get(key(s)) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
}

export function isIdleInTransaction(s: SessionRow): boolean {
  return s.state === 'idle in transaction' || s.state === 'idle in transaction (aborted)';
}

/** Connections against max_connections (ops guide §6.1.1, §8.1.1) and sessions idle in a transaction. */
export function evaluateConnections(
  facts: ActivityFacts,
  usageLevels: Levels,
  thresholds: Pick<DbThresholds, 'idleInTransactionSeconds'>,
): CheckResult[] {
  const total = facts.sessions.length;
  const percent = (total / facts.maxConnections) * 100;
  const usage: CheckResult = {
    id: 'db.connections.usage',
    title: 'Connections against max_connections',
    status: judgeHigh(percent, usageLevels),
    resource: 'max_connections',
    expected: levelsText(usageLevels, '% of max_connections'),
    observed: `${total} of ${facts.maxConnections} connections (${percent.toFixed(0)}%)`,
    detail: total
      ? [
          `by state: ${countBy(facts.sessions, (s) => s.state ?? 'unknown')}`,
          `by application: ${countBy(facts.sessions, (s) => s.application || '(none)')}`,
          `${facts.reservedConnections} more are reserved for superusers`,
        ].join('\n')
      : '',
    remediation:
      'Find the application holding the most connections (by application above) and check its pool size and for connection leaks; scale the instance class or add a pooler (RDS Proxy) if the load is real (ops guide §8.1.1 HighConnections).',
  };
  const idle = facts.sessions
    .filter((s) => s.here && !s.own && isIdleInTransaction(s))
    .sort((a, b) => (b.stateAge ?? 0) - (a.stateAge ?? 0));
  const levels = thresholds.idleInTransactionSeconds;
  const oldest = idle[0];
  const gap = visibilityGap(facts);
  const idleRemediation = oldest
    ? `A transaction left open holds its locks and stops VACUUM from cleaning up. Fix the code path that does not commit; to end it now: fsops db terminate ${oldest.pid} (rolls it back). Consider idle_in_transaction_session_timeout for the application role.`
    : undefined;
  const idleResult: CheckResult = {
    id: 'db.connections.idle-in-transaction',
    title: 'Sessions idle in a transaction',
    status: worst([oldest ? judgeHigh(oldest.stateAge ?? 0, levels) : 'pass', gap ? 'warn' : 'pass']),
    resource: oldest ? `pid ${oldest.pid}` : 'pg_stat_activity',
    expected: `no transaction left idle for ${levels.warn}s or more (fail at ${levels.fail}s)`,
    observed: [
      oldest
        ? `${idle.length} session${idle.length === 1 ? '' : 's'} idle in a transaction, oldest ${formatAge(oldest.stateAge ?? 0)} (${oldest.application || 'no application_name'}, pid ${oldest.pid})`
        : `no ${gap ? 'visible ' : ''}session is idle in a transaction`,
      ...(gap ? [gap.observed] : []),
    ].join('; '),
    detail: [
      ...idle.slice(0, LIST).map((s) => describeSession(s, s.stateAge)),
      ...moreLine(idle.length, LIST),
    ].join('\n'),
    remediation: [idleRemediation, gap?.remediation].filter(Boolean).join(' ') || undefined,
  };
  return [usage, idleResult];
}

export const connectionsCheck = dbCheck({
  id: 'db.connections',
  title: 'Database connections',
  severity: 'high',
  source: 'ops guide §6.1.1, §8.1.1, §13.2.2; runbook 002 (Database Errors)',
  remediation: 'Check the application connection pools for leaks.',
  params: noParams,
  async run(ctx, db) {
    return evaluateConnections(
      await activity(ctx, db),
      ctx.env.thresholds.dbConnectionsPercent,
      ctx.env.config.database.thresholds,
    );
  },
});
