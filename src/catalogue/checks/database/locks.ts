import type { CheckResult } from '../../../base/model/check.js';
import { noParams } from '../../../base/model/check.js';
import { activity, describeSession, type SessionRow, who } from './activity.js';
import { dbCheck, formatAge, judgeHigh, type Levels, moreLine, shortQuery, worst } from './common.js';

export interface Waiter {
  pid: number;
  blockedBy: number[];
  /** Seconds this session has waited for its lock; null when PostgreSQL does not say (before 14, hidden sessions). */
  waitAge: number | null;
  lockType: string | null;
  relation: string | null;
}

export interface LockChain {
  /** The session at the head: it blocks others and waits for nobody. */
  root: number;
  /** Every session waiting behind the root, directly or through others. */
  blocked: number[];
  maxWait: number;
  /** Some session in the chain waits for an unknown time. */
  waitUnknown: boolean;
  /** Tree lines, root first. */
  lines: string[];
}

/**
 * Groups waiting sessions into chains headed by the session that blocks without waiting itself (the
 * one to look at first). A cycle has no such head: PostgreSQL's deadlock detector breaks it within
 * deadlock_timeout, so it is reported with its lowest pid as the head.
 */
export function buildLockChains(
  waiters: Waiter[],
  describe: (pid: number) => string = (pid) => `pid ${pid}`,
): LockChain[] {
  const byPid = new Map(waiters.map((w) => [w.pid, w]));
  const children = new Map<number, number[]>();
  for (const w of waiters) {
    for (const b of w.blockedBy) children.set(b, [...(children.get(b) ?? []), w.pid]);
  }
  const roots = [...children.keys()].filter((pid) => !byPid.has(pid));
  const reached = new Set<number>();
  const chains: LockChain[] = [];
  const walk = (root: number) => {
    const blocked: number[] = [];
    const lines = [describe(root)];
    const visit = (pid: number, depth: number) => {
      for (const child of (children.get(pid) ?? []).sort((a, b) => a - b)) {
        if (child === root || blocked.includes(child)) continue;
        blocked.push(child);
        reached.add(child);
        const w = byPid.get(child)!;
        const what = [w.lockType, w.relation].filter(Boolean).join(' on ');
        lines.push(
          `${'   '.repeat(depth)}└─ waiting ${w.waitAge === null ? '(for how long: hidden)' : formatAge(w.waitAge)}${what ? ` for a ${what} lock` : ''}: ${describe(child)}`,
        );
        visit(child, depth + 1);
      }
    };
    visit(root, 0);
    const ages = blocked.map((pid) => byPid.get(pid)!.waitAge);
    const maxWait = Math.max(0, ...ages.map((age) => age ?? 0));
    chains.push({ root, blocked, maxWait, waitUnknown: ages.includes(null), lines });
  };
  for (const root of roots.sort((a, b) => a - b)) walk(root);
  // Waiters not reached from a non-waiting head are in a cycle.
  for (const w of [...waiters].sort((a, b) => a.pid - b.pid)) {
    if (!reached.has(w.pid) && w.blockedBy.length > 0 && !chains.some((c) => c.root === w.pid)) walk(w.pid);
  }
  return chains.sort((a, b) => b.maxWait - a.maxWait);
}

const LIST = 10;

export function evaluateLocks(
  waiters: Waiter[],
  sessions: Map<number, SessionRow>,
  levels: Levels,
): CheckResult[] {
  if (waiters.length === 0) {
    return [
      {
        status: 'pass',
        resource: 'pg_locks',
        expected: `no session waits ${levels.warn}s or more for a lock`,
        observed: 'no session is waiting for a lock',
      },
    ];
  }
  const describe = (pid: number) => {
    const s = sessions.get(pid);
    if (!s) return `pid ${pid} (not visible in pg_stat_activity)`;
    const age = s.state === 'active' ? s.queryAge : s.stateAge;
    return s.state === 'active' && s.waitEventType === 'Lock'
      ? `${who(s)}: ${shortQuery(s.query, 120)}`
      : describeSession(s, age);
  };
  const chains = buildLockChains(waiters, describe);
  return chains.slice(0, LIST).map((chain, index) => {
    const root = sessions.get(chain.root);
    const idle = root?.state?.startsWith('idle in transaction');
    const action = idle || !root ? 'terminate' : 'cancel';
    return {
      // A chain whose wait cannot be timed is still a chain: at least a warning.
      status: worst([judgeHigh(chain.maxWait, levels), chain.waitUnknown ? 'warn' : 'pass']),
      resource: `pid ${chain.root}`,
      expected: `no session waits ${levels.warn}s or more for a lock (fail at ${levels.fail}s)`,
      observed: `pid ${chain.root}${root ? ` (${root.application || 'no application_name'}, ${root.state ?? 'unknown state'})` : ''} blocks ${chain.blocked.length} session${chain.blocked.length === 1 ? '' : 's'}, the longest waiting ${formatAge(chain.maxWait)}`,
      detail: [...chain.lines, ...(index === 0 ? moreLine(chains.length, LIST) : [])].join('\n'),
      remediation: `Find out why pid ${chain.root} holds its lock${idle ? ' (its transaction is idle: the application did not commit)' : ''}; to release the chain now: fsops db ${action} ${chain.root}.`,
    };
  });
}

export const locksCheck = dbCheck({
  id: 'db.locks',
  title: 'Blocked sessions and lock chains',
  severity: 'critical',
  source: 'runbook 002 (Database Errors: SELECT * FROM pg_locks WHERE NOT granted)',
  remediation: 'Release the blocking session.',
  params: noParams,
  async run(ctx, db) {
    // Waiters come from pg_locks, which every role may read in full: pg_stat_activity hides another
    // role's wait events from a role without pg_read_all_stats. pg_locks.waitstart exists from
    // PostgreSQL 14; before, the state change is the best estimate.
    const hasWaitStart = db.serverVersion >= 140000;
    const waitStart = hasWaitStart ? 'COALESCE(w.waitstart, a.state_change)' : 'a.state_change';
    const [facts, rows] = await Promise.all([
      activity(ctx, db),
      db.query<{
        pid: number;
        blocked_by: number[];
        wait_age: number | null;
        lock_type: string | null;
        relation: string | null;
      }>(
        `SELECT w.pid, pg_blocking_pids(w.pid) AS blocked_by,
                EXTRACT(EPOCH FROM clock_timestamp() - ${waitStart})::float8 AS wait_age,
                w.locktype AS lock_type, w.relation::regclass::text AS relation
           FROM (SELECT DISTINCT ON (pid) pid, locktype, relation${hasWaitStart ? ', waitstart' : ''}
                   FROM pg_locks WHERE NOT granted ORDER BY pid) w
           JOIN pg_stat_activity a ON a.pid = w.pid
          WHERE a.datname = current_database()`,
      ),
    ]);
    const waiters = rows
      .filter((r) => r.blocked_by.length > 0)
      .map((r) => ({
        pid: r.pid,
        blockedBy: r.blocked_by,
        waitAge: r.wait_age,
        lockType: r.lock_type,
        relation: r.relation,
      }));
    const sessions = new Map(facts.sessions.map((s) => [s.pid, s]));
    return evaluateLocks(waiters, sessions, ctx.env.config.database.thresholds.lockWaitSeconds);
  },
});
