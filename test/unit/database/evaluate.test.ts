import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/base/config/defaults.js';
import type { ActivityFacts, SessionRow } from '../../../src/catalogue/checks/database/activity.js';
import { evaluateBloat, type TableActivity } from '../../../src/catalogue/checks/database/bloat.js';
import { evaluateCache } from '../../../src/catalogue/checks/database/cache.js';
import {
  formatAge,
  formatBytes,
  formatMs,
  judgeHigh,
  judgeLow,
  shortQuery,
} from '../../../src/catalogue/checks/database/common.js';
import { evaluateConnections } from '../../../src/catalogue/checks/database/connections.js';
import { evaluateIndexes } from '../../../src/catalogue/checks/database/indexes.js';
import { buildLockChains, evaluateLocks } from '../../../src/catalogue/checks/database/locks.js';
import { evaluateLongQueries } from '../../../src/catalogue/checks/database/long-queries.js';
import { evaluateRdsReplicas } from '../../../src/catalogue/checks/database/rds-replicas.js';
import { evaluateReplication } from '../../../src/catalogue/checks/database/replication.js';
import { evaluateSequences } from '../../../src/catalogue/checks/database/sequences.js';
import { evaluateSize } from '../../../src/catalogue/checks/database/size.js';
import {
  evaluateAvailability,
  evaluateStatements,
  type StatementRow,
  statementColumns,
} from '../../../src/catalogue/checks/database/slow-queries.js';
import { evaluateWraparound, XID_LIMIT } from '../../../src/catalogue/checks/database/wraparound.js';

const T = DEFAULT_CONFIG.database.thresholds;

function session(overrides: Partial<SessionRow>): SessionRow {
  return {
    pid: 100,
    user: 'fivestar_app',
    application: 'internal-pe',
    client: '10.0.1.7',
    state: 'idle',
    waitEventType: null,
    waitEvent: null,
    xactAge: null,
    queryAge: 1,
    stateAge: 1,
    query: 'SELECT 1',
    here: true,
    own: false,
    hidden: false,
    ...overrides,
  };
}

describe('thresholds and formatting', () => {
  it('judges higher-is-worse and lower-is-worse values at the boundaries', () => {
    expect([59, 60, 299, 300].map((v) => judgeHigh(v, { warn: 60, fail: 300 }))).toEqual([
      'pass',
      'warn',
      'warn',
      'fail',
    ]);
    expect([99.5, 99, 96, 94.9].map((v) => judgeLow(v, { warn: 99, fail: 95 }))).toEqual([
      'pass',
      'pass',
      'warn',
      'fail',
    ]);
  });

  it('formats ages, sizes, milliseconds and queries for a person', () => {
    expect([5, 75, 7260, 200_000].map(formatAge)).toEqual(['5s', '1m 15s', '2h 1m', '2d 7h']);
    expect([512, 5 * 1024 * 1024, 3.5 * 1024 ** 3].map(formatBytes)).toEqual(['512 B', '5.0 MB', '3.5 GB']);
    expect([0.04, 4.56, 784, 95_000].map(formatMs)).toEqual(['0.04 ms', '4.6 ms', '784 ms', '1m 35s']);
    expect(shortQuery('SELECT *\n   FROM   payments', 100)).toBe('SELECT * FROM payments');
    expect(shortQuery('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(shortQuery(null)).toBe('(no query text)');
  });
});

describe('connections (ops guide §6.1.1, §8.1.1)', () => {
  const facts = (sessions: SessionRow[]): ActivityFacts => ({
    viewer: 'fsops',
    maxConnections: 200,
    reservedConnections: 3,
    sessions,
  });

  it('120 of 200 connections misses the 60% target (warn), 160 is the guide alert (80%, fail)', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => session({ pid: i }));
    const levels = DEFAULT_CONFIG.thresholds.dbConnectionsPercent;
    expect(evaluateConnections(facts(many(119)), levels, T)[0]!.status).toBe('pass');
    expect(evaluateConnections(facts(many(120)), levels, T)[0]!.status).toBe('warn');
    expect(evaluateConnections(facts(many(160)), levels, T)[0]).toMatchObject({
      status: 'fail',
      observed: '160 of 200 connections (80%)',
    });
  });

  it('names the oldest idle transaction of this database, ignoring other databases and fsops itself', () => {
    const results = evaluateConnections(
      facts([
        session({ pid: 1, state: 'idle in transaction', stateAge: 400, query: 'UPDATE payments SET x = 1' }),
        session({ pid: 2, state: 'idle in transaction (aborted)', stateAge: 90 }),
        session({ pid: 3, state: 'idle in transaction', stateAge: 9999, here: false }),
        session({ pid: 4, state: 'idle in transaction', stateAge: 9999, own: true }),
      ]),
      DEFAULT_CONFIG.thresholds.dbConnectionsPercent,
      T,
    );
    expect(results[1]).toMatchObject({ status: 'fail', resource: 'pid 1' });
    expect(results[1]!.observed).toBe('2 sessions idle in a transaction, oldest 6m 40s (internal-pe, pid 1)');
    expect(results[1]!.detail!.split('\n')).toHaveLength(2);
  });
});

