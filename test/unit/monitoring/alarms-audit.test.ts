import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { evaluateAlarmAudit, summarizeAudit } from '../../../src/catalogue/checks/alarms-audit.js';
import {
  alarmDiff,
  type DesiredAlarm,
  loadAlarmCatalogue,
  parseAlarmCatalogue,
  putMetricAlarmInput,
} from '../../../src/domain/monitoring/alarm-catalogue.js';
import type { AlarmState } from '../../../src/domain/monitoring/alarm-state.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const TOPIC = 'arn:aws:sns:ap-south-1:1:prod-high';

const desired = (over: Partial<DesiredAlarm> = {}): DesiredAlarm => ({
  name: 'Fivestar-RDS-CPU-High',
  description: '',
  source: 'ops guide §8.1.1',
  severity: 'high',
  namespace: 'AWS/RDS',
  metric: 'CPUUtilization',
  dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'prod-fivestar-payments-db' }],
  statistic: 'Average',
  threshold: 80,
  comparison: 'GreaterThanThreshold',
  period: 60,
  evaluationPeriods: 5,
  datapointsToAlarm: 5,
  treatMissingData: 'missing',
  topics: ['prod-high'],
  ...over,
});

/** The alarm as PutMetricAlarm would have made it. */
const existing = (alarm: DesiredAlarm, over: Partial<MetricAlarm> = {}): MetricAlarm => ({
  ...(putMetricAlarmInput(alarm, [TOPIC]) as MetricAlarm),
  StateValue: 'OK',
  StateUpdatedTimestamp: new Date(NOW.getTime() - 60_000),
  ...over,
});

const state = (alarms: MetricAlarm[], confirmed = 1): AlarmState => ({
  alarms: new Map(alarms.map((a) => [a.AlarmName!, a])),
  topicArns: new Set([TOPIC]),
  topics: new Map([
    [
      'prod-high',
      { arn: TOPIC, confirmed, pending: 0, endpoints: [], kmsKeyId: 'alias/fivestar-alerts', policy: '' },
    ],
  ]),
});

const audit = (alarms: MetricAlarm[], confirmed = 1) =>
  evaluateAlarmAudit({
    env: 'prod',
    desired: [desired()],
    topics: { critical: 'prod-critical', high: 'prod-high', warning: 'prod-warning' },
    events: [],
    state: state(alarms, confirmed),
    now: NOW,
  });

