import type { MetricFilter } from '@aws-sdk/client-cloudwatch-logs';
import { z } from 'zod';
import type { CheckResult } from '../../base/model/check.js';
import { defineCheck } from '../../base/model/check.js';
import type { Status } from '../../base/model/finding.js';
import {
  alarmDiff,
  type DesiredAlarm,
  type DesiredEventRule,
  type DesiredMetricFilter,
  describeAlarm,
  desiredAlarms,
  desiredEventRules,
  desiredMetricFilters,
  loadAlarmCatalogue,
  topicNameOf,
  topicsFor,
} from '../../domain/monitoring/alarm-catalogue.js';
import {
  type AlarmState,
  AWS_MANAGED_SNS_KEY,
  allowsEventBridge,
  describeAlarmsByName,
  describeTopicKey,
  type EventRuleState,
  gatherAlbDimensions,
  gatherEventRules,
  gatherMetricFilters,
  gatherTopicState,
  keyProblem,
  metricsWithoutData,
  type TopicKey,
} from '../../domain/monitoring/alarm-state.js';
import { attempt, gather, unreadFact } from './partial.js';

const SOURCE = 'ops guide §3.2.1, §5.1.1, §5.2.1, §8.1.1, §8.2.1; deployment guide §12.2.1';
/** The id of a fact the audit could not read (what depends on it is not judged). */
const UNREAD = 'alarms.audit.unread';
/** INSUFFICIENT_DATA for longer than this is "stuck" (the metric is not published). */
export const STUCK_AFTER_MS = 60 * 60_000;

export interface AuditInput {
  env: string;
  desired: DesiredAlarm[];
  /** Topic key -> topic name. */
  topics: Record<string, string>;
  events: DesiredEventRule[];
  state: AlarmState;
  now: Date;
  metricFilters?: DesiredMetricFilter[];
  /** The metric filters as CloudWatch Logs has them (null: missing). */
  filters?: Map<string, MetricFilter | null>;
  /** The event rules as EventBridge has them. */
  rules?: Map<string, EventRuleState>;
  /** Alarms whose metric has had no datapoint in two weeks (ListMetrics). */
  noData?: Set<string>;
  /** The catalogue's topicEncryption.kmsKeyId (none: the topics are not to be encrypted, nothing judged). */
  topicKeyId?: string;
  /** That key as DescribeKey sees it. */
  topicKey?: TopicKey;
  /**
   * Facts that could not be read, with why: what depends on each is one `error` finding, and the
   * rest is judged (`alarms`: DescribeAlarms; `topics`: SNS; `filters`; `rules`; `noData`: ListMetrics;
   * `topicKey`: DescribeKey of the topics' KMS key).
   */
  unread?: Partial<Record<'alarms' | 'topics' | 'filters' | 'rules' | 'noData' | 'topicKey', string>>;
}

