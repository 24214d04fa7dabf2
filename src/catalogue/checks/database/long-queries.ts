import type { CheckResult } from '../../../base/model/check.js';
import { noParams } from '../../../base/model/check.js';
import { type ActivityFacts, activity, describeSession, visibilityGap } from './activity.js';
import { dbCheck, formatAge, judgeHigh, type Levels, moreLine } from './common.js';

const LIST = 10;

/** Queries running longer than the threshold (runbook 002: `query_start < now() - interval '1 minute'`). */
export function evaluateLongQueries(facts: ActivityFacts, levels: Levels): CheckResult[] {
  const running = facts.sessions
    .filter((s) => s.here && !s.own && s.state === 'active' && (s.queryAge ?? 0) >= levels.warn)
    .sort((a, b) => (b.queryAge ?? 0) - (a.queryAge ?? 0));
  const gap = visibilityGap(facts);
  const hiddenResult: CheckResult[] = gap
    ? [
        {
          status: 'warn',
          resource: 'pg_stat_activity',
          expected: 'every session of this database visible to the diagnostic role',
          observed: gap.observed,
          remediation: gap.remediation,
        },
      ]
    : [];
  if (running.length === 0) {
    if (gap) return hiddenResult;
    const longest = Math.max(
      0,
      ...facts.sessions.filter((s) => s.here && !s.own && s.state === 'active').map((s) => s.queryAge ?? 0),
    );
    return [
      {
        status: 'pass',
        resource: 'pg_stat_activity',
        expected: `no query running ${levels.warn}s or longer`,
        observed: `no long-running query (longest active: ${formatAge(longest)})`,
      },
    ];
  }
  const found = running.slice(0, LIST).map(
    (s, index): CheckResult => ({
      status: judgeHigh(s.queryAge ?? 0, levels),
      resource: `pid ${s.pid}`,
      expected: `queries finish within ${levels.warn}s (fail at ${levels.fail}s)`,
      observed: `running for ${formatAge(s.queryAge ?? 0)}${s.waitEventType ? ` (waiting on ${s.waitEventType}:${s.waitEvent})` : ''}`,
      detail: [describeSession(s, s.queryAge), ...(index === 0 ? moreLine(running.length, LIST) : [])].join(
        '\n',
      ),
      remediation:
        s.waitEventType === 'Lock'
          ? `It is waiting for a lock, not working: release the session at the head of its lock chain (fsops db locks) rather than this one.`
          : `EXPLAIN the query and check its indexes (runbook 003 Query Optimization); if it must stop now: fsops db cancel ${s.pid}.`,
    }),
  );
  return [...found, ...hiddenResult];
}

export const longQueriesCheck = dbCheck({
  id: 'db.long-queries',
  title: 'Long-running queries',
  severity: 'high',
  source: 'runbook 002 (Performance Degradation: queries older than a minute)',
  remediation: 'Cancel or optimise the long-running query.',
  params: noParams,
  async run(ctx, db) {
    return evaluateLongQueries(await activity(ctx, db), ctx.env.config.database.thresholds.longQuerySeconds);
  },
});