describe('alarm audit (pure)', () => {
  it('an alarm made from the catalogue has no diff and passes', () => {
    expect(alarmDiff(desired(), existing(desired()))).toEqual([]);
    expect(audit([existing(desired())]).map((r) => [r.id, r.status])).toEqual([
      ['alarms.audit.ok', 'pass'],
      ['alarms.audit.topic', 'pass'],
    ]);
  });

  it('reports each drifted field old -> new; CloudWatch defaults are not drift', () => {
    const drifted = existing(desired(), {
      Threshold: 90,
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Statistic: 'Maximum',
      EvaluationPeriods: 3,
      DatapointsToAlarm: undefined,
      TreatMissingData: undefined,
    });
    expect(audit([drifted])[0]).toMatchObject({
      id: 'alarms.audit.drift',
      status: 'fail',
      observed:
        'statistic: Maximum -> Average; threshold: 90 -> 80; comparison: GreaterThanOrEqualToThreshold -> GreaterThanThreshold; period: 300 -> 60; evaluationPeriods: 3 -> 5; datapointsToAlarm: 3 -> 5',
    });
  });

  it('no actions, disabled actions and actions to a deleted topic fail', () => {
    expect(audit([existing(desired(), { AlarmActions: [] })])[0]).toMatchObject({
      id: 'alarms.audit.actions',
      observed: 'no alarm actions',
    });
    expect(audit([existing(desired(), { ActionsEnabled: false })])[0]!.observed).toBe('actions disabled');
    expect(
      audit([existing(desired(), { AlarmActions: ['arn:aws:sns:ap-south-1:1:gone'] })])[0],
    ).toMatchObject({ id: 'alarms.audit.actions', observed: 'actions to topics that do not exist: gone' });
  });

  it('INSUFFICIENT_DATA for over an hour is stuck (warn); a fresh one is not', () => {
    const stuck = existing(desired(), {
      StateValue: 'INSUFFICIENT_DATA',
      StateUpdatedTimestamp: new Date(NOW.getTime() - 2 * 3_600_000),
    });
    expect(audit([stuck])[0]).toMatchObject({ id: 'alarms.audit.insufficient-data', status: 'warn' });
    const fresh = existing(desired(), { StateValue: 'INSUFFICIENT_DATA' });
    expect(audit([fresh])[0]!.id).toBe('alarms.audit.ok');
  });

  it('an alarm on a metric without datapoints (ListMetrics) is not OK, even just created (issue 18)', () => {
    const results = evaluateAlarmAudit({
      env: 'prod',
      desired: [desired()],
      topics: { high: 'prod-high' },
      events: [],
      state: state([existing(desired(), { StateValue: 'INSUFFICIENT_DATA' })]),
      now: NOW,
      noData: new Set(['Fivestar-RDS-CPU-High']),
    });
    expect(results[0]).toMatchObject({
      id: 'alarms.audit.insufficient-data',
      status: 'warn',
      observed: 'no datapoint in the last two weeks (ListMetrics): the alarm cannot fire (INSUFFICIENT_DATA)',
    });
  });

  it('a topic without a confirmed subscription fails; the summary counts every kind', () => {
    const results = audit([], 0);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['alarms.audit.missing', 'fail'],
      ['alarms.audit.topic', 'fail'],
    ]);
    expect(summarizeAudit('prod', results)).toMatchObject({
      status: 'fail',
      observed:
        '1 missing, 0 drifted, 0 without working actions, 0 stuck in INSUFFICIENT_DATA, 1 topic(s) reaching nobody, 0 metric filter(s) or event rule(s) missing',
    });
  });

  it('routes by team: an alarm notifying another topic than the catalogue says is drift (ops guide §3.2.1)', () => {
    const payments = desired({ name: 'Fivestar-Low-Payment-Success-Rate', topics: ['prod-payments'] });
    const results = evaluateAlarmAudit({
      env: 'prod',
      desired: [payments],
      topics: { high: 'prod-high', payments: 'prod-payments' },
      events: [],
      state: {
        ...state([existing(payments, { AlarmActions: [TOPIC] })]),
        topicArns: new Set([TOPIC, 'arn:aws:sns:ap-south-1:1:prod-payments']),
      },
      now: NOW,
    });
    expect(results[0]).toMatchObject({
      status: 'fail',
      observed: 'actions: prod-high',
      expected: expect.stringContaining('prod-payments'),
    });
  });

  it('a topic encrypted with the AWS managed key fails: CloudWatch cannot publish to it', () => {
    const s = state([existing(desired())]);
    s.topics.get('prod-high')!.kmsKeyId = 'alias/aws/sns';
    const results = evaluateAlarmAudit({
      env: 'prod',
      desired: [desired()],
      topics: { high: 'prod-high' },
      events: [],
      state: s,
      now: NOW,
    });
    expect(results.find((r) => r.id === 'alarms.audit.topic')).toMatchObject({
      status: 'fail',
      observed: expect.stringContaining('cannot publish'),
    });
  });

  it('an event rule is judged (missing, disabled, without its target), no longer skipped', () => {
    const rule = {
      name: 'Fivestar-GuardDuty-High',
      rule: 'prod-fivestar-guardduty-high',
      source: 'ops guide §5.2.1',
      severity: 'critical' as const,
      pattern: '{"source":["aws.guardduty"]}',
      note: '',
      topics: ['prod-high'],
    };
    const run = (found?: { state: string; targets: string[] }, policy = '') => {
      const s = state([existing(desired())]);
      s.topics.get('prod-high')!.policy = policy;
      return evaluateAlarmAudit({
        env: 'prod',
        desired: [desired()],
        topics: { high: 'prod-high' },
        events: [rule],
        state: s,
        now: NOW,
        rules: new Map([
          [
            rule.rule,
            found
              ? { exists: true, state: found.state, pattern: rule.pattern, targets: found.targets }
              : { exists: false, state: null, pattern: null, targets: [] },
          ],
        ]),
      });
    };
    const allow = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish' }],
    });
    expect(run().find((r) => r.id === 'alarms.audit.event-rule')).toMatchObject({
      status: 'fail',
      observed: 'rule not found',
    });
    expect(
      run({ state: 'DISABLED', targets: [] }).find((r) => r.id === 'alarms.audit.event-rule')!.observed,
    ).toBe('state DISABLED; no target prod-high');
    const ok = run({ state: 'ENABLED', targets: [TOPIC] }, allow);
    expect(ok.find((r) => r.id === 'alarms.audit.event-rule')!.status).toBe('pass');
    expect(ok.filter((r) => r.status !== 'pass')).toEqual([]);
    // Without a policy statement for EventBridge, the findings are dropped by SNS.
    expect(
      run({ state: 'ENABLED', targets: [TOPIC] }).find(
        (r) => r.title === 'EventBridge may publish to the topic',
      ),
    ).toMatchObject({ status: 'fail' });
  });
});

