import type { CompositeAlarm, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { CheckContext, CheckResult } from '../../base/model/check.js';
import { defineCheck, noParams } from '../../base/model/check.js';
import { type Got, gather, unreadFact } from './partial.js';

type Alarm = Pick<
  MetricAlarm | CompositeAlarm,
  'AlarmName' | 'StateValue' | 'StateReason' | 'StateUpdatedTimestamp'
>;

export interface AlarmFacts {
  /** The guide's alarms that exist, by name (or why they could not be read). */
  expected: Got<Alarm[]>;
  /** Every alarm of the account in ALARM (or why they could not be read). */
  firing: Got<Alarm[]>;
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
    const [expected, firing] = await gather(
      names.length
        ? collect({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] })
        : Promise.resolve([]),
      collect({ StateValue: 'ALARM', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
    );
    return { expected, firing };
  });
}

/** Judges each list that arrived; one that could not be read is its own error, never "none". */
export function evaluateAlarms(expectedNames: string[], facts: AlarmFacts): CheckResult[] {
  const results: CheckResult[] = [];
  const { expected, firing } = facts;
  if (!expected.ok && expectedNames.length > 0)
    results.push(
      unreadFact('cloudwatch.alarm.exists', expectedNames.join(', '), "the guide's alarms", expected.reason),
    );
  const existing = expected.ok ? expected.value : [];
  for (const name of expected.ok ? expectedNames : []) {
    const alarm = existing.find((a) => a.AlarmName === name);
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
    } else if (alarm.StateValue === 'ALARM' && !firing.ok) {
      // The list of firing alarms did not arrive: this one is known to fire, so it is said here.
      results.push({
        status: 'fail',
        resource: name,
        expected: 'not in ALARM',
        observed:
          `ALARM since ${alarm.StateUpdatedTimestamp?.toISOString() ?? 'unknown'}: ${alarm.StateReason ?? ''}`.trim(),
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
  if (!firing.ok) {
    results.push(unreadFact('cloudwatch.alarms', 'all alarms', 'the alarms in ALARM', firing.reason));
    return results;
  }
  if (firing.value.length === 0) {
    results.push({
      status: 'pass',
      resource: 'all alarms',
      expected: 'no alarm in ALARM',
      observed: 'none in ALARM',
    });
  }
  for (const alarm of firing.value) {
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

export const cloudwatchAlarmsCheck = defineCheck({
  id: 'cloudwatch.alarms',
  title: 'No CloudWatch alarm in ALARM',
  severity: 'high',
  source: 'ops guide §3.2, §13.2.1',
  remediation: 'Follow the alarm to its runbook: `fsops troubleshoot` lists the symptoms (ops guide §13.1).',
  params: noParams,
  async run(ctx) {
    return evaluateAlarms(ctx.env.names.alarms, await alarmFacts(ctx));
  },
});
