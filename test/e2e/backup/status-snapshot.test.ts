import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS, runFsops } from '../../helpers/cli.js';
import { backupRds, type FakeAws, startFakeWorld } from '../../helpers/fake-aws.js';

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

interface JsonFinding {
  id: string;
  status: string;
  observed: string;
  remediation: string;
}

function config(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fsops-backup-')), 'fsops.config.yaml');
  writeFileSync(file, text);
  return file;
}

async function world(env: 'staging' | 'prod', options: Parameters<typeof backupRds>[1] = {}) {
  fake = await startFakeWorld(env);
  const rds = backupRds(env, options);
  Object.assign(fake.handlers.rds!, rds.handlers);
  return rds.state;
}

describe('fsops backup status (bin/fsops, local AWS endpoint)', () => {
  it('judges replication lag in the DR region and finds a leftover restore-test instance by its tag', async () => {
    const state = await world('prod', {
      drRegion: 'ap-southeast-1',
      drReplicatedLatest: new Date(Date.now() - 90 * 60_000),
    });
    state.instances.set('old-copy', {
      instance: {
        DBInstanceIdentifier: 'old-copy',
        TagList: [
          { Key: 'managed-by', Value: 'fsops' },
          { Key: 'purpose', Value: 'restore-test' },
        ],
      },
      createdAt: 0,
      deleting: false,
    });
    const result = await runFsops(
      ['backup', 'status', '--env', 'prod', '--endpoint-url', fake!.url, '--output', 'json'],
      { ...FAKE_CREDENTIALS, FSOPS_CONFIG: config('backup:\n  drRegion: ap-southeast-1\n') },
    );
    expect(result.code).toBe(1);
    const findings: JsonFinding[] = JSON.parse(result.stdout).findings;
    const status = Object.fromEntries(findings.map((f) => [f.id, f.status]));
    expect(status).toMatchObject({
      'maintenance.backup.enabled': 'pass',
      'maintenance.backup.pitr': 'pass',
      'maintenance.backup.encrypted': 'pass',
      'backup.snapshot.manual': 'warn',
      'backup.cross-region': 'fail',
      'backup.restore-test.leftovers': 'fail',
    });
    expect(findings.find((f) => f.id === 'backup.cross-region')?.observed).toMatch(
      /^replicated; latest restorable time in ap-southeast-1 \S+ \(lag 90\.\d min\)$/,
    );
    expect(findings.find((f) => f.id === 'backup.restore-test.leftovers')?.observed).toMatch(/^old-copy \(/);
    // The DR region was asked in its own region.
    expect(
      fake!.calls.some(
        (c) => c.action === 'DescribeDBInstanceAutomatedBackups' && c.region === 'ap-southeast-1',
      ),
    ).toBe(true);
  });

  it('an fsops restore test already being deleted is said, not reported as a leftover', async () => {
    const state = await world('staging');
    const tags = [
      { Key: 'managed-by', Value: 'fsops' },
      { Key: 'purpose', Value: 'restore-test' },
    ];
    // backup verify starts the deletion and does not wait for it: RDS shows `deleting` for minutes.
    state.instances.set('staging-fivestar-restore-test-20261129-010203', {
      instance: { DBInstanceIdentifier: 'staging-fivestar-restore-test-20261129-010203', TagList: tags },
      createdAt: 0,
      deleting: true,
    });
    const status = () =>
      runFsops(['backup', 'status', '--env', 'staging', '--endpoint-url', fake!.url, '--output', 'json'], {
        ...FAKE_CREDENTIALS,
        FSOPS_CONFIG: config('{}\n'),
      }).then((r) =>
        JSON.parse(r.stdout).findings.find((f: JsonFinding) => f.id === 'backup.restore-test.leftovers'),
      );
    expect(await status()).toMatchObject({
      status: 'pass',
      observed:
        'none left; being deleted: staging-fivestar-restore-test-20261129-010203 (deletion in progress)',
    });
    // One still running next to it is a leftover; the one being deleted is only mentioned.
    state.instances.set('staging-fivestar-restore-test-20261128-010203', {
      instance: { DBInstanceIdentifier: 'staging-fivestar-restore-test-20261128-010203', TagList: tags },
      createdAt: 0,
      deleting: false,
    });
    const both = await status();
    expect(both.status).toBe('fail');
    expect(both.observed).toMatch(
      /^staging-fivestar-restore-test-20261128-010203 \(available, created \S+\); being deleted: staging-fivestar-restore-test-20261129-010203$/,
    );
    expect(both.remediation).toContain(
      '--db-instance-identifier staging-fivestar-restore-test-20261128-010203',
    );
  });

  it('copied snapshots stand in for replication; no DR region configured is a skip, not a pass', async () => {
    await world('staging', {
      drRegion: 'ap-southeast-1',
      drCopies: [
        {
          DBSnapshotIdentifier: 'copy-1',
          DBInstanceIdentifier: 'staging-fivestar-payments-db',
          SnapshotType: 'manual',
          Status: 'available',
          Encrypted: true,
          SnapshotCreateTime: new Date(Date.now() - 3 * 3_600_000),
        },
      ],
    });
    const copies = await runFsops(
      ['backup', 'status', '--env', 'staging', '--endpoint-url', fake!.url, '--output', 'json'],
      { ...FAKE_CREDENTIALS, FSOPS_CONFIG: config('backup:\n  drRegion: ap-southeast-1\n') },
    );
    const cross = JSON.parse(copies.stdout).findings.find((f: JsonFinding) => f.id === 'backup.cross-region');
    expect(cross).toMatchObject({ status: 'pass' });
    expect(cross.observed).toMatch(
      /^newest copy copy-1 at \S+ \(3\.0 h ago\); no automated backup replication$/,
    );

    const none = await runFsops(
      ['backup', 'status', '--env', 'staging', '--endpoint-url', fake!.url, '--output', 'json'],
      FAKE_CREDENTIALS,
    );
    const skipped = JSON.parse(none.stdout).findings.find((f: JsonFinding) => f.id === 'backup.cross-region');
    expect(skipped).toMatchObject({
      status: 'skip',
      observed: 'not checked: no DR region configured (backup.drRegion)',
    });
  });

  it("reads every page of the DR region's snapshots: the newest copy on page 2 is found", async () => {
    await world('staging', { drRegion: 'ap-southeast-1' });
    const copy = (id: string, hoursAgo: number) => ({
      DBSnapshotIdentifier: id,
      DBInstanceIdentifier: 'staging-fivestar-payments-db',
      SnapshotType: 'manual',
      Status: 'available',
      Encrypted: true,
      SnapshotCreateTime: new Date(Date.now() - hoursAgo * 3_600_000),
    });
    const local = fake!.handlers.rds!.DescribeDBSnapshots as (input: object, request?: object) => unknown;
    const markers: (string | undefined)[] = [];
    fake!.handlers.rds!.DescribeDBSnapshots = (input: { Marker?: string }, request?: { region?: string }) => {
      if (request?.region !== 'ap-southeast-1') return local(input, request);
      markers.push(input.Marker);
      return input.Marker === 'page-2'
        ? { DBSnapshots: [copy('copy-new', 2)] }
        : { DBSnapshots: [copy('copy-old', 200)], Marker: 'page-2' };
    };
    const result = await runFsops(
      ['backup', 'status', '--env', 'staging', '--endpoint-url', fake!.url, '--output', 'json'],
      { ...FAKE_CREDENTIALS, FSOPS_CONFIG: config('backup:\n  drRegion: ap-southeast-1\n') },
    );
    const cross = JSON.parse(result.stdout).findings.find((f: JsonFinding) => f.id === 'backup.cross-region');
    expect(markers).toEqual([undefined, 'page-2']);
    expect(cross).toMatchObject({
      status: 'pass',
      observed: expect.stringMatching(/^newest copy copy-new at/),
    });
  });

  it('access denied on the snapshots is an error finding, exit 3', async () => {
    await world('staging');
    const { AwsFault } = await import('../../helpers/fake-aws.js');
    fake!.handlers.rds!.DescribeDBSnapshots = () => {
      throw new AwsFault('AccessDenied', 'User is not authorized to perform rds:DescribeDBSnapshots', 403);
    };
    const result = await runFsops(
      ['backup', 'status', '--env', 'staging', '--endpoint-url', fake!.url, '--output', 'json'],
      FAKE_CREDENTIALS,
    );
    expect(result.code).toBe(3);
    const errors = JSON.parse(result.stdout).findings.filter((f: JsonFinding) => f.status === 'error');
    expect(errors.map((f: JsonFinding) => f.id).sort()).toEqual([
      'backup.snapshots',
      'maintenance.backup-integrity',
    ]);
  });
});

describe('fsops backup snapshot (bin/fsops, local AWS endpoint)', () => {
  it('creates the named, tagged snapshot and waits for it; audit before and after', async () => {
    const state = await world('staging', { snapshotDelayMs: 400 });
    const home = mkdtempSync(join(tmpdir(), 'fsops-audit-'));
    const audit = join(home, 'audit.jsonl');
    const result = await runFsops(
      [
        'backup',
        'snapshot',
        '--env',
        'staging',
        '--change-ref',
        'CHG-123',
        '--wait',
        '--yes',
        '--endpoint-url',
        fake!.url,
      ],
      { ...FAKE_CREDENTIALS, FSOPS_AUDIT_FILE: audit, FSOPS_CONFIG: config('backup:\n  pollSeconds: 0.1\n') },
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const name = state.snapshots.at(-1)!.DBSnapshotIdentifier as string;
    expect(name).toMatch(/^staging-fivestar-premaint-\d{8}-chg-123$/);
    const create = fake!.calls.find((c) => c.action === 'CreateDBSnapshot')!.input;
    expect(create).toMatchObject({
      DBInstanceIdentifier: 'staging-fivestar-payments-db',
      'Tags.Tag.1.Key': 'managed-by',
      'Tags.Tag.1.Value': 'fsops',
      'Tags.Tag.2.Value': 'pre-maintenance',
      'Tags.Tag.3.Key': 'change-ref',
      'Tags.Tag.3.Value': 'CHG-123',
    });
    expect(result.stderr).toMatch(new RegExp(`${name}: creating`));
    expect(result.stdout).toMatch(/PASS {2}Manual snapshot before maintenance .*\n\s+available after/);
    const lines = readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.result)).toEqual(['started', 'succeeded']);
    expect(lines[0].command).toBe('backup snapshot: backup.snapshot');
  });

  it('no terminal and no --yes: exit 2, nothing created; --dry-run creates nothing; an existing name is exit 2', async () => {
    const state = await world('staging');
    const refused = await runFsops(
      ['backup', 'snapshot', '--env', 'staging', '--endpoint-url', fake!.url],
      FAKE_CREDENTIALS,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^fsops: refusing to backup snapshot: backup\.snapshot without confirmation/,
    );
    const dry = await runFsops(
      [
        'backup',
        'snapshot',
        '--env',
        'staging',
        '--change-ref',
        'CHG9',
        '--dry-run',
        '--endpoint-url',
        fake!.url,
      ],
      FAKE_CREDENTIALS,
    );
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /create DB snapshot staging-fivestar-premaint-\d{8}-chg9 of staging-fivestar-payments-db/,
    );
    expect(fake!.calls.filter((c) => c.action === 'CreateDBSnapshot')).toHaveLength(0);
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    state.snapshots.push({
      DBSnapshotIdentifier: `staging-fivestar-premaint-${today}-chg9`,
      DBInstanceIdentifier: 'staging-fivestar-payments-db',
      Status: 'available',
      SnapshotType: 'manual',
    });
    const exists = await runFsops(
      [
        'backup',
        'snapshot',
        '--env',
        'staging',
        '--change-ref',
        'CHG9',
        '--yes',
        '--endpoint-url',
        fake!.url,
      ],
      FAKE_CREDENTIALS,
    );
    expect(exists.code).toBe(2);
    expect(exists.stderr).toMatch(/^fsops: snapshot staging-fivestar-premaint-\d{8}-chg9 already exists/);
    expect(fake!.calls.filter((c) => c.action === 'CreateDBSnapshot')).toHaveLength(0);
  });

  it('maintenance checklist pre offers the command when no snapshot is recent enough', async () => {
    await world('staging', {
      snapshots: [
        {
          DBSnapshotIdentifier: 'rds:staging-fivestar-payments-db-old',
          DBInstanceIdentifier: 'staging-fivestar-payments-db',
          SnapshotType: 'automated',
          Status: 'available',
          Encrypted: true,
          SnapshotCreateTime: new Date(Date.now() - 30 * 3_600_000),
        },
      ],
    });
    const result = await runFsops(
      [
        'maintenance',
        'checklist',
        'pre',
        '--env',
        'staging',
        '--endpoint-url',
        fake!.url,
        '--output',
        'json',
      ],
      FAKE_CREDENTIALS,
    );
    const recent = JSON.parse(result.stdout).findings.find(
      (f: JsonFinding) => f.id === 'maintenance.backup.recent',
    );
    expect(recent).toMatchObject({
      status: 'fail',
      remediation:
        'Take one before the window: fsops backup snapshot --env staging --change-ref <ref> --wait',
    });
  });
});
