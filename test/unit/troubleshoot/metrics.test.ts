import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Check } from '../../../src/base/model/check.js';
import {
  metricsAlbCheck,
  metricsEcsCheck,
  metricsPaymentsCheck,
  metricsRdsCheck,
} from '../../../src/catalogue/checks/troubleshoot/metrics.js';
import { MetricBatch } from '../../../src/domain/metrics/batch.js';
import { held } from '../../../src/domain/metrics/definitions.js';
import {
  chunkQueries,
  evaluateMetric,
  fetchSeries,
  type MetricSpec,
  periodFor,
  queriesFor,
  sparkline,
} from '../../../src/domain/metrics/series.js';
import { runSteps } from '../../../src/engine/runner.js';
import { testContext } from '../../helpers/context.js';

const cloudwatch = mockClient(CloudWatchClient);
const rds = mockClient(RDSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const T0 = new Date('2026-11-21T09:00:00Z');
const minutes = (n: number) => Array.from({ length: n }, (_, i) => new Date(T0.getTime() + i * 60_000));

beforeEach(() => {
  cloudwatch.reset();
  rds.reset();
  elb.reset();
});

/** Answers every query of a GetMetricData call from `values` by the query's metric name. */
function answerBy(values: Record<string, number[]>) {
  return (input: { MetricDataQueries?: MetricDataQuery[] }) => ({
    MetricDataResults: (input.MetricDataQueries ?? [])
      .filter((q) => q.ReturnData !== false)
      .map((q) => {
        const key = q.MetricStat?.Metric?.MetricName ?? q.Label ?? '';
        // Each value held for 10 minutes: long enough for the guide's durations (5 min CPU, 10 min payments).
        const v = (values[key] ?? []).flatMap((x) => Array<number>(10).fill(x));
        return { Id: q.Id, Timestamps: minutes(v.length), Values: v, StatusCode: 'Complete' as const };
      }),
  });
}

const spec = (over: Partial<MetricSpec> = {}): MetricSpec => ({
  key: 'rds.cpu',
  title: 'CPU',
  resource: 'db',
  metric: {
    namespace: 'AWS/RDS',
    name: 'CPUUtilization',
    dimensions: { DBInstanceIdentifier: 'db' },
    stat: 'Average',
  },
  unit: '%',
  thresholds: { warn: 80, fail: 90 },
  higherIsWorse: true,
  whenMissing: 'skip',
  remediation: 'r',
  ...over,
});

describe('evaluateMetric', () => {
  /** One datapoint a minute from T0 (or at the given minutes). */
  const series = (values: number[], at: number[] = values.map((_, i) => i)) => ({
    timestamps: at.map((m) => T0.getTime() + m * 60_000),
    values,
  });
  const cpu = (over: Partial<MetricSpec> = {}) =>
    spec({ thresholds: { warn: 70, fail: 80 }, ...held('cpuPercent'), ...over });

  it('without a duration judges the latest period, and shows average, peak and a trend', () => {
    const result = evaluateMetric(spec(), series([40, 50, 95]), '1h');
    expect(result).toMatchObject({ id: 'metrics.rds.cpu', status: 'fail', expected: '< 80% (fail >= 90%)' });
    expect(result.observed).toBe('latest 95%, avg 61.7%, max 95%  ▁▂█');
  });

  it('warns when the window breached earlier but the latest value is fine', () => {
    const result = evaluateMetric(spec(), series([20, 97, 30]), '1h');
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('stayed past 90% for 1 min earlier in the last 1h (peak 97%)');
  });

  it('judges lower-is-worse metrics by their minimum, and scales raw values', () => {
    const memory = spec({
      key: 'rds.freeable-memory',
      unit: 'MB',
      scale: 1 / 1024 ** 2,
      thresholds: { warn: 1024, fail: 512 },
      higherIsWorse: false,
    });
    expect(evaluateMetric(memory, series([4096 * 1024 ** 2, 800 * 1024 ** 2]), '1h')).toMatchObject({
      status: 'warn',
      observed: expect.stringMatching(/^latest 800 MB, avg 2448 MB, min 800 MB/),
    });
  });

  it('a CPU series that spikes once is not a breach (deployment guide §12.2.1: > 80% for 5 minutes)', () => {
    const result = evaluateMetric(cpu(), series([30, 31, 30, 99, 32, 30, 31, 30, 29, 30]), '1h');
    expect(result.status).toBe('pass');
    expect(result.expected).toBe('< 70% (fail >= 80% for 5 min)');
    expect(result.detail).toContain('spiked to 99% for 1 min: not a breach');
  });

  it('a CPU series above 80% for 5 minutes is a breach; 4 minutes is not', () => {
    expect(evaluateMetric(cpu(), series([30, 30, 30, 30, 30, 85, 86, 90, 88, 84]), '1h')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('past 80% for the last 5 min (every datapoint)'),
    });
    expect(evaluateMetric(cpu(), series([30, 30, 30, 30, 30, 60, 85, 86, 90, 88]), '1h').status).toBe('pass');
    // Above the 70% target for the whole 5 minutes, under the alert: a warning.
    expect(evaluateMetric(cpu(), series([30, 30, 30, 30, 30, 75, 85, 86, 90, 88]), '1h').status).toBe('warn');
  });

  it('a breach that lasted the duration earlier in the window warns after recovery', () => {
    const result = evaluateMetric(cpu(), series([85, 86, 90, 88, 84, 30, 30, 30, 30, 30]), '1h');
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('stayed past 80% for 5 min earlier in the last 1h');
  });

  it('missing datapoints in the window are not a pass', () => {
    const result = evaluateMetric(cpu(), series([10, 10, 10, 10, 10, 10], [0, 1, 2, 3, 6, 9]), '1h');
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('cannot judge: 2 of 5 datapoints in the last 5 min');
  });

  it('payment success tiers: < 99% warns, < 95% fails, < 90% critical, < 80% escalates (ops guide §6.1.1, §3.2.1, §5.2.1, §13.3.2)', () => {
    const success = spec({
      key: 'payments.success-rate',
      thresholds: { warn: 99, fail: 95 },
      higherIsWorse: false,
      minPeriodSeconds: 300,
      ...held('paymentSuccessRatePercent'),
    });
    const flat = (v: number) => series(Array<number>(15).fill(v));
    expect(evaluateMetric(success, flat(99.5), '1h').status).toBe('pass');
    expect(evaluateMetric(success, flat(97), '1h').status).toBe('warn');
    const alarm = evaluateMetric(success, flat(93), '1h');
    expect(alarm).toMatchObject({ status: 'fail' });
    expect(alarm.severity).toBeUndefined();
    expect(evaluateMetric(success, flat(85), '1h')).toMatchObject({
      status: 'fail',
      severity: 'critical',
      detail: expect.stringContaining('critical: PaymentProcessingFailed (ops guide §5.2.1)'),
    });
    expect(evaluateMetric(success, flat(75), '1h').detail).toContain(
      'escalate to management within 30 minutes (ops guide §13.3.2)',
    );
    // One bad 5-minute period out of the alarm's two is not a breach.
    expect(
      evaluateMetric(success, series([...Array<number>(10).fill(99.5), ...Array<number>(5).fill(85)]), '1h')
        .status,
    ).toBe('warn');
  });

  it('never passes a metric without datapoints', () => {
    expect(evaluateMetric(spec(), undefined, '1h')).toMatchObject({
      id: 'metrics.no-data.rds.cpu',
      status: 'skip',
      observed: 'no datapoints in the last 1h',
    });
    expect(evaluateMetric(spec({ whenMissing: 'warn' }), series([]), '1h').status).toBe('warn');
  });

  it('draws sparklines of bounded width', () => {
    expect(sparkline([])).toBe('');
    expect(sparkline([5, 5, 5])).toBe('▁▁▁');
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(
      sparkline(
        Array.from({ length: 100 }, (_, i) => i),
        20,
      ),
    ).toHaveLength(20);
  });

  it('chooses a period of whole minutes giving about 60 points', () => {
    expect(periodFor(3_600_000)).toBe(60);
    expect(periodFor(15 * 60_000)).toBe(60);
    expect(periodFor(24 * 3_600_000)).toBe(1440);
  });
});

