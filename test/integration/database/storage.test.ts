import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bloatCheck } from '../../../src/catalogue/checks/database/bloat.js';
import { cacheCheck } from '../../../src/catalogue/checks/database/cache.js';
import { indexesCheck } from '../../../src/catalogue/checks/database/indexes.js';
import { sizeCheck } from '../../../src/catalogue/checks/database/size.js';
import {
  adminQuery,
  connect,
  createPasswordRole,
  createTestDatabase,
  type TestDatabase,
} from '../../helpers/postgres.js';
import { byId, runCheck, waitFor } from './check-helpers.js';

describe('size, index, bloat and cache checks against a real server', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('storage');
  });
  afterAll(async () => {
    await db.cleanup();
  });

  it('pass on an empty database', async () => {
    const findings = [
      ...(await runCheck(indexesCheck, db.url)),
      ...(await runCheck(bloatCheck, db.url)),
      ...(await runCheck(sizeCheck, db.url, { params: { allocatedStorageGb: 100 } })),
    ];
    expect(findings.map((f) => `${f.id}:${f.status}`)).toEqual([
      'db.indexes.invalid:pass',
      'db.indexes.duplicate:pass',
      'db.indexes.unused:pass',
      'db.bloat.dead-tuples:pass',
      'db.bloat.stale:pass',
      'db.bloat.autovacuum-queue:pass',
      'db.size.storage:pass',
    ]);
  });

  it('reports the size against allocated storage and names the largest tables', async () => {
    await adminQuery(
      "CREATE TABLE payments AS SELECT g AS id, repeat('x', 200) AS note FROM generate_series(1, 20000) g; ANALYZE payments",
      [],
      db.name,
    );
    const withoutEnv = await runCheck(sizeCheck, db.url, { params: { allocatedStorageGb: null } });
    expect(withoutEnv[0]).toMatchObject({ status: 'skip' });
    expect(withoutEnv[0]!.detail).toMatch(/largest tables:\npayments: \d/);
    // 1 GiB allocated and fail below 99.9% free: any real database is over.
    const full = await runCheck(sizeCheck, db.url, {
      params: { allocatedStorageGb: 1 },
      configYaml: 'thresholds:\n  rdsFreeStoragePercent: { warn: 99.99, fail: 99.9 }\n',
    });
    expect(full[0]).toMatchObject({ id: 'db.size.storage', status: 'fail', resource: db.name });
    expect(full[0]!.observed).toMatch(/% of 1 GiB free/);
  });

  it('does not wait behind a migration: a table under an ACCESS EXCLUSIVE lock is estimated, not measured', async () => {
    const migration = await connect(db.url, 'migration');
    try {
      await migration.query('BEGIN');
      await migration.query('LOCK TABLE payments IN ACCESS EXCLUSIVE MODE');
      const findings = await runCheck(sizeCheck, db.url, { params: { allocatedStorageGb: 100 } });
      expect(findings.map((f) => `${f.id}:${f.status}`)).toEqual(['db.size.storage:pass']);
      expect(findings[0]!.detail).toMatch(
        /payments: ~\d.*; ACCESS EXCLUSIVE lock held or awaited: estimated from pg_class, not measured/,
      );
    } finally {
      await migration.end();
    }
  });

  it('a database the role may not connect to (RDS rdsadmin) is named, not a failed check', async () => {
    const role = await createPasswordRole();
    const admin = await createTestDatabase('rdsadmin_like');
    try {
      await adminQuery(`REVOKE CONNECT ON DATABASE ${admin.name} FROM PUBLIC`);
      const findings = await runCheck(sizeCheck, role.url(db.name), { params: { allocatedStorageGb: 100 } });
      expect(findings.map((f) => `${f.id}:${f.status}`)).toEqual(['db.size.storage:pass']);
      expect(findings[0]!.observed).toContain(`not counting ${admin.name}: no CONNECT privilege`);
    } finally {
      await admin.cleanup();
      await role.cleanup();
    }
  });

  it('flags invalid, duplicate, redundant and unused indexes by name', async () => {
    await adminQuery(
      `CREATE TABLE orders (id int PRIMARY KEY, customer_id int, created_at timestamptz, gateway text);
       INSERT INTO orders SELECT g, g % 100, now(), CASE WHEN g % 2 = 0 THEN 'razorpay' ELSE 'juspay' END FROM generate_series(1, 2000) g;
       CREATE INDEX orders_customer ON orders (customer_id);
       CREATE INDEX orders_customer_created ON orders (customer_id, created_at);
       CREATE INDEX orders_gateway ON orders (gateway);
       CREATE INDEX orders_gateway_again ON orders (gateway);`,
      [],
      db.name,
    );
    await adminQuery(
      'CREATE UNIQUE INDEX CONCURRENTLY orders_gateway_unique ON orders (gateway)',
      [],
      db.name,
    ).catch(() => {});
    const findings = await runCheck(indexesCheck, db.url, {
      configYaml: 'database:\n  thresholds:\n    unusedIndexMinBytes: 0\n',
    });
    expect(byId(findings, 'db.indexes.invalid').map((f) => [f.resource, f.status])).toEqual([
      ['orders_gateway_unique', 'fail'],
    ]);
    const duplicates = byId(findings, 'db.indexes.duplicate');
    expect(duplicates.map((f) => [f.resource, f.title])).toEqual(
      expect.arrayContaining([
        ['orders_customer', 'Redundant index (prefix of another)'],
        ['orders_gateway_again', 'Duplicate index'],
      ]),
    );
    expect(duplicates).toHaveLength(2);
    const unused = byId(findings, 'db.indexes.unused').map((f) => f.resource);
    expect(unused).toEqual(expect.arrayContaining(['orders_customer_created', 'orders_gateway']));
    expect(unused).not.toContain('orders_pkey');
    expect(unused).not.toContain('orders_customer');
  });

  it('one index query that cannot be read (the scan counts, revoked) is its own error; the invalid and duplicate indexes are still found', async () => {
    const role = await createPasswordRole();
    try {
      // The role may not call pg_stat_get_numscans in this database: only the unused-index query fails.
      await adminQuery(
        'REVOKE EXECUTE ON FUNCTION pg_catalog.pg_stat_get_numscans(oid) FROM PUBLIC',
        [],
        db.name,
      );
      const findings = await runCheck(indexesCheck, role.url(db.name), {
        configYaml: 'database:\n  thresholds:\n    unusedIndexMinBytes: 0\n',
      });
      expect(byId(findings, 'db.indexes.unused')).toMatchObject([
        {
          status: 'error',
          observed: expect.stringMatching(/^could not read the unused indexes: permission denied/),
        },
      ]);
      expect(byId(findings, 'db.indexes.invalid').map((f) => [f.resource, f.status])).toEqual([
        ['orders_gateway_unique', 'fail'],
      ]);
      expect(byId(findings, 'db.indexes.duplicate')).toHaveLength(2);
    } finally {
      await adminQuery(
        'GRANT EXECUTE ON FUNCTION pg_catalog.pg_stat_get_numscans(oid) TO PUBLIC',
        [],
        db.name,
      );
      await role.cleanup();
    }
  });

  it('cache: the tables reading most from disk that cannot be read (revoked) are their own error; the hit ratio is still judged', async () => {
    const role = await createPasswordRole();
    try {
      await adminQuery('REVOKE SELECT ON pg_catalog.pg_statio_user_tables FROM PUBLIC', [], db.name);
      const findings = await runCheck(cacheCheck, role.url(db.name), {
        configYaml:
          'database:\n  thresholds:\n    minCacheBlocks: 1\n    cacheHitPercent: { warn: 100, fail: 100 }\n',
      });
      expect(findings.map((f) => [f.id, f.status])).toEqual([
        ['db.cache.tables', 'error'],
        ['db.cache', 'fail'],
      ]);
      expect(findings[0]!.observed).toMatch(
        /^could not read the tables reading most from disk: permission denied/,
      );
    } finally {
      await adminQuery('GRANT SELECT ON pg_catalog.pg_statio_user_tables TO PUBLIC', [], db.name);
      await role.cleanup();
    }
  });

  it('size: the largest tables that cannot be measured (revoked) are their own error; the size is still judged', async () => {
    const role = await createPasswordRole();
    try {
      await adminQuery(
        'REVOKE EXECUTE ON FUNCTION pg_catalog.pg_total_relation_size(regclass) FROM PUBLIC',
        [],
        db.name,
      );
      const findings = await runCheck(sizeCheck, role.url(db.name), {
        params: { allocatedStorageGb: 1 },
        configYaml: 'thresholds:\n  rdsFreeStoragePercent: { warn: 99.99, fail: 99.9 }\n',
      });
      expect(findings.map((f) => [f.id, f.status])).toEqual([
        ['db.size.tables', 'error'],
        ['db.size.storage', 'fail'],
      ]);
      expect(findings[0]!.observed).toMatch(/^could not read the largest tables: permission denied/);
    } finally {
      await adminQuery(
        'GRANT EXECUTE ON FUNCTION pg_catalog.pg_total_relation_size(regclass) TO PUBLIC',
        [],
        db.name,
      );
      await role.cleanup();
    }
  });

  it('flags dead tuples, a table never vacuumed and autovacuum switched off for it', async () => {
    const client = await connect(db.url);
    try {
      await client.query(
        `CREATE TABLE attempts (id int, body text) WITH (autovacuum_enabled = false);
         INSERT INTO attempts SELECT g, md5(g::text) FROM generate_series(1, 5000) g`,
      );
      await client.query('DELETE FROM attempts WHERE id % 5 <> 0');
      await client.query('SELECT pg_stat_force_next_flush()');
      await client.query('SELECT 1');
    } finally {
      await client.end();
    }
    await waitFor(
      async () =>
        Number(
          (
            await adminQuery<{ dead: string }>(
              "SELECT n_dead_tup::text AS dead FROM pg_stat_user_tables WHERE relname = 'attempts'",
              [],
              db.name,
            )
          )[0]?.dead ?? 0,
        ) > 0,
      'dead tuples in the statistics',
    );
    const findings = await runCheck(bloatCheck, db.url);
    const [dead] = byId(findings, 'db.bloat.dead-tuples');
    expect(dead).toMatchObject({ status: 'fail', resource: 'attempts' });
    expect(dead!.observed).toContain('4,000 dead rows (80% of 5,000)');
    expect(dead!.remediation).toContain('ALTER TABLE attempts RESET (autovacuum_enabled)');
    expect(byId(findings, 'db.bloat.stale')[0]).toMatchObject({ status: 'warn', resource: 'attempts' });
    const [queue] = byId(findings, 'db.bloat.autovacuum-queue');
    expect(queue!.status).toBe('warn');
    expect(queue!.observed).toContain('autovacuum disabled on 1: attempts');
  });

  it('judges the cache hit ratio once there is enough traffic, and skips it before', async () => {
    const quiet = await runCheck(cacheCheck, db.url, {
      configYaml: 'database:\n  thresholds:\n    minCacheBlocks: 1000000000\n',
    });
    expect(quiet[0]).toMatchObject({ status: 'skip' });
    const judged = await runCheck(cacheCheck, db.url, {
      configYaml:
        'database:\n  thresholds:\n    minCacheBlocks: 1\n    cacheHitPercent: { warn: 0, fail: 0 }\n',
    });
    expect(judged[0]!.status).toBe('pass');
    expect(judged[0]!.observed).toMatch(/^\d+\.\d\d% of [\d,]+ block reads/);
    const [stats] = await adminQuery<{ read: string }>(
      'SELECT blks_read::text AS read FROM pg_stat_database WHERE datname = current_database()',
      [],
      db.name,
    );
    // A new database's catalogs are read from disk on first use: some reads always miss the cache.
    expect(Number(stats!.read)).toBeGreaterThan(0);
    const strict = await runCheck(cacheCheck, db.url, {
      configYaml:
        'database:\n  thresholds:\n    minCacheBlocks: 1\n    cacheHitPercent: { warn: 100, fail: 100 }\n',
    });
    expect(strict[0]!.status).toBe('fail');
  });
});
