// The alarms, SNS topics, metric filters and GuardDuty rule of a healthy Fivestar account, as
// monitoring/alarms.yaml declares them (data for scripts/fake-world.mjs: what `fsops alarms apply` would
// have created), plus the handlers that keep them. Templates are filled the way the default config names
// things; test/unit/monitoring/fake-alarms.test.ts checks that this data is what fsops itself derives
// from the catalogue, so the fake cannot drift from it.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { AwsFault } from './fake-aws.mjs';

const CATALOGUE = new URL('../monitoring/alarms.yaml', import.meta.url);

/** The default config values the catalogue's `thresholdFrom` paths name (checked against DEFAULT_CONFIG). */
export const FAKE_CONFIG_VALUES = {
  'thresholds.errorRatePercent.fail': 5,
  'thresholds.paymentSuccessRatePercent.fail': 95,
  'thresholds.cpuPercent.fail': 80,
  'thresholds.memoryPercent.fail': 85,
  'thresholds.rdsFreeableMemoryMb.fail': 1024,
  'thresholds.dynamodbLatencyMs.fail': 100,
  'thresholds.apiLatencyP95Ms.fail': 2000,
  'security.failedLogin.perMinute': 5,
};
export const FAKE_FAILED_LOGIN_PATTERN = '?"login failed" ?"LOGIN_FAILED" ?"authentication failed"';

/** The fake ALB of a component and its one target group (ARNs as ELBv2 gives them). */
export function fakeAlb(env, account, component) {
  const lb = `app/${env}-${component}-alb/0123456789abcdef`;
  const tg = `targetgroup/${env}-${component}-tg/fedcba9876543210`;
  return {
    arn: `arn:aws:elasticloadbalancing:ap-south-1:${account}:loadbalancer/${lb}`,
    targetGroupArn: `arn:aws:elasticloadbalancing:ap-south-1:${account}:${tg}`,
    dimension: lb,
    targetGroupDimension: tg,
  };
}

