import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { MetricFilter } from '@aws-sdk/client-cloudwatch-logs';
import type { AwsClients } from '../../base/aws/clients.js';
import type { AlbDimensions, DesiredAlarm, DesiredMetricFilter } from './alarm-catalogue.js';

/** DescribeAlarms takes at most 100 AlarmNames per call. */
export const MAX_ALARM_NAMES = 100;

export interface TopicState {
  arn: string;
  /** Subscriptions confirmed (not PendingConfirmation). */
  confirmed: number;
  pending: number;
  /** Protocol:endpoint of every subscription (confirmed or not), to plan Subscribe only where none exists. */
  endpoints: string[];
  /** The topic's KmsMasterKeyId (server-side encryption), null when unencrypted. */
  kmsKeyId: string | null;
  /** The topic's access policy (JSON text), '' when unknown. */
  policy: string;
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
  const [alarms, topics] = await Promise.all([
    describeAlarmsByName(aws, alarmNames, signal),
    gatherTopicState(aws, topicNames, signal),
  ]);
  return { alarms, ...topics };
}

/**
 * The catalogue's SNS topics as the account has them (their names need no other fact: gathered at
 * once, beside the load balancers the alarm names wait for).
 */
export async function gatherTopicState(
  aws: AwsClients,
  topicNames: readonly string[],
  signal?: AbortSignal,
): Promise<Pick<AlarmState, 'topicArns' | 'topics'>> {
  const topicArns = await listTopicArns(aws, signal);
  const topics = new Map<string, TopicState>();
  await Promise.all(
    [...new Set(topicNames)].map(async (name) => {
      const arn = [...topicArns].find((a) => a.split(':').pop() === name);
      if (!arn) return;
      topics.set(name, await topicSubscriptions(aws, arn, signal));
    }),
  );
  return { topicArns, topics };
}

export async function describeAlarmsByName(
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
  const { GetTopicAttributesCommand, paginateListSubscriptionsByTopic } = await import('@aws-sdk/client-sns');
  const client = await aws.sns();
  const subscriptions = async () => {
    const found: { Protocol?: string; Endpoint?: string; SubscriptionArn?: string }[] = [];
    for await (const page of paginateListSubscriptionsByTopic(
      { client },
      { TopicArn: arn },
      ...(signal ? [{ abortSignal: signal }] : []),
    ))
      found.push(...(page.Subscriptions ?? []));
    return found;
  };
  // The attributes and the subscriptions at once: neither needs the other.
  const [attributes, subs] = await Promise.all([
    client
      .send(new GetTopicAttributesCommand({ TopicArn: arn }), ...(signal ? [{ abortSignal: signal }] : []))
      .then((out) => out.Attributes),
    subscriptions(),
  ]);
  const state: TopicState = {
    arn,
    confirmed: 0,
    pending: 0,
    endpoints: [],
    kmsKeyId: attributes?.KmsMasterKeyId || null,
    policy: attributes?.Policy ?? '',
  };
  for (const sub of subs) {
    state.endpoints.push(`${sub.Protocol}:${sub.Endpoint}`);
    if (!sub.SubscriptionArn || sub.SubscriptionArn === 'PendingConfirmation') state.pending += 1;
    else if (sub.SubscriptionArn !== 'Deleted') state.confirmed += 1;
  }
  return state;
}

/**
 * The KMS key the alert topics are encrypted with (`topicEncryption.kmsKeyId`), as DescribeKey sees it:
 * `found: false` when KMS has no such key or alias (NotFoundException). A topic encrypted with a key
 * that is missing, disabled or pending deletion drops every message published to it.
 */
export type TopicKey =
  | { keyId: string; found: false }
  | {
      keyId: string;
      found: true;
      arn: string;
      enabled: boolean;
      /** KeyState: Enabled, Disabled, PendingDeletion, PendingImport, Unavailable, ... */
      state: string;
      deletionDate?: Date;
    };

/** DescribeKey of the topics' key id or alias; errors other than NotFoundException are thrown. */
export async function describeTopicKey(
  aws: AwsClients,
  keyId: string,
  signal?: AbortSignal,
): Promise<TopicKey> {
  const { DescribeKeyCommand } = await import('@aws-sdk/client-kms');
  const client = await aws.kms();
  try {
    const out = await client.send(
      new DescribeKeyCommand({ KeyId: keyId }),
      ...(signal ? [{ abortSignal: signal }] : []),
    );
    const meta = out.KeyMetadata;
    if (!meta) throw new Error(`DescribeKey of ${keyId} returned no key metadata`);
    return {
      keyId,
      found: true,
      arn: meta.Arn ?? meta.KeyId ?? keyId,
      enabled: meta.Enabled === true,
      state: meta.KeyState ?? 'unknown',
      ...(meta.DeletionDate ? { deletionDate: new Date(meta.DeletionDate) } : {}),
    };
  } catch (error) {
    if ((error as Error).name === 'NotFoundException') return { keyId, found: false };
    throw error;
  }
}