describe('fetchSeries', () => {
  it('sends at most 500 queries per call and follows NextToken, merging the pages', async () => {
    const specs = Array.from({ length: 620 }, (_, i) => spec({ key: `k${i}` }));
    const queries = queriesFor(specs, 60);
    cloudwatch
      .on(GetMetricDataCommand)
      .callsFake((input: { MetricDataQueries: MetricDataQuery[]; NextToken?: string }) => {
        const first = input.MetricDataQueries[0]!.Id;
        // The first chunk answers in two pages.
        if (first === 'q0' && !input.NextToken) {
          return {
            MetricDataResults: [{ Id: 'q0', Timestamps: [minutes(2)[1]!], Values: [2] }],
            NextToken: 'page2',
          };
        }
        return {
          MetricDataResults: input.MetricDataQueries.map((q) => ({
            Id: q.Id,
            Timestamps: [minutes(1)[0]!],
            Values: [1],
          })),
        };
      });
    const series = await fetchSeries(new CloudWatchClient({ region: 'ap-south-1' }), queries, {
      start: T0,
      end: new Date(T0.getTime() + 3_600_000),
    });
    const calls = cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.MetricDataQueries!.length, c.NextToken])).toEqual([
      [500, undefined],
      [120, undefined],
      [500, 'page2'],
    ]);
    expect(calls[0]).toMatchObject({ ScanBy: 'TimestampAscending', StartTime: T0 });
    expect(series.get('q0')).toEqual({ timestamps: [T0.getTime(), T0.getTime() + 60_000], values: [1, 2] });
    expect(series.size).toBe(620);
  });

  it('paging is bounded: a repeated NextToken, or new ones without end, is an error, not a loop', async () => {
    const queries = queriesFor([spec({ key: 'k' })], 60);
    const window = { start: T0, end: new Date(T0.getTime() + 3_600_000) };
    const client = new CloudWatchClient({ region: 'ap-south-1' });
    // The same token again (a broken endpoint); the fake stops after 1000 calls so that an unbounded loop ends.
    let calls = 0;
    cloudwatch.on(GetMetricDataCommand).callsFake(() => ({
      MetricDataResults: [],
      NextToken: ++calls < 1000 ? 'again' : undefined,
    }));
    await expect(fetchSeries(client, queries, window)).rejects.toThrow(
      'GetMetricData answered with the NextToken it was given: stopped paging',
    );
    expect(calls).toBe(2);
    cloudwatch.reset();
    calls = 0;
    cloudwatch.on(GetMetricDataCommand).callsFake(() => ({
      MetricDataResults: [],
      NextToken: ++calls < 1000 ? `page${calls}` : undefined,
    }));
    await expect(fetchSeries(client, queries, window)).rejects.toThrow(/after 50 pages: stopped/);
    expect(calls).toBe(50);
  });

  it('builds metric-math queries with hidden inputs', () => {
    const queries = queriesFor(
      [
        spec({
          metric: undefined,
          expression: {
            text: '100 * FILL({errors}, 0) / {requests}',
            inputs: {
              errors: {
                namespace: 'AWS/ApplicationELB',
                name: 'HTTPCode_Target_5XX_Count',
                dimensions: {},
                stat: 'Sum',
              },
              requests: {
                namespace: 'AWS/ApplicationELB',
                name: 'RequestCount',
                dimensions: {},
                stat: 'Sum',
              },
            },
          },
        }),
      ],
      60,
    );
    expect(queries.map((q) => [q.Id, q.ReturnData, q.Expression])).toEqual([
      ['q0_errors', false, undefined],
      ['q0_requests', false, undefined],
      ['q0', true, '100 * FILL(q0_errors, 0) / q0_requests'],
    ]);
  });
});

