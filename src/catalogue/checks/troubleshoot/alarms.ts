import type { CompositeAlarm, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { z } from 'zod';
import type { CheckResult } from '../../../base/model/check.js';
import { defineCheck } from '../../../base/model/check.js';
import type { Status } from '../../../base/model/finding.js';

export const ALARM_STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const;

type Alarm = Pick<
  MetricAlarm & CompositeAlarm,
  'AlarmName' | 'StateValue' | 'StateReason' | 'StateUpdatedTimestamp'
> &
  Partial<Pick<MetricAlarm, 'Namespace' | 'MetricName' | 'Threshold' | 'ComparisonOperator'>>;

const STATUS: Record<string, Status> = { ALARM: 'fail', INSUFFICIENT_DATA: 'warn', OK: 'pass' };

/** One finding per alarm (ALARM fails, INSUFFICIENT_DATA warns) and the guide's alarms that do not exist (pure). */
export function evaluateAlarmList(
  alarms: readonly Alarm[],
  guideAlarms: readonly string[],
  state?: string,
): CheckResult[] {
  const results: CheckResult[] = [...alarms]
    .sort((a, b) => (b.StateUpdatedTimestamp?.getTime() ?? 0) - (a.StateUpdatedTimestamp?.getTime() ?? 0))
    .map((alarm) => ({
      id: `cloudwatch.alarm.${(alarm.StateValue ?? 'unknown').toLowerCase()}`,
      title: alarm.AlarmName ?? 'unnamed alarm',
      status: STATUS[alarm.StateValue ?? ''] ?? 'warn',
      resource: alarm.MetricName ? `${alarm.Namespace} ${alarm.MetricName}` : 'composite alarm',
      expected: 'OK',
      observed: `${alarm.StateValue ?? 'unknown'} since ${alarm.StateUpdatedTimestamp?.toISOString() ?? 'unknown'}`,
      detail: alarm.StateReason ?? '',
      remediation:
        alarm.StateValue === 'ALARM'
          ? 'Follow the alarm to its symptom: `fsops troubleshoot` lists them (ops guide §13.1).'
          : 'The alarm has no data: check the metric is still published.',
    }));
  if (!state) {
    for (const name of guideAlarms) {
      if (alarms.some((a) => a.AlarmName === name)) continue;
      results.push({
        id: 'cloudwatch.alarm.missing',
        title: name,
        status: 'fail',
        resource: name,
        expected: 'alarm defined (ops guide §3.2.1)',
        observed: 'alarm not found',
        remediation:
          'Create the alarm as ops guide §3.2.1 defines it, or correct names.alarms in the config.',
      });
    }
  }
  if (results.length === 0) {
    results.push({
      id: 'cloudwatch.alarm.none',
      title: 'CloudWatch alarms',
      status: state === 'ALARM' ? 'pass' : 'skip',
      resource: state ? `state ${state}` : 'all alarms',
      observed: state ? `no alarm in ${state}` : 'no alarms defined',
    });
  }
  return results;
}

export const alarmListCheck = defineCheck({
  id: 'cloudwatch.alarm-list',
  title: 'CloudWatch alarms',
  severity: 'high',
  source: 'ops guide §13.2.1, §3.2.1',
  remediation: 'Follow the alarm to its runbook (ops guide §13.1).',
  params: z.object({ state: z.enum(ALARM_STATES).optional() }).strict(),
  async run(ctx, params) {
    const { paginateDescribeAlarms } = await import('@aws-sdk/client-cloudwatch');
    const client = await ctx.aws.cloudwatch();
    const alarms: Alarm[] = [];
    for await (const page of paginateDescribeAlarms(
      { client },
      {
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        ...(params.state ? { StateValue: params.state } : {}),
      },
    )) {
      alarms.push(...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? []));
    }
    return evaluateAlarmList(alarms, ctx.env.names.alarms, params.state);
  },
});