/** Whether the key can encrypt the topics' messages: Enabled, in the KeyState Enabled. */
export function keyUsable(key: TopicKey): boolean {
  return key.found && key.enabled && key.state === 'Enabled';
}

/** Why the key cannot be used, and the commands that fix it (null: it can). */
export function keyProblem(key: TopicKey): { observed: string; fix: string } | null {
  if (keyUsable(key)) return null;
  const id = key.keyId;
  if (!key.found) {
    return {
      observed: `KMS key ${id} not found (NotFoundException): every message published to a topic encrypted with it is dropped`,
      fix: `Create a customer managed key whose key policy lets cloudwatch.amazonaws.com and events.amazonaws.com use it (kms:Decrypt, kms:GenerateDataKey*), then \`aws kms create-alias --alias-name ${id} --target-key-id <key id>\` (docs/monitoring.md "Encryption"), or set topicEncryption.kmsKeyId to the key you use.`,
    };
  }
  if (key.state === 'PendingDeletion') {
    return {
      observed: `KMS key ${id} is pending deletion${key.deletionDate ? ` (deleted ${key.deletionDate.toISOString().slice(0, 10)})` : ''}: every message published to a topic encrypted with it is dropped`,
      fix: `\`aws kms cancel-key-deletion --key-id ${key.arn}\` then \`aws kms enable-key --key-id ${key.arn}\` (a cancelled deletion leaves the key disabled).`,
    };
  }
  if (key.state === 'Disabled' || !key.enabled) {
    return {
      observed: `KMS key ${id} is disabled (KeyState ${key.state}): every message published to a topic encrypted with it is dropped`,
      fix: `\`aws kms enable-key --key-id ${key.arn}\`.`,
    };
  }
  return {
    observed: `KMS key ${id} is ${key.state}, not Enabled: messages published to a topic encrypted with it are dropped`,
    fix: `Bring the key back to Enabled (KeyState ${key.state}: see the AWS KMS guide "Key states"), or set topicEncryption.kmsKeyId to a key that is.`,
  };
}

/** The AWS managed SNS key: CloudWatch alarms and EventBridge cannot publish to a topic encrypted with it. */
export const AWS_MANAGED_SNS_KEY = 'alias/aws/sns';

/** The statement that lets EventBridge publish to a topic (the GuardDuty rule's target). */
export const EVENTS_PUBLISH_SID = 'fsops-eventbridge-publish';

export function allowsEventBridge(policy: string): boolean {
  try {
    const doc = JSON.parse(policy) as {
      Statement?: { Effect?: string; Principal?: unknown; Action?: unknown }[];
    };
    return (doc.Statement ?? []).some(
      (st) =>
        st.Effect === 'Allow' &&
        JSON.stringify(st.Principal ?? '').includes('events.amazonaws.com') &&
        JSON.stringify(st.Action ?? '').includes('sns:Publish'),
    );
  } catch {
    return false;
  }
}

/** The topic policy with EventBridge allowed to publish (the existing statements kept). */
export function policyAllowingEventBridge(policy: string, topicArn: string): string {
  let doc: { Version?: string; Statement?: unknown[] } = {};
  try {
    doc = JSON.parse(policy);
  } catch {
    doc = {};
  }
  return JSON.stringify({
    Version: doc.Version ?? '2012-10-17',
    ...doc,
    Statement: [
      ...(doc.Statement ?? []),
      {
        Sid: EVENTS_PUBLISH_SID,
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topicArn,
      },
    ],
  });
}

/** Each component's ALB dimensions (DescribeLoadBalancers by name, then its target groups); null: not found. */
export async function gatherAlbDimensions(
  aws: AwsClients,
  components: readonly string[],
  albName: (component: string) => string,
  signal?: AbortSignal,
): Promise<Map<string, AlbDimensions | null>> {
  const { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand } = await import(
    '@aws-sdk/client-elastic-load-balancing-v2'
  );
  const elb = await aws.elbv2();
  const opts = signal ? [{ abortSignal: signal }] : [];
  const entries = await Promise.all(
    components.map(async (component): Promise<[string, AlbDimensions | null]> => {
      let arn: string | undefined;
      try {
        arn = (await elb.send(new DescribeLoadBalancersCommand({ Names: [albName(component)] }), ...opts))
          .LoadBalancers?.[0]?.LoadBalancerArn;
      } catch (error) {
        if ((error as Error).name === 'LoadBalancerNotFoundException') return [component, null];
        throw error;
      }
      if (!arn) return [component, null];
      const groups = await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: arn }), ...opts);
      return [
        component,
        {
          loadBalancer: resourceDimension(arn),
          targetGroups: (groups.TargetGroups ?? []).flatMap((tg) =>
            tg.TargetGroupArn ? [resourceDimension(tg.TargetGroupArn)] : [],
          ),
        },
      ];
    }),
  );
  return new Map(entries);
}

