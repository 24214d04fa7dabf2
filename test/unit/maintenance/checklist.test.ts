import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Finding, Report } from '../../../src/base/model/finding.js';
import { maintenanceChecklist, maintenanceRun } from '../../../src/commands/maintenance-run.js';
import { TEST_CREDENTIALS } from '../../helpers/context.js';
import { type TestRuntime, testRuntime } from '../../helpers/runtime.js';

const rds = mockClient(RDSClient);
const ecs = mockClient(ECSClient);
const cloudwatch = mockClient(CloudWatchClient);
const sts = mockClient(STSClient);
// Sunday 2026-12-13 02:30 IST: inside the December window.
const NOW = new Date('2026-12-12T21:00:00Z');
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const family = (c: string) => `prod-fivestar-${c}`;
const taskDef = (c: string, rev: number) =>
  `arn:aws:ecs:ap-south-1:123456789014:task-definition/${family(c)}:${rev}`;

let dir: string;
let runtime: TestRuntime;

beforeEach(() => {
  for (const m of [rds, ecs, cloudwatch, sts]) m.reset();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  dir = mkdtempSync(join(tmpdir(), 'fsops-checklist-'));
  vi.stubEnv('FSOPS_AUDIT_FILE', join(dir, 'audit.jsonl'));
  vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
  vi.stubEnv('FSOPS_CHANGE_REF', '');
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: '123456789014', Arn: 'arn:aws:iam::123456789014:role/maintenance' });
  rds.on(DescribeDBInstancesCommand).resolves({
    DBInstances: [
      {
        DBInstanceIdentifier: 'prod-fivestar-payments-db',
        LatestRestorableTime: ago(4),
        BackupRetentionPeriod: 35,
      },
    ],
  });
  rds.on(DescribeDBSnapshotsCommand).resolves({
    DBSnapshots: [
      {
        DBSnapshotIdentifier: 'rds:prod-2026-12-12',
        SnapshotType: 'automated',
        Status: 'available',
        SnapshotCreateTime: ago(300),
        Encrypted: true,
      },
      {
        DBSnapshotIdentifier: 'rds:prod-2026-12-05',
        SnapshotType: 'automated',
        Status: 'available',
        SnapshotCreateTime: ago(60 * 24 * 7),
        Encrypted: true,
      },
    ],
  });
  ecs.on(DescribeServicesCommand).resolves({
    services: ['internal-pe', 'customer-portal'].map((c) => ({
      serviceName: `prod-${c}-service`,
      taskDefinition: taskDef(c, c === 'internal-pe' ? 42 : 7),
    })),
  });
  ecs.on(ListTaskDefinitionsCommand, { familyPrefix: family('internal-pe') }).resolves({
    taskDefinitionArns: [taskDef('internal-pe', 42), taskDef('internal-pe', 41)],
  });
  ecs.on(ListTaskDefinitionsCommand, { familyPrefix: family('customer-portal') }).resolves({
    taskDefinitionArns: [taskDef('customer-portal', 7)],
  });
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  runtime = testRuntime();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const byId = (findings: Finding[]) => Object.fromEntries(findings.map((f) => [`${f.id}|${f.resource}`, f]));

