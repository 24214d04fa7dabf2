import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { evaluateAlarmAudit, summarizeAudit } from '../../../src/checks/alarms-audit.js';
import {
  alarmDiff,
  type DesiredAlarm,
  loadAlarmCatalogue,
  parseAlarmCatalogue,
  putMetricAlarmInput,
} from '../../../src/monitoring/alarm-catalogue.js';
import type { AlarmState } from '../../../src/monitoring/alarm-state.js';

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
  topic: 'prod-high',
  ...over,
});

/** The alarm as PutMetricAlarm would have made it. */
const existing = (alarm: DesiredAlarm, over: Partial<MetricAlarm> = {}): MetricAlarm => ({
  ...(putMetricAlarmInput(alarm, TOPIC) as MetricAlarm),
  StateValue: 'OK',
  StateUpdatedTimestamp: new Date(NOW.getTime() - 60_000),
  ...over,
});

const state = (alarms: MetricAlarm[], confirmed = 1): AlarmState => ({
  alarms: new Map(alarms.map((a) => [a.AlarmName!, a])),
  topicArns: new Set([TOPIC]),
  topics: new Map([['prod-high', { arn: TOPIC, confirmed, pending: 0, endpoints: [] }]]),
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

  it('a topic without a confirmed subscription fails; the summary counts every kind', () => {
    const results = audit([], 0);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['alarms.audit.missing', 'fail'],
      ['alarms.audit.topic', 'fail'],
    ]);
    expect(summarizeAudit('prod', results)).toMatchObject({
      status: 'fail',
      observed:
        '1 missing, 0 drifted, 0 without working actions, 0 stuck in INSUFFICIENT_DATA, 1 topic(s) reaching nobody',
    });
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
  });
});
