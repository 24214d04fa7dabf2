import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { AwsClients } from '../aws/clients.js';

/** DescribeAlarms takes at most 100 AlarmNames per call. */
export const MAX_ALARM_NAMES = 100;

export interface TopicState {
  arn: string;
  /** Subscriptions confirmed (not PendingConfirmation). */
  confirmed: number;
  pending: number;
  /** Protocol:endpoint of every subscription (confirmed or not), to plan Subscribe only where none exists. */
  endpoints: string[];
}

export interface AlarmState {
  /** The catalogue's alarms that exist, by name. */
  alarms: Map<string, MetricAlarm>;
  /** Every SNS topic of the account and region, by ARN. */
  topicArns: Set<string>;
  /** The catalogue's topics that exist, by name, with their subscriptions. */
  topics: Map<string, TopicState>;
}

/**
 * The CloudWatch and SNS facts the alarm audit and apply compare with the catalogue: DescribeAlarms
 * by name in batches of 100 (paginated), ListTopics (paginated), and ListSubscriptionsByTopic for the
 * catalogue's topics that exist.
 */
export async function gatherAlarmState(
  aws: AwsClients,
  alarmNames: readonly string[],
  topicNames: readonly string[],
  signal?: AbortSignal,
): Promise<AlarmState> {
  const [alarms, topicArns] = await Promise.all([
    describeAlarmsByName(aws, alarmNames, signal),
    listTopicArns(aws, signal),
  ]);
  const topics = new Map<string, TopicState>();
  const wanted = [...new Set(topicNames)];
  await Promise.all(
    wanted.map(async (name) => {
      const arn = [...topicArns].find((a) => a.split(':').pop() === name);
      if (!arn) return;
      topics.set(name, await topicSubscriptions(aws, arn, signal));
    }),
  );
  return { alarms, topicArns, topics };
}

async function describeAlarmsByName(
  aws: AwsClients,
  names: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, MetricAlarm>> {
  const { paginateDescribeAlarms } = await import('@aws-sdk/client-cloudwatch');
  const client = await aws.cloudwatch();
  const found = new Map<string, MetricAlarm>();
  const batches: string[][] = [];
  for (let i = 0; i < names.length; i += MAX_ALARM_NAMES) batches.push(names.slice(i, i + MAX_ALARM_NAMES));
  await Promise.all(
    batches.map(async (batch) => {
      for await (const page of paginateDescribeAlarms(
        { client },
        { AlarmNames: batch, AlarmTypes: ['MetricAlarm'] },
        ...(signal ? [{ abortSignal: signal }] : []),
      )) {
        for (const alarm of page.MetricAlarms ?? []) if (alarm.AlarmName) found.set(alarm.AlarmName, alarm);
      }
    }),
  );
  return found;
}

async function listTopicArns(aws: AwsClients, signal?: AbortSignal): Promise<Set<string>> {
  const { paginateListTopics } = await import('@aws-sdk/client-sns');
  const client = await aws.sns();
  const arns = new Set<string>();
  for await (const page of paginateListTopics({ client }, {}, ...(signal ? [{ abortSignal: signal }] : []))) {
    for (const topic of page.Topics ?? []) if (topic.TopicArn) arns.add(topic.TopicArn);
  }
  return arns;
}

async function topicSubscriptions(aws: AwsClients, arn: string, signal?: AbortSignal): Promise<TopicState> {
  const { paginateListSubscriptionsByTopic } = await import('@aws-sdk/client-sns');
  const client = await aws.sns();
  const state: TopicState = { arn, confirmed: 0, pending: 0, endpoints: [] };
  for await (const page of paginateListSubscriptionsByTopic(
    { client },
    { TopicArn: arn },
    ...(signal ? [{ abortSignal: signal }] : []),
  )) {
    for (const sub of page.Subscriptions ?? []) {
      state.endpoints.push(`${sub.Protocol}:${sub.Endpoint}`);
      if (!sub.SubscriptionArn || sub.SubscriptionArn === 'PendingConfirmation') state.pending += 1;
      else if (sub.SubscriptionArn !== 'Deleted') state.confirmed += 1;
    }
  }
  return state;
}