export function fakeAlarmAccount(env, account, components, overrides = {}) {
  const catalogue = parse(readFileSync(CATALOGUE, 'utf8'));
  const topicArn = (name) => `arn:aws:sns:ap-south-1:${account}:${name}`;
  const topics = Object.fromEntries(
    Object.entries(catalogue.topics).map(([key, t]) => [key, t.name.replaceAll('{env}', env)]),
  );
  const fill = (text, component) => {
    const alb = component ? fakeAlb(env, account, component) : undefined;
    return text
      .replaceAll('{env}', env)
      .replaceAll('{component}', component ?? '')
      .replaceAll('{cluster}', `${env}-fivestar-payments`)
      .replaceAll('{service}', `${env}-${component}-service`)
      .replaceAll('{dbInstance}', `${env}-fivestar-payments-db`)
      .replaceAll('{alb}', alb?.dimension ?? '')
      .replaceAll('{targetGroup}', alb?.targetGroupDimension ?? '');
  };
  const threshold = (entry) =>
    entry.thresholdFrom
      ? Number(
          (FAKE_CONFIG_VALUES[entry.thresholdFrom.path] * (entry.thresholdFrom.scale ?? 1)).toPrecision(12),
        )
      : (entry.thresholdByEnv?.[env] ?? entry.threshold);
  const alarms = new Map();
  for (const entry of catalogue.alarms) {
    const perComponent = /\{(component|service|alb|targetGroup)\}/.test(
      JSON.stringify([entry.name, entry.dimensions ?? {}]),
    );
    for (const component of perComponent ? components : [undefined]) {
      const name = fill(entry.name, component);
      const dimensions = Object.entries(entry.dimensions ?? {})
        .map(([Name, v]) => ({ Name, Value: fill(v, component) }))
        .sort((a, b) => a.Name.localeCompare(b.Name));
      const metric = entry.math
        ? {
            Metrics: [
              { Id: 'e1', Expression: entry.math.expression, Label: entry.math.label, ReturnData: true },
              ...Object.entries(entry.math.metrics).map(([Id, m]) => ({
                Id,
                ReturnData: false,
                MetricStat: {
                  Metric: { Namespace: entry.namespace, MetricName: m.metric, Dimensions: dimensions },
                  Stat: m.statistic,
                  Period: entry.period,
                },
              })),
            ],
          }
        : {
            Namespace: entry.namespace,
            MetricName: entry.metric,
            Dimensions: dimensions,
            ...(entry.statistic
              ? { Statistic: entry.statistic }
              : { ExtendedStatistic: entry.extendedStatistic }),
            Period: entry.period,
          };
      alarms.set(name, {
        AlarmName: name,
        ...metric,
        Threshold: threshold(entry),
        ComparisonOperator: entry.comparison,
        EvaluationPeriods: entry.evaluationPeriods,
        DatapointsToAlarm: entry.datapointsToAlarm ?? entry.evaluationPeriods,
        TreatMissingData: entry.treatMissingData ?? 'missing',
        ActionsEnabled: true,
        AlarmActions: (entry.notify ?? [entry.severity]).map((key) => topicArn(topics[key])),
        StateValue: 'OK',
        StateUpdatedTimestamp: Date.now() / 1000 - 3600,
      });
    }
  }
  for (const name of overrides.missingAlarms ?? []) alarms.delete(name);
  const subscriptions = Object.values(topics)
    .filter((name) => !(overrides.unsubscribedTopics ?? []).includes(name))
    .map((name) => ({
      TopicArn: topicArn(name),
      Protocol: 'email',
      Endpoint: 'devops-team@1cloudhub.com',
      SubscriptionArn: `${topicArn(name)}:1`,
    }));
  const policy = (arn) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'default', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'SNS:Publish', Resource: arn },
        {
          Sid: 'fsops-eventbridge-publish',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: arn,
        },
      ],
    });
  const filters = (catalogue.metricFilters ?? []).map((f) => ({
    logGroup: f.logGroup.replaceAll('{securityLogGroup}', `/aws/security/${env}-fivestar-payments`),
    filter: {
      filterName: f.name.replaceAll('{env}', env),
      filterPattern: f.pattern.replaceAll('{failedLoginPattern}', FAKE_FAILED_LOGIN_PATTERN),
      metricTransformations: [
        { metricNamespace: f.namespace, metricName: f.metric, metricValue: f.value ?? '1' },
      ],
    },
  }));
  const rules = new Map(
    (catalogue.events ?? []).map((e) => [
      e.rule.replaceAll('{env}', env),
      {
        pattern: e.pattern,
        targets: (e.notify ?? [e.severity]).map((key) => topicArn(topics[key])),
      },
    ]),
  );
  return {
    alarms,
    subscriptions,
    monitoring: {
      PutMetricAlarm: (input) => {
        alarms.set(input.AlarmName, {
          ...input,
          StateValue: 'INSUFFICIENT_DATA',
          StateUpdatedTimestamp: Date.now() / 1000,
        });
        return {};
      },
      PutMetricData: () => ({}),
      // Every metric the alarms read has data (ListMetrics lists the alarms' own metrics).
      ListMetrics: ({ Namespace, MetricName }) => ({
        Metrics: [...alarms.values()]
          .flatMap((a) =>
            a.Metrics
              ? a.Metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []))
              : [{ Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: a.Dimensions }],
          )
          .filter((m) => m.Namespace === Namespace && m.MetricName === MetricName),
      }),
    },
    sns: {
      ListTopics: () => ({ Topics: Object.values(topics).map((name) => ({ TopicArn: topicArn(name) })) }),
      ListSubscriptionsByTopic: ({ TopicArn }) => ({
        Subscriptions: subscriptions.filter((s) => s.TopicArn === TopicArn),
      }),
      GetTopicAttributes: ({ TopicArn }) => ({
        Attributes: [
          { key: 'TopicArn', value: TopicArn },
          { key: 'KmsMasterKeyId', value: 'alias/fivestar-alerts' },
          { key: 'Policy', value: policy(TopicArn) },
        ],
      }),
      Subscribe: ({ TopicArn, Protocol, Endpoint }) => {
        subscriptions.push({ TopicArn, Protocol, Endpoint, SubscriptionArn: 'PendingConfirmation' });
        return { SubscriptionArn: 'pending confirmation' };
      },
    },
    logs: {
      DescribeMetricFilters: ({ logGroupName, filterNamePrefix }) => ({
        metricFilters: filters
          .filter(
            (f) => f.logGroup === logGroupName && f.filter.filterName.startsWith(filterNamePrefix ?? ''),
          )
          .map((f) => f.filter),
      }),
    },
    // The topics' key (topicEncryption.kmsKeyId), enabled: what DescribeKey answers for the alias.
    kms: {
      DescribeKey: ({ KeyId }) => {
        if (KeyId !== catalogue.topicEncryption?.kmsKeyId)
          throw new AwsFault('NotFoundException', `Alias ${KeyId} is not found.`);
        return {
          KeyMetadata: {
            KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
            Arn: `arn:aws:kms:ap-south-1:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
            Enabled: true,
            KeyState: 'Enabled',
            KeyManager: 'CUSTOMER',
          },
        };
      },
    },
    events: {
      DescribeRule: ({ Name }) => {
        const rule = rules.get(Name);
        if (!rule) throw new AwsFault('ResourceNotFoundException', `Rule ${Name} does not exist.`);
        return { Name, EventPattern: rule.pattern, State: 'ENABLED' };
      },
      ListTargetsByRule: ({ Rule }) => ({
        Targets: (rules.get(Rule)?.targets ?? []).map((Arn, i) => ({ Id: `t${i}`, Arn })),
      }),
    },
  };
}
