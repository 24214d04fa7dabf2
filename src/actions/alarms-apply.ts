import type { CheckResult } from '../engine/model/check.js';
import {
  ALARM_SEVERITIES,
  alarmDiff,
  type DesiredAlarm,
  describeAlarm,
  desiredAlarms,
  loadAlarmCatalogue,
  putMetricAlarmInput,
  topicsFor,
} from '../monitoring/alarm-catalogue.js';
import { gatherAlarmState } from '../monitoring/alarm-state.js';
import type { ActionDefinition } from './types.js';

export interface AlarmsApplyParams {
  /** Another catalogue file than monitoring/alarms.yaml. */
  catalogue?: string;
}

type Change =
  | { kind: 'put'; alarm: DesiredAlarm; topicArn: string; lines: string[]; create: boolean }
  | { kind: 'subscribe'; topic: string; topicArn: string; protocol: string; endpoint: string };

/**
 * `fsops alarms apply`: creates or corrects the catalogue's alarms with PutMetricAlarm (ops guide
 * §3.2.1, §5.2.1, §8.1.1, §8.2.1) and subscribes the catalogue's endpoints to topics that have none of
 * them. The plan lists each alarm's diff (create / field: old -> new); an alarm already as declared
 * plans nothing, so a second apply changes nothing.
 */