describe('alarm catalogue loading', () => {
  const topics =
    'topics:\n  critical: { name: c, escalation: x }\n  high: { name: h, escalation: x }\n  warning: { name: w, escalation: x }\n';
  const entry = (over: string) =>
    `source: t\n${topics}alarms:\n  - { name: A, source: s, severity: high, namespace: N, metric: M, threshold: 1, comparison: GreaterThanThreshold, period: 60, evaluationPeriods: 2, ${over} }\n`;

  it('rejects bad entries with their dotted path, all at once', () => {
    expect(() => parseAlarmCatalogue(entry('statistic: Average, extendedStatistic: p99'), 'x.yaml')).toThrow(
      /alarms\.0\.statistic: give exactly one of statistic and extendedStatistic/,
    );
    expect(() => parseAlarmCatalogue(entry('statistic: Median'), 'x.yaml')).toThrow(
      /alarms\.0\.statistic: must be one of "Average", "Sum"/,
    );
    expect(() => parseAlarmCatalogue(entry('statistic: Sum, datapointsToAlarm: 3'), 'x.yaml')).toThrow(
      /alarms\.0\.datapointsToAlarm: datapointsToAlarm must not exceed evaluationPeriods/,
    );
    expect(() => parseAlarmCatalogue(entry('statistic: Sum, color: red'), 'x.yaml')).toThrow(/alarms\.0/);
    expect(() =>
      parseAlarmCatalogue(
        `${entry('statistic: Sum').replace('alarms:\n', 'alarms:\n  - { name: A, source: s, severity: high, namespace: N, metric: M, statistic: Sum, threshold: 1, comparison: LessThanThreshold, period: 60, evaluationPeriods: 1 }\n')}`,
        'x.yaml',
      ),
    ).toThrow(/alarms\.1\.name: duplicate of alarms\.0\.name/);
  });

  it('accepts p99 as an extended statistic and the shipped catalogue', () => {
    expect(parseAlarmCatalogue(entry('extendedStatistic: p99'), 'x.yaml').alarms[0]!.extendedStatistic).toBe(
      'p99',
    );
    const shipped = loadAlarmCatalogue();
    expect(shipped.alarms.map((a) => a.name)).toEqual(
      expect.arrayContaining([
        'Fivestar-High-Error-Rate',
        'Fivestar-Low-Payment-Success-Rate',
        'Fivestar-Payment-Processing-Failed',
        'Fivestar-System-Down-{component}',
        'Fivestar-Database-Unavailable',
        'Fivestar-ECS-CPU-High-{component}',
        'Fivestar-ECS-Memory-High-{component}',
      ]),
    );
    expect(shipped.events.map((e) => e.name)).toEqual(['Fivestar-GuardDuty-High']);
    // The guide's routing (ops guide §3.2.1, §7.1.1): payments and security alarms go to their teams.
    const notify = (name: string) => shipped.alarms.find((a) => a.name === name)!.notify;
    expect(notify('Fivestar-Low-Payment-Success-Rate')).toEqual(['payments']);
    expect(notify('Fivestar-Failed-Logins')).toEqual(['security']);
    expect(shipped.topics.payments!.subscriptions).toEqual([
      { protocol: 'email', endpoint: 'payments-team@1cloudhub.com' },
    ]);
    expect(shipped.metricFilters.map((f) => f.metric)).toEqual(['FailedLoginAttempts']);
    expect(shipped.alarms.map((a) => a.name)).toEqual(
      expect.arrayContaining([
        'Fivestar-API-Latency-P95-{component}',
        'Fivestar-ALB-5XX-Rate-{component}',
        'Fivestar-ALB-Unhealthy-Hosts-{component}',
        'Fivestar-No-Running-Tasks-{component}',
      ]),
    );
    const systemDown = shipped.alarms.find((a) => a.name === 'Fivestar-System-Down-{component}')!;
    expect([systemDown.namespace, systemDown.metric]).toEqual(['AWS/ApplicationELB', 'HealthyHostCount']);
  });
});