/** `arn:...:loadbalancer/app/name/id` -> `app/name/id`; `arn:...:targetgroup/name/id` -> `targetgroup/name/id`. */
function resourceDimension(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.startsWith('loadbalancer/') ? resource.slice('loadbalancer/'.length) : resource;
}

/** The catalogue's metric filters as CloudWatch Logs has them, by log group and filter name ('' pattern: absent). */
export async function gatherMetricFilters(
  aws: AwsClients,
  filters: readonly DesiredMetricFilter[],
  signal?: AbortSignal,
): Promise<Map<string, MetricFilter | null>> {
  if (filters.length === 0) return new Map();
  const { DescribeMetricFiltersCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const logs = await aws.logs();
  const entries = await Promise.all(
    filters.map(async (f): Promise<[string, MetricFilter | null]> => {
      try {
        const out = await logs.send(
          new DescribeMetricFiltersCommand({ logGroupName: f.logGroup, filterNamePrefix: f.name }),
          ...(signal ? [{ abortSignal: signal }] : []),
        );
        return [f.name, out.metricFilters?.find((m) => m.filterName === f.name) ?? null];
      } catch (error) {
        // The log group does not exist: the filter cannot exist either (apply reports it).
        if ((error as Error).name === 'ResourceNotFoundException') return [f.name, null];
        throw error;
      }
    }),
  );
  return new Map(entries);
}

export interface EventRuleState {
  exists: boolean;
  state: string | null;
  pattern: string | null;
  /** ARNs of the rule's targets. */
  targets: string[];
}

/** The catalogue's EventBridge rules: DescribeRule and ListTargetsByRule, each rule concurrently. */
export async function gatherEventRules(
  aws: AwsClients,
  rules: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, EventRuleState>> {
  if (rules.length === 0) return new Map();
  const { DescribeRuleCommand, ListTargetsByRuleCommand } = await import('@aws-sdk/client-eventbridge');
  const events = await aws.eventbridge();
  const opts = signal ? [{ abortSignal: signal }] : [];
  const entries = await Promise.all(
    rules.map(async (name): Promise<[string, EventRuleState]> => {
      try {
        const [rule, targets] = await Promise.all([
          events.send(new DescribeRuleCommand({ Name: name }), ...opts),
          events.send(new ListTargetsByRuleCommand({ Rule: name }), ...opts),
        ]);
        return [
          name,
          {
            exists: true,
            state: rule.State ?? null,
            pattern: rule.EventPattern ?? null,
            targets: (targets.Targets ?? []).flatMap((t) => (t.Arn ? [t.Arn] : [])),
          },
        ];
      } catch (error) {
        if ((error as Error).name === 'ResourceNotFoundException')
          return [name, { exists: false, state: null, pattern: null, targets: [] }];
        throw error;
      }
    }),
  );
  return new Map(entries);
}

/**
 * Which alarms' metrics have had data (ListMetrics: metrics with datapoints in the last two weeks), one
 * paginated call per namespace and metric name, matched on the alarm's dimensions. Metric-math alarms
 * are judged on their first metric.
 */
export async function metricsWithoutData(
  aws: AwsClients,
  alarms: readonly DesiredAlarm[],
  signal?: AbortSignal,
): Promise<Set<string>> {
  const { paginateListMetrics } = await import('@aws-sdk/client-cloudwatch');
  const client = await aws.cloudwatch();
  const metricOf = (a: DesiredAlarm) =>
    a.math ? (Object.values(a.math.metrics)[0]?.metric ?? a.metric) : a.metric;
  const key = (namespace: string, metric: string) => `${namespace}\u0000${metric}`;
  const wanted = [...new Set(alarms.map((a) => key(a.namespace, metricOf(a))))];
  const seen = new Map<string, Set<string>>();
  await Promise.all(
    wanted.map(async (k) => {
      const [Namespace, MetricName] = k.split('\u0000') as [string, string];
      const dims = new Set<string>();
      for await (const page of paginateListMetrics(
        { client },
        { Namespace, MetricName },
        ...(signal ? [{ abortSignal: signal }] : []),
      )) {
        for (const m of page.Metrics ?? []) dims.add(dimensionKey(m.Dimensions ?? []));
      }
      seen.set(k, dims);
    }),
  );
  return new Set(
    alarms
      .filter((a) => !seen.get(key(a.namespace, metricOf(a)))?.has(dimensionKey(a.dimensions)))
      .map((a) => a.name),
  );
}

const dimensionKey = (list: { Name?: string; Value?: string }[]) =>
  list
    .map((d) => `${d.Name}=${d.Value}`)
    .sort()
    .join(',');