export const alarmsApplyAction: ActionDefinition<AlarmsApplyParams> = {
  id: 'alarms.apply',
  title: 'Alarms as the catalogue declares them',
  severity: 'high',
  source: 'ops guide §3.2.1, §5.1.1, §5.2.1, §8.1.1, §8.2.1; deployment guide §12.2.1',
  remediation:
    'Check the alarm catalogue (monitoring/alarms.yaml) and the IAM permissions (cloudwatch:PutMetricAlarm, sns:Subscribe).',
  recheck: ['alarms.audit'],
  async plan(ctx, params) {
    if (!ctx.env || !ctx.aws)
      throw new Error('alarms apply needs an environment (--env) and its AWS clients');
    const env = ctx.env;
    const aws = ctx.aws;
    const catalogue = loadAlarmCatalogue(params.catalogue);
    const desired = desiredAlarms(catalogue, env);
    const topics = topicsFor(catalogue, env);
    const state = await gatherAlarmState(
      aws,
      desired.map((a) => a.name),
      Object.values(topics),
      ctx.signal,
    );
    const changes: Change[] = [];
    const preview: CheckResult[] = [];
    for (const alarm of desired) {
      const topic = state.topics.get(alarm.topic);
      const existing = state.alarms.get(alarm.name);
      const diffs = existing ? alarmDiff(alarm, existing) : [];
      if (existing && diffs.length === 0) continue;
      if (!topic) {
        preview.push({
          status: 'error',
          resource: alarm.name,
          expected: `SNS topic ${alarm.topic} exists (its actions go there)`,
          observed: `topic ${alarm.topic} not found: the alarm is not ${existing ? 'corrected' : 'created'}`,
          remediation: `Create the topic (aws sns create-topic --name ${alarm.topic}) and run apply again (ops guide §5.1.1).`,
        });
        continue;
      }
      const lines = existing
        ? diffs.map((d) => `  ${d.field}: ${d.old} -> ${d.new}`)
        : [`  ${describeAlarm(alarm)}`];
      changes.push({ kind: 'put', alarm, topicArn: topic.arn, lines, create: !existing });
    }
    for (const severity of ALARM_SEVERITIES) {
      const name = topics[severity];
      const topic = state.topics.get(name);
      if (!topic || !desired.some((a) => a.severity === severity)) continue;
      for (const sub of catalogue.topics[severity].subscriptions) {
        if (topic.endpoints.includes(`${sub.protocol}:${sub.endpoint}`)) continue;
        changes.push({ kind: 'subscribe', topic: name, topicArn: topic.arn, ...sub });
      }
    }
    const lines = changes.flatMap((c) =>
      c.kind === 'put'
        ? [`${c.create ? 'create' : 'update'} alarm ${c.alarm.name} (${c.alarm.source})`, ...c.lines]
        : [`subscribe ${c.protocol} ${shownEndpoint(c)} to ${c.topic} (confirmation needed for email)`],
    );
    if (changes.length === 0 && preview.length === 0) {
      preview.push({
        status: 'pass',
        resource: `${desired.length} alarm(s)`,
        expected: 'every catalogue alarm as declared',
        observed: 'nothing to change',
      });
    }
    for (const c of changes) {
      preview.push({
        status: 'warn',
        resource: c.kind === 'put' ? c.alarm.name : c.topic,
        expected: c.kind === 'put' ? describeAlarm(c.alarm) : `${c.protocol} ${shownEndpoint(c)} subscribed`,
        observed:
          c.kind === 'put'
            ? c.create
              ? 'would create (dry run)'
              : `would update: ${c.lines.map((l) => l.trim()).join('; ')}`
            : 'would subscribe (dry run)',
      });
    }
    return {
      lines,
      preview,
      async apply() {
        const { PutMetricAlarmCommand } = await import('@aws-sdk/client-cloudwatch');
        const { SubscribeCommand } = await import('@aws-sdk/client-sns');
        const results: CheckResult[] = [...preview.filter((p) => p.status === 'error')];
        for (const c of changes) {
          if (ctx.stopRequested?.()) {
            results.push({
              status: 'skip',
              resource: c.kind === 'put' ? c.alarm.name : c.topic,
              expected: 'done',
              observed: 'not done: interrupted (Ctrl-C); run again to finish',
            });
            continue;
          }
          try {
            if (c.kind === 'put') {
              // No abort signal on a mutating call (as for UpdateService): Ctrl-C lets the request in
              // flight finish, since aborting it could not undo what CloudWatch accepted, only lose the answer.
              await (await aws.cloudwatch()).send(
                new PutMetricAlarmCommand(putMetricAlarmInput(c.alarm, c.topicArn)),
              );
              results.push({
                status: 'pass',
                resource: c.alarm.name,
                expected: describeAlarm(c.alarm),
                observed: c.create ? 'created' : `updated: ${c.lines.map((l) => l.trim()).join('; ')}`,
              });
            } else {
              await (await aws.sns()).send(
                new SubscribeCommand({ TopicArn: c.topicArn, Protocol: c.protocol, Endpoint: c.endpoint }),
              );
              results.push({
                status: c.protocol === 'email' ? 'warn' : 'pass',
                resource: c.topic,
                expected: `${c.protocol} ${shownEndpoint(c)} subscribed and confirmed`,
                observed: c.protocol === 'email' ? 'subscribed: pending confirmation' : 'subscribed',
                remediation: 'The recipient must confirm the subscription from the email AWS sends.',
              });
            }
          } catch (error) {
            results.push({
              status: 'error',
              resource: c.kind === 'put' ? c.alarm.name : c.topic,
              expected: 'the change is made',
              // AWS's message is untrusted text: no control characters reach the terminal.
              observed: `failed: ${(error as Error).name}: ${(error as Error).message}`.replace(
                /\p{Cc}/gu,
                ' ',
              ),
            });
          }
        }
        return results;
      },
    };
  },
};

/**
 * A subscription's endpoint as fsops shows it (plan, report, audit): an HTTPS endpoint is a Slack or
 * PagerDuty webhook whose path or query carries its token, a secret; only its scheme and host are shown.
 */
export function shownEndpoint(sub: { protocol: string; endpoint: string }): string {
  if (sub.protocol !== 'https' && sub.protocol !== 'http') return sub.endpoint;
  try {
    const url = new URL(sub.endpoint);
    return `${url.protocol}//${url.host}/… (path hidden: it may hold a token)`;
  } catch {
    return '(an endpoint that is not a valid URL, hidden)';
  }
}
