import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandOutput,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { cloudwatchAlarmsCheck } from '../../../src/catalogue/checks/cloudwatch-alarms.js';
import { logGroupsCheck } from '../../../src/catalogue/checks/log-groups.js';
import {
  interpretMaintenanceMode,
  maintenanceModeCheck,
} from '../../../src/catalogue/checks/maintenance-mode.js';
import { recentErrorsCheck } from '../../../src/catalogue/checks/recent-errors.js';
import { testContext } from '../../helpers/context.js';

const cloudwatch = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);
const ssm = mockClient(SSMClient);

beforeEach(() => {
  cloudwatch.reset();
  logs.reset();
  ssm.reset();
});

describe('cloudwatch.alarms', () => {
  const guideAlarms = (state: StateValue): DescribeAlarmsCommandOutput => ({
    $metadata: {},
    MetricAlarms: [
      { AlarmName: 'Fivestar-High-Error-Rate', StateValue: state },
      { AlarmName: 'Fivestar-Low-Payment-Success-Rate', StateValue: 'OK' },
    ],
  });

  it('passes when the guide alarms exist and none is in ALARM', async () => {
    cloudwatch.on(DescribeAlarmsCommand, { StateValue: 'ALARM' }).resolves({ MetricAlarms: [] });
    cloudwatch
      .on(DescribeAlarmsCommand, {
        AlarmNames: ['Fivestar-High-Error-Rate', 'Fivestar-Low-Payment-Success-Rate'],
      })
      .resolves(guideAlarms('OK'));
    const results = await cloudwatchAlarmsCheck.run(testContext(), {});
    expect(results.map((r) => r.status)).toEqual(['pass', 'pass', 'pass']);
  });

  it('warns on INSUFFICIENT_DATA, fails on a missing guide alarm and on any alarm firing', async () => {
    cloudwatch.on(DescribeAlarmsCommand, { StateValue: 'ALARM' }).resolves({
      MetricAlarms: [{ AlarmName: 'prod-rds-cpu', StateValue: 'ALARM', StateReason: 'Threshold Crossed' }],
    });
    cloudwatch
      .on(DescribeAlarmsCommand, {
        AlarmNames: ['Fivestar-High-Error-Rate', 'Fivestar-Low-Payment-Success-Rate'],
      })
      .resolves({
        MetricAlarms: [{ AlarmName: 'Fivestar-High-Error-Rate', StateValue: 'INSUFFICIENT_DATA' }],
      });
    const results = await cloudwatchAlarmsCheck.run(testContext(), {});
    expect(results).toMatchObject([
      { id: 'cloudwatch.alarm.data', status: 'warn', resource: 'Fivestar-High-Error-Rate' },
      { id: 'cloudwatch.alarm.exists', status: 'fail', resource: 'Fivestar-Low-Payment-Success-Rate' },
      { status: 'fail', resource: 'prod-rds-cpu', observed: expect.stringContaining('Threshold Crossed') },
    ]);
  });

  it('one list that cannot be read is its own error; the other is still judged', async () => {
    cloudwatch
      .on(DescribeAlarmsCommand, { StateValue: 'ALARM' })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    cloudwatch
      .on(DescribeAlarmsCommand, {
        AlarmNames: ['Fivestar-High-Error-Rate', 'Fivestar-Low-Payment-Success-Rate'],
      })
      .resolves(guideAlarms('ALARM'));
    expect(await cloudwatchAlarmsCheck.run(testContext(), {})).toMatchObject([
      { status: 'fail', resource: 'Fivestar-High-Error-Rate', expected: 'not in ALARM' },
      { id: 'cloudwatch.alarm.exists', status: 'pass', resource: 'Fivestar-Low-Payment-Success-Rate' },
      {
        id: 'cloudwatch.alarms',
        status: 'error',
        observed: expect.stringMatching(/^could not read the alarms in ALARM: throttled/),
      },
    ]);
  });

  it('follows pagination of the alarms in ALARM', async () => {
    cloudwatch
      .on(DescribeAlarmsCommand, {
        AlarmNames: ['Fivestar-High-Error-Rate', 'Fivestar-Low-Payment-Success-Rate'],
      })
      .resolves(guideAlarms('OK'));
    cloudwatch
      .on(DescribeAlarmsCommand, { StateValue: 'ALARM' })
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'ALARM' }], NextToken: 'page2' })
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'b', StateValue: 'ALARM' }] });
    const firing = (await cloudwatchAlarmsCheck.run(testContext(), {})).filter((r) => r.status === 'fail');
    expect(firing.map((r) => r.resource)).toEqual(['a', 'b']);
  });
});