const instance = () => ({ DBInstanceIdentifier: 'prod-fivestar-payments-db', AllocatedStorage: 1000 });

describe('metrics checks', () => {
  it('rds: judges every guide metric in one call, connections against max_connections from the config', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [instance()] });
    cloudwatch.on(GetMetricDataCommand).callsFake(
      answerBy({
        CPUUtilization: [30, 35],
        DatabaseConnections: [100, 190],
        FreeableMemory: [4096 * 1024 ** 2],
        ReadLatency: [0.002],
        WriteLatency: [0.004],
        DiskQueueDepth: [1],
        FreeStorageSpace: [150 * 1024 ** 3],
      }),
    );
    const ctx = testContext({ configYaml: 'environments:\n  prod:\n    rds:\n      maxConnections: 200\n' });
    const results = await metricsRdsCheck.run(ctx, {});
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(1);
    expect(Object.fromEntries(results.map((r) => [r.id, r.status]))).toEqual({
      'metrics.rds.cpu': 'pass',
      'metrics.rds.connections': 'fail',
      'metrics.rds.freeable-memory': 'pass',
      'metrics.rds.read-latency': 'pass',
      'metrics.rds.write-latency': 'pass',
      'metrics.rds.disk-queue-depth': 'pass',
      'metrics.rds.free-storage': 'fail',
    });
    const connections = results.find((r) => r.id === 'metrics.rds.connections')!;
    expect(connections.observed).toMatch(/^latest 95%/);
    expect(connections.detail).toContain('max_connections 200 (environments.prod.rds.maxConnections)');
    expect(results.find((r) => r.id === 'metrics.rds.free-storage')!.observed).toMatch(/^latest 15%/);
  });

  it('rds: asks the database for max_connections when the config has none, else falls back to the guide', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [instance()] });
    cloudwatch.on(GetMetricDataCommand).callsFake(answerBy({ DatabaseConnections: [50] }));
    const withDb = testContext({
      db: async () => ({ serverVersion: 150004, query: async () => [{ setting: '100' }] as never[] }),
    });
    const fromDb = await metricsRdsCheck.run(withDb, { metrics: ['connections'] });
    expect(fromDb).toMatchObject([
      { observed: expect.stringMatching(/^latest 50%/), detail: expect.stringContaining('the database') },
    ]);
    const guess = await metricsRdsCheck.run(testContext(), { metrics: ['connections'] });
    expect(guess).toMatchObject([
      { observed: expect.stringMatching(/^latest 25%/), detail: expect.stringContaining('ops guide §8.1.1') },
    ]);
  });

  it('rds: no datapoints are skipped, not passed; a missing instance fails', async () => {
    rds.on(DescribeDBInstancesCommand).resolvesOnce({ DBInstances: [instance()] });
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const results = await metricsRdsCheck.run(testContext(), {});
    expect(new Set(results.map((r) => r.status))).toEqual(new Set(['skip']));
    rds
      .on(DescribeDBInstancesCommand)
      .rejects(Object.assign(new Error('x'), { name: 'DBInstanceNotFoundFault' }));
    expect(await metricsRdsCheck.run(testContext(), {})).toMatchObject([
      { id: 'metrics.rds.instance', status: 'fail' },
    ]);
  });

  it('ecs: CPU and memory per service with the cluster and service dimensions', async () => {
    cloudwatch
      .on(GetMetricDataCommand)
      .callsFake(answerBy({ CPUUtilization: [85], MemoryUtilization: [40] }));
    const results = await metricsEcsCheck.run(testContext(), {});
    expect(results.map((r) => [r.id, r.resource, r.status])).toEqual([
      ['metrics.ecs.cpu', 'prod-internal-pe-service', 'fail'],
      ['metrics.ecs.memory', 'prod-internal-pe-service', 'pass'],
      ['metrics.ecs.cpu', 'prod-customer-portal-service', 'fail'],
      ['metrics.ecs.memory', 'prod-customer-portal-service', 'pass'],
    ]);
    const query = cloudwatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries![0]!;
    expect(query.MetricStat!.Metric!.Dimensions).toEqual([
      { Name: 'ClusterName', Value: 'prod-fivestar-payments' },
      { Name: 'ServiceName', Value: 'prod-internal-pe-service' },
    ]);
  });

  it('alb: p95 latency, 5xx percentage (metric math) and unhealthy targets; components without an ALB are left out', async () => {
    elb
      .on(DescribeLoadBalancersCommand, { Names: ['prod-internal-pe-alb'] })
      .resolves({
        LoadBalancers: [
          {
            LoadBalancerArn:
              'arn:aws:elasticloadbalancing:ap-south-1:1:loadbalancer/app/prod-internal-pe-alb/abc',
            DNSName: 'x',
          },
        ],
      })
      .on(DescribeLoadBalancersCommand, { Names: ['prod-customer-portal-alb'] })
      .rejects(Object.assign(new Error('no'), { name: 'LoadBalancerNotFoundException' }));
    elb.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [
        {
          TargetGroupArn: 'arn:aws:elasticloadbalancing:ap-south-1:1:targetgroup/pe-tg/def',
          TargetGroupName: 'pe-tg',
        },
      ],
    });
    cloudwatch
      .on(GetMetricDataCommand)
      .callsFake(
        answerBy({ TargetResponseTime: [0.4, 2.5], 'alb.5xx-rate': [1, 7], UnHealthyHostCount: [0, 0] }),
      );
    const results = await metricsAlbCheck.run(testContext(), {});
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['metrics.alb.latency-p95', 'fail'],
      ['metrics.alb.5xx-rate', 'fail'],
      ['metrics.alb.unhealthy-hosts', 'pass'],
    ]);
    const queries = cloudwatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries!;
    expect(queries.find((q) => q.MetricStat?.Metric?.MetricName === 'TargetResponseTime')).toMatchObject({
      MetricStat: {
        Stat: 'p95',
        Metric: { Dimensions: [{ Name: 'LoadBalancer', Value: 'app/prod-internal-pe-alb/abc' }] },
      },
    });
    expect(
      queries.find((q) => q.MetricStat?.Metric?.MetricName === 'UnHealthyHostCount')!.MetricStat!.Metric!
        .Dimensions,
    ).toEqual([
      { Name: 'LoadBalancer', Value: 'app/prod-internal-pe-alb/abc' },
      { Name: 'TargetGroup', Value: 'targetgroup/pe-tg/def' },
    ]);
  });
});

