import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS, runFsops } from '../../helpers/cli.js';
import { type FakeAws, startFakeWorld } from '../../helpers/fake-aws.js';
import { adminQuery, connect, createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('fsops maintenance window (bin/fsops)', () => {
  it('prints the windows in IST and the local zone, and --require-open exits 1 outside one', async () => {
    const result = await runFsops(
      ['maintenance', 'window', '--next', '2', '--at', '2026-11-21T10:00:00Z', '--require-open'],
      {
        TZ: 'Europe/London',
      },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'Now: closed; the next regular window opens Sun 2026-12-13 02:00 IST (in 21d 10h)',
    );
    expect(result.stdout).toContain('Sat 2026-12-12 20:30 GMT - Sat 2026-12-12 23:30 GMT');
    expect(result.stdout).toContain('database  Sun 2027-01-10 02:00 IST  Sun 2027-01-10 05:00 IST');
  });

  it('--output json is only JSON; a bad --next is exit 2 with one line', async () => {
    const ok = await runFsops(['maintenance', 'window', '--output', 'json', '--at', '2026-12-12T21:00:00Z'], {
      TZ: 'UTC',
    });
    expect(ok.code).toBe(0);
    const window = JSON.parse(ok.stdout);
    expect(window).toMatchObject({ open: true, localTimeZone: 'UTC' });
    expect(window.windows[0]).toMatchObject({
      kind: 'regular',
      open: true,
      startInZone: 'Sun 2026-12-13 02:00 IST',
    });
    const bad = await runFsops(['maintenance', 'window', '--next', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("fsops: invalid --next 'lots': a whole number of windows from 1 to 60\n");
  });
});

describe('fsops maintenance mode (bin/fsops, local AWS endpoint)', () => {
  it('without a terminal and without --yes: exit 2, no PutParameter, an audit line', async () => {
    fake = await startFakeWorld('staging');
    const puts: unknown[] = [];
    fake.handlers.ssm!.PutParameter = (input) => {
      puts.push(input);
      return { Version: 2 };
    };
    const home = mkdtempSync(join(tmpdir(), 'fsops-audit-'));
    const audit = join(home, 'audit.jsonl');
    const refused = await runFsops(
      ['maintenance', 'mode', 'on', '--env', 'staging', '--endpoint-url', fake.url],
      {
        ...FAKE_CREDENTIALS,
        FSOPS_AUDIT_FILE: audit,
      },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^fsops: refusing to turn maintenance mode on without confirmation/);
    expect(puts).toHaveLength(0);
    expect(JSON.parse(readFileSync(audit, 'utf8').trim())).toMatchObject({
      result: 'refused',
      env: 'staging',
    });

    const done = await runFsops(
      [
        'maintenance',
        'mode',
        'on',
        '--env',
        'staging',
        '--yes',
        '--endpoint-url',
        fake.url,
        '--output',
        'json',
      ],
      { ...FAKE_CREDENTIALS, FSOPS_AUDIT_FILE: audit },
    );
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ from: 'false', to: 'true', result: 'changed' });
    expect(puts).toEqual([
      expect.objectContaining({
        Name: '/fivestar/payments/staging/features/maintenance_mode',
        Value: 'true',
        Overwrite: true,
      }),
    ]);
  });
});

describe('FSOPS_ENV and the maintenance commands that change something (bin/fsops)', () => {
  it.each([
    ['db', 'reindex', '--dry-run'],
    ['db', 'partitions', '--create-next', '--dry-run'],
    ['db', 'partitions', '--drop-older-than', '24mo'],
    ['maintenance', 'run', 'monthly', '--dry-run'],
    ['maintenance', 'mode', 'off', '--yes'],
  ])('%s %s %s: exit 2 before connecting, nothing changed', async (...args) => {
    const result = await runFsops(args, { ...FAKE_CREDENTIALS, FSOPS_ENV: 'prod', DATABASE_URL: '' });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/FSOPS_ENV is not used/);
    expect(result.stdout).toBe('');
  });
});