describe('logs.groups', () => {
  it('checks the five log groups of ops guide §3.1.1 in one call: retention per environment and KMS', async () => {
    logs.on(DescribeLogGroupsCommand).resolves({
      logGroups: [
        { logGroupName: '/ecs/prod-fivestar-internal-pe', retentionInDays: 90 },
        { logGroupName: '/aws/rds/instance/prod-fivestar-payments-db/postgresql', retentionInDays: 30 },
        { logGroupName: '/aws/lambda/prod-fivestar-schedulers', retentionInDays: 90, kmsKeyId: 'arn:k' },
      ],
    });
    const results = await logGroupsCheck.run(testContext(), {});
    expect(results.map((r) => [r.resource, r.id, r.status])).toEqual([
      ['/ecs/prod-fivestar-internal-pe', 'logs.group.retention', 'pass'],
      ['/ecs/prod-fivestar-internal-pe', 'logs.group.kms', 'fail'],
      ['/ecs/prod-fivestar-customer-portal', 'logs.group.exists', 'fail'],
      ['/aws/lambda/prod-fivestar-schedulers', 'logs.group.retention', 'pass'],
      ['/aws/lambda/prod-fivestar-schedulers', 'logs.group.kms', 'pass'],
      ['/aws/rds/instance/prod-fivestar-payments-db/postgresql', 'logs.group.retention', 'warn'],
      ['/aws/rds/instance/prod-fivestar-payments-db/postgresql', 'logs.group.kms', 'fail'],
      ['/aws/security/prod-fivestar-payments', 'logs.group.exists', 'fail'],
    ]);
    expect(logs.commandCalls(DescribeLogGroupsCommand).map((c) => c.args[0].input)).toEqual([
      {
        logGroupIdentifiers: [
          '/ecs/prod-fivestar-internal-pe',
          '/ecs/prod-fivestar-customer-portal',
          '/aws/lambda/prod-fivestar-schedulers',
          '/aws/rds/instance/prod-fivestar-payments-db/postgresql',
          '/aws/security/prod-fivestar-payments',
        ],
      },
    ]);
  });

  it('dev keeps logs 7 days (deployment guide §4.1) and still needs KMS (ops guide §3.1.1, deployment guide §8.1.1)', async () => {
    logs.on(DescribeLogGroupsCommand).callsFake((input: { logGroupIdentifiers: string[] }) => ({
      logGroups: input.logGroupIdentifiers.map((logGroupName) => ({ logGroupName, retentionInDays: 7 })),
    }));
    const results = await logGroupsCheck.run(testContext({ envName: 'dev' }), {});
    expect(results.filter((r) => r.id === 'logs.group.retention').every((r) => r.status === 'pass')).toBe(
      true,
    );
    expect(results.filter((r) => r.id === 'logs.group.kms').map((r) => r.status)).toEqual(
      Array(5).fill('fail'),
    );
    const optional = await logGroupsCheck.run(
      testContext({
        envName: 'dev',
        configYaml: 'environments:\n  dev:\n    logs: { retentionDays: 7, kmsRequired: false }\n',
      }),
      {},
    );
    expect(optional.every((r) => r.status === 'pass' && r.id === 'logs.group.retention')).toBe(true);
  });
});

describe('logs.recent-errors', () => {
  const events = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ message: `ERROR payment ${i} failed`, timestamp: 1 }));

  it('passes with no errors, warns on a few, fails at the threshold and stops paging there', async () => {
    logs
      .on(FilterLogEventsCommand, { logGroupName: '/ecs/prod-fivestar-internal-pe' })
      .resolvesOnce({ events: events(30), nextToken: 't1' })
      .resolvesOnce({ events: events(30), nextToken: 't2' })
      .resolves({ events: events(30), nextToken: 't3' });
    logs
      .on(FilterLogEventsCommand, { logGroupName: '/ecs/prod-fivestar-customer-portal' })
      .resolves({ events: events(3) });
    const ctx = testContext();
    const results = await recentErrorsCheck.run(ctx, {});
    expect(results).toMatchObject([
      {
        status: 'fail',
        observed: '60+ ERROR events in the last 15m',
        detail: 'example: ERROR payment 0 failed',
      },
      { status: 'warn', observed: '3 ERROR events in the last 15m' },
    ]);
    const internal = logs
      .commandCalls(FilterLogEventsCommand)
      .filter((c) => c.args[0].input.logGroupName === '/ecs/prod-fivestar-internal-pe');
    expect(internal).toHaveLength(2);
    expect(internal[0]!.args[0].input).toMatchObject({
      filterPattern: 'ERROR',
      startTime: ctx.since.getTime(),
    });
  });

  it('passes a quiet log group', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    expect((await recentErrorsCheck.run(testContext(), {})).map((r) => r.status)).toEqual(['pass', 'pass']);
  });
});

describe('ssm.maintenance-mode', () => {
  it.each([
    ['false', 'pass'],
    ['true', 'fail'],
    ['maybe', 'warn'],
  ])('value %s is %s', async (value, status) => {
    ssm
      .on(GetParameterCommand, { Name: '/fivestar/payments/prod/features/maintenance_mode' })
      .resolves({ Parameter: { Value: value } });
    expect(await maintenanceModeCheck.run(testContext(), {})).toMatchObject([{ status }]);
  });

  it('warns when the parameter does not exist', async () => {
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('nope'), { name: 'ParameterNotFound' }));
    expect(await maintenanceModeCheck.run(testContext(), {})).toMatchObject([
      { status: 'warn', observed: 'parameter not found' },
    ]);
  });

  it('understands the usual spellings', () => {
    expect(['ON', 'enabled', '1', 'off', 'Disabled', '0', ' false '].map(interpretMaintenanceMode)).toEqual([
      'on',
      'on',
      'on',
      'off',
      'off',
      'off',
      'off',
    ]);
  });
});
