import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseChecks } from '../../../src/catalogue/checks/database/index.js';
import { replicationCheck } from '../../../src/catalogue/checks/database/replication.js';
import { sequencesCheck } from '../../../src/catalogue/checks/database/sequences.js';
import { wraparoundCheck } from '../../../src/catalogue/checks/database/wraparound.js';
import {
  adminQuery,
  connect,
  createPasswordRole,
  createTestDatabase,
  type PasswordRole,
  type TestDatabase,
} from '../../helpers/postgres.js';
import { byId, runCheck, runChecks } from './check-helpers.js';

/** What `fsops db health` passes when the environment is not known (no --env). */
const NO_ENV = { allocatedStorageGb: 100, expectedReplicas: 0 };

describe('fsops db health checks on a clean database, and the server-wide pathologies', () => {
  let db: TestDatabase;
  let role: PasswordRole;
  beforeAll(async () => {
    db = await createTestDatabase('health');
    role = await createPasswordRole();
    await adminQuery('CREATE EXTENSION pg_stat_statements', [], db.name);
  });
  afterAll(async () => {
    await db.cleanup();
    await role.cleanup();
  });

  it('every check passes on a clean database (cache: too little traffic to judge)', async () => {
    const findings = await runChecks(databaseChecks, db.url, { params: NO_ENV });
    const notPassing = findings.filter(
      (f) => f.status !== 'pass' && !(f.id === 'db.cache' && f.status === 'skip'),
    );
    expect(notPassing.map((f) => `${f.id}: ${f.status} ${f.observed}`)).toEqual([]);
    expect(new Set(findings.map((f) => f.id.split('.').slice(0, 2).join('.')))).toEqual(
      new Set([
        'db.connections',
        'db.long-queries',
        'db.locks',
        'db.slow-queries',
        'db.size',
        'db.indexes',
        'db.bloat',
        'db.wraparound',
        'db.sequences',
        'db.cache',
        'db.replication',
      ]),
    );
  });

  it('a role without monitoring privileges gets findings, not errors', async () => {
    const findings = await runChecks(databaseChecks, role.url(db.name), { params: NO_ENV });
    expect(findings.filter((f) => f.status === 'error').map((f) => `${f.id}: ${f.observed}`)).toEqual([]);
    expect(byId(findings, 'db.slow-queries.extension')[0]!.status).toBe('warn');
  });

  it('a query cut off by statement_timeout becomes an error finding while the other checks report', async () => {
    // ALTER SEQUENCE in an open transaction holds a lock that reading the sequence's position waits
    // for: the sequences check's query runs into statement_timeout (lock_timeout is set longer).
    await adminQuery('CREATE SEQUENCE ledger_seq', [], db.name);
    const locker: pg.Client = await connect(db.url, 'migration');
    try {
      await locker.query('BEGIN');
      await locker.query('ALTER SEQUENCE ledger_seq RESTART WITH 10');
      const findings = await runChecks(databaseChecks, db.url, {
        params: NO_ENV,
        configYaml: 'database:\n  session:\n    statementTimeoutMs: 300\n    lockTimeoutMs: 5000\n',
      });
      const [sequences] = byId(findings, 'db.sequences');
      expect(sequences).toMatchObject({ status: 'error' });
      expect(sequences!.observed).toContain('query cancelled by statement_timeout (300 ms');
      expect(byId(findings, 'db.connections.usage')[0]!.status).toBe('pass');
      expect(byId(findings, 'db.wraparound')[0]!.status).toBe('pass');
      expect(findings.filter((f) => f.status === 'error')).toHaveLength(1);
    } finally {
      await locker.end();
      await adminQuery('DROP SEQUENCE ledger_seq', [], db.name);
    }
  });

  it('wraparound: judges the oldest unfrozen XID of any database against 2^31', async () => {
    const [finding] = await runCheck(wraparoundCheck, db.url, {
      configYaml: 'database:\n  thresholds:\n    xidAgePercent: { warn: 0.0000001, fail: 0.0000002 }\n',
    });
    expect(finding!.status).toBe('fail');
    expect(finding!.observed).toMatch(/^oldest: \w+, xid age [\d,]+, multixact age/);
    expect(finding!.detail).toContain(db.name);
  });

  it('sequences: flags one near its maximum, and an integer column fed by a bigint sequence', async () => {
    await adminQuery(
      `CREATE TABLE payments (id serial PRIMARY KEY);
       SELECT setval('payments_id_seq', 2000000000);
       CREATE TABLE refunds (id int NOT NULL);
       CREATE SEQUENCE refunds_id_seq AS bigint OWNED BY refunds.id;
       ALTER TABLE refunds ALTER COLUMN id SET DEFAULT nextval('refunds_id_seq');
       SELECT setval('refunds_id_seq', 1700000000);`,
      [],
      db.name,
    );
    const findings = await runCheck(sequencesCheck, db.url);
    expect(findings.map((f) => [f.resource, f.status])).toEqual([
      ['payments_id_seq', 'fail'],
      ['refunds_id_seq', 'warn'],
    ]);
    expect(findings[0]!.observed).toContain('2,000,000,000 of 2,147,483,647 (93.1%)');
    expect(findings[1]!.observed).toContain(
      'the integer column refunds.id overflows before the sequence does',
    );
    const unprivileged = await runCheck(sequencesCheck, role.url(db.name));
    expect(byId(unprivileged, 'db.sequences.access')[0]).toMatchObject({ status: 'warn' });
    expect(byId(unprivileged, 'db.sequences.access')[0]!.remediation).toContain(
      `GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role.user}`,
    );
    await adminQuery('DROP TABLE payments, refunds', [], db.name);
  });

  it('replication: flags missing replicas and an abandoned slot holding WAL', async () => {
    const slot = `fsops_test_${db.name.slice(-8)}`;
    await adminQuery('SELECT pg_create_physical_replication_slot($1, true)', [slot]);
    try {
      const findings = await runCheck(replicationCheck, db.url, { params: { expectedReplicas: 2 } });
      expect(byId(findings, 'db.replication.replicas')[0]).toMatchObject({
        status: 'warn',
        observed: 'no replica attached',
      });
      const [slots] = byId(findings, 'db.replication.slots');
      expect(slots!.status).toBe('warn');
      expect(slots!.observed).toMatch(new RegExp(`${slot} \\(physical\\) INACTIVE, retains`));
      expect(slots!.remediation).toContain(`pg_drop_replication_slot('${slot}')`);
    } finally {
      await adminQuery('SELECT pg_drop_replication_slot($1)', [slot]);
    }
  });
});