describe('long-running queries (runbook 002: older than a minute)', () => {
  it('reports active queries past the threshold, oldest first', () => {
    const results = evaluateLongQueries(
      {
        viewer: 'fsops',
        maxConnections: 100,
        reservedConnections: 3,
        sessions: [
          session({ pid: 1, state: 'active', queryAge: 61 }),
          session({ pid: 2, state: 'active', queryAge: 301, waitEventType: 'Lock', waitEvent: 'relation' }),
          session({ pid: 3, state: 'idle', queryAge: 5000 }),
          session({ pid: 4, state: 'active', queryAge: 30 }),
        ],
      },
      T.longQuerySeconds,
    );
    expect(results.map((r) => [r.resource, r.status])).toEqual([
      ['pid 2', 'fail'],
      ['pid 1', 'warn'],
    ]);
    expect(results[0]!.observed).toBe('running for 5m 1s (waiting on Lock:relation)');
    // Waiting for a lock is not slow work: the way out is the head of the chain, not EXPLAIN.
    expect(results[0]!.remediation).toMatch(/waiting for a lock.*fsops db locks/);
    expect(results[1]!.remediation).toContain('fsops db cancel 1');
  });

  it("does not call the database clean when other roles' sessions are hidden from the role", () => {
    const hiddenFacts: ActivityFacts = {
      viewer: 'readonly_app',
      maxConnections: 100,
      reservedConnections: 3,
      sessions: [
        session({ pid: 7, state: null, query: '<insufficient privilege>', queryAge: null, hidden: true }),
        session({ pid: 8, state: null, queryAge: null, hidden: true, here: false }),
      ],
    };
    const results = evaluateLongQueries(hiddenFacts, T.longQuerySeconds);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'warn', resource: 'pg_stat_activity' });
    expect(results[0]!.observed).toBe(
      '1 session of other roles hidden from readonly_app (it lacks pg_read_all_stats): their state and queries could not be judged',
    );
    expect(results[0]!.remediation).toMatch(/^GRANT pg_monitor TO readonly_app;/);
    const idle = evaluateConnections(hiddenFacts, DEFAULT_CONFIG.thresholds.dbConnectionsPercent, T)[1]!;
    expect(idle.status).toBe('warn');
    expect(idle.observed).toMatch(
      /^no visible session is idle in a transaction; 1 session of other roles hidden/,
    );
    expect(idle.remediation).toMatch(/^GRANT pg_monitor TO readonly_app;/);
  });
});

describe('lock chains', () => {
  it('heads a chain with the blocker that waits for nobody, and nests the waiters', () => {
    const chains = buildLockChains([
      { pid: 20, blockedBy: [10], waitAge: 120, lockType: 'transactionid', relation: null },
      { pid: 30, blockedBy: [20, 10], waitAge: 60, lockType: 'tuple', relation: 'payments' },
      { pid: 50, blockedBy: [40], waitAge: 5, lockType: 'relation', relation: 'refunds' },
    ]);
    expect(chains.map((c) => [c.root, c.blocked, c.maxWait])).toEqual([
      [10, [20, 30], 120],
      [40, [50], 5],
    ]);
    expect(chains[0]!.lines).toEqual([
      'pid 10',
      '└─ waiting 2m 0s for a transactionid lock: pid 20',
      '   └─ waiting 1m 0s for a tuple on payments lock: pid 30',
    ]);
  });

  it('a chain whose wait time PostgreSQL hides still warns', () => {
    const results = evaluateLocks(
      [{ pid: 20, blockedBy: [10], waitAge: null, lockType: 'relation', relation: 'payments' }],
      new Map(),
      T.lockWaitSeconds,
    );
    expect(results[0]).toMatchObject({ status: 'warn', resource: 'pid 10' });
    expect(results[0]!.detail).toContain('└─ waiting (for how long: hidden) for a relation on payments lock');
  });

  it('reports a deadlock cycle (no free head) instead of losing it', () => {
    const chains = buildLockChains([
      { pid: 1, blockedBy: [2], waitAge: 3, lockType: null, relation: null },
      { pid: 2, blockedBy: [1], waitAge: 2, lockType: null, relation: null },
    ]);
    expect(chains).toHaveLength(1);
    expect(chains[0]!.root).toBe(1);
    expect(chains[0]!.blocked).toEqual([2]);
  });
});

