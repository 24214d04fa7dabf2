import { z } from 'zod';
import type { CheckDefinition, CheckResult } from '../engine/model/check.js';
import type { Status } from '../engine/model/finding.js';
import {
  type AlarmCatalogue,
  type AlarmSeverity,
  alarmDiff,
  type DesiredAlarm,
  describeAlarm,
  desiredAlarms,
  loadAlarmCatalogue,
  topicNameOf,
  topicsFor,
} from '../monitoring/alarm-catalogue.js';
import { type AlarmState, gatherAlarmState } from '../monitoring/alarm-state.js';

export interface AlarmAuditParams {
  /** One summary finding instead of one per alarm (what `validate` shows). */
  summary?: boolean;
  /** Another catalogue file than monitoring/alarms.yaml. */
  catalogue?: string;
}

const SOURCE = 'ops guide §3.2.1, §5.1.1, §5.2.1, §8.1.1, §8.2.1; deployment guide §12.2.1';
/** INSUFFICIENT_DATA for longer than this is "stuck" (the metric is not published). */
export const STUCK_AFTER_MS = 60 * 60_000;

export interface AuditInput {
  env: string;
  desired: DesiredAlarm[];
  topics: Record<AlarmSeverity, string>;
  events: AlarmCatalogue['events'];
  state: AlarmState;
  now: Date;
}

const applyHint = (env: string) => `Run \`fsops alarms apply --env ${env}\` (plan, confirm, PutMetricAlarm).`;

/** Judges CloudWatch and SNS against the catalogue (pure): one or more findings per alarm, one per topic. */
export function evaluateAlarmAudit(input: AuditInput): CheckResult[] {
  return [
    ...input.desired.flatMap((alarm) => judgeAlarm(alarm, input)),
    ...judgeTopics(input),
    ...eventRules(input),
  ];
}

