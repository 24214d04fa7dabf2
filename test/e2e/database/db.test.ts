import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/domain/db/local-server.js';
import { FAKE_CREDENTIALS, runFsops } from '../../helpers/cli.js';
import { type FakeAws, startFakeAws } from '../../helpers/fake-aws.js';
import {
  adminQuery,
  createPasswordRole,
  createTestDatabase,
  type PasswordRole,
  type TestDatabase,
} from '../../helpers/postgres.js';

describe('fsops db (built CLI against the test PostgreSQL)', () => {
  let db: TestDatabase;
  let role: PasswordRole;
  beforeAll(async () => {
    db = await createTestDatabase('e2e');
    role = await createPasswordRole();
    await adminQuery(`CREATE EXTENSION pg_stat_statements; GRANT pg_monitor TO ${role.user}`, [], db.name);
  });
  afterAll(async () => {
    await db.cleanup();
    await role.cleanup();
  });

  it('db health --output json prints the docs/architecture.md report and never the password', async () => {
    const result = await runFsops(['db', 'health', '--db-url', role.url(db.name), '--output', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(role.password);
    const report = JSON.parse(result.stdout);
    // Without --env there is no allocated storage to compare the size with: that finding is a skip,
    // and a skip does not turn a clean database's verdict into anything but pass.
    expect(report).toMatchObject({ command: 'db health', env: null, status: 'pass' });
    expect(report.findings.find((f: { id: string }) => f.id === 'db.size.storage').status).toBe('skip');
    expect(
      report.findings.filter((f: { status: string }) => f.status !== 'pass' && f.status !== 'skip'),
    ).toEqual([]);
    expect(typeof report.durationMs).toBe('number');
    for (const finding of report.findings) {
      expect(Object.keys(finding).sort()).toEqual(
        [
          'detail',
          'expected',
          'id',
          'observed',
          'remediation',
          'resource',
          'severity',
          'source',
          'status',
          'title',
        ].sort(),
      );
    }
    const areas = new Set(report.findings.map((f: { id: string }) => f.id.split('.').slice(0, 2).join('.')));
    expect(areas.size).toBe(11);
    expect(report.notes[0]).toContain(`${role.user}@127.0.0.1`);
  });

  it('one area alone, as text, with the database named', async () => {
    const result = await runFsops(['db', 'locks', '--db-url', db.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^fsops db locks: PASS/);
    expect(result.stdout).toContain('PASS  Blocked sessions and lock chains [pg_locks]');
    expect(result.stdout).toMatch(
      /Database: postgres@127\.0\.0\.1:\d+\/fsops_e2e_\w+ \(PostgreSQL \d+, via --db-url; read-only session\)/,
    );
  });

  it('an unreachable database: exit 3, one line, no password, no stack', async () => {
    const port = await freePort();
    const result = await runFsops([
      'db',
      'health',
      '--db-url',
      `postgres://app:Sup3rS3cret@127.0.0.1:${port}/payments`,
    ]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `fsops: cannot connect to PostgreSQL app@127.0.0.1:${port}/payments (from --db-url): connection refused (is the server running, or the tunnel open?)\n`,
    );
  });

  it('a wrong password: exit 3 and the password is not echoed', async () => {
    const url = new URL(role.url(db.name));
    url.password = 'Wr0ngButSecret';
    const result = await runFsops(['db', 'connections', '--db-url', url.toString()]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`password authentication failed for user ${role.user}`);
    expect(result.stderr + result.stdout).not.toContain('Wr0ngButSecret');
  });

  it('bad input gets one line and exit 2', async () => {
    const none = await runFsops(['db', 'health']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^fsops: no database given: pass --db-url/);
    const badUrl = await runFsops(['db', 'health', '--db-url', 'mysql://x:pw@h/db']);
    expect(badUrl).toMatchObject({
      code: 2,
      stderr: 'fsops: --db-url must start with postgres:// or postgresql:// (got mysql://)\n',
    });
    const badPort = await runFsops(['db', 'health', '--db-url', db.url, '--db-port', 'abc']);
    expect(badPort).toMatchObject({
      code: 2,
      stderr: "fsops: --db-port must be a port number 1-65535 (got 'abc')\n",
    });
    const cancel = await runFsops(['db', 'cancel', 'abc', '--db-url', db.url]);
    expect(cancel.code).toBe(2);
    expect(cancel.stderr).toContain("invalid pid 'abc'");
  });

  it('--env reads the Secrets Manager secret (deployment guide §4.2.2) and --db-host/--db-port tunnel to it', async () => {
    const local = new URL(db.url);
    let fake: FakeAws | undefined;
    try {
      fake = await startFakeAws({
        handlers: {
          sts: {
            GetCallerIdentity: () => ({
              Account: '123456789012',
              Arn: 'arn:aws:iam::123456789012:user/oncall',
              UserId: 'x',
            }),
          },
          rds: {
            DescribeDBInstances: (input: Record<string, unknown>) => {
              expect(input.DBInstanceIdentifier).toBe('dev-fivestar-payments-db');
              return {
                DBInstances: [
                  {
                    DBInstanceIdentifier: 'dev-fivestar-payments-db',
                    DBInstanceStatus: 'available',
                    ReadReplicaDBInstanceIdentifiers: [],
                  },
                ],
              };
            },
          },
          secretsmanager: {
            GetSecretValue: (input: Record<string, unknown>) => {
              expect(input.SecretId).toBe('fivestar/payments/dev/database');
              return {
                SecretString: JSON.stringify({
                  username: role.user,
                  password: role.password,
                  host: 'dev-fivestar-payments-db.abc123.ap-south-1.rds.amazonaws.com',
                  port: 5432,
                  database: db.name,
                }),
              };
            },
          },
        },
      });
      const result = await runFsops(
        [
          'db',
          'health',
          '--env',
          'dev',
          '--endpoint-url',
          fake.url,
          '--db-host',
          '127.0.0.1',
          '--db-port',
          local.port,
          '--output',
          'json',
        ],
        { ...FAKE_CREDENTIALS, PGSSLMODE: undefined },
      );
      // The secret's host is an RDS host: TLS is required, which the local test server does not offer.
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(
        /^fsops: cannot connect to PostgreSQL .*@127\.0\.0\.1:\d+\/fsops_e2e_\w+ \(from secret fivestar\/payments\/dev\/database\): .*(SSL|TLS)/,
      );
      expect(result.stderr).not.toContain(role.password);

      // With TLS off for dev in the config, the same route reaches the database.
      const dir = mkdtempSync(join(tmpdir(), 'fsops-cfg-'));
      writeFileSync(
        join(dir, 'fsops.config.yaml'),
        'environments:\n  dev:\n    database:\n      ssl: disable\n',
      );
      const ok = await runFsops(
        [
          'db',
          'health',
          '--env',
          'dev',
          '--config',
          join(dir, 'fsops.config.yaml'),
          '--endpoint-url',
          fake.url,
          '--db-host',
          '127.0.0.1',
          '--db-port',
          local.port,
          '--output',
          'json',
        ],
        FAKE_CREDENTIALS,
      );
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      const report = JSON.parse(ok.stdout);
      // With --env the replicas are RDS's to report (dev has none, deployment guide §4.1).
      expect(
        report.findings.find((f: { id: string }) => f.id === 'db.replication.rds-replicas'),
      ).toMatchObject({
        status: 'pass',
        observed: 'no read replica',
      });
      expect(report.env).toBe('dev');
      expect(report.notes[0]).toContain('via secret fivestar/payments/dev/database');
      expect(ok.stdout).not.toContain(role.password);
      // dev's profile (deployment guide §4.1): 100 GiB allocated, so the size is judged, not skipped.
      expect(report.findings.find((f: { id: string }) => f.id === 'db.size.storage').status).toBe('pass');
    } finally {
      await fake?.close();
    }
  });
});
