import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectionsCheck } from '../../../src/catalogue/checks/database/connections.js';
import { locksCheck } from '../../../src/catalogue/checks/database/locks.js';
import { longQueriesCheck } from '../../../src/catalogue/checks/database/long-queries.js';
import {
  adminQuery,
  connect,
  createPasswordRole,
  createTestDatabase,
  type TestDatabase,
} from '../../helpers/postgres.js';
import { byId, runCheck, waitFor } from './check-helpers.js';

describe('connection, long-query and lock checks against a real server', () => {
  let db: TestDatabase;
  const clients: pg.Client[] = [];
  const open = async (application: string) => {
    const client = await connect(db.url, application);
    clients.push(client);
    return client;
  };
  const pidOf = async (client: pg.Client) =>
    (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const stateOf = async (pid: number) =>
    (
      await adminQuery<{ state: string; wait: string | null }>(
        'SELECT state, wait_event_type AS wait FROM pg_stat_activity WHERE pid = $1',
        [pid],
      )
    )[0];

  beforeAll(async () => {
    db = await createTestDatabase('sessions');
    await adminQuery(
      "CREATE TABLE payments (id int PRIMARY KEY, status text); INSERT INTO payments VALUES (42, 'PENDING')",
      [],
      db.name,
    );
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => {})));
  });
  afterAll(async () => {
    await db.cleanup();
  });

  it('pass on a quiet database', async () => {
    const findings = [
      ...(await runCheck(connectionsCheck, db.url)),
      ...(await runCheck(longQueriesCheck, db.url)),
      ...(await runCheck(locksCheck, db.url)),
    ];
    expect(findings.map((f) => `${f.id}:${f.status}`)).toEqual([
      'db.connections.usage:pass',
      'db.connections.idle-in-transaction:pass',
      'db.long-queries:pass',
      'db.locks:pass',
    ]);
    expect(findings[0]!.observed).toMatch(/^\d+ of \d+ connections/);
  });

  it('judge connection usage against thresholds.dbConnectionsPercent and break it down by application', async () => {
    await open('internal-pe');
    const findings = await runCheck(connectionsCheck, db.url, {
      configYaml: 'thresholds:\n  dbConnectionsPercent: { warn: 0.1, fail: 0.2 }\n',
    });
    const [usage] = byId(findings, 'db.connections.usage');
    expect(usage!.status).toBe('fail');
    expect(usage!.detail).toMatch(/by application: .*internal-pe 1/);
  });

  it('name a session left idle in a transaction, with its age and query', async () => {
    const app = await open('internal-pe');
    const pid = await pidOf(app);
    await app.query('BEGIN');
    await app.query("UPDATE payments SET status = 'REFUND_PENDING' WHERE id = 42");
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const findings = await runCheck(connectionsCheck, db.url, {
      configYaml: 'database:\n  thresholds:\n    idleInTransactionSeconds: { warn: 0.5, fail: 1 }\n',
    });
    const [idle] = byId(findings, 'db.connections.idle-in-transaction');
    expect(idle!.status).toBe('fail');
    expect(idle!.resource).toBe(`pid ${pid}`);
    expect(idle!.observed).toContain('internal-pe');
    expect(idle!.detail).toContain("UPDATE payments SET status = 'REFUND_PENDING'");
    expect(idle!.remediation).toContain(`fsops db terminate ${pid}`);
  });

  it('flag a query running longer than the threshold (runbook 002: a minute by default)', async () => {
    const report = await open('reporting');
    const pid = await pidOf(report);
    const running = report.query('SELECT pg_sleep(30)').catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const quiet = await runCheck(longQueriesCheck, db.url);
    expect(quiet[0]!.status).toBe('pass');
    const findings = await runCheck(longQueriesCheck, db.url, {
      configYaml: 'database:\n  thresholds:\n    longQuerySeconds: { warn: 1, fail: 60 }\n',
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ status: 'warn', resource: `pid ${pid}` });
    expect(findings[0]!.detail).toContain('SELECT pg_sleep(30)');
    await adminQuery('SELECT pg_cancel_backend($1)', [pid]);
    await running;
  });

  it('show who blocks whom in a lock chain, headed by the idle transaction', async () => {
    const holder = await open('internal-pe');
    const waiter = await open('lms-sync');
    const third = await open('customer-portal');
    const [holderPid, waiterPid, thirdPid] = [await pidOf(holder), await pidOf(waiter), await pidOf(third)];
    await holder.query('BEGIN');
    await holder.query("UPDATE payments SET status = 'HELD' WHERE id = 42");
    const blocked = [
      waiter.query("UPDATE payments SET status = 'SETTLED' WHERE id = 42").catch(() => {}),
      third.query('SELECT * FROM payments WHERE id = 42 FOR UPDATE').catch(() => {}),
    ];
    await waitFor(
      async () => (await stateOf(thirdPid))?.wait === 'Lock' && (await stateOf(waiterPid))?.wait === 'Lock',
      'both sessions to wait',
    );
    const findings = await runCheck(locksCheck, db.url, {
      configYaml: 'database:\n  thresholds:\n    lockWaitSeconds: { warn: 0, fail: 0.001 }\n',
    });
    expect(findings).toHaveLength(1);
    const [chain] = findings;
    expect(chain).toMatchObject({ status: 'fail', resource: `pid ${holderPid}` });
    expect(chain!.observed).toContain('blocks 2 sessions');
    expect(chain!.detail).toContain(`pid ${holderPid} (postgres, internal-pe`);
    expect(chain!.detail).toContain(`pid ${waiterPid} (postgres, lms-sync`);
    expect(chain!.detail).toContain(`pid ${thirdPid} (postgres, customer-portal`);
    expect(chain!.remediation).toContain(`fsops db terminate ${holderPid}`);
    await holder.query('ROLLBACK');
    await Promise.all(blocked);
  });

  it('a role without pg_read_all_stats still sees the lock chain, and is told what else it cannot see', async () => {
    const role = await createPasswordRole();
    try {
      const holder = await open('internal-pe');
      const waiter = await open('lms-sync');
      const [holderPid, waiterPid] = [await pidOf(holder), await pidOf(waiter)];
      await holder.query('BEGIN');
      await holder.query("UPDATE payments SET status = 'HELD' WHERE id = 42");
      const blocked = waiter.query("UPDATE payments SET status = 'SETTLED' WHERE id = 42").catch(() => {});
      await waitFor(async () => (await stateOf(waiterPid))?.wait === 'Lock', 'the waiter to wait');
      const configYaml = 'database:\n  thresholds:\n    lockWaitSeconds: { warn: 0, fail: 0.001 }\n';
      const url = role.url(db.name);
      const [chain] = await runCheck(locksCheck, url, { configYaml });
      expect(chain).toMatchObject({ id: 'db.locks', status: 'fail', resource: `pid ${holderPid}` });
      expect(chain!.observed).toContain('blocks 1 session');
      expect(chain!.detail).toContain(`pid ${waiterPid} (postgres, lms-sync`);
      expect(chain!.detail).toContain('state and query hidden (no pg_read_all_stats)');
      const [long] = await runCheck(longQueriesCheck, url);
      expect(long).toMatchObject({ status: 'warn', resource: 'pg_stat_activity' });
      expect(long!.observed).toContain(`hidden from ${role.user} (it lacks pg_read_all_stats)`);
      expect(long!.remediation).toContain(`GRANT pg_monitor TO ${role.user};`);
      const [idle] = byId(await runCheck(connectionsCheck, url), 'db.connections.idle-in-transaction');
      expect(idle!.status).toBe('warn');
      expect(idle!.observed).toContain('no visible session is idle in a transaction');
      await holder.query('ROLLBACK');
      await blocked;
    } finally {
      await role.cleanup();
    }
  });
});
