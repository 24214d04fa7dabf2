import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, FAKE_CREDENTIALS, runFsops } from '../../helpers/cli.js';
import { AwsFault, type FakeAws, startFakeWorld } from '../../helpers/fake-aws.js';

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function world(successRate: number[]) {
  fake = await startFakeWorld('prod', {
    service: (svc, component) => (component === 'customer-portal' ? { ...svc, runningCount: 2 } : svc),
  });
  const values: Record<string, number[]> = {
    PaymentSuccessRate: successRate,
    ErrorRate: [0.4, 0.5],
    PaymentProcessingTime: [1.1, 1.2],
    CPUUtilization: [35, 40],
    ReplicaLag: [3, 2],
  };
  (fake.handlers as Record<string, Record<string, unknown>>).monitoring!.GetMetricData = (input: {
    MetricDataQueries?: { Id: string; MetricStat?: { Metric?: { MetricName?: string } } }[];
  }) => ({
    MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
      const given = values[q.MetricStat?.Metric?.MetricName ?? ''] ?? [];
      // A value a minute over the whole 15-minute window, the last one held: the checks judge a level
      // on every datapoint of the guide's duration, not on the latest one.
      const v = given.length ? [...given, ...Array(15 - given.length).fill(given.at(-1))] : [];
      const now = Math.floor(Date.now() / 1000);
      return {
        Id: q.Id,
        Timestamps: v.map((_, i) => now - (v.length - i) * 60),
        Values: v,
        StatusCode: 'Complete',
      };
    }),
  });
  return fake;
}

