import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { gatherAlarmState } from '../../../src/domain/monitoring/alarm-state.js';
import { testAws } from '../../helpers/context.js';

const cloudwatch = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
beforeEach(() => {
  cloudwatch.reset();
  sns.reset();
});

describe('gatherAlarmState (SDK boundary)', () => {
  it('asks DescribeAlarms for at most 100 names per call and follows NextToken; pages topics and subscriptions', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `alarm-${i}`);
    cloudwatch
      .on(DescribeAlarmsCommand)
      .callsFake((input: { AlarmNames: string[]; NextToken?: string }) =>
        input.NextToken
          ? { MetricAlarms: [{ AlarmName: input.AlarmNames[1] }] }
          : { MetricAlarms: [{ AlarmName: input.AlarmNames[0] }], NextToken: 'page2' },
      );
    sns
      .on(ListTopicsCommand, { NextToken: undefined })
      .resolves({ Topics: [{ TopicArn: 'arn:aws:sns:ap-south-1:1:prod-high' }], NextToken: 't2' })
      .on(ListTopicsCommand, { NextToken: 't2' })
      .resolves({ Topics: [{ TopicArn: 'arn:aws:sns:ap-south-1:1:prod-critical' }] });
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        { SubscriptionArn: 'PendingConfirmation', Protocol: 'email', Endpoint: 'a@x' },
        {
          SubscriptionArn: 'arn:aws:sns:ap-south-1:1:prod-critical:1',
          Protocol: 'https',
          Endpoint: 'https://pd',
        },
      ],
    });
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: { KmsMasterKeyId: 'alias/fivestar-alerts' } });
    const state = await gatherAlarmState(testAws(), names, ['prod-critical', 'prod-missing']);
    const calls = cloudwatch.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input);
    // The two batches run together, each paged.
    expect(calls.map((c) => c.AlarmNames!.length).sort()).toEqual([100, 100, 50, 50]);
    expect(calls.every((c) => c.AlarmTypes!.join() === 'MetricAlarm')).toBe(true);
    expect([...state.alarms.keys()].sort()).toEqual(['alarm-0', 'alarm-1', 'alarm-100', 'alarm-101']);
    expect(state.topicArns.size).toBe(2);
    expect(state.topics.get('prod-critical')).toMatchObject({
      confirmed: 1,
      pending: 1,
      kmsKeyId: 'alias/fivestar-alerts',
    });
    expect(state.topics.has('prod-missing')).toBe(false);
  });

  it('access denied is an error for the runner (exit 3 / error finding), not an empty account', async () => {
    cloudwatch
      .on(DescribeAlarmsCommand)
      .rejects(
        Object.assign(new Error('not authorized to cloudwatch:DescribeAlarms'), { name: 'AccessDenied' }),
      );
    sns.on(ListTopicsCommand).resolves({ Topics: [] });
    await expect(gatherAlarmState(testAws(), ['a'], ['t'])).rejects.toThrow('not authorized');
  });
});
