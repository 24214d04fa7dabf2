import type { CompositeAlarm, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { CheckContext, CheckDefinition, CheckResult } from '../engine/model/check.js';

type Alarm = Pick<
  MetricAlarm | CompositeAlarm,
  'AlarmName' | 'StateValue' | 'StateReason' | 'StateUpdatedTimestamp'
>;

export interface AlarmFacts {
  /** The guide's alarms that exist, by name. */
  expected: Alarm[];
  /** Every alarm of the account in ALARM. */
  firing: Alarm[];
}

/** Alarms by name and alarms in ALARM, two independent DescribeAlarms calls run together (paginated). */
export function alarmFacts(ctx: CheckContext): Promise<AlarmFacts> {
  return ctx.once('cloudwatch.alarms', async () => {
    const { paginateDescribeAlarms } = await import('@aws-sdk/client-cloudwatch');
    const client = await ctx.aws.cloudwatch();
    const collect = async (input: Parameters<typeof paginateDescribeAlarms>[1]) => {
      const alarms: Alarm[] = [];
      for await (const page of paginateDescribeAlarms({ client }, input)) {
        alarms.push(...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? []));
      }
      return alarms;
    };
    const names = ctx.env.names.alarms;
    const [expected, firing] = await Promise.all([
      names.length
        ? collect({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] })
        : Promise.resolve([]),
      collect({ StateValue: 'ALARM', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
    ]);
    return { expected, firing };
  });
}

export function evaluateAlarms(expectedNames: string[], facts: AlarmFacts): CheckResult[] {
  const results: CheckResult[] = [];
  for (const name of expectedNames) {
    const alarm = facts.expected.find((a) => a.AlarmName === name);
    if (!alarm) {
      results.push({
        id: 'cloudwatch.alarm.exists',
        title: 'Guide alarm exists',
        status: 'fail',
        severity: 'high',
        resource: name,
        expected: 'alarm defined (ops guide §3.2.1)',
        observed: 'alarm not found',
        remediation:
          'Create the alarm as ops guide §3.2.1 defines it, or correct names.alarms in the config.',
      });
    } else if (alarm.StateValue === 'INSUFFICIENT_DATA') {
      results.push({
        id: 'cloudwatch.alarm.data',
        title: 'Guide alarm has data',
        status: 'warn',
        resource: name,
        expected: 'OK',
        observed: `INSUFFICIENT_DATA: ${alarm.StateReason ?? ''}`.trim(),
        remediation: 'Check that the application publishes the metric the alarm watches.',
      });
    } else if (alarm.StateValue !== 'ALARM') {
      results.push({
        id: 'cloudwatch.alarm.exists',
        title: 'Guide alarm exists',
        status: 'pass',
        resource: name,
        observed: alarm.StateValue ?? 'unknown',
      });
    }
  }
  if (facts.firing.length === 0) {
    results.push({
      status: 'pass',
      resource: 'all alarms',
      expected: 'no alarm in ALARM',
      observed: 'none in ALARM',
    });
  }
  for (const alarm of facts.firing) {
    results.push({
      status: 'fail',
      resource: alarm.AlarmName ?? 'unknown',
      expected: 'not in ALARM',
      observed:
        `ALARM since ${alarm.StateUpdatedTimestamp?.toISOString() ?? 'unknown'}: ${alarm.StateReason ?? ''}`.trim(),
    });
  }
  return results;
}

export const cloudwatchAlarmsCheck: CheckDefinition = {
  id: 'cloudwatch.alarms',
  title: 'No CloudWatch alarm in ALARM',
  severity: 'high',
  source: 'ops guide §3.2, §13.2.1',
  remediation: 'Follow the alarm to its runbook: `fsops troubleshoot` lists the symptoms (ops guide §13.1).',
  async run(ctx) {
    return evaluateAlarms(ctx.env.names.alarms, await alarmFacts(ctx));
  },
};