const sameJson = (a: string | null, b: string) => {
  try {
    return a !== null && JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
};

const applyHint = (env: string) => `Run \`fsops alarms apply --env ${env}\` (plan, confirm, PutMetricAlarm).`;

/** Judges CloudWatch and SNS against the catalogue (pure): one or more findings per alarm, one per topic. */
export function evaluateAlarmAudit(input: AuditInput): CheckResult[] {
  const unread = input.unread ?? {};
  return [
    ...(unread.alarms
      ? [unreadFact(UNREAD, `${input.desired.length} alarm(s)`, 'the alarms (DescribeAlarms)', unread.alarms)]
      : judgeAlarms(input)),
    ...(unread.topics
      ? [
          unreadFact(
            UNREAD,
            `${Object.keys(input.topics).length} topic(s)`,
            'the SNS topics and their subscriptions',
            unread.topics,
          ),
        ]
      : judgeTopics(input)),
    ...judgeTopicKey(input),
    ...(unread.filters && input.metricFilters?.length
      ? [
          unreadFact(
            UNREAD,
            `${input.metricFilters.length} metric filter(s)`,
            'the metric filters (DescribeMetricFilters)',
            unread.filters,
          ),
        ]
      : judgeMetricFilters(input)),
    ...(unread.rules && input.events.length
      ? [
          unreadFact(
            UNREAD,
            `${input.events.length} event rule(s)`,
            'the EventBridge rules (DescribeRule, ListTargetsByRule)',
            unread.rules,
          ),
        ]
      : eventRules(input)),
    ...(unread.noData && !unread.alarms
      ? [unreadFact(UNREAD, 'metrics', 'which metrics have data (ListMetrics)', unread.noData)]
      : []),
  ];
}

/** Each catalogue alarm against CloudWatch: missing, drifted, notifying nobody, or without data. */
function judgeAlarms(input: AuditInput): CheckResult[] {
  const { env, state } = input;
  const results: CheckResult[] = [];
  for (const alarm of input.desired) {
    const existing = state.alarms.get(alarm.name);
    if (alarm.unresolved) {
      results.push({
        id: 'alarms.audit.missing',
        title: 'Alarm exists',
        status: 'error',
        resource: alarm.name,
        expected: describeAlarm(alarm),
        observed: `cannot be judged: ${alarm.unresolved}`,
        detail: `alarm declared from: ${alarm.source}`,
        remediation: 'Check names.alb in the config and the load balancer of the component.',
      });
      continue;
    }
    if (!existing) {
      results.push({
        id: 'alarms.audit.missing',
        title: 'Alarm exists',
        status: 'fail',
        severity: alarm.severity === 'warning' ? 'medium' : alarm.severity,
        resource: alarm.name,
        expected: describeAlarm(alarm),
        observed: 'alarm not found',
        detail: `alarm declared from: ${alarm.source}`,
        remediation: applyHint(env),
      });
      continue;
    }
    const problems: CheckResult[] = [];
    const drift = alarmDiff(alarm, existing).filter((d) => d.field !== 'actions');
    if (drift.length) {
      problems.push({
        id: 'alarms.audit.drift',
        title: 'Alarm matches the catalogue',
        status: 'fail',
        resource: alarm.name,
        expected: describeAlarm(alarm),
        observed: drift.map((d) => `${d.field}: ${d.old} -> ${d.new}`).join('; '),
        detail: `alarm declared from: ${alarm.source}`,
        remediation: applyHint(env),
      });
    }
    const actions = existing.ActionsEnabled === false ? [] : (existing.AlarmActions ?? []);
    const snsActions = actions.filter((arn) => arn.startsWith('arn:aws:sns:'));
    const dangling = snsActions.filter((arn) => !state.topicArns.has(arn));
    if (actions.length === 0) {
      problems.push({
        id: 'alarms.audit.actions',
        title: 'Alarm notifies someone',
        status: 'fail',
        resource: alarm.name,
        expected: `actions to ${alarm.topics.join(', ')} (ops guide §5.1.1)`,
        observed: existing.ActionsEnabled === false ? 'actions disabled' : 'no alarm actions',
        remediation: applyHint(env),
      });
    } else if (dangling.length) {
      problems.push({
        id: 'alarms.audit.actions',
        title: 'Alarm notifies someone',
        status: 'fail',
        resource: alarm.name,
        expected: `actions to ${alarm.topics.join(', ')}, topics that exist`,
        observed: `actions to topics that do not exist: ${dangling.map(topicNameOf).join(', ')}`,
        remediation: applyHint(env),
      });
    } else if (
      [...new Set(snsActions.map(topicNameOf))].sort().join(',') !== [...alarm.topics].sort().join(',')
    ) {
      problems.push({
        id: 'alarms.audit.drift',
        title: 'Alarm matches the catalogue',
        status: 'fail',
        resource: alarm.name,
        expected: `actions to ${alarm.topics.join(', ')} (ops guide §3.2.1, §5.1.1)`,
        observed: `actions: ${snsActions.map(topicNameOf).join(', ') || actions.join(', ')}`,
        remediation: applyHint(env),
      });
    }
    const since = existing.StateUpdatedTimestamp ? new Date(existing.StateUpdatedTimestamp) : undefined;
    if (input.noData?.has(alarm.name)) {
      // Judged on the metric, not the alarm's state: a new alarm on a metric nobody publishes is not OK.
      problems.push({
        id: 'alarms.audit.insufficient-data',
        title: 'Alarm has data',
        status: 'warn',
        resource: alarm.name,
        expected: `${alarm.namespace} ${alarm.metric} has datapoints with ${alarm.dimensions.map((d) => `${d.Name}=${d.Value}`).join(', ') || 'no dimensions'}`,
        observed: `no datapoint in the last two weeks (ListMetrics): the alarm cannot fire (${existing.StateValue ?? 'unknown'})`,
        remediation: `Check the metric name and dimensions in the catalogue, or that the application (or the metric filter) publishes ${alarm.namespace} ${alarm.metric}.`,
      });
    } else if (
      existing.StateValue === 'INSUFFICIENT_DATA' &&
      (!since || input.now.getTime() - since.getTime() > STUCK_AFTER_MS)
    ) {
      problems.push({
        id: 'alarms.audit.insufficient-data',
        title: 'Alarm has data',
        status: 'warn',
        resource: alarm.name,
        expected: 'OK or ALARM',
        observed: `INSUFFICIENT_DATA since ${since?.toISOString() ?? 'unknown'}`,
        remediation: `Nothing publishes ${alarm.namespace} ${alarm.metric} with these dimensions: check the metric name and dimensions, or that the application publishes it.`,
      });
    }
    results.push(
      ...(problems.length
        ? problems
        : [
            {
              id: 'alarms.audit.ok',
              title: 'Alarm matches the catalogue',
              status: 'pass' as Status,
              resource: alarm.name,
              expected: describeAlarm(alarm),
              observed: `as declared; ${existing.StateValue ?? 'unknown'}`,
            },
          ]),
    );
  }
  return results;
}

/** The catalogue's SNS topics that alarms or event rules use: they exist and reach someone. */
function judgeTopics(input: AuditInput): CheckResult[] {
  const { env, state } = input;
  const results: CheckResult[] = [];
  const used = new Set([...input.desired.flatMap((a) => a.topics), ...input.events.flatMap((e) => e.topics)]);
  const eventTopics = new Set(input.events.flatMap((e) => e.topics));
  for (const name of Object.values(input.topics)) {
    if (!used.has(name)) continue;
    const topic = state.topics.get(name);
    const alarms = input.desired.filter((a) => a.topics.includes(name)).length;
    if (!topic) {
      results.push({
        id: 'alarms.audit.topic',
        title: 'Alarm topic exists and reaches someone',
        status: 'fail',
        resource: name,
        expected: 'SNS topic with a confirmed subscription (ops guide §5.1.1)',
        observed: 'topic not found',
        remediation: `\`fsops alarms apply --env ${env}\` creates it (encrypted, tagged) and subscribes the catalogue's endpoints; ${alarms} alarm(s) notify it.`,
      });
      continue;
    }
    if (topic.confirmed === 0) {
      results.push({
        id: 'alarms.audit.topic',
        title: 'Alarm topic exists and reaches someone',
        status: 'fail',
        resource: name,
        expected: 'at least one confirmed subscription (ops guide §5.1.1)',
        observed: `no confirmed subscription (${topic.pending} pending): ${alarms} alarm(s) notify nobody`,
        remediation:
          topic.pending > 0
            ? 'Confirm the pending subscription (the link in the email), or subscribe Slack/PagerDuty endpoints.'
            : `Subscribe the escalation: \`fsops alarms apply --env ${env}\` subscribes the catalogue's endpoints.`,
      });
    } else if (topic.kmsKeyId === AWS_MANAGED_SNS_KEY) {
      results.push({
        id: 'alarms.audit.topic',
        title: 'Alarm topic exists and reaches someone',
        status: 'fail',
        resource: name,
        expected: 'encrypted with a customer managed key CloudWatch and EventBridge may use',
        observed: `encrypted with ${AWS_MANAGED_SNS_KEY}: CloudWatch alarms and EventBridge cannot publish to it`,
        remediation: `Set topicEncryption.kmsKeyId in the catalogue and run \`fsops alarms apply --env ${env}\`.`,
      });
    } else {
      results.push({
        id: 'alarms.audit.topic',
        title: 'Alarm topic exists and reaches someone',
        status: 'pass',
        resource: name,
        observed: `${topic.confirmed} confirmed subscription(s)${topic.kmsKeyId ? `, encrypted (${topic.kmsKeyId})` : ', not encrypted'}`,
      });
    }
    if (eventTopics.has(name) && !allowsEventBridge(topic.policy)) {
      results.push({
        id: 'alarms.audit.topic',
        title: 'EventBridge may publish to the topic',
        status: 'fail',
        resource: name,
        expected: 'the topic policy allows events.amazonaws.com sns:Publish (the GuardDuty rule targets it)',
        observed: 'no statement allows EventBridge: GuardDuty findings are dropped',
        remediation: `\`fsops alarms apply --env ${env}\` adds the statement.`,
      });
    }
  }
  return results;
}

/**
 * The KMS key the catalogue encrypts the topics with (topicEncryption.kmsKeyId): it exists and is
 * enabled. A topic encrypted with a key that is missing, disabled or pending deletion silently drops
 * every alarm notification (SNS cannot encrypt the message). Unreadable: its own error naming
 * kms:DescribeKey, never a pass.
 */
function judgeTopicKey(input: AuditInput): CheckResult[] {
  const keyId = input.topicKeyId;
  if (!keyId) return [];
  const reason = input.unread?.topicKey;
  if (reason || !input.topicKey) {
    return [
      unreadFact(
        UNREAD,
        keyId,
        `the KMS key ${keyId} of the alert topics (kms:DescribeKey)`,
        reason ?? 'not read',
        `Grant kms:DescribeKey on ${keyId} to the role fsops runs as (docs/monitoring.md), then run again; the other findings were judged without it.`,
      ),
    ];
  }
  const key = input.topicKey;
  const problem = keyProblem(key);
  const expected =
    'the topic key exists and is enabled (KeyState Enabled): SNS can encrypt what CloudWatch and EventBridge publish';
  if (problem) {
    return [
      {
        id: 'alarms.audit.topic-key',
        title: 'The alert topics can encrypt their messages',
        status: 'fail',
        severity: 'critical',
        resource: keyId,
        expected,
        observed: problem.observed,
        remediation: problem.fix,
      },
    ];
  }
  return [
    {
      id: 'alarms.audit.topic-key',
      title: 'The alert topics can encrypt their messages',
      status: 'pass',
      resource: keyId,
      expected,
      observed: `Enabled (${key.found ? key.arn : keyId})`,
    },
  ];
}

/** The catalogue's log metric filters: present as declared. */
function judgeMetricFilters(input: AuditInput): CheckResult[] {
  const { env } = input;
  const results: CheckResult[] = [];
  for (const filter of input.metricFilters ?? []) {
    const found = input.filters?.get(filter.name);
    const transformation = found?.metricTransformations?.[0];
    const ok =
      found &&
      found.filterPattern === filter.pattern &&
      transformation?.metricNamespace === filter.namespace &&
      transformation?.metricName === filter.metric &&
      transformation?.metricValue === filter.value;
    results.push({
      id: 'alarms.audit.metric-filter',
      title: 'Metric filter feeds its alarm',
      status: ok ? 'pass' : 'fail',
      resource: `${filter.logGroup} ${filter.name}`,
      expected: `${filter.namespace} ${filter.metric} = ${filter.value} per event matching ${filter.pattern} (${filter.source})`,
      observed: !found
        ? 'metric filter not found: the alarm has no data'
        : ok
          ? 'as declared'
          : `differs: pattern ${found.filterPattern}, metric ${transformation?.metricNamespace} ${transformation?.metricName}`,
      ...(ok ? {} : { remediation: applyHint(env) }),
    });
  }
  return results;
}

/** The catalogue's event-driven alerts (EventBridge rules). */
function eventRules(input: AuditInput): CheckResult[] {
  const { env } = input;
  const results: CheckResult[] = [];
  for (const event of input.events) {
    const rule = input.rules?.get(event.rule);
    const expected = `EventBridge rule ${event.rule} (${event.pattern}) ENABLED -> ${event.topics.join(', ')}`;
    const problems: string[] = [];
    if (!rule?.exists) problems.push('rule not found');
    else {
      if (rule.state !== 'ENABLED') problems.push(`state ${rule.state ?? 'unknown'}`);
      if (!sameJson(rule.pattern, event.pattern)) problems.push(`pattern ${rule.pattern ?? '(none)'}`);
      const targets = rule.targets.map(topicNameOf);
      const missing = event.topics.filter((t) => !targets.includes(t));
      if (missing.length) problems.push(`no target ${missing.join(', ')}`);
    }
    results.push({
      id: 'alarms.audit.event-rule',
      title: 'Event-driven alert reaches its topics',
      status: problems.length ? 'fail' : 'pass',
      resource: event.name,
      expected,
      observed: problems.length ? problems.join('; ') : 'as declared',
      detail: event.note || undefined,
      ...(problems.length ? { remediation: `${applyHint(env)} (${event.source})` } : {}),
    });
  }
  return results;
}

/** One finding summing up the audit: what `validate` shows. */
export function summarizeAudit(env: string, results: CheckResult[]): CheckResult {
  const count = (id: string) => results.filter((r) => r.id === id && r.status !== 'pass').length;
  const alarms = new Set(
    results
      .filter(
        (r) =>
          r.id?.startsWith('alarms.audit.') &&
          r.id !== UNREAD &&
          !r.id.endsWith('topic') &&
          r.id !== 'alarms.audit.topic-key' &&
          !r.id.endsWith('event-rule') &&
          !r.id.endsWith('metric-filter'),
      )
      .map((r) => r.resource),
  ).size;
  const rank: Record<Status, number> = { pass: 0, skip: 1, warn: 2, error: 3, fail: 4 };
  const worst = results
    .filter((r) => r.status !== 'skip')
    .reduce<Status>((w, r) => (rank[r.status] > rank[w] ? r.status : w), 'pass');
  const parts = [
    `${count('alarms.audit.missing')} missing`,
    `${new Set(results.filter((r) => r.id === 'alarms.audit.drift').map((r) => r.resource)).size} drifted`,
    `${count('alarms.audit.actions')} without working actions`,
    `${count('alarms.audit.insufficient-data')} stuck in INSUFFICIENT_DATA`,
    `${count('alarms.audit.topic')} topic(s) reaching nobody`,
    `${count('alarms.audit.metric-filter') + count('alarms.audit.event-rule')} metric filter(s) or event rule(s) missing`,
    ...(count('alarms.audit.topic-key')
      ? [
          `the topic key ${results.find((r) => r.id === 'alarms.audit.topic-key' && r.status !== 'pass')?.resource} cannot encrypt: every notification is dropped`,
        ]
      : []),
    ...(count(UNREAD) ? [`${count(UNREAD)} fact(s) that could not be read`] : []),
  ];
  return {
    id: 'alarms.audit.summary',
    title: 'Alarms as the guides define them',
    status: worst,
    resource: `${alarms} alarm(s)`,
    expected: 'every catalogue alarm exists as declared and notifies a subscribed topic',
    observed: parts.join(', '),
    remediation: `Details: \`fsops alarms audit --env ${env}\`; fix: \`fsops alarms apply --env ${env}\`.`,
  };
}

export const alarmsAuditCheck = defineCheck({
  id: 'alarms.audit',
  title: 'CloudWatch alarms match the catalogue',
  severity: 'high',
  source: SOURCE,
  remediation: 'Run `fsops alarms apply --env <env>` to create or correct the alarms.',
  params: z
    .object({
      /** One summary finding instead of one per alarm (what `validate` shows). */
      summary: z.boolean().optional(),
      /** Another catalogue file than monitoring/alarms.yaml. */
      catalogue: z.string().min(1).optional(),
    })
    .strict(),
  async run(ctx, params) {
    const catalogue = loadAlarmCatalogue(params.catalogue);
    const topics = topicsFor(catalogue, ctx.env);
    const filters = desiredMetricFilters(catalogue, ctx.env);
    const events = desiredEventRules(catalogue, ctx.env);
    const key = params.catalogue ?? 'default';
    const topicKeyId = catalogue.topicEncryption?.kmsKeyId;
    // Each fact on its own: one that cannot be read is an error finding, the rest is judged. The
    // topics need no other fact; the alarms' names wait for the load balancers (their dimensions).
    const topicState = attempt(
      ctx.once(`alarms.topics.${key}`, (signal) => gatherTopicState(ctx.aws, Object.values(topics), signal)),
    );
    const [albs, fetchedFilters, rules, topicKey] = await gather(
      ctx.once('alarms.albs', (signal) =>
        gatherAlbDimensions(ctx.aws, ctx.env.components, (c) => ctx.env.nameOf('alb', c), signal),
      ),
      ctx.once(`alarms.filters.${key}`, (signal) => gatherMetricFilters(ctx.aws, filters, signal)),
      ctx.once(`alarms.rules.${key}`, (signal) =>
        gatherEventRules(
          ctx.aws,
          events.map((e) => e.rule),
          signal,
        ),
      ),
      topicKeyId
        ? ctx.once(`alarms.topic-key.${topicKeyId}`, (signal) =>
            describeTopicKey(ctx.aws, topicKeyId, signal),
          )
        : Promise.resolve(undefined),
    );
    const desired = desiredAlarms(
      catalogue,
      ctx.env,
      albs.ok ? { albs: albs.value } : { albs: new Map(), albsUnread: albs.reason },
    );
    const [alarms, noData] = await gather(
      ctx.once(`alarms.state.${key}`, (signal) =>
        describeAlarmsByName(
          ctx.aws,
          desired.map((a) => a.name),
          signal,
        ),
      ),
      ctx.once(`alarms.no-data.${key}`, (signal) =>
        metricsWithoutData(
          ctx.aws,
          desired.filter((a) => !a.unresolved),
          signal,
        ),
      ),
    );
    const topicsGot = await topicState;
    const unread: AuditInput['unread'] = {
      ...(alarms.ok ? {} : { alarms: alarms.reason }),
      ...(topicsGot.ok ? {} : { topics: topicsGot.reason }),
      ...(fetchedFilters.ok ? {} : { filters: fetchedFilters.reason }),
      ...(rules.ok ? {} : { rules: rules.reason }),
      ...(noData.ok ? {} : { noData: noData.reason }),
      ...(topicKey.ok ? {} : { topicKey: topicKey.reason }),
    };
    const results = evaluateAlarmAudit({
      env: ctx.env.name,
      desired,
      topics,
      events,
      state: {
        alarms: alarms.ok ? alarms.value : new Map(),
        ...(topicsGot.ok ? topicsGot.value : { topicArns: new Set<string>(), topics: new Map() }),
      },
      now: ctx.now,
      metricFilters: filters,
      ...(fetchedFilters.ok ? { filters: fetchedFilters.value } : {}),
      ...(rules.ok ? { rules: rules.value } : {}),
      ...(noData.ok ? { noData: noData.value } : {}),
      ...(topicKeyId ? { topicKeyId } : {}),
      ...(topicKey.ok && topicKey.value ? { topicKey: topicKey.value } : {}),
      unread,
    });
    return params.summary ? [summarizeAudit(ctx.env.name, results)] : results;
  },
});
