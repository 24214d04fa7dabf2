import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS, runFsops, startFsops } from '../../helpers/cli.js';
import { AwsFault, backupRds, type FakeAws, startFakeWorld } from '../../helpers/fake-aws.js';
import { incidentRecord } from '../../helpers/incident.js';
import { adminQuery, createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';
import { backupWorld, type JsonFinding, stagingDatabaseConfig } from '../../helpers/restore.js';

let fake: FakeAws | undefined;
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('drill');
});
afterAll(async () => db?.cleanup());
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A fresh audit file for one run, and its records once the run is over. */
function auditFile(): { env: { FSOPS_AUDIT_FILE: string }; records(): Record<string, string>[] } {
  const file = join(mkdtempSync(join(tmpdir(), 'fsops-drill-audit-')), 'audit.jsonl');
  return {
    env: { FSOPS_AUDIT_FILE: file },
    records: () =>
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, string>),
  };
}

const configFile = (extra = '') =>
  stagingDatabaseConfig(
    db.name,
    `  pollSeconds: 0.2\n  drill:\n    timeoutMinutes: 0.5\n${extra}`,
    'fsops-drill-',
  ).file;

/** `fsops dr drill <kind>` against staging on the local endpoint, confirmed, with the test config. */
const drillArgs = (kind: string, ...more: string[]) => [
  ...['dr', 'drill', kind, '--env', 'staging', '--yes'],
  ...['--endpoint-url', fake!.url, '--config', configFile(), ...more],
];

/** The staging world with RDS failovers (`backupRds`); its state records the reboots. */
async function failoverWorld(options: Parameters<typeof backupRds>[1] = {}) {
  const world = await backupWorld('staging', options);
  fake = world.fake;
  return world.rds;
}

/**
 * The staging world where internal-pe runs these tasks (ListTasks, and DescribeServices's
 * runningCount): the test changes `tasks` as ECS would.
 */
async function taskLossWorld(tasks: { arns: string[] }): Promise<FakeAws> {
  fake = await startFakeWorld('staging');
  const describeServices = fake.handlers.ecs!.DescribeServices!;
  fake.handlers.ecs!.DescribeServices = async (input) => {
    const out = (await describeServices(input)) as { services: Record<string, unknown>[] };
    return { ...out, services: out.services.map((s) => ({ ...s, runningCount: tasks.arns.length })) };
  };
  fake.handlers.ecs!.ListTasks = () => ({ taskArns: tasks.arns });
  return fake;
}

