// The alarms and SNS topics of a healthy Fivestar account, as monitoring/alarms.yaml declares them
// (data for scripts/fake-world.mjs: what `fsops alarms apply` would have created), plus the SNS and
// PutMetricAlarm handlers that keep them. Templates are filled the way the default config names things.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const CATALOGUE = new URL('../monitoring/alarms.yaml', import.meta.url);

export function fakeAlarmAccount(env, account, components, overrides = {}) {
  const catalogue = parse(readFileSync(CATALOGUE, 'utf8'));
  const topicArn = (name) => `arn:aws:sns:ap-south-1:${account}:${name}`;
  const topics = Object.fromEntries(
    Object.entries(catalogue.topics).map(([severity, t]) => [severity, t.name.replaceAll('{env}', env)]),
  );
  const fill = (text, component) =>
    text
      .replaceAll('{env}', env)
      .replaceAll('{component}', component ?? '')
      .replaceAll('{cluster}', `${env}-fivestar-payments`)
      .replaceAll('{service}', `${env}-${component}-service`)
      .replaceAll('{dbInstance}', `${env}-fivestar-payments-db`);
  const alarms = new Map();
  for (const entry of catalogue.alarms) {
    const perComponent = JSON.stringify([entry.name, entry.dimensions ?? {}]).includes('{component}');
    for (const component of perComponent ? components : [undefined]) {
      const name = fill(entry.name, component);
      alarms.set(name, {
        AlarmName: name,
        Namespace: entry.namespace,
        MetricName: entry.metric,
        Dimensions: Object.entries(entry.dimensions ?? {}).map(([Name, v]) => ({
          Name,
          Value: fill(v, component),
        })),
        ...(entry.statistic
          ? { Statistic: entry.statistic }
          : { ExtendedStatistic: entry.extendedStatistic }),
        Threshold: entry.thresholdByEnv?.[env] ?? entry.threshold,
        ComparisonOperator: entry.comparison,
        Period: entry.period,
        EvaluationPeriods: entry.evaluationPeriods,
        DatapointsToAlarm: entry.datapointsToAlarm ?? entry.evaluationPeriods,
        TreatMissingData: entry.treatMissingData ?? 'missing',
        ActionsEnabled: true,
        AlarmActions: [topicArn(topics[entry.severity])],
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
    },
    sns: {
      ListTopics: () => ({ Topics: Object.values(topics).map((name) => ({ TopicArn: topicArn(name) })) }),
      ListSubscriptionsByTopic: ({ TopicArn }) => ({
        Subscriptions: subscriptions.filter((s) => s.TopicArn === TopicArn),
      }),
      Subscribe: ({ TopicArn, Protocol, Endpoint }) => {
        subscriptions.push({ TopicArn, Protocol, Endpoint, SubscriptionArn: 'PendingConfirmation' });
        return { SubscriptionArn: 'pending confirmation' };
      },
    },
  };
}