describe('fsops maintenance run weekly (bin/fsops, real PostgreSQL)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('weekly');
    const client = await connect(db.url);
    await client.query(
      `CREATE TABLE payment_attempts (id serial PRIMARY KEY, created_at timestamptz NOT NULL) WITH (autovacuum_enabled = false);
       CREATE TABLE webhook_logs (id serial PRIMARY KEY, created_at timestamptz NOT NULL);
       INSERT INTO payment_attempts (created_at) SELECT now() - interval '120 days' FROM generate_series(1, 3000);
       INSERT INTO payment_attempts (created_at) SELECT now() FROM generate_series(1, 2000);
       INSERT INTO webhook_logs (created_at) SELECT now() FROM generate_series(1, 10);
       SELECT pg_stat_force_next_flush();`,
    );
    await client.end();
  });
  afterAll(async () => db.cleanup());
  const count = async (sql: string) => Number((await adminQuery<{ n: string }>(sql, [], db.name))[0]!.n);

  it('--dry-run plans the changes and changes nothing', async () => {
    fake = await startFakeWorld('staging');
    const result = await runFsops(
      [
        'maintenance',
        'run',
        'weekly',
        '--env',
        'staging',
        '--db-url',
        db.url,
        '--dry-run',
        '--output',
        'json',
        '--endpoint-url',
        fake.url,
      ],
      FAKE_CREDENTIALS,
    );
    const report = JSON.parse(result.stdout);
    expect(report.command).toBe('maintenance run weekly');
    const retention = report.findings.find(
      (f: { resource: string; id: string }) =>
        f.id === 'db.retention-delete' && f.resource === 'payment_attempts',
    );
    expect(retention.observed).toMatch(/dry run: 3000 of 5000 rows past retention would be deleted/);
    expect(result.stderr).toContain('Dry run: nothing was changed.');
    expect(await count('SELECT count(*) AS n FROM payment_attempts')).toBe(5000);
  });

  it('--yes vacuums and deletes, and writes the evidence report', async () => {
    fake = await startFakeWorld('staging');
    const dir = mkdtempSync(join(tmpdir(), 'fsops-evidence-'));
    const result = await runFsops(
      [
        ...['maintenance', 'run', 'weekly', '--env', 'staging', '--db-url', db.url, '--yes'],
        ...['--endpoint-url', fake.url, '--report', join(dir, 'weekly.md'), '--change-ref', 'CHG42'],
      ],
      FAKE_CREDENTIALS,
    );
    expect(result.stdout).toMatch(/fsops maintenance run weekly staging: /);
    expect(result.stdout).toMatch(
      /deleted 3000 rows in 1 batch .*past retention 3000 -> 0; VACUUM \(ANALYZE\) done/,
    );
    expect(await count('SELECT count(*) AS n FROM payment_attempts')).toBe(2000);
    expect(await count('SELECT count(*) AS n FROM webhook_logs')).toBe(10);
    const evidence = readFileSync(join(dir, 'weekly.md'), 'utf8');
    expect(evidence).toContain('AWS identity: arn:aws:iam::123456789013:user/oncall');
    expect(evidence).toContain('Change reference: CHG42');
    expect(evidence).toMatch(/\| action:db\.retention-delete \| pass \|/);
    expect(evidence).toMatch(/\| check:db\.connections \|/);
    // db.bloat is checked again after VACUUM: no "never vacuumed" warning next to "VACUUM done".
    expect(evidence).toMatch(/\| recheck:db\.bloat \| (pass|warn) \|/);
    expect(result.stdout).toMatch(
      /Checked again after the changes: db\.bloat\. Before the changes:\n.*WARN {2}Vacuum and analyze staleness \[payment_attempts\]/,
    );
    expect(result.stdout).not.toMatch(/^WARN {2}Vacuum and analyze staleness \[payment_attempts\]/m);
    expect(result.stdout).toMatch(/^PASS {2}Vacuum and analyze staleness \[pg_stat_user_tables\]/m);
    expect([0, 1]).toContain(result.code);
  });
});