/** One catalogue alarm against CloudWatch: missing, drifted, notifying nobody, or without data. */
function judgeAlarm(alarm: AuditInput['desired'][number], input: AuditInput): CheckResult[] {
  const { env, state } = input;
  const existing = state.alarms.get(alarm.name);
  if (!existing) {
    return [
      {
        id: 'alarms.audit.missing',
        title: 'Alarm exists',
        status: 'fail',
        severity: alarm.severity === 'warning' ? 'medium' : alarm.severity,
        resource: alarm.name,
        expected: describeAlarm(alarm),
        observed: 'alarm not found',
        detail: `alarm declared from: ${alarm.source}`,
        remediation: applyHint(env),
      },
    ];
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
  const notifies = judgeActions(alarm, existing, input);
  if (notifies) problems.push(notifies);
  const since = existing.StateUpdatedTimestamp ? new Date(existing.StateUpdatedTimestamp) : undefined;
  if (
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
  return problems.length
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
      ];
}

/** Whether the alarm notifies its severity's topic: actions on, to topics that exist, the right one. */
function judgeActions(
  alarm: AuditInput['desired'][number],
  existing: NonNullable<ReturnType<AuditInput['state']['alarms']['get']>>,
  { env, state }: AuditInput,
): CheckResult | null {
  const actions = existing.ActionsEnabled === false ? [] : (existing.AlarmActions ?? []);
  const snsActions = actions.filter((arn) => arn.startsWith('arn:aws:sns:'));
  const dangling = snsActions.filter((arn) => !state.topicArns.has(arn));
  if (actions.length === 0) {
    return {
      id: 'alarms.audit.actions',
      title: 'Alarm notifies someone',
      status: 'fail',
      resource: alarm.name,
      expected: `actions to ${alarm.topic} (ops guide §5.1.1)`,
      observed: existing.ActionsEnabled === false ? 'actions disabled' : 'no alarm actions',
      remediation: applyHint(env),
    };
  } else if (dangling.length) {
    return {
      id: 'alarms.audit.actions',
      title: 'Alarm notifies someone',
      status: 'fail',
      resource: alarm.name,
      expected: `actions to ${alarm.topic}, a topic that exists`,
      observed: `actions to topics that do not exist: ${dangling.map(topicNameOf).join(', ')}`,
      remediation: applyHint(env),
    };
  } else if (!snsActions.some((arn) => topicNameOf(arn) === alarm.topic)) {
    return {
      id: 'alarms.audit.drift',
      title: 'Alarm matches the catalogue',
      status: 'fail',
      resource: alarm.name,
      expected: `actions to ${alarm.topic} (severity ${alarm.severity}, ops guide §5.1.1)`,
      observed: `actions: ${snsActions.map(topicNameOf).join(', ') || actions.join(', ')}`,
      remediation: applyHint(env),
    };
  }
  return null;
}

/** Each severity's SNS topic that the catalogue's alarms use: it exists and someone confirmed a subscription. */
function judgeTopics(input: AuditInput): CheckResult[] {
  const { env, state } = input;
  const topicResults: CheckResult[] = [];
  const used = new Set(input.desired.map((a) => a.severity));
  for (const severity of Object.keys(input.topics) as AlarmSeverity[]) {
    if (!used.has(severity)) continue;
    const name = input.topics[severity];
    const topic = state.topics.get(name);
    const alarms = input.desired.filter((a) => a.severity === severity).length;
    if (!topic) {
      topicResults.push({
        id: 'alarms.audit.topic',
        title: 'Alarm topic exists and reaches someone',
        status: 'fail',
        resource: name,
        expected: `SNS topic for ${severity} alarms with a confirmed subscription (ops guide §5.1.1)`,
        observed: 'topic not found',
        remediation: `Create the topic and subscribe the escalation (aws sns create-topic --name ${name}); ${alarms} alarm(s) notify it.`,
      });
    } else if (topic.confirmed === 0) {
      topicResults.push({
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
    } else {
      topicResults.push({
        id: 'alarms.audit.topic',
        title: 'Alarm topic exists and reaches someone',
        status: 'pass',
        resource: name,
        observed: `${topic.confirmed} confirmed subscription(s)`,
      });
    }
  }
  return topicResults;
}

/** The catalogue's event-driven alerts: EventBridge rules, named but not audited (skip). */
function eventRules(input: AuditInput): CheckResult[] {
  const { env } = input;
  return input.events.map((event) => ({
    id: 'alarms.audit.event-rule',
    title: 'Event-driven alert (not a metric alarm)',
    status: 'skip',
    resource: event.name,
    expected: `EventBridge rule ${event.rule.replace('{env}', env)} -> ${input.topics[event.severity]}`,
    observed: 'not a CloudWatch alarm: not audited by fsops',
    detail: `pattern: ${event.pattern}${event.note ? `\n${event.note}` : ''}`,
    remediation: `Create the EventBridge rule with this pattern targeting ${input.topics[event.severity]} (${event.source}).`,
  }));
}

/** One finding summing up the audit: what `validate` shows. */
export function summarizeAudit(env: string, results: CheckResult[]): CheckResult {
  const count = (id: string) => results.filter((r) => r.id === id && r.status !== 'pass').length;
  const alarms = new Set(
    results
      .filter(
        (r) => r.id?.startsWith('alarms.audit.') && !r.id.endsWith('topic') && !r.id.endsWith('event-rule'),
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

export const alarmsAuditCheck: CheckDefinition<AlarmAuditParams> = {
  id: 'alarms.audit',
  title: 'CloudWatch alarms match the catalogue',
  severity: 'high',
  source: SOURCE,
  remediation: 'Run `fsops alarms apply --env <env>` to create or correct the alarms.',
  params: z.object({ summary: z.boolean().optional(), catalogue: z.string().min(1).optional() }).strict(),
  async run(ctx, params) {
    const catalogue = loadAlarmCatalogue(params.catalogue);
    const desired = desiredAlarms(catalogue, ctx.env);
    const topics = topicsFor(catalogue, ctx.env);
    const state = await ctx.once(`alarms.state.${params.catalogue ?? 'default'}`, (signal) =>
      gatherAlarmState(
        ctx.aws,
        desired.map((a) => a.name),
        Object.values(topics),
        signal,
      ),
    );
    const results = evaluateAlarmAudit({
      env: ctx.env.name,
      desired,
      topics,
      events: catalogue.events,
      state,
      now: ctx.now,
    });
    return params.summary ? [summarizeAudit(ctx.env.name, results)] : results;
  },
};
