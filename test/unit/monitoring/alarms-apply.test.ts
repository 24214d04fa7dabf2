import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  ListMetricsCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  DescribeMetricFiltersCommand,
  PutMetricFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/base/config/defaults.js';
import type { ActionContext } from '../../../src/catalogue/action.js';
import { alarmsApplyAction } from '../../../src/catalogue/actions/alarms-apply.js';
import { testAws, testEnv } from '../../helpers/context.js';

const cloudwatch = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
const logs = mockClient(CloudWatchLogsClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const events = mockClient(EventBridgeClient);
const kms = mockClient(KMSClient);
const notFound = (name: string) => Object.assign(new Error(`${name} not found`), { name });
const topicArn = (name: string) => `arn:aws:sns:ap-south-1:123456789012:${name}`;

beforeEach(() => {
  elb.on(DescribeLoadBalancersCommand).callsFake((input: { Names: string[] }) => ({
    LoadBalancers: [
      { LoadBalancerArn: `arn:aws:elasticloadbalancing:ap-south-1:1:loadbalancer/app/${input.Names[0]}/abc` },
    ],
  }));
  elb.on(DescribeTargetGroupsCommand).callsFake((input: { LoadBalancerArn: string }) => ({
    TargetGroups: [
      {
        TargetGroupArn: `arn:aws:elasticloadbalancing:ap-south-1:1:targetgroup/${input.LoadBalancerArn.split('/')[2]}-tg/def`,
      },
    ],
  }));
  logs.on(DescribeMetricFiltersCommand).resolves({ metricFilters: [] });
  events.on(DescribeRuleCommand).rejects(notFound('ResourceNotFoundException'));
  events.on(ListTargetsByRuleCommand).rejects(notFound('ResourceNotFoundException'));
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
  sns.on(GetTopicAttributesCommand).resolves({ Attributes: { Policy: '{"Statement":[]}' } });
  kms.on(DescribeKeyCommand).resolves({
    KeyMetadata: {
      KeyId: 'k1',
      Arn: 'arn:aws:kms:ap-south-1:123456789012:key/k1',
      Enabled: true,
      KeyState: 'Enabled',
    },
  });
});
afterEach(() => {
  for (const mock of [cloudwatch, sns, logs, elb, events, kms]) mock.reset();
});

const run = (signal = new AbortController().signal) => ({ signal, log: () => {}, auditOutcome: () => {} });

function context(signal = new AbortController().signal): ActionContext {
  return {
    env: testEnv('dev'),
    config: DEFAULT_CONFIG,
    aws: testAws(),
    now: new Date(),
    signal,
    stopRequested: () => signal.aborted,
    db: async () => {
      throw new Error('no database');
    },
    log: () => {},
  };
}

/** ListMetrics knows no metric (the plan warns about each alarm; these tests look at other things). */
function metricsWithData() {
  cloudwatch.on(ListMetricsCommand).resolves({ Metrics: [] });
}

describe('alarms.apply: Ctrl-C while a change is in flight', () => {
  it('lets the PutMetricAlarm/Subscribe in flight finish (no abort signal on a mutating call) and starts no new one', async () => {
    sns.on(ListTopicsCommand).resolves({
      Topics: ['critical', 'high', 'warning', 'payments', 'security'].map((s) => ({
        TopicArn: topicArn(
          s === 'payments' || s === 'security' ? `dev-fivestar-${s}-alerts` : `dev-fivestar-alerts-${s}`,
        ),
      })),
    });
    sns.on(GetTopicAttributesCommand).resolves({
      Attributes: {
        KmsMasterKeyId: 'alias/fivestar-alerts',
        Policy: JSON.stringify({
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish' },
          ],
        }),
      },
    });
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: 'pending confirmation' });
    logs.on(PutMetricFilterCommand).resolves({});
    metricsWithData();
    const stopper = new AbortController();
    // The person presses Ctrl-C while the first PutMetricAlarm is on its way to CloudWatch.
    cloudwatch.on(PutMetricAlarmCommand).callsFake(async () => {
      stopper.abort();
      return {};
    });
    const plan = await alarmsApplyAction.plan(context(stopper.signal), {});
    expect(plan.lines.length).toBeGreaterThan(1);
    const results = await plan.apply({ signal: stopper.signal, log: () => {}, auditOutcome: () => {} });
    const puts = cloudwatch.commandCalls(PutMetricAlarmCommand);
    expect(puts).toHaveLength(1);
    // The mutating request was sent without the run's signal: Ctrl-C cannot abort it half-way (and
    // report "failed" for an alarm CloudWatch may have changed).
    for (const call of [...puts, ...sns.commandCalls(SubscribeCommand)]) {
      expect(((call.args as unknown[])[1] ?? {}) as object).not.toHaveProperty('abortSignal');
    }
    const first = results.findIndex((r) => r.observed === 'created' && r.expected?.includes('->'));
    expect(first).toBeGreaterThan(-1);
    expect(results.filter((r) => r.observed?.startsWith('not done: interrupted')).length).toBeGreaterThan(0);
    expect(cloudwatch.commandCalls(PutMetricAlarmCommand)).toHaveLength(1);
  });
});