describe('one GetMetricData batch per run', () => {
  const albArn = 'arn:aws:elasticloadbalancing:ap-south-1:1:loadbalancer/app/prod-internal-pe-alb/abc';
  const steps = (checks: Check[], params: Record<string, unknown>[] = []) =>
    checks.map((check, i) => ({ check, params: params[i] ?? {} }));

  it('sends the queries of every metrics check of a run in one call, with ids kept apart', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [instance()] });
    elb
      .on(DescribeLoadBalancersCommand, { Names: ['prod-internal-pe-alb'] })
      .resolves({ LoadBalancers: [{ LoadBalancerArn: albArn, DNSName: 'x' }] })
      .on(DescribeLoadBalancersCommand, { Names: ['prod-customer-portal-alb'] })
      .rejects(Object.assign(new Error('no'), { name: 'LoadBalancerNotFoundException' }));
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });
    cloudwatch.on(GetMetricDataCommand).callsFake(
      answerBy({
        CPUUtilization: [95],
        DatabaseConnections: [20],
        MemoryUtilization: [10],
        TargetResponseTime: [0.1],
        'alb.5xx-rate': [0],
        PaymentSuccessRate: [99.9],
      }),
    );
    const ctx = testContext();
    const findings = await runSteps(
      steps(
        [metricsRdsCheck, metricsEcsCheck, metricsAlbCheck, metricsPaymentsCheck],
        [{ metrics: ['cpu', 'connections'] }],
      ),
      (signal) => ({ ...ctx, signal }),
      { concurrency: 16, timeoutMs: 5000 },
    );
    const calls = cloudwatch.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(1);
    const ids = calls[0]!.args[0].input.MetricDataQueries!.map((q) => q.Id!);
    expect(new Set(ids).size).toBe(ids.length);
    // 2 RDS + 4 ECS + 4 ALB (an expression with 2 inputs) + 3 payments
    expect(ids).toHaveLength(13);
    expect(findings.filter((f) => f.status === 'error')).toEqual([]);
    const byId = (id: string) => findings.filter((f) => f.id === id).map((f) => [f.resource, f.status]);
    expect(byId('metrics.rds.cpu')).toEqual([['prod-fivestar-payments-db', 'fail']]);
    expect(byId('metrics.ecs.cpu')).toEqual([
      ['prod-internal-pe-service', 'fail'],
      ['prod-customer-portal-service', 'fail'],
    ]);
    expect(byId('metrics.ecs.memory')[0]).toEqual(['prod-internal-pe-service', 'pass']);
    expect(byId('metrics.alb.latency-p95')).toEqual([['prod-internal-pe-alb', 'pass']]);
    expect(byId('metrics.payments.success-rate')[0]![1]).toBe('pass');
  });

  it('a check that fails before submitting does not hold up the others', async () => {
    elb
      .on(DescribeLoadBalancersCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    cloudwatch
      .on(GetMetricDataCommand)
      .callsFake(answerBy({ CPUUtilization: [10], MemoryUtilization: [10] }));
    const ctx = testContext();
    const findings = await runSteps(
      steps([metricsAlbCheck, metricsEcsCheck]),
      (signal) => ({ ...ctx, signal }),
      { concurrency: 16, timeoutMs: 2000 },
    );
    // Each component's ALB is its own error (neither could be described).
    expect(findings.map((f) => [f.id, f.status])).toEqual([
      ['metrics.alb', 'error'],
      ['metrics.alb', 'error'],
      ['metrics.ecs.cpu', 'pass'],
      ['metrics.ecs.memory', 'pass'],
      ['metrics.ecs.cpu', 'pass'],
      ['metrics.ecs.memory', 'pass'],
    ]);
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(1);
  });

  it('waits for every member, and one member giving up does not cancel the shared call', async () => {
    const sent: string[][] = [];
    const batch = new MetricBatch(async (queries) => {
      sent.push(queries.map((q) => q.Id!));
      return new Map(queries.map((q) => [q.Id!, { timestamps: [1], values: [5] }]));
    });
    const a = batch.join(60);
    const b = batch.join(60);
    const c = batch.join(60);
    const gaveUp = new AbortController();
    const fromA = a.fetch([spec()]);
    const fromB = b.fetch([spec(), spec()], gaveUp.signal);
    // Past the batch's own send (a setImmediate after the last member), without racing its 3 s deadline.
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    expect(sent).toEqual([]); // c has neither submitted nor left
    gaveUp.abort(new Error('timed out'));
    await expect(fromB).rejects.toThrow('timed out');
    c.leave();
    expect(await fromA).toEqual([{ timestamps: [1], values: [5] }]);
    expect(sent).toEqual([['q0', 'm1q0', 'm1q1']]);
  });
});