describe('pg_stat_statements', () => {
  it('uses the columns of the server version (mean_time <= 12, mean_exec_time 13+, shared_blk_read_time 17+)', () => {
    expect(statementColumns(120_017)).toEqual({
      mean: 'mean_time',
      total: 'total_time',
      readTime: 'blk_read_time',
    });
    expect(statementColumns(150_004)).toEqual({
      mean: 'mean_exec_time',
      total: 'total_exec_time',
      readTime: 'blk_read_time',
    });
    expect(statementColumns(170_000).readTime).toBe('shared_blk_read_time');
    // The view's own columns win: an extension left at 1.7 after an upgrade to 15 still says mean_time.
    expect(statementColumns(150_004, ['queryid', 'mean_time', 'total_time', 'blk_read_time'])).toEqual({
      mean: 'mean_time',
      total: 'total_time',
      readTime: 'blk_read_time',
    });
    expect(statementColumns(170_000, ['mean_exec_time', 'total_exec_time', 'shared_blk_read_time'])).toEqual({
      mean: 'mean_exec_time',
      total: 'total_exec_time',
      readTime: 'shared_blk_read_time',
    });
  });

  it('says which part is missing and how to fix it', () => {
    const ok = { installed: true, preloaded: true, canReadAll: true, user: 'fsops' } as const;
    expect(evaluateAvailability(ok)).toBeNull();
    expect(evaluateAvailability({ ...ok, preloaded: false })!.remediation).toMatch(
      /DB parameter group and reboot/,
    );
    expect(evaluateAvailability({ ...ok, installed: false })!.remediation).toMatch(
      /^CREATE EXTENSION pg_stat_statements;/,
    );
    expect(evaluateAvailability({ ...ok, installed: false, preloaded: null })!.remediation).toMatch(
      /shared_preload_libraries/,
    );
    expect(evaluateAvailability({ ...ok, canReadAll: false })!.remediation).toBe(
      'GRANT pg_read_all_stats TO fsops; (or GRANT pg_monitor, which includes it)',
    );
  });

  it('judges statements by mean time (runbook 003: 100 ms; runbook 002: 1 s)', () => {
    const row = (queryid: string, meanMs: number, calls: number): StatementRow => ({
      queryid,
      query: `SELECT ${queryid}`,
      calls,
      meanMs,
      totalMs: meanMs * calls,
      rows: calls,
      readMs: 0,
      hitPercent: 99.5,
    });
    const slow = [row('a', 1500, 3), row('b', 150, 10), row('c', 2, 100_000)];
    const results = evaluateStatements(slow, [slow[2]!, slow[0]!, slow[1]!], T.slowQueryMeanMs);
    expect(results.map((r) => `${r.id}:${r.resource}:${r.status}`)).toEqual([
      'db.slow-queries.mean:queryid a:fail',
      'db.slow-queries.mean:queryid b:warn',
      'db.slow-queries.total:pg_stat_statements:fail',
    ]);
    expect(results[0]!.observed).toBe('mean 1500 ms x 3 calls = 4500 ms total, 3 rows, cache hit 99.5%');
  });
});

