import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { alarmsApplyAction } from '../../../src/actions/alarms-apply.js';
import type { ActionContext } from '../../../src/actions/types.js';
import { DEFAULT_CONFIG } from '../../../src/config/defaults.js';
import { testAws, testEnv } from '../../helpers/context.js';

const cloudwatch = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
afterEach(() => {
  cloudwatch.reset();
  sns.reset();
});

describe('alarms.apply: Ctrl-C while a change is in flight', () => {
  it('lets the PutMetricAlarm/Subscribe in flight finish (no abort signal on a mutating call) and starts no new one', async () => {
    const env = testEnv('dev');
    const topicArn = (severity: string) =>
      `arn:aws:sns:ap-south-1:123456789012:dev-fivestar-alerts-${severity}`;
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    sns.on(ListTopicsCommand).resolves({
      Topics: ['critical', 'high', 'warning'].map((s) => ({ TopicArn: topicArn(s) })),
    });
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: 'pending confirmation' });
    const stopper = new AbortController();
    // The person presses Ctrl-C while the first PutMetricAlarm is on its way to CloudWatch.
    cloudwatch.on(PutMetricAlarmCommand).callsFake(async () => {
      stopper.abort();
      return {};
    });
    const ctx: ActionContext = {
      env,
      config: DEFAULT_CONFIG,
      aws: testAws(),
      now: new Date(),
      signal: stopper.signal,
      stopRequested: () => stopper.signal.aborted,
      db: async () => {
        throw new Error('no database');
      },
      log: () => {},
    };
    const plan = await alarmsApplyAction.plan(ctx, {});
    expect(plan.lines.length).toBeGreaterThan(1);
    const results = await plan.apply({ signal: stopper.signal, log: () => {}, auditOutcome: () => {} });
    const puts = cloudwatch.commandCalls(PutMetricAlarmCommand);
    expect(puts).toHaveLength(1);
    // The mutating request was sent without the run's signal: Ctrl-C cannot abort it half-way (and
    // report "failed" for an alarm CloudWatch may have changed).
    for (const call of [...puts, ...sns.commandCalls(SubscribeCommand)]) {
      expect(((call.args as unknown[])[1] ?? {}) as object).not.toHaveProperty('abortSignal');
    }
    expect(results[0]).toMatchObject({ status: 'pass', observed: 'created' });
    expect(results.slice(1).every((r) => r.status === 'skip')).toBe(true);
  });
});