describe('fsops maintenance checklist pre', () => {
  it('automates what AWS can answer and leaves the rest to a person', async () => {
    const code = await maintenanceChecklist(
      'pre',
      { env: 'prod', changeRef: 'CHG123', output: 'json' },
      runtime,
    );
    const report = JSON.parse(runtime.out()) as Report;
    const f = byId(report.findings);
    expect(f['maintenance.window-open|Asia/Kolkata']?.status).toBe('pass');
    expect(f['maintenance.change-ref|change approval']).toMatchObject({ status: 'pass', observed: 'CHG123' });
    expect(f['maintenance.backup.recent|prod-fivestar-payments-db']?.status).toBe('pass');
    expect(f['maintenance.backup.pitr|prod-fivestar-payments-db']?.status).toBe('pass');
    expect(f['maintenance.rollback-targets|prod-fivestar-internal-pe']).toMatchObject({
      status: 'pass',
      observed: 'running revision 42; rollback target revision 41',
    });
    expect(f['maintenance.rollback-targets|prod-fivestar-customer-portal']?.status).toBe('fail');
    expect(f['cloudwatch.alarms|all alarms']?.status).toBe('pass');
    const manual = report.findings.filter((x) => x.id.startsWith('manual.'));
    expect(manual).toHaveLength(6);
    expect(manual.every((x) => x.status === 'skip' && /needs a person/.test(x.observed))).toBe(true);
    expect(code).toBe(1);
  });

  it('fails the items that are not met: no change reference, stale backup, window closed, alarm firing', async () => {
    vi.setSystemTime(new Date('2026-12-20T12:00:00Z'));
    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [{ LatestRestorableTime: new Date('2026-12-20T09:00:00Z') }] });
    cloudwatch.on(DescribeAlarmsCommand, { StateValue: 'ALARM' }).resolves({
      MetricAlarms: [{ AlarmName: 'Fivestar-High-Error-Rate', StateValue: 'ALARM' }],
    });
    await maintenanceChecklist('pre', { env: 'prod', output: 'json' }, runtime);
    const f = byId((JSON.parse(runtime.out()) as Report).findings);
    expect(f['maintenance.window-open|Asia/Kolkata']).toMatchObject({ status: 'fail' });
    expect(f['maintenance.window-open|Asia/Kolkata']?.observed).toMatch(
      /closed; the next database window opens Sun 2027-01-10 02:00 IST/,
    );
    expect(f['maintenance.change-ref|change approval']).toMatchObject({
      status: 'fail',
      observed: 'none recorded',
    });
    expect(f['maintenance.backup.recent|prod-fivestar-payments-db']?.status).toBe('fail');
    expect(f['maintenance.backup.pitr|prod-fivestar-payments-db']?.observed).toMatch(/180 min ago/);
    expect(f['cloudwatch.alarms|Fivestar-High-Error-Rate']?.status).toBe('fail');
  });

  it('takes the change reference from FSOPS_CHANGE_REF and rejects one that does not look like a reference', async () => {
    vi.stubEnv('FSOPS_CHANGE_REF', 'OPS-4711');
    await maintenanceChecklist('pre', { env: 'prod', output: 'json' }, runtime);
    expect(
      byId((JSON.parse(runtime.out()) as Report).findings)['maintenance.change-ref|change approval']?.status,
    ).toBe('pass');
    runtime = testRuntime();
    await maintenanceChecklist('pre', { env: 'prod', output: 'json', changeRef: 'approved by bob' }, runtime);
    expect(
      byId((JSON.parse(runtime.out()) as Report).findings)['maintenance.change-ref|change approval']?.status,
    ).toBe('fail');
  });

  it('writes the evidence report with who ran it, when, and each step with its timing', async () => {
    const file = join(dir, 'evidence', 'pre.json');
    await maintenanceChecklist(
      'pre',
      { env: 'prod', changeRef: 'CHG123', output: 'json', report: file },
      runtime,
    );
    const evidence = JSON.parse(readFileSync(file, 'utf8'));
    expect(evidence.ranBy.awsIdentity).toBe('arn:aws:iam::123456789014:role/maintenance');
    expect(evidence.ranBy.user).toEqual(expect.any(String));
    expect(evidence.changeRef).toBe('CHG123');
    expect(evidence.startedAt).toBe(NOW.toISOString());
    expect(evidence.steps.map((s: { step: string }) => s.step).sort()).toEqual([
      'check:cloudwatch.alarms',
      'check:maintenance.backup-recent',
      'check:maintenance.change-ref',
      'check:maintenance.rollback-targets',
      'check:maintenance.window-open',
    ]);
    expect(evidence.steps.every((s: { durationMs: number }) => s.durationMs >= 0)).toBe(true);
    const md = join(dir, 'pre.md');
    await maintenanceChecklist(
      'pre',
      { env: 'prod', changeRef: 'CHG123', output: 'json', report: md },
      runtime,
    );
    const text = readFileSync(md, 'utf8');
    expect(text).toMatch(/^# Maintenance evidence: fsops maintenance checklist pre \(prod\)/);
    expect(text).toContain('AWS identity: arn:aws:iam::123456789014:role/maintenance');
    expect(text).toContain('| check:maintenance.rollback-targets | fail |');
  });

  it('pages through newer revisions to find the rollback target, and stops once it has one', async () => {
    // 150 revisions registered after the running one (42), e.g. CI builds that were never deployed.
    const newer = Array.from({ length: 150 }, (_, i) => taskDef('internal-pe', 192 - i));
    ecs
      .on(ListTaskDefinitionsCommand, { familyPrefix: family('internal-pe') })
      .callsFake((input: { nextToken?: string }) =>
        input.nextToken === 'page-2'
          ? {
              taskDefinitionArns: [
                ...newer.slice(100),
                taskDef('internal-pe', 42),
                taskDef('internal-pe', 41),
              ],
              nextToken: 'page-3',
            }
          : { taskDefinitionArns: newer.slice(0, 100), nextToken: 'page-2' },
      );
    await maintenanceChecklist('pre', { env: 'prod', changeRef: 'CHG123', output: 'json' }, runtime);
    const f = byId((JSON.parse(runtime.out()) as Report).findings);
    expect(f['maintenance.rollback-targets|prod-fivestar-internal-pe']).toMatchObject({
      status: 'pass',
      observed: 'running revision 42; rollback target revision 41',
    });
    const pages = ecs
      .commandCalls(ListTaskDefinitionsCommand)
      .filter((c) => c.args[0].input.familyPrefix === family('internal-pe'));
    expect(pages.map((c) => c.args[0].input.nextToken)).toEqual([undefined, 'page-2']);
  });

  it('refuses an evidence file it cannot write before checking or changing anything', async () => {
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, '');
    await expect(
      maintenanceChecklist(
        'pre',
        { env: 'prod', output: 'json', report: join(blocker, 'pre.json') },
        runtime,
      ),
    ).rejects.toThrow(/cannot write the report to .*not-a-dir\/pre\.json/);
    expect(sts.calls()).toHaveLength(0);
    expect(ecs.calls()).toHaveLength(0);
  });

  it('rejects a bad phase, a bad report extension and an unknown environment before calling AWS', async () => {
    await expect(maintenanceChecklist('post', { env: 'prod' }, runtime)).rejects.toThrow(
      /unknown checklist 'post': valid are pre/,
    );
    await expect(maintenanceChecklist('pre', { env: 'prod', report: 'x.txt' }, runtime)).rejects.toThrow(
      /\.json, \.md or \.markdown/,
    );
    await expect(maintenanceChecklist('pre', { env: 'qa' }, runtime)).rejects.toThrow(
      /unknown environment 'qa'/,
    );
    expect(sts.calls()).toHaveLength(0);
  });
});

describe('fsops maintenance run (refusal)', () => {
  it('refuses a run with changes when there is no terminal and no --yes, before checking anything', async () => {
    await expect(maintenanceRun('weekly', { env: 'prod' }, runtime)).rejects.toThrow(
      /refusing to run maintenance run weekly without confirmation/,
    );
    expect(sts.calls()).toHaveLength(0);
    const audit = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
    expect(JSON.parse(audit.trim())).toMatchObject({ result: 'refused', command: 'maintenance run weekly' });
    await expect(maintenanceRun('hourly', { env: 'prod' }, runtime)).rejects.toThrow(
      /valid are daily, weekly, monthly, quarterly/,
    );
  });
});