describe('size, indexes, bloat', () => {
  it('judges size against allocated storage like the FreeStorageSpace alarm, or skips without it', () => {
    const facts = {
      database: 'fivestar_payments',
      databaseBytes: 850 * 1024 ** 3,
      serverBytes: 850 * 1024 ** 3,
      largest: [],
    };
    const levels = DEFAULT_CONFIG.thresholds.rdsFreeStoragePercent;
    expect(evaluateSize(facts, 1150, levels)[0]).toMatchObject({ status: 'warn' });
    expect(evaluateSize(facts, 1000, levels)[0]).toMatchObject({ status: 'fail' });
    expect(evaluateSize(facts, 2000, levels)[0]).toMatchObject({ status: 'pass' });
    expect(evaluateSize(facts, null, levels)[0]).toMatchObject({ status: 'skip' });
    expect(evaluateSize(facts, null, levels)[0]!.remediation).toMatch(
      /^To judge free storage, run with --env/,
    );
  });

  it('does not report an index twice: a duplicate is not also listed as unused', () => {
    const ix = (index: string) => ({
      index,
      table: 'payments',
      bytes: 2_000_000,
      definition: `CREATE INDEX ${index}`,
    });
    const results = evaluateIndexes(
      {
        invalid: [],
        duplicates: [{ ...ix('a_dup'), coveredBy: 'a', coveredByDefinition: 'CREATE INDEX a', exact: true }],
        unused: [
          { ...ix('a_dup'), scans: 0 },
          { ...ix('b'), scans: 0 },
        ],
        statsAge: 86_400 * 30,
        unusedTotal: 2,
      },
      1_048_576,
    );
    expect(results.map((r) => `${r.id}:${r.resource}:${r.status}`)).toEqual([
      'db.indexes.invalid:pg_index:pass',
      'db.indexes.duplicate:a_dup:warn',
      'db.indexes.unused:b:warn',
    ]);
    expect(results[2]!.observed).toContain('0 scans in the 30d 0h since statistics were reset');
  });

  it('judges dead tuples, staleness and the autovacuum queue', () => {
    const table = (overrides: Partial<TableActivity>): TableActivity => ({
      table: 'payments',
      live: 100_000,
      dead: 0,
      modsSinceAnalyze: 0,
      vacuumAge: 3600,
      analyzeAge: 3600,
      autovacuumEnabled: true,
      vacuumThreshold: 20_050,
      analyzeThreshold: 10_050,
      beingVacuumed: false,
      ...overrides,
    });
    const results = evaluateBloat(
      [
        table({ table: 'attempts', dead: 60_000, vacuumAge: 40 * 86_400, analyzeAge: 40 * 86_400 }),
        table({ table: 'refunds', dead: 12_000, live: 88_000 }),
        table({ table: 'tiny', dead: 500, live: 100 }),
      ],
      { enabled: true, maxWorkers: 3 },
      T,
    );
    expect(results.map((r) => `${r.id}:${r.resource}:${r.status}`)).toEqual([
      'db.bloat.dead-tuples:attempts:fail',
      'db.bloat.dead-tuples:refunds:warn',
      'db.bloat.stale:attempts:fail',
      'db.bloat.autovacuum-queue:autovacuum:pass',
    ]);
    const off = evaluateBloat([table({ dead: 30_000 })], { enabled: false, maxWorkers: 3 }, T);
    expect(off.at(-1)).toMatchObject({ status: 'fail' });
    expect(off.at(-1)!.observed).toContain('autovacuum is OFF for the server');
  });
});

