// Throttling through the SDK's own retry middleware: a local AWS endpoint (scripts/fake-aws.mjs)
// throttles the first call, and the clients (maxAttempts >= 2) must retry and still answer.
// No aws-sdk-client-mock here: it replaces `send`, which would bypass the retries under test.
import { afterEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../src/base/aws/clients.js';
import { ecsTasksCheck } from '../../../src/catalogue/checks/troubleshoot/ecs-tasks.js';
import { logErrorSignaturesCheck } from '../../../src/catalogue/checks/troubleshoot/log-errors.js';
import { metricsPaymentsCheck } from '../../../src/catalogue/checks/troubleshoot/metrics.js';
import { testContext } from '../../helpers/context.js';
import { type FakeAws, startFakeAws } from '../../helpers/fake-aws.js';

const T0 = Date.parse('2026-11-21T09:00:00Z');
let fake: FakeAws;
let aws: AwsClients;

afterEach(async () => {
  aws?.destroy();
  await fake?.close();
});

async function start(handlers: Parameters<typeof startFakeAws>[0]) {
  process.env.AWS_ACCESS_KEY_ID ??= 'AKIDTEST';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test-secret';
  fake = await startFakeAws(handlers);
  aws = new AwsClients({
    region: 'ap-south-1',
    endpoint: fake.url,
    maxAttempts: 3,
    requestTimeoutMs: 2000,
    connectTimeoutMs: 1000,
  });
}

describe('throttled once, then answered', () => {
  it('FilterLogEvents and Logs Insights StartQuery', async () => {
    await start({
      handlers: {
        logs: {
          FilterLogEvents: () => ({ events: [{ eventId: '1', timestamp: T0, message: 'ERROR boom 1' }] }),
          StartQuery: () => ({ queryId: 'q' }),
          GetQueryResults: () => ({
            status: 'Complete',
            results: [
              [
                { field: 'eventCount', value: '2' },
                { field: 'example', value: 'ERROR boom 9' },
              ],
            ],
          }),
        },
      },
      faults: [
        { service: 'logs', action: 'FilterLogEvents', kind: 'throttle', times: 1 },
        { service: 'logs', action: 'StartQuery', kind: 'throttle', times: 1 },
      ],
    });
    const short = await logErrorSignaturesCheck.run(testContext({ aws }), { components: ['internal-pe'] });
    expect(short[0]).toMatchObject({
      status: 'warn',
      observed: expect.stringMatching(/^1 events in 1 signature/),
    });
    const long = await logErrorSignaturesCheck.run(testContext({ aws, since: new Date(T0 - 86_400_000) }), {
      components: ['internal-pe'],
    });
    expect(long[0]).toMatchObject({ observed: expect.stringContaining('2 events in 1 signature') });
    expect(long[0]!.observed).toContain('Logs Insights');
    expect(fake.calls.filter((c) => c.action === 'FilterLogEvents')).toHaveLength(2);
    expect(fake.calls.filter((c) => c.action === 'StartQuery')).toHaveLength(2);
  });

  it('GetMetricData', async () => {
    await start({
      handlers: {
        monitoring: {
          GetMetricData: (input) => ({
            MetricDataResults: (input.MetricDataQueries as { Id: string }[]).map((q) => ({
              Id: q.Id,
              // 15 minutes of datapoints: the guide's durations (10 min for payment success) are covered.
              Timestamps: Array.from({ length: 15 }, (_, i) => T0 / 1000 + i * 60),
              // error rate 0.5 % (under runbook 002's 1 % target, fsops's warn level) and 0.5 s processing time.
              Values: Array<number>(15).fill(q.Id === 'q0' ? 99.5 : 0.5),
              StatusCode: 'Complete',
            })),
          }),
        },
      },
      faults: [{ service: 'monitoring', action: 'GetMetricData', kind: 'throttle', times: 1 }],
    });
    const results = await metricsPaymentsCheck.run(testContext({ aws }), {});
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['metrics.payments.success-rate', 'pass'],
      ['metrics.payments.error-rate', 'pass'],
      ['metrics.payments.processing-time', 'pass'],
    ]);
    expect(fake.calls.filter((c) => c.action === 'GetMetricData')).toHaveLength(2);
  });

  it('ListTasks', async () => {
    await start({
      handlers: {
        ecs: {
          DescribeServices: () => ({
            services: [{ serviceName: 'prod-internal-pe-service', desiredCount: 1, status: 'ACTIVE' }],
          }),
          ListTasks: () => ({ taskArns: ['arn:aws:ecs:ap-south-1:1:task/prod/t1'] }),
          DescribeTasks: () => ({
            tasks: [{ taskArn: 'arn:aws:ecs:ap-south-1:1:task/prod/t1', lastStatus: 'RUNNING' }],
          }),
        },
      },
      faults: [{ service: 'ecs', action: 'ListTasks', kind: 'throttle', times: 1 }],
    });
    const results = await ecsTasksCheck.run(testContext({ aws }), { components: ['internal-pe'] });
    expect(results[0]).toMatchObject({
      id: 'ecs.tasks.running',
      status: 'pass',
      observed: expect.stringMatching(/^1 running/),
    });
    expect(fake.calls.filter((c) => c.action === 'ListTasks')).toHaveLength(3);
  });
});