describe('alarms.apply on an account with no topics', () => {
  it('plans the topics (encrypted, tagged), the filter, the alarms and the GuardDuty rule, and makes them in order', async () => {
    const created = new Map<string, string>();
    sns.on(ListTopicsCommand).resolves({ Topics: [] });
    sns.on(CreateTopicCommand).callsFake((input: { Name: string }) => {
      created.set(input.Name, topicArn(input.Name));
      return { TopicArn: topicArn(input.Name) };
    });
    sns.on(SetTopicAttributesCommand).resolves({});
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: 'pending confirmation' });
    logs.on(PutMetricFilterCommand).resolves({});
    cloudwatch.on(PutMetricAlarmCommand).resolves({});
    events.on(PutRuleCommand).resolves({ RuleArn: 'arn:rule' });
    events.on(PutTargetsCommand).resolves({ FailedEntryCount: 0 });
    metricsWithData();

    const plan = await alarmsApplyAction.plan(context(), {});
    expect(plan.lines).toContain(
      'create topic dev-fivestar-payments-alerts: SNS topic dev-fivestar-payments-alerts (team payments), encrypted with alias/fivestar-alerts, tagged ManagedBy=fsops',
    );
    expect(plan.lines).toContain(
      'let EventBridge publish to dev-fivestar-security-alerts (topic policy statement)',
    );
    expect(plan.lines.some((l) => l.startsWith('create event rule dev-fivestar-guardduty-high'))).toBe(true);
    expect(plan.lines.some((l) => l.startsWith('create metric filter dev-fivestar-failed-logins'))).toBe(
      true,
    );
    // Nothing was created while planning.
    expect(sns.commandCalls(CreateTopicCommand)).toHaveLength(0);

    const results = await plan.apply(run());
    expect(results.filter((r) => r.status === 'error')).toEqual([]);
    const createCalls = sns.commandCalls(CreateTopicCommand).map((c) => c.args[0].input);
    expect(createCalls.map((c) => c.Name).sort()).toEqual(
      [
        'dev-fivestar-alerts-critical',
        'dev-fivestar-alerts-high',
        'dev-fivestar-alerts-warning',
        'dev-fivestar-payments-alerts',
        'dev-fivestar-security-alerts',
      ].sort(),
    );
    for (const c of createCalls) {
      expect(c.Attributes).toEqual({ KmsMasterKeyId: 'alias/fivestar-alerts' });
      expect(c.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'ManagedBy', Value: 'fsops' },
          { Key: 'Environment', Value: 'dev' },
        ]),
      );
    }
    // The payments alarm goes to the payments team's topic (ops guide §3.2.1), with the new topic's ARN.
    const put = (name: string) =>
      cloudwatch.commandCalls(PutMetricAlarmCommand).find((c) => c.args[0].input.AlarmName === name)!.args[0]
        .input;
    expect(put('Fivestar-Low-Payment-Success-Rate').AlarmActions).toEqual([
      topicArn('dev-fivestar-payments-alerts'),
    ]);
    expect(put('Fivestar-Failed-Logins').AlarmActions).toEqual([topicArn('dev-fivestar-security-alerts')]);
    // SystemDown judges the ALB's healthy hosts per target group (ops guide §5.2.1).
    expect(put('Fivestar-System-Down-internal-pe')).toMatchObject({
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HealthyHostCount',
      Dimensions: [
        { Name: 'LoadBalancer', Value: 'app/dev-internal-pe-alb/abc' },
        { Name: 'TargetGroup', Value: 'targetgroup/dev-internal-pe-alb-tg/def' },
      ],
      EvaluationPeriods: 3,
    });
    expect(put('Fivestar-API-Latency-P95-internal-pe')).toMatchObject({
      ExtendedStatistic: 'p95',
      Threshold: 2,
    });
    expect(put('Fivestar-ALB-5XX-Rate-customer-portal').Metrics![0]).toMatchObject({
      Expression: '100 * errors / requests',
      ReturnData: true,
    });
    // The metric filter on the security log group (ops guide §7.1.1).
    expect(logs.commandCalls(PutMetricFilterCommand)[0]!.args[0].input).toMatchObject({
      logGroupName: '/aws/security/dev-fivestar-payments',
      filterName: 'dev-fivestar-failed-logins',
      filterPattern: DEFAULT_CONFIG.security.failedLogin.pattern,
    });
    // The GuardDuty rule and its targets; the topic policies let EventBridge publish.
    expect(events.commandCalls(PutRuleCommand)[0]!.args[0].input).toMatchObject({
      Name: 'dev-fivestar-guardduty-high',
      State: 'ENABLED',
    });
    expect(events.commandCalls(PutTargetsCommand)[0]!.args[0].input.Targets!.map((t) => t.Arn)).toEqual([
      topicArn('dev-fivestar-alerts-critical'),
      topicArn('dev-fivestar-security-alerts'),
    ]);
    const policies = sns
      .commandCalls(SetTopicAttributesCommand)
      .filter((c) => c.args[0].input.AttributeName === 'Policy');
    expect(policies).toHaveLength(2);
    expect(policies[0]!.args[0].input.AttributeValue).toContain('events.amazonaws.com');
    // Topics exist before anything publishes to them.
    const order = [
      ...sns.commandCalls(CreateTopicCommand).map((c) => c.args[0].input),
      ...cloudwatch.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input),
    ];
    expect(order.length).toBeGreaterThan(10);
  });

  it('a topic that cannot be created leaves its alarms undone, each with an error naming the topic', async () => {
    sns.on(ListTopicsCommand).resolves({ Topics: [] });
    sns.on(CreateTopicCommand).callsFake((input: { Name: string }) => {
      if (input.Name === 'dev-fivestar-payments-alerts') throw notFound('AuthorizationErrorException');
      return { TopicArn: topicArn(input.Name) };
    });
    sns.on(SetTopicAttributesCommand).resolves({});
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: 'pending confirmation' });
    logs.on(PutMetricFilterCommand).resolves({});
    cloudwatch.on(PutMetricAlarmCommand).resolves({});
    events.on(PutRuleCommand).resolves({});
    events.on(PutTargetsCommand).resolves({ FailedEntryCount: 0 });
    metricsWithData();
    const results = await (await alarmsApplyAction.plan(context(), {})).apply(run());
    expect(
      results.find((r) => r.resource === 'Fivestar-Low-Payment-Success-Rate' && r.status !== 'warn'),
    ).toMatchObject({
      status: 'error',
      observed: 'not done: topic dev-fivestar-payments-alerts could not be created',
    });
    expect(
      cloudwatch
        .commandCalls(PutMetricAlarmCommand)
        .some((c) => c.args[0].input.AlarmName === 'Fivestar-Low-Payment-Success-Rate'),
    ).toBe(false);
  });
});

