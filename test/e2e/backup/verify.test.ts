import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../../src/domain/db/local-server.js';
import { FAKE_CREDENTIALS, runFsops, startFsops } from '../../helpers/cli.js';
import { AwsFault, type backupRds, type FakeAws, startFakeWorld } from '../../helpers/fake-aws.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';
import {
  copyDatabaseUrl,
  type JsonFinding,
  restoreWorld,
  sql,
  stagingDatabaseConfig,
} from '../../helpers/restore.js';

/**
 * `fsops backup verify` end to end: bin/fsops against the local AWS endpoint, whose "restored instance"
 * is a second real PostgreSQL server holding a database of the same name as the source (as an RDS
 * restore does). Differences are planted in the copy.
 */

let fake: FakeAws | undefined;
let source: TestDatabase;
let copyServer: LocalServer;
const dirs: string[] = [];

const SCHEMA = `CREATE SCHEMA payment;
  CREATE TABLE payment.payments (id serial PRIMARY KEY, amount numeric NOT NULL, created_at timestamptz NOT NULL);
  CREATE TABLE payment.refunds (id serial PRIMARY KEY, payment_id int NOT NULL, created_at timestamptz NOT NULL);`;

async function onCopy(text: string, database = source.name): Promise<void> {
  await sql(copyServer.adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await sql(copyServer.adminUrl, `CREATE DATABASE ${database}`);
  await sql(copyDatabaseUrl(copyServer, database), text);
}

/** The copy as a restore to `minutesAgo` would give it: the source's rows up to then. */
const restoredRows = (minutesAgo: number, payments = 1000) => `${SCHEMA}
  INSERT INTO payment.payments (amount, created_at)
    SELECT 10, now() - interval '${minutesAgo} minutes' - (g || ' seconds')::interval FROM generate_series(1, ${payments}) g;
  INSERT INTO payment.refunds (payment_id, created_at) SELECT g, now() - interval '1 day' FROM generate_series(1, 10) g;`;

function configFile(timeoutMinutes = 0.5, extra = ''): string {
  const { file, dir } = stagingDatabaseConfig(
    source.name,
    `  pollSeconds: 0.1
  verify:
    timeoutMinutes: ${timeoutMinutes}
    keyTables:
      - { table: payment.payments, timestampColumn: created_at }
      - { table: payment.refunds }
${extra}`,
    'fsops-backup-',
  );
  dirs.push(dir);
  return file;
}

async function world(options: Parameters<typeof backupRds>[1] = {}) {
  const w = await restoreWorld(copyServer, options);
  fake = w.fake;
  return w.rds.state;
}

beforeAll(async () => {
  source = await createTestDatabase('backup_src');
  await sql(
    source.url,
    `${SCHEMA}
    INSERT INTO payment.payments (amount, created_at)
      SELECT 10, now() - interval '7 minutes' - (g || ' seconds')::interval FROM generate_series(1, 1000) g;
    INSERT INTO payment.payments (amount, created_at) SELECT 10, now() FROM generate_series(1, 5);
    INSERT INTO payment.refunds (payment_id, created_at) SELECT g, now() - interval '1 day' FROM generate_series(1, 10) g;`,
  );
  copyServer = await startLocalServer();
}, 60_000);

afterAll(async () => {
  await source?.cleanup();
  await copyServer?.stop();
});

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const verify = (config: string, ...args: string[]) =>
  runFsops(
    ['backup', 'verify', '--env', 'staging', '--endpoint-url', fake!.url, '--config', config, ...args],
    FAKE_CREDENTIALS,
  );

describe('fsops backup verify (bin/fsops, local AWS endpoint, real PostgreSQL)', () => {
  it('restores, compares, measures RTO and RPO from real timestamps, and deletes the instance', async () => {
    await onCopy(restoredRows(7));
    const state = await world();
    const dir = mkdtempSync(join(tmpdir(), 'fsops-evidence-'));
    const result = await verify(
      configFile(),
      '--from',
      'pitr',
      '--yes',
      '--output',
      'json',
      '--report',
      join(dir, 'restore.md'),
    );
    // Under --output json the plan goes to stderr; stdout is only the report.
    expect(result.stderr).toMatch(/^Plan: backup verify: backup\.restore-test \(staging\)\n/);
    const report = JSON.parse(result.stdout);
    const byId = (id: string) => report.findings.filter((f: JsonFinding) => f.id === id);
    expect(result.code, result.stdout).toBe(0);
    expect(byId('backup.verify.schema')[0]).toMatchObject({
      status: 'pass',
      observed: '1 schema(s), 2 table(s) present',
    });
    expect(byId('backup.verify.row-count').map((f: JsonFinding) => f.observed)).toEqual([
      'copy 1000, source 1005 (-5, 0.5%)',
      'copy 10, source 10 (+0, 0.0%)',
    ]);
    const rpo = byId('backup.verify.rpo')[0];
    expect(rpo.status).toBe('pass');
    expect(rpo.observed).toMatch(
      /newest row .* in payment\.payments: .* before the restore point; RPO of this recovery 7\.\d min/,
    );
    const rto = byId('backup.verify.rto')[0];
    expect(rto.status).toBe('pass');
    const [, requested, firstQuery] = /\((\S+) -> (\S+)\)/.exec(rto.observed)!;
    expect(Date.parse(firstQuery!) - Date.parse(requested!)).toBeGreaterThanOrEqual(300);
    expect(byId('backup.verify.health')[0].status).toBe('pass');
    expect(byId('backup.verify.cleanup')[0]).toMatchObject({ status: 'pass' });

    expect(state.restores).toHaveLength(1);
    const { id, input } = state.restores[0]!;
    expect(id).toMatch(/^staging-fivestar-restore-test-\d{8}-\d{6}$/);
    expect(input).toMatchObject({
      Action: 'RestoreDBInstanceToPointInTime',
      SourceDBInstanceIdentifier: 'staging-fivestar-payments-db',
      DBSubnetGroupName: 'staging-fivestar-db-subnets',
      'VpcSecurityGroupIds.VpcSecurityGroupId.1': 'sg-staging-db',
      PubliclyAccessible: 'false',
      'Tags.Tag.1.Key': 'managed-by',
      'Tags.Tag.1.Value': 'fsops',
      'Tags.Tag.2.Value': 'restore-test',
    });
    expect(state.deleted).toEqual([{ id, skipFinalSnapshot: true }]);
    expect(state.instances.size).toBe(0);
    const evidence = readFileSync(join(dir, 'restore.md'), 'utf8');
    expect(evidence).toMatch(/\| action:backup\.restore-test \| pass \|/);
  });

  it('names an orphaned restore-test instance of an earlier (killed) run and deletes it under the same confirmation and audit', async () => {
    await onCopy(restoredRows(7));
    const state = await world();
    const orphan = 'staging-fivestar-restore-test-20261101-000000';
    const kept = 'staging-fivestar-restore-test-20261102-000000';
    const rdsFake = fake!.handlers.rds! as Record<string, (input: Record<string, string>) => unknown>;
    rdsFake.RestoreDBInstanceFromDBSnapshot!({
      DBInstanceIdentifier: orphan,
      DBSnapshotIdentifier: 'rds:staging-fivestar-payments-db-daily',
      'Tags.Tag.1.Key': 'managed-by',
      'Tags.Tag.1.Value': 'fsops',
      'Tags.Tag.2.Key': 'purpose',
      'Tags.Tag.2.Value': 'restore-test',
    });
    rdsFake.RestoreDBInstanceFromDBSnapshot!({
      DBInstanceIdentifier: kept,
      DBSnapshotIdentifier: 'rds:staging-fivestar-payments-db-daily',
      'Tags.Tag.1.Key': 'managed-by',
      'Tags.Tag.1.Value': 'fsops',
      'Tags.Tag.2.Key': 'purpose',
      'Tags.Tag.2.Value': 'restore-test',
      'Tags.Tag.3.Key': 'keep',
      'Tags.Tag.3.Value': 'true',
    });
    state.restores.length = 0;
    const dry = await verify(configFile(), '--dry-run');
    expect(dry.stdout).toContain(`delete ${orphan}, a restore-test instance left behind by an earlier run`);
    expect(state.deleted).toHaveLength(0);

    const home = mkdtempSync(join(tmpdir(), 'fsops-audit-'));
    const audit = join(home, 'audit.jsonl');
    const result = await runFsops(
      [
        ...['backup', 'verify', '--env', 'staging', '--endpoint-url', fake!.url, '--config', configFile()],
        ...['--yes', '--output', 'json'],
      ],
      { ...FAKE_CREDENTIALS, FSOPS_AUDIT_FILE: audit },
    );
    const findings: JsonFinding[] = JSON.parse(result.stdout).findings;
    expect(findings.filter((f) => f.id === 'backup.verify.orphan')).toEqual([
      expect.objectContaining({
        status: 'warn',
        resource: orphan,
        observed: expect.stringMatching(/deletion started/),
      }),
      expect.objectContaining({
        status: 'warn',
        resource: kept,
        observed: expect.stringMatching(/kept on purpose \(--keep;/),
      }),
    ]);
    expect(state.deleted.map((d) => d.id)).toEqual([orphan, state.restores[0]!.id]);
    const lines = readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => `${l.command} ${l.result}`).slice(0, 2)).toEqual([
      'backup verify: backup.restore-test-orphans started',
      'backup verify: backup.restore-test-orphans succeeded',
    ]);
  });

  it('finds a missing table and missing rows in the copy, and still deletes the instance', async () => {
    await onCopy(
      `CREATE SCHEMA payment;
       CREATE TABLE payment.payments (id serial PRIMARY KEY, amount numeric NOT NULL, created_at timestamptz NOT NULL);
       INSERT INTO payment.payments (amount, created_at) SELECT 10, now() - interval '6 hours 10 minutes' FROM generate_series(1, 600);`,
    );
    const state = await world();
    const result = await verify(configFile(), '--yes', '--output', 'json');
    expect(result.code).toBe(1);
    const findings: JsonFinding[] = JSON.parse(result.stdout).findings;
    const failed = findings.filter((f) => f.status === 'fail').map((f) => `${f.id}: ${f.observed}`);
    expect(failed).toEqual([
      'backup.verify.schema: missing on the copy: table payment.refunds',
      'backup.verify.row-count: copy 600, source 1005 (-405, 40.3%)',
    ]);
    // The refunds table is missing on the copy: its count is an error, not a pass.
    expect(findings.find((f) => f.resource.endsWith('payment.refunds'))?.status).toBe('error');
    // From the newest (automated) snapshot: its loss is reported, not judged against the RPO.
    expect(findings.find((f) => f.id === 'backup.verify.rpo')?.observed).toMatch(
      /a snapshot restore: not judged/,
    );
    expect(state.restores[0]!.input.Action).toBe('RestoreDBInstanceFromDBSnapshot');
    expect(state.deleted).toHaveLength(1);
  });

  it('a restore that never becomes reachable times out, is an error (exit 3) and is deleted', async () => {
    const state = await world({ restoredEndpoint: { Address: '127.0.0.1', Port: 1 } });
    const result = await verify(configFile(0.03), '--yes', '--output', 'json');
    expect(result.code).toBe(3);
    const findings: JsonFinding[] = JSON.parse(result.stdout).findings;
    expect(findings.find((f) => f.id === 'backup.verify.restore')).toMatchObject({ status: 'error' });
    expect(findings.find((f) => f.id === 'backup.verify.rto')?.observed).toBe(
      'not measured: no query on the copy succeeded',
    );
    expect(state.deleted).toHaveLength(1);
  }, 60_000);

  it('a copy that is available but never answers is given up after backup.verify.connectTimeoutMinutes, not the whole restore timeout', async () => {
    const state = await world({ restoredEndpoint: { Address: '127.0.0.1', Port: 1 } });
    const started = Date.now();
    // The restore may take 90 min; a copy that does not answer once available is bounded at 0.02 min.
    const result = await verify(
      configFile(90, '    connectTimeoutMinutes: 0.02\n'),
      '--yes',
      '--output',
      'json',
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.code).toBe(3);
    const findings: JsonFinding[] = JSON.parse(result.stdout).findings;
    expect(findings.find((f) => f.id === 'backup.verify.restore')?.observed).toMatch(
      /^failed: the copy is available but did not answer for .* \(backup\.verify\.connectTimeoutMinutes\)/,
    );
    expect(state.deleted).toHaveLength(1);
  }, 60_000);

  it('a copy stuck in a terminal state (a KMS key it cannot use) ends the wait at once and is deleted', async () => {
    const state = await world();
    const describe = fake!.handlers.rds!.DescribeDBInstances as (input: {
      DBInstanceIdentifier?: string;
    }) => {
      DBInstances: { DBInstanceIdentifier?: string; DBInstanceStatus?: string }[];
    };
    fake!.handlers.rds!.DescribeDBInstances = (input: { DBInstanceIdentifier?: string }) => {
      const out = describe(input);
      return {
        DBInstances: out.DBInstances.map((db) =>
          db.DBInstanceIdentifier?.includes('-restore-test-') && db.DBInstanceStatus !== 'deleting'
            ? { ...db, DBInstanceStatus: 'inaccessible-encryption-credentials' }
            : db,
        ),
      };
    };
    // The wait would last 12 s; the terminal state ends it at the first poll.
    const result = await verify(configFile(0.2), '--yes', '--output', 'json');
    expect(result.code).toBe(3);
    const findings: JsonFinding[] = JSON.parse(result.stdout).findings;
    expect(findings.find((f) => f.id === 'backup.verify.restore')?.observed).toBe(
      'failed: the restored instance is inaccessible-encryption-credentials',
    );
    expect(state.deleted).toHaveLength(1);
  }, 60_000);

  it('a restore call refused by RDS is an error (exit 3); the instance is still looked for and deleted', async () => {
    const state = await world({
      restoreFault: new AwsFault(
        'InsufficientDBInstanceCapacity',
        'no capacity\u001b[31m for db.r6g.large',
        400,
      ),
    });
    const result = await verify(configFile(), '--yes', '--output', 'json');
    expect(result.code).toBe(3);
    const findings: JsonFinding[] = JSON.parse(result.stdout).findings;
    expect(findings.find((f) => f.id === 'backup.verify.restore')?.observed).toBe(
      'failed: InsufficientDBInstanceCapacityFault: no capacity for db.r6g.large',
    );
    expect(findings.find((f) => f.id === 'backup.verify.cleanup')).toMatchObject({
      status: 'pass',
      observed: 'not there (the restore never created it)',
    });
    expect(fake!.calls.filter((c) => c.action === 'DeleteDBInstance')).toHaveLength(1);
    expect(state.instances.size).toBe(0);
  });

  it('maintenance run monthly plans the test restore only when backup.verify.monthly is on', async () => {
    await world();
    const run = (config: string) =>
      runFsops(
        [
          ...['maintenance', 'run', 'monthly', '--env', 'staging', '--dry-run', '--db-url', source.url],
          ...['--endpoint-url', fake!.url, '--config', config, '--output', 'json'],
        ],
        FAKE_CREDENTIALS,
      );
    const off = await run(configFile());
    const skipped = JSON.parse(off.stdout).findings.find((f: JsonFinding) => f.id === 'backup.restore-test');
    expect(skipped).toMatchObject({
      status: 'skip',
      observed: expect.stringMatching(/backup\.verify\.monthly is off/),
    });
    const on = await run(configFile(0.5, '    monthly: true\n'));
    expect(on.stderr).toMatch(
      /restore snapshot rds:staging-fivestar-payments-db-daily .* into a temporary instance staging-fivestar-restore-test-/,
    );
    expect(
      JSON.parse(on.stdout).findings.find((f: JsonFinding) => f.id === 'backup.restore-test'),
    ).toMatchObject({
      status: 'skip',
      observed: 'not restored (dry run)',
    });
  });

  it('maintenance run monthly compares the copy with the --db-url database, not the secret, and reaches the copy with its credentials', async () => {
    await onCopy(restoredRows(7));
    const state = await world();
    // The environment's own database setting names a database that does not exist: only --db-url works.
    const file = configFile(0.5, '    monthly: true\n');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(`database: ${source.name},`);
    writeFileSync(file, text.replace(`database: ${source.name},`, 'database: fsops_no_such_database,'));
    const result = await runFsops(
      [
        ...['maintenance', 'run', 'monthly', '--env', 'staging', '--yes', '--db-url', source.url],
        ...['--endpoint-url', fake!.url, '--config', file, '--output', 'json'],
      ],
      FAKE_CREDENTIALS,
    );
    const findings: JsonFinding[] = JSON.parse(result.stdout).findings;
    const one = (id: string) => findings.find((f) => f.id === id);
    expect(one('backup.verify.schema'), result.stdout).toMatchObject({
      status: 'pass',
      observed: '1 schema(s), 2 table(s) present',
    });
    expect(findings.filter((f) => f.id === 'backup.verify.row-count').map((f) => f.observed)).toEqual([
      'copy 1000, source 1005 (-5, 0.5%)',
      'copy 10, source 10 (+0, 0.0%)',
    ]);
    expect(one('backup.verify.rto')!.status).toBe('pass');
    expect(one('backup.verify.cleanup')).toMatchObject({ status: 'pass' });
    expect(findings.some((f) => f.observed.includes('fsops_no_such_database'))).toBe(false);
    expect(state.restores).toHaveLength(1);
    expect(state.instances.size).toBe(0);
  });

  it('a second Ctrl-C while the copy is being deleted quits at once; backup status then reports the instance left behind', async () => {
    const state = await world({ restoreDelayMs: 120_000 });
    // DeleteDBInstance hangs: the second Ctrl-C arrives while the deletion is in flight.
    let deleteAsked: () => void = () => {};
    const deleting = new Promise<void>((resolve) => {
      deleteAsked = resolve;
    });
    fake!.handlers.rds!.DeleteDBInstance = () => {
      deleteAsked();
      return new Promise(() => {});
    };
    const run = startFsops(
      [
        'backup',
        'verify',
        '--env',
        'staging',
        '--yes',
        '--endpoint-url',
        fake!.url,
        '--config',
        configFile(),
      ],
      FAKE_CREDENTIALS,
    );
    await run.printed(': creating');
    run.child.kill('SIGINT');
    await deleting;
    run.child.kill('SIGINT');
    expect((await run.result).code).toBe(130);
    const left = state.restores[0]!.id;
    expect(state.instances.has(left)).toBe(true);
    const status = await runFsops(
      [
        'backup',
        'status',
        '--env',
        'staging',
        '--endpoint-url',
        fake!.url,
        '--config',
        configFile(),
        '--output',
        'json',
      ],
      FAKE_CREDENTIALS,
    );
    expect(status.code).toBe(1);
    expect(
      JSON.parse(status.stdout).findings.find((f: JsonFinding) => f.id === 'backup.restore-test.leftovers'),
    ).toMatchObject({
      status: 'fail',
      observed: expect.stringMatching(new RegExp(`^${left} \\(creating, created `)),
    });
  }, 60_000);

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s while waiting for the restore: exit 130, the instance is deleted, the report and --report say INTERRUPTED (never PASS)',
    async (signal) => {
      const state = await world({ restoreDelayMs: 120_000 });
      const evidence = join(mkdtempSync(join(tmpdir(), 'fsops-evidence-')), 'verify.md');
      const run = startFsops(
        [
          ...['backup', 'verify', '--env', 'staging', '--yes', '--endpoint-url', fake!.url],
          ...['--config', configFile(), '--report', evidence],
        ],
        FAKE_CREDENTIALS,
      );
      await run.printed(': creating');
      run.child.kill(signal);
      const { code, stdout } = await run.result;
      expect(code).toBe(130);
      expect(state.restores).toHaveLength(1);
      expect(state.deleted).toEqual([{ id: state.restores[0]!.id, skipFinalSnapshot: true }]);
      expect(stdout).toMatch(/not finished: interrupted/);
      expect(stdout).toMatch(/not measured: interrupted \(Ctrl-C\) before the copy answered/);
      // An interrupted run is never a pass: its verdict is INTERRUPTED, with what was and was not done.
      expect(stdout).toMatch(/^fsops backup verify staging: INTERRUPTED /m);
      expect(stdout).not.toMatch(/: PASS/);
      expect(stdout).toMatch(/Done:\n/);
      expect(stdout).toMatch(/Not done:\n {2}- backup\.restore-test/);
      const file = readFileSync(evidence, 'utf8');
      expect(file).toContain('- Result: **INTERRUPTED**');
      expect(file).not.toContain('**PASS**');
    },
    60_000,
  );

  it.each([
    [
      ['--from', 'no-such-snapshot'],
      "fsops: unknown snapshot 'no-such-snapshot': valid --from values are latest-snapshot, pitr or a snapshot id of staging-fivestar-payments-db (see fsops backup status)\n",
    ],
    [
      ['--from', 'pitr', '--time', '2020-01-01T00:00:00Z'],
      /^fsops: cannot restore staging-fivestar-payments-db to 2020-01-01T00:00:00Z: is before the earliest restorable time \S+ \(valid: \S+ \.\. \S+\)\n$/,
    ],
    [
      ['--from', 'pitr', '--time', 'yesterday'],
      "fsops: --time 'yesterday' is not an ISO 8601 time, e.g. 2026-11-29T02:30:00Z\n",
    ],
    [
      ['--time', '2026-11-29T00:00:00Z'],
      'fsops: --time is for --from pitr only (got --from latest-snapshot)\n',
    ],
  ])('bad input %j: one line, exit 2, nothing created', async (args, message) => {
    const state = await world();
    const result = await verify(configFile(), ...args, '--yes');
    expect(result.code).toBe(2);
    if (typeof message === 'string') expect(result.stderr).toBe(message);
    else expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
    expect(state.restores).toHaveLength(0);
  });

  it('--time against a restore window that cannot be read is refused: nothing restored (an unknown bound is no bound)', async () => {
    const state = await world();
    fake!.handlers.rds!.DescribeDBInstanceAutomatedBackups = () => {
      throw new AwsFault('AccessDenied', 'not allowed to rds:DescribeDBInstanceAutomatedBackups', 403);
    };
    const denied = await verify(
      configFile(),
      '--from',
      'pitr',
      '--time',
      '2020-01-01T00:00:00Z',
      '--yes',
      '--output',
      'json',
    );
    expect(denied.code).toBe(3);
    const finding = JSON.parse(denied.stdout).findings.find(
      (f: JsonFinding) => f.id === 'backup.restore-test',
    );
    expect(finding).toMatchObject({
      status: 'error',
      observed: expect.stringMatching(
        /cannot read the restore window of staging-fivestar-payments-db .*AccessDenied.*nothing was restored/,
      ),
    });
    expect(state.restores).toHaveLength(0);

    fake!.handlers.rds!.DescribeDBInstanceAutomatedBackups = () => ({ DBInstanceAutomatedBackups: [] });
    const empty = await verify(configFile(), '--from', 'pitr', '--time', '2020-01-01T00:00:00Z', '--yes');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(
      /^fsops: cannot restore staging-fivestar-payments-db to 2020-01-01T00:00:00Z: the restore window is unknown/,
    );
    expect(state.restores).toHaveLength(0);
  });

  it('prod is refused unless backup.verify.allowProd; --dry-run creates nothing', async () => {
    fake = await startFakeWorld('prod');
    const result = await runFsops(
      ['backup', 'verify', '--env', 'prod', '--yes', '--endpoint-url', fake.url],
      FAKE_CREDENTIALS,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^fsops: refusing to restore a copy of prod: .*backup\.verify\.allowProd: true/,
    );
    await fake.close();
    const state = await world();
    const dry = await verify(configFile(), '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /Plan: backup verify: backup\.restore-test \(staging\)\n {2}restore snapshot rds:staging-fivestar-payments-db-daily/,
    );
    expect(dry.stdout).toMatch(
      /delete staging-fivestar-restore-test-\S+ without a final snapshot afterwards: also on failure, timeout or Ctrl-C/,
    );
    expect(state.restores).toHaveLength(0);
  });
});