describe('fsops status against the fake AWS endpoint', () => {
  it('one screen: services, database, KPIs colored by the checks, one GetMetricData; json gives the same data', async () => {
    await world([99.5, 96.5]);
    const text = await runFsops(['status', '--env', 'prod', '--endpoint-url', fake!.url], {
      ...FAKE_CREDENTIALS,
      NO_COLOR: undefined,
      FORCE_COLOR: '1',
    });
    expect(text.stderr).toBe('');
    expect(text.code).toBe(1); // customer-portal runs 2 of 3
    expect(text.stdout).toContain('fsops status prod');
    // 96.5% is below the guide's target (99) and above its alarm level (95): yellow, as `fsops metrics` judges it
    expect(text.stdout).toContain('\u001b[33m96.5%');
    expect(text.stdout).toMatch(
      /prod-customer-portal-service tasks +\u001b\[31m\u001b\[1m2 running, 0 pending, 3 desired/,
    );
    expect(text.stdout).toMatch(/RDS CPU utilization +\u001b\[32m40%/);
    // Replica lag from CloudWatch (in the same GetMetricData) and the LMS queue from DynamoDB, not the database.
    expect(text.stdout).toMatch(/Replica lag prod-fivestar-payments-db-replica-1 +\u001b\[32mReplicaLag 2s/);
    expect(text.stdout).toMatch(/Replica lag prod-fivestar-payments-db-replica-2 +\u001b\[32mReplicaLag 2s/);
    expect(text.stdout).toMatch(/\nQueue\b|Queue\u001b/);
    expect(text.stdout).toMatch(/LMS transaction queue depth +\u001b\[32m0 items PENDING\/RETRY/);
    expect(fake!.calls.filter((c) => c.action === 'GetMetricData')).toHaveLength(1);
    expect(fake!.calls.filter((c) => c.action === 'DescribeServices')).toHaveLength(1);
    expect(fake!.calls.some((c) => c.service === 'dynamodb' && c.action === 'Query')).toBe(true);

    const json = await runFsops(
      ['status', '--env', 'prod', '--endpoint-url', fake!.url, '--output', 'json'],
      FAKE_CREDENTIALS,
    );
    const data = JSON.parse(json.stdout);
    expect(data).toMatchObject({ env: 'prod', incidents: [] });
    expect(data.cells.find((c: { label: string }) => c.label === 'Payment success rate')).toMatchObject({
      value: expect.stringMatching(/^96\.5%/),
      status: 'warn',
    });
    // A backlog in the DynamoDB queue: depth and age, judged by lms.queue's levels.
    const created = new Date(Date.now() - 90 * 60_000).toISOString();
    fake!.handlers.dynamodb = {
      Query: (input: { Select?: string }) =>
        input.Select === 'COUNT' ? { Count: 120 } : { Count: 1, Items: [{ created_at: { S: created } }] },
    };
    const backlog = JSON.parse(
      (
        await runFsops(
          ['status', '--env', 'prod', '--endpoint-url', fake!.url, '--output', 'json'],
          FAKE_CREDENTIALS,
        )
      ).stdout,
    );
    const queue = backlog.cells.filter((c: { section: string }) => c.section === 'Queue');
    expect(queue.map((c: { label: string; status: string }) => [c.label, c.status])).toEqual([
      ['LMS transaction queue depth', 'warn'],
      ['Oldest transaction waiting for LMS', 'fail'],
    ]);
    expect(queue[0].value).toMatch(/^240 items/);
    const watchJson = await runFsops(
      ['status', '--env', 'prod', '--watch', '--output', 'json', '--endpoint-url', fake!.url],
      FAKE_CREDENTIALS,
    );
    expect(watchJson.code).toBe(2);
    // Each poll is a whole runbook of AWS calls: an interval under a second is bad input, nothing polled.
    const before = fake!.calls.length;
    const tooFast = await runFsops(
      ['status', '--env', 'prod', '--watch', '1ms', '--endpoint-url', fake!.url],
      FAKE_CREDENTIALS,
    );
    expect(tooFast).toMatchObject({ code: 2, stdout: '' });
    expect(tooFast.stderr).toBe(
      "fsops: --watch interval '1ms' is too short: use at least 1s (the guide refreshes every 30s)\n",
    );
    expect(fake!.calls.length).toBe(before);
  });

  it('incident records it cannot read are said, never shown as "none open"', async () => {
    await world([99.5, 99.6]);
    const dir = mkdtempSync(join(tmpdir(), 'fsops-incidents-'));
    mkdirSync(join(dir, 'INC-2026-001'));
    writeFileSync(join(dir, 'INC-2026-001', 'incident.json'), '{"id": "INC-2026-001", "state": "op');
    const env = { ...FAKE_CREDENTIALS, FSOPS_INCIDENT_DIR: dir, NO_COLOR: '1' };
    const text = await runFsops(['status', '--env', 'prod', '--endpoint-url', fake!.url], env);
    expect(text.stdout).not.toContain('none open');
    expect(text.stdout).toMatch(
      /Incident\n {2}could not read the incident records: .*INC-2026-001\/incident.json is not valid JSON/,
    );
    expect(text.code).toBe(1); // customer-portal runs 2 of 3: a failing check wins over the unread records (3)
    const json = await runFsops(
      ['status', '--env', 'prod', '--endpoint-url', fake!.url, '--output', 'json'],
      env,
    );
    expect(JSON.parse(json.stdout)).toMatchObject({
      incidents: [],
      incidentsError: expect.stringMatching(/not valid JSON/),
    });
  });

  it('--watch on a pipe: one frame per interval without cursor codes, survives a failed poll, Ctrl-C exits 130', async () => {
    await world([99.5, 99.6]);
    const home = mkdtempSync(join(tmpdir(), 'fsops-home-'));
    const child = spawn(
      process.execPath,
      [BIN, 'status', '--env', 'prod', '--watch', '1s', '--endpoint-url', fake!.url],
      {
        env: {
          PATH: process.env.PATH,
          HOME: home,
          NO_COLOR: '1',
          AWS_EC2_METADATA_DISABLED: 'true',
          ...FAKE_CREDENTIALS,
        },
        cwd: home,
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const frames = () => stdout.split('fsops status prod').length - 1;
    const waitFor = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(check()).toBe(true);
    };
    await waitFor(() => frames() >= 1);
    // CloudWatch starts failing: the KPI cells keep their values and show the error
    (fake!.handlers as Record<string, Record<string, unknown>>).monitoring!.GetMetricData = () => {
      throw new AwsFault('AccessDeniedException', 'not authorized to perform cloudwatch:GetMetricData');
    };
    await waitFor(() => /error (for \d+\w*|\(this poll\)): .*not authorized/.test(stdout));
    const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    child.kill('SIGINT');
    expect(await exit).toBe(130);
    expect(stdout).not.toMatch(/\u001b\[/);
    expect(stdout).toMatch(/Payment success rate +99\.6%/);
  });
});