describe('fsops dr drill rds-failover (bin/fsops, local AWS endpoint, real PostgreSQL)', () => {
  it('measures the write downtime, the reads lost and the new AZ while the database refuses connections', async () => {
    const rds = await failoverWorld({ failoverMs: 2500 });
    const reboot = rds.handlers.RebootDBInstance!;
    fake!.handlers.rds!.RebootDBInstance = async (input) => {
      // The failover as the client sees it: connections dropped and refused for ~2 s.
      await adminQuery(`ALTER DATABASE ${db.name} WITH ALLOW_CONNECTIONS false`);
      await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [
        db.name,
      ]);
      setTimeout(() => void adminQuery(`ALTER DATABASE ${db.name} WITH ALLOW_CONNECTIONS true`), 2000);
      return reboot(input);
    };
    const audit = auditFile();
    const result = await runFsops(drillArgs('rds-failover', '--override-window', '--output', 'json'), {
      ...FAKE_CREDENTIALS,
      ...audit.env,
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    // --override-window is on the record: in the "started" line, written before the reboot.
    const started = audit.records().find((r) => r.result === 'started');
    expect(started).toMatchObject({ command: 'dr drill rds-failover: dr.rds-failover', env: 'staging' });
    expect(started!.detail).toContain('--override-window');
    const findings: JsonFinding[] = JSON.parse(result.stdout).findings;
    const byId = Object.fromEntries(findings.map((f) => [f.id, f]));
    expect(byId['dr.failover.write-downtime']!.status).toBe('pass');
    expect(byId['dr.failover.write-downtime']!.observed).toMatch(
      /^\d+ s without writes \(\d+ of \d+ writes failed\)$/,
    );
    expect(Number(/(\d+) of/.exec(byId['dr.failover.write-downtime']!.observed)![1])).toBeGreaterThan(0);
    expect(byId['dr.failover.reads']!.observed).toMatch(/^[1-9]\d* of \d+ reads failed$/);
    expect(byId['dr.failover.az']).toMatchObject({ status: 'pass', observed: 'ap-south-1a -> ap-south-1b' });
    expect(rds.state.reboots).toEqual([expect.objectContaining({ forceFailover: true })]);
    // The probe's temporary table went with its session: nothing left in the database.
    expect(
      await adminQuery(`SELECT 1 FROM pg_tables WHERE tablename = 'fsops_dr_probe'`, [], db.name),
    ).toEqual([]);
  }, 60_000);

  it('Ctrl-C during the failover: exit 130, the report INTERRUPTED (never PASS), audited interrupted', async () => {
    await failoverWorld({ failoverMs: 60_000 });
    const audit = auditFile();
    const run = startFsops(drillArgs('rds-failover'), { ...FAKE_CREDENTIALS, ...audit.env });
    await run.printed('requested; probing');
    run.child.kill('SIGINT');
    const { code, stdout } = await run.result;
    expect(code).toBe(130);
    // It used to say "PASS 3 skipped, 1 passed" although the failover was not measured to the end.
    expect(stdout).toMatch(/^fsops dr drill rds-failover staging: INTERRUPTED /m);
    expect(stdout).not.toMatch(/: PASS/);
    expect(stdout).toMatch(/the failover itself carries on in RDS/);
    expect(audit.records().map((r) => r.result)).toEqual(['started', 'interrupted']);
  }, 60_000);

  it('refuses a single-AZ instance, an open incident, and prod outside the window: exit 2, no reboot', async () => {
    const rds = await failoverWorld({ source: { MultiAZ: false } });
    const single = await runFsops(drillArgs('rds-failover'), FAKE_CREDENTIALS);
    expect(single.code).toBe(2);
    expect(single.stderr).toBe(
      'fsops: refusing a failover drill on staging-fivestar-payments-db: it is single-AZ (MultiAZ false), so a forced failover has no standby to move to and would only reboot it\n',
    );
    // An open incident of staging, as `fsops incident open` records it.
    const incidents = mkdtempSync(join(tmpdir(), 'fsops-incidents-'));
    mkdirSync(join(incidents, 'INC-2026-007'));
    writeFileSync(
      join(incidents, 'INC-2026-007', 'incident.json'),
      JSON.stringify(
        incidentRecord('INC-2026-007', {
          env: 'staging',
          title: 'payments failing',
          severity: 2,
          severityName: 'High',
          startedAt: new Date().toISOString(),
        }),
      ),
    );
    const incidentAudit = auditFile();
    const incident = await runFsops(drillArgs('rds-failover'), {
      ...FAKE_CREDENTIALS,
      FSOPS_INCIDENT_DIR: incidents,
      ...incidentAudit.env,
    });
    expect(incident.code).toBe(2);
    expect(incident.stderr).toBe(
      'fsops: refusing a DR drill in staging during an open incident (INC-2026-007: payments failing): resolve it first (fsops incident resolve <id>), or wait until it is\n',
    );
    // Refused like a missing --yes is: on the record.
    expect(incidentAudit.records()).toEqual([
      expect.objectContaining({
        command: 'dr drill rds-failover',
        env: 'staging',
        result: 'refused',
        detail: expect.stringContaining('during an open incident (INC-2026-007'),
      }),
    ]);
    await fake!.close();
    fake = await startFakeWorld('prod');
    Object.assign(fake.handlers.rds!, backupRds('prod').handlers);
    const prodAudit = auditFile();
    const prod = await runFsops(
      ['dr', 'drill', 'rds-failover', '--env', 'prod', '--yes', '--endpoint-url', fake.url],
      {
        ...FAKE_CREDENTIALS,
        ...prodAudit.env,
        FSOPS_CONFIG: configFile(
          `maintenance:\n  window: { weekday: sunday, weekOfMonth: 1, start: '00:00', durationMinutes: 1, timeZone: UTC }\n`,
        ),
      },
    );
    expect(prod.code).toBe(2);
    expect(prod.stderr).toMatch(
      /^fsops: refusing a DR drill in prod outside the maintenance window \(closed; .*\); pass --override-window to run it anyway\n$/,
    );
    expect(prodAudit.records()).toEqual([
      expect.objectContaining({
        command: 'dr drill rds-failover',
        env: 'prod',
        result: 'refused',
        detail: expect.stringContaining('outside the maintenance window'),
      }),
    ]);
    expect(rds.state.reboots).toEqual([]);
    expect(fake.calls.filter((c) => c.action === 'RebootDBInstance')).toEqual([]);
  });
});

describe('fsops dr drill ecs-task-loss (bin/fsops, local AWS endpoint)', () => {
  it('stops one task and measures until a replacement runs and the health endpoint answers', async () => {
    const tasks = {
      arns: [
        'arn:aws:ecs:ap-south-1:1:task/staging-fivestar-payments/aaa',
        'arn:aws:ecs:ap-south-1:1:task/staging-fivestar-payments/bbb',
      ],
    };
    const stopped: string[] = [];
    await taskLossWorld(tasks);
    fake!.handlers.ecs!.StopTask = ({ task }) => {
      stopped.push(task);
      tasks.arns = tasks.arns.filter((t) => t !== task);
      fake!.http['/health'] = { status: 503, body: 'down' };
      setTimeout(() => {
        tasks.arns = [...tasks.arns, 'arn:aws:ecs:ap-south-1:1:task/staging-fivestar-payments/ccc'];
        fake!.http['/health'] = { status: 200, body: 'ok' };
      }, 800);
      return { task: { taskArn: task, lastStatus: 'STOPPING' } };
    };
    const result = await runFsops(drillArgs('ecs-task-loss', '--component', 'internal-pe'), FAKE_CREDENTIALS);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(stopped).toEqual(['arn:aws:ecs:ap-south-1:1:task/staging-fivestar-payments/aaa']);
    expect(result.stdout).toMatch(
      /PASS {2}The service replaced the lost task and answers its health endpoint \[staging-internal-pe-service\]\n\s+recovered in \d+ s \(running 2\/2, replacement ccc, health 200\)/,
    );
    expect(result.stderr).toMatch(/replacement none yet, health 503/);
  }, 60_000);

  it('refuses when no health endpoint could judge the recovery (no ALB, no healthUrls): exit 2, nothing stopped', async () => {
    await taskLossWorld({
      arns: [
        'arn:aws:ecs:ap-south-1:1:task/staging-fivestar-payments/aaa',
        'arn:aws:ecs:ap-south-1:1:task/staging-fivestar-payments/bbb',
      ],
    });
    fake!.handlers.elasticloadbalancing!.DescribeLoadBalancers = () => {
      throw new AwsFault('LoadBalancerNotFoundException', 'One or more load balancers not found', 400);
    };
    const stopped: string[] = [];
    fake!.handlers.ecs!.StopTask = ({ task }) => {
      stopped.push(task);
      return { task: { taskArn: task, lastStatus: 'STOPPING' } };
    };
    const result = await runFsops(drillArgs('ecs-task-loss', '--component', 'internal-pe'), FAKE_CREDENTIALS);
    expect(stopped).toEqual([]);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain(
      'refusing a task-loss drill on staging-internal-pe-service: no health endpoint',
    );
  }, 60_000);

  it('refuses a service with one task (dev): exit 2, nothing stopped', async () => {
    fake = await startFakeWorld('dev');
    fake.handlers.ecs!.ListTasks = () => ({ taskArns: ['arn:aws:ecs:ap-south-1:1:task/dev/aaa'] });
    fake.handlers.ecs!.StopTask = () => {
      throw new Error('must not be called');
    };
    const result = await runFsops(
      ['dr', 'drill', 'ecs-task-loss', '--env', 'dev', '--yes', '--endpoint-url', fake.url],
      FAKE_CREDENTIALS,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'fsops: refusing a task-loss drill on dev-internal-pe-service: it runs 1 task(s) (desired 1); stopping one would take the component down\n',
    );
    const unknown = await runFsops(['dr', 'drill', 'az-loss', '--env', 'dev'], FAKE_CREDENTIALS);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      "fsops: unknown drill 'az-loss': valid drills are rds-failover, ecs-task-loss\n",
    );
  });
});