describe('wraparound, sequences, cache, replication', () => {
  it('judges the oldest database against 2^31 and flags a freeze overdue', () => {
    const [finding] = evaluateWraparound(
      {
        databases: [
          { name: 'template1', xidAge: 1000, mxidAge: 0 },
          { name: 'fivestar_payments', xidAge: 0.6 * XID_LIMIT, mxidAge: 10 },
        ],
        tables: [{ name: 'payment.payments', xidAge: 0.6 * XID_LIMIT }],
        freezeMaxAge: 200_000_000,
      },
      T.xidAgePercent,
    );
    expect(finding).toMatchObject({ status: 'warn', resource: 'fivestar_payments' });
    expect(finding!.observed).toContain('60.0% of the wraparound limit');
    expect(finding!.observed).toContain('past autovacuum_freeze_max_age');
  });

  it('judges a sequence by the column it feeds when that column is narrower', () => {
    const results = evaluateSequences(
      [
        {
          sequence: 'payments_id_seq',
          lastValue: 1_800_000_000,
          maxValue: 2 ** 63,
          column: 'payments.id',
          columnType: 'integer',
          columnMax: 2_147_483_647,
        },
        {
          sequence: 'ok_seq',
          lastValue: 5,
          maxValue: 2_147_483_647,
          column: null,
          columnType: null,
          columnMax: null,
        },
      ],
      T.sequencePercent,
    );
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'warn', resource: 'payments_id_seq' });
    expect(results[0]!.observed).toContain(
      'the integer column payments.id overflows before the sequence does',
    );
  });

  it('skips the cache ratio with too little traffic and judges it otherwise', () => {
    const facts = { database: 'db', hit: 900, read: 100, tables: [] };
    expect(evaluateCache(facts, T.cacheHitPercent, 10_000)[0]).toMatchObject({
      status: 'skip',
      remediation: '',
    });
    expect(evaluateCache({ ...facts, hit: 97_000, read: 3_000 }, T.cacheHitPercent, 10_000)[0]).toMatchObject(
      {
        status: 'warn',
        observed: '97.00% of 100,000 block reads served from shared buffers',
      },
    );
  });

  it('expects the replicas of the environment and judges their lag; on a replica, its replay delay', () => {
    const primary = evaluateReplication(
      {
        inRecovery: false,
        replayDelay: null,
        replicas: [
          { name: 'prod-replica-1', client: '10.0.2.4', state: 'streaming', replayLag: 45, lagBytes: 1024 },
        ],
        slots: [{ name: 'rds_replica_1', type: 'physical', active: true, retainedBytes: 2048 }],
      },
      2,
      T,
    );
    expect(primary.map((r) => `${r.id}:${r.status}`)).toEqual([
      'db.replication.replicas:warn',
      'db.replication.lag:warn',
      'db.replication.slots:pass',
    ]);
    const replica = evaluateReplication(
      { inRecovery: true, replayDelay: 400, replicas: [], slots: [] },
      2,
      T,
    );
    expect(replica).toMatchObject([{ id: 'db.replication.lag', status: 'fail', resource: 'this replica' }]);
  });

  it('a replica whose state is hidden from the role is not reported as idle and caught up', () => {
    const results = evaluateReplication(
      {
        inRecovery: false,
        replayDelay: null,
        replicas: [{ name: 'walreceiver', client: null, state: null, replayLag: null, lagBytes: null }],
        slots: [],
      },
      null,
      T,
    );
    expect(results.map((r) => `${r.id}:${r.status}`)).toEqual([
      'db.replication.replicas:pass',
      'db.replication.lag:warn',
      'db.replication.slots:pass',
    ]);
    expect(results[0]!.expected).toMatch(/judged from RDS: db\.replication\.rds-replicas/);
    expect(results[1]!.observed).toBe('state and lag hidden from this role (it lacks pg_read_all_stats)');
  });

  it('RDS replicas: -1 means replication stopped; a missing instance is an error', () => {
    const rdsFacts = (lag: number[], status = 'available') => ({
      primary: 'prod-fivestar-payments-db',
      found: true,
      replicas: [{ id: 'prod-replica-1', status, region: null, lag, lagAt: lag.map((_, i) => i * 60_000) }],
    });
    const [, stopped] = evaluateRdsReplicas(rdsFacts([5, -1]), 1, T);
    expect(stopped).toMatchObject({
      status: 'fail',
      observed: 'available, ReplicaLag -1: replication is not running',
    });
    const [, warm] = evaluateRdsReplicas(rdsFacts([31], 'modifying'), 1, T);
    expect(warm).toMatchObject({ status: 'warn', observed: 'modifying, ReplicaLag 31s' });
    expect(
      evaluateRdsReplicas({ primary: 'prod-fivestar-payments-db', found: false, replicas: [] }, 2, T),
    ).toMatchObject([{ status: 'error', observed: 'RDS instance prod-fivestar-payments-db not found' }]);
  });

  it('RDS ReplicaLag breaches only when it holds for the 5 minutes of docs/thresholds.md, not on one spike', () => {
    const facts = (lag: number[]) => ({
      primary: 'prod-fivestar-payments-db',
      found: true,
      replicas: [
        {
          id: 'prod-replica-1',
          status: 'available',
          region: null,
          lag,
          lagAt: lag.map((_, i) => i * 60_000),
        },
      ],
    });
    // One minute at 420 s at the end of an otherwise quiet window: the latest datapoint alone no longer fails.
    const [, spike] = evaluateRdsReplicas(facts([1, 2, 1, 2, 1, 2, 1, 2, 1, 420]), 1, T);
    expect(spike).toMatchObject({ status: 'pass', observed: 'available, ReplicaLag 7m 0s' });
    expect(spike!.detail).toMatch(/spiked to 420 s for 1 min: not a breach/);
    expect(spike!.expected).toContain('held 5 minutes');
    // Above 300 s on each of the last five 1-minute datapoints: a breach.
    const [, held] = evaluateRdsReplicas(facts([1, 2, 310, 320, 330, 340, 350]), 1, T);
    expect(held).toMatchObject({ status: 'fail' });
    expect(held!.detail).toMatch(/past 300 s for the last 5 min/);
    // Between the levels for five minutes: warn.
    const [, slow] = evaluateRdsReplicas(facts([40, 45, 50, 60, 70]), 1, T);
    expect(slow).toMatchObject({ status: 'warn' });
    // Two datapoints cannot show five minutes: "cannot judge" is a warning, never a pass or a fail.
    const [, short] = evaluateRdsReplicas(facts([400, 420]), 1, T);
    expect(short).toMatchObject({ status: 'warn' });
    expect(short!.detail).toMatch(/cannot judge: 2 of 5 datapoints/);
  });
});