describe('alarms.apply: a metric without data (issue 18)', () => {
  it('warns in the plan and in the report when ListMetrics knows no datapoint of the metric', async () => {
    sns.on(ListTopicsCommand).resolves({ Topics: [] });
    cloudwatch.on(ListMetricsCommand).callsFake((input: { Namespace: string; MetricName: string }) => ({
      // Every metric has data with the dimensions the dev catalogue renders, except the ECS CPU one.
      Metrics:
        input.MetricName === 'CPUUtilization' && input.Namespace === 'AWS/ECS'
          ? []
          : [{ Namespace: input.Namespace, MetricName: input.MetricName, Dimensions: [] }],
    }));
    const plan = await alarmsApplyAction.plan(context(), {});
    const warnings = plan.lines.filter((l) => l.startsWith('warning: '));
    expect(
      warnings.some((l) =>
        l.startsWith('warning: Fivestar-ECS-CPU-High-internal-pe: AWS/ECS CPUUtilization'),
      ),
    ).toBe(true);
    expect(warnings.join('\n')).toContain('no datapoint in the last two weeks (ListMetrics)');
    expect(
      plan.preview.find(
        (p) =>
          p.resource === 'Fivestar-ECS-CPU-High-internal-pe' &&
          p.status === 'warn' &&
          p.observed?.includes('ListMetrics'),
      ),
    ).toBeDefined();
    // One ListMetrics per namespace and metric name, not per alarm.
    const asked = cloudwatch
      .commandCalls(ListMetricsCommand)
      .map((c) => `${c.args[0].input.Namespace} ${c.args[0].input.MetricName}`);
    expect(new Set(asked).size).toBe(asked.length);
  });

  it('a catalogue alarm on NoSuchMetricXYZ is named in the plan', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'fsops-cat-')), 'alarms.yaml');
    writeFileSync(
      file,
      readFileSync('monitoring/alarms.yaml', 'utf8').replace(
        'metric: DatabaseConnectionFailures',
        'metric: NoSuchMetricXYZ',
      ),
    );
    sns.on(ListTopicsCommand).resolves({ Topics: [] });
    cloudwatch.on(ListMetricsCommand).callsFake((input: { MetricName: string }) => ({
      Metrics: input.MetricName === 'NoSuchMetricXYZ' ? [] : undefined,
    }));
    const plan = await alarmsApplyAction.plan(context(), { catalogue: file });
    expect(plan.lines).toContain(
      'warning: Fivestar-Database-Unavailable: Fivestar/Application NoSuchMetricXYZ has data with no dimensions: no datapoint in the last two weeks (ListMetrics): the alarm would stay INSUFFICIENT_DATA and never fire',
    );
  });
});