describe('MetricBatch deadline', () => {
  it('does not wait longer than maxWaitMs for a member still gathering; the late one makes its own call', async () => {
    const sent: string[][] = [];
    const batch = new MetricBatch(async (queries) => {
      sent.push(queries.map((q) => q.Id!));
      return new Map(queries.map((q) => [q.Id!, { timestamps: [1], values: [q.Id!.length] }]));
    }, 50);
    const early = batch.join(60);
    const hanging = batch.join(60);
    const fromEarly = await early.fetch([spec()]);
    expect(fromEarly).toEqual([{ timestamps: [1], values: [2] }]);
    expect(sent).toEqual([['q0']]);
    expect(await hanging.fetch([spec()])).toEqual([{ timestamps: [1], values: [4] }]);
    expect(sent).toEqual([['q0'], ['m1q0']]);
  });
});

describe('chunkQueries', () => {
  it('never puts more than 500 queries in a call, and never splits an expression from its inputs', () => {
    const plain = Array.from({ length: 499 }, (_, i) => spec({ key: `k${i}` }));
    const math = spec({
      metric: undefined,
      expression: {
        text: '{a} + {b}',
        inputs: {
          a: { namespace: 'N', name: 'A', dimensions: {}, stat: 'Sum' },
          b: { namespace: 'N', name: 'B', dimensions: {}, stat: 'Sum' },
        },
      },
    });
    const chunks = chunkQueries(queriesFor([...plain, math, spec()], 60));
    expect(chunks.map((c) => c.length)).toEqual([499, 4]);
    expect(chunks[1]!.map((q) => q.Id)).toEqual(['q499_a', 'q499_b', 'q499', 'q500']);
  });
});
