import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slowQueriesCheck } from '../../../src/catalogue/checks/database/slow-queries.js';
import {
  adminQuery,
  connect,
  createPasswordRole,
  createTestDatabase,
  type PasswordRole,
  type TestDatabase,
} from '../../helpers/postgres.js';
import { byId, runCheck } from './check-helpers.js';

describe('slow queries from pg_stat_statements (ops guide §13.2.2, runbooks 002/003)', () => {
  let db: TestDatabase;
  let role: PasswordRole;
  beforeAll(async () => {
    db = await createTestDatabase('statements');
    role = await createPasswordRole();
  });
  afterAll(async () => {
    await db.cleanup();
    await role.cleanup();
  });

  it('says the extension is missing and gives the statement that fixes it', async () => {
    const findings = await runCheck(slowQueriesCheck, db.url);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ id: 'db.slow-queries.extension', status: 'warn' });
    expect(findings[0]!.remediation).toContain('CREATE EXTENSION pg_stat_statements');
  });

  it('passes with the extension and no slow statement', async () => {
    await adminQuery('CREATE EXTENSION pg_stat_statements', [], db.name);
    await adminQuery('CREATE TABLE ledger (id int)', [], db.name);
    const findings = await runCheck(slowQueriesCheck, db.url);
    expect(findings.map((f) => `${f.id}:${f.status}`)).toEqual([
      'db.slow-queries.mean:pass',
      'db.slow-queries.total:pass',
    ]);
  });

  it('flags a statement whose mean_exec_time passes the threshold and names it', async () => {
    for (let i = 0; i < 2; i += 1)
      await adminQuery('SELECT pg_sleep(0.12), count(*) FROM ledger', [], db.name);
    const findings = await runCheck(slowQueriesCheck, db.url);
    const slow = byId(findings, 'db.slow-queries.mean');
    expect(slow).toHaveLength(1);
    expect(slow[0]!.status).toBe('warn');
    expect(slow[0]!.detail).toContain('SELECT pg_sleep($1), count(*) FROM ledger');
    expect(slow[0]!.observed).toMatch(/mean 1\d\d ms x 2 calls/);
    expect(byId(findings, 'db.slow-queries.total')[0]!.status).toBe('warn');
    const strict = await runCheck(slowQueriesCheck, db.url, {
      configYaml: 'database:\n  thresholds:\n    slowQueryMeanMs: { warn: 50, fail: 100 }\n',
    });
    expect(byId(strict, 'db.slow-queries.mean')[0]!.status).toBe('fail');
  });

  it('the slowest by mean and the heaviest by total come from one read of the view, each in its own order', async () => {
    // 40 x 10 ms: a lower mean than the 2 x 120 ms statement above, but more total time.
    const client = await connect(db.url);
    try {
      for (let i = 0; i < 40; i += 1) await client.query('SELECT pg_sleep(0.01) AS frequent');
    } finally {
      await client.end();
    }
    const findings = await runCheck(slowQueriesCheck, db.url, { params: { limit: 1 } });
    expect(byId(findings, 'db.slow-queries.mean').map((f) => f.detail)).toEqual([
      'SELECT pg_sleep($1), count(*) FROM ledger',
    ]);
    const [total] = byId(findings, 'db.slow-queries.total');
    expect(total!.observed).toMatch(/^top: \d{3} ms in 40 calls/);
    expect(total!.detail).toMatch(/^mean \d+(\.\d)? ms x 40 calls = .*: SELECT pg_sleep\(\$1\) AS frequent$/);
    // One statement read them both (pg_stat_statements records fsops's own reads too).
    const [reads] = await adminQuery<{ n: string }>(
      `SELECT count(*)::text AS n FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1)
          AND query LIKE '/* fsops */%' AND query LIKE '%ORDER BY%DESC%'`,
      [db.name],
      db.name,
    );
    expect(reads!.n).toBe('1');
  });

  it('tells a role without pg_read_all_stats what it cannot see and how to grant it', async () => {
    const findings = await runCheck(slowQueriesCheck, role.url(db.name));
    const [extension] = byId(findings, 'db.slow-queries.extension');
    expect(extension!.status).toBe('warn');
    expect(extension!.observed).toContain(`role ${role.user} lacks pg_read_all_stats`);
    expect(extension!.remediation).toBe(
      `GRANT pg_read_all_stats TO ${role.user}; (or GRANT pg_monitor, which includes it)`,
    );
  });

  it('reads an extension left at an older version (mean_time on a PostgreSQL 15 server)', async () => {
    const old = await createTestDatabase('statements_old');
    try {
      // What a major-version upgrade leaves behind until ALTER EXTENSION pg_stat_statements UPDATE.
      await adminQuery("CREATE EXTENSION pg_stat_statements VERSION '1.7'", [], old.name);
      await adminQuery('SELECT pg_sleep(0.12)', [], old.name);
      const findings = await runCheck(slowQueriesCheck, old.url);
      expect(findings.map((f) => `${f.id}:${f.status}`)).toEqual([
        'db.slow-queries.mean:warn',
        'db.slow-queries.total:warn',
      ]);
      expect(findings[0]!.detail).toContain('SELECT pg_sleep($1)');
    } finally {
      await old.cleanup();
    }
  });
});
