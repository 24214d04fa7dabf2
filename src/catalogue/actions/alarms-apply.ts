import { z } from 'zod';
import type { AwsClients } from '../../base/aws/clients.js';
import { describeAwsError } from '../../base/aws/errors.js';
import type { CheckResult } from '../../base/model/check.js';
import { UsageError } from '../../base/model/errors.js';
import {
  type AlarmCatalogue,
  alarmDiff,
  type DesiredAlarm,
  type DesiredEventRule,
  type DesiredMetricFilter,
  describeAlarm,
  desiredAlarms,
  desiredEventRules,
  desiredMetricFilters,
  loadAlarmCatalogue,
  putMetricAlarmInput,
  topicNameOf,
  topicsFor,
} from '../../domain/monitoring/alarm-catalogue.js';
import {
  AWS_MANAGED_SNS_KEY,
  allowsEventBridge,
  describeTopicKey,
  gatherAlarmState,
  gatherAlbDimensions,
  gatherEventRules,
  gatherMetricFilters,
  keyProblem,
  metricsWithoutData,
  policyAllowingEventBridge,
  type TopicKey,
} from '../../domain/monitoring/alarm-state.js';
import { defineAction, interruptedResult } from '../action.js';

const alarmsApplyParams = z
  .object({
    /** Another catalogue file than monitoring/alarms.yaml. */
    catalogue: z.string().optional(),
  })
  .strict();

type Change =
  | { kind: 'create-topic'; key: string; topic: string; team: string; kmsKeyId: string | null }
  | { kind: 'encrypt-topic'; topic: string; kmsKeyId: string }
  | { kind: 'allow-events'; topic: string }
  | { kind: 'subscribe'; topic: string; protocol: string; endpoint: string }
  | { kind: 'put-filter'; filter: DesiredMetricFilter; create: boolean }
  | { kind: 'put'; alarm: DesiredAlarm; lines: string[]; create: boolean }
  | { kind: 'put-rule'; rule: DesiredEventRule; create: boolean; why: string };

const SOURCE = 'ops guide §3.2.1, §5.1.1, §5.2.1, §7.1.1, §8.1.1, §8.2.1; deployment guide §12.2.1';

/** The order apply makes changes in: a topic before what publishes to it, a filter before its alarm. */
const ORDER: Change['kind'][] = [
  'create-topic',
  'encrypt-topic',
  'allow-events',
  'subscribe',
  'put-filter',
  'put',
  'put-rule',
];

/**
 * `fsops alarms apply`: makes CloudWatch, SNS, CloudWatch Logs and EventBridge match the catalogue
 * (ops guide §3.2.1, §5.1.1, §5.2.1, §7.1.1, §8.1.1, §8.2.1): creates missing topics (encrypted, tagged),
 * subscribes the catalogue's endpoints, lets EventBridge publish to the topics its rules target,
 * creates the metric filters, creates or corrects the alarms (PutMetricAlarm) and the GuardDuty rule
 * (PutRule, PutTargets). The plan lists each change and warns about every alarm whose metric has no
 * data (ListMetrics): such an alarm would sit in INSUFFICIENT_DATA and never fire. An account already
 * as declared plans nothing, so a second apply changes nothing.
 */
export const alarmsApplyAction = defineAction({
  id: 'alarms.apply',
  title: 'Alarms as the catalogue declares them',
  severity: 'high',
  source: SOURCE,
  remediation:
    'Check the alarm catalogue (monitoring/alarms.yaml) and the IAM permissions (docs/monitoring.md: cloudwatch:PutMetricAlarm, sns:CreateTopic, sns:Subscribe, sns:SetTopicAttributes, logs:PutMetricFilter, events:PutRule, events:PutTargets).',
  params: alarmsApplyParams,
  recheck: ['alarms.audit'],
  async plan(ctx, params) {
    if (!ctx.env || !ctx.aws)
      throw new Error('alarms apply needs an environment (--env) and its AWS clients');
    const env = ctx.env;
    const aws = ctx.aws;
    const catalogue = loadAlarmCatalogue(params.catalogue);
    const topics = topicsFor(catalogue, env);
    const filters = desiredMetricFilters(catalogue, env);
    const events = desiredEventRules(catalogue, env);
    const [albs, existingFilters, rules] = await Promise.all([
      gatherAlbDimensions(aws, env.components, (c) => env.nameOf('alb', c), ctx.signal),
      gatherMetricFilters(aws, filters, ctx.signal),
      gatherEventRules(
        aws,
        events.map((e) => e.rule),
        ctx.signal,
      ),
    ]);
    const desired = desiredAlarms(catalogue, env, { albs });
    const resolved = desired.filter((a) => !a.unresolved);
    const [state, noData] = await Promise.all([
      gatherAlarmState(
        aws,
        desired.map((a) => a.name),
        Object.values(topics),
        ctx.signal,
      ),
      metricsWithoutData(aws, resolved, ctx.signal),
    ]);

    const changes: Change[] = [];
    const preview: CheckResult[] = [];
    const used = new Set([...resolved.flatMap((a) => a.topics), ...events.flatMap((e) => e.topics)]);
    const eventTopics = new Set(events.flatMap((e) => e.topics));
    const kmsKeyId = catalogue.topicEncryption?.kmsKeyId ?? null;
    for (const [key, name] of Object.entries(topics)) {
      if (!used.has(name)) continue;
      const topic = state.topics.get(name);
      const spec = catalogue.topics[key] as AlarmCatalogue['topics']['critical'];
      if (!topic) {
        changes.push({ kind: 'create-topic', key, topic: name, team: spec.team, kmsKeyId });
        if (eventTopics.has(name)) changes.push({ kind: 'allow-events', topic: name });
      } else {
        if (kmsKeyId && (topic.kmsKeyId === null || topic.kmsKeyId === AWS_MANAGED_SNS_KEY))
          changes.push({ kind: 'encrypt-topic', topic: name, kmsKeyId });
        if (eventTopics.has(name) && !allowsEventBridge(topic.policy))
          changes.push({ kind: 'allow-events', topic: name });
      }
      for (const sub of spec.subscriptions) {
        if (topic?.endpoints.includes(`${sub.protocol}:${sub.endpoint}`)) continue;
        changes.push({ kind: 'subscribe', topic: name, ...sub });
      }
    }
    for (const filter of filters) {
      const found = existingFilters.get(filter.name);
      const t = found?.metricTransformations?.[0];
      const same =
        found &&
        found.filterPattern === filter.pattern &&
        t?.metricNamespace === filter.namespace &&
        t?.metricName === filter.metric &&
        t?.metricValue === filter.value;
      if (!same) changes.push({ kind: 'put-filter', filter, create: !found });
    }
    for (const alarm of desired) {
      if (alarm.unresolved) {
        preview.push({
          status: 'error',
          resource: alarm.name,
          expected: describeAlarm(alarm),
          observed: `not created: ${alarm.unresolved}`,
          remediation: 'Check names.alb in the config and the load balancer of the component.',
        });
        continue;
      }
      const existing = state.alarms.get(alarm.name);
      const diffs = existing ? alarmDiff(alarm, existing) : [];
      if (existing && diffs.length === 0) continue;
      const lines = existing
        ? diffs.map((d) => `  ${d.field}: ${d.old} -> ${d.new}`)
        : [`  ${describeAlarm(alarm)}`];
      changes.push({ kind: 'put', alarm, lines, create: !existing });
    }
    for (const rule of events) {
      const found = rules.get(rule.rule);
      const why = !found?.exists
        ? 'create'
        : [
            found.state !== 'ENABLED' ? `state ${found.state} -> ENABLED` : '',
            samePattern(found.pattern, rule.pattern) ? '' : 'pattern',
            rule.topics.every((t) => found.targets.map(topicNameOf).includes(t)) ? '' : 'targets',
          ]
            .filter(Boolean)
            .join(', ');
      if (why) changes.push({ kind: 'put-rule', rule, create: !found?.exists, why });
    }
    changes.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
    // A topic encrypted with a key that is missing, disabled or pending deletion drops every
    // notification: refuse to create or encrypt topics with it (exit 2, before anything changed).
    if (
      kmsKeyId &&
      changes.some((c) => c.kind === 'encrypt-topic' || (c.kind === 'create-topic' && c.kmsKeyId))
    )
      await requireUsableKey(aws, kmsKeyId, ctx.signal);

    const warnings: CheckResult[] = resolved
      .filter((a) => noData.has(a.name))
      .map((a) => ({
        status: 'warn',
        resource: a.name,
        expected: `${a.namespace} ${a.metric} has data with ${a.dimensions.map((d) => `${d.Name}=${d.Value}`).join(', ') || 'no dimensions'}`,
        observed:
          'no datapoint in the last two weeks (ListMetrics): the alarm would stay INSUFFICIENT_DATA and never fire',
        remediation:
          'Check the metric name, namespace and dimensions in the catalogue, or that the application (or the metric filter) publishes it.',
      }));
    // With nothing to change there is no plan to confirm: the warnings are findings of the report.
    const lines = changes.length
      ? [
          ...changes.flatMap(planLines),
          ...warnings.map((w) => `warning: ${w.resource}: ${w.expected}: ${w.observed}`),
        ]
      : [];
    if (changes.length === 0 && preview.length === 0) {
      preview.push({
        status: 'pass',
        resource: `${desired.length} alarm(s)`,
        expected: 'every catalogue alarm, topic, metric filter and event rule as declared',
        observed: 'nothing to change',
      });
    }
    for (const c of changes) {
      preview.push({
        status: 'warn',
        resource: resourceOf(c),
        expected: expectedOf(c),
        observed: 'would ' + verbOf(c) + ' (dry run)',
      });
    }
    preview.push(...warnings);

    return {
      lines,
      preview,
      async apply(run) {
        const results: CheckResult[] = [...preview.filter((p) => p.status === 'error'), ...warnings];
        const arns = new Map([...state.topics].map(([name, t]) => [name, t.arn]));
        const failedTopics = new Set<string>();
        for (const c of changes) {
          if (run.signal.aborted || ctx.stopRequested?.()) {
            results.push(interruptedResult(resourceOf(c)));
            continue;
          }
          const needs = topicsOf(c).filter((t) => !arns.has(t));
          if (needs.length) {
            results.push({
              status: 'error',
              resource: resourceOf(c),
              expected: expectedOf(c),
              observed: `not done: topic ${needs.join(', ')} ${needs.some((t) => failedTopics.has(t)) ? 'could not be created' : 'does not exist'}`,
            });
            continue;
          }
          try {
            // No abort signal on a mutating call (as for UpdateService): Ctrl-C lets the request in
            // flight finish, since aborting it could not undo what AWS accepted, only lose the answer.
            const observed = await applyChange(c, ctx.env?.name ?? '', aws, arns);
            results.push({
              status: c.kind === 'subscribe' && c.protocol === 'email' ? 'warn' : 'pass',
              resource: resourceOf(c),
              expected: expectedOf(c),
              observed,
              ...(c.kind === 'subscribe' && c.protocol === 'email'
                ? { remediation: 'The recipient must confirm the subscription from the email AWS sends.' }
                : {}),
            });
          } catch (error) {
            if (c.kind === 'create-topic') failedTopics.add(c.topic);
            results.push({
              status: 'error',
              resource: resourceOf(c),
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
});

/**
 * The topics' key exists and is enabled (DescribeKey), or the plan is refused with one line and the
 * fix (UsageError: exit 2). A key that cannot be read is an error of the plan naming kms:DescribeKey.
 */
async function requireUsableKey(aws: AwsClients, keyId: string, signal: AbortSignal): Promise<void> {
  let key: TopicKey;
  try {
    key = await describeTopicKey(aws, keyId, signal);
  } catch (error) {
    throw new Error(
      `could not read the KMS key ${keyId} (kms:DescribeKey) before creating or encrypting topics with it: ${describeAwsError(error)}`,
    );
  }
  const problem = keyProblem(key);
  if (problem) {
    throw new UsageError(
      `alarms apply: not creating or encrypting topics with topicEncryption.kmsKeyId ${keyId}: ${problem.observed}. Fix: ${problem.fix}`,
    );
  }
}

const samePattern = (a: string | null, b: string) => {
  try {
    return a !== null && JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
};

/** The topics a change needs to exist (their ARNs) when it is applied. */
function topicsOf(c: Change): string[] {
  switch (c.kind) {
    case 'create-topic':
    case 'put-filter':
      return [];
    case 'put':
      return c.alarm.topics;
    case 'put-rule':
      return c.rule.topics;
    default:
      return [c.topic];
  }
}

function resourceOf(c: Change): string {
  switch (c.kind) {
    case 'put':
      return c.alarm.name;
    case 'put-filter':
      return `${c.filter.logGroup} ${c.filter.name}`;
    case 'put-rule':
      return c.rule.name;
    default:
      return c.topic;
  }
}

function verbOf(c: Change): string {
  switch (c.kind) {
    case 'create-topic':
      return 'create the topic';
    case 'encrypt-topic':
      return 'encrypt the topic';
    case 'allow-events':
      return 'let EventBridge publish';
    case 'subscribe':
      return 'subscribe';
    default:
      return c.create ? 'create' : 'update';
  }
}

function expectedOf(c: Change): string {
  switch (c.kind) {
    case 'create-topic':
      return `SNS topic ${c.topic} (team ${c.team}), ${c.kmsKeyId ? `encrypted with ${c.kmsKeyId}` : 'not encrypted (no topicEncryption in the catalogue)'}, tagged ManagedBy=fsops`;
    case 'encrypt-topic':
      return `SNS topic ${c.topic} encrypted with ${c.kmsKeyId}`;
    case 'allow-events':
      return `the policy of ${c.topic} lets events.amazonaws.com publish (ops guide §5.2.1 GuardDuty HIGH)`;
    case 'subscribe':
      return `${c.protocol} ${shownEndpoint(c)} subscribed`;
    case 'put-filter':
      return `${c.filter.namespace} ${c.filter.metric} from ${c.filter.logGroup} events matching ${c.filter.pattern} (${c.filter.source})`;
    case 'put':
      return describeAlarm(c.alarm);
    case 'put-rule':
      return `EventBridge rule ${c.rule.rule} ENABLED, pattern ${c.rule.pattern} -> ${c.rule.topics.join(', ')} (${c.rule.source})`;
  }
}

function planLines(c: Change): string[] {
  switch (c.kind) {
    case 'create-topic':
      return [`create topic ${c.topic}: ${expectedOf(c)}`];
    case 'encrypt-topic':
      return [`encrypt topic ${c.topic} with ${c.kmsKeyId}`];
    case 'allow-events':
      return [`let EventBridge publish to ${c.topic} (topic policy statement)`];
    case 'subscribe':
      return [
        `subscribe ${c.protocol} ${shownEndpoint(c)} to ${c.topic}${c.protocol === 'email' ? ' (confirmation needed for email)' : ''}`,
      ];
    case 'put-filter':
      return [
        `${c.create ? 'create' : 'update'} metric filter ${c.filter.name} on ${c.filter.logGroup} (${c.filter.source})`,
        `  ${expectedOf(c)}`,
      ];
    case 'put':
      return [`${c.create ? 'create' : 'update'} alarm ${c.alarm.name} (${c.alarm.source})`, ...c.lines];
    case 'put-rule':
      return [
        `${c.create ? 'create' : `update (${c.why})`} event rule ${c.rule.rule} (${c.rule.source})`,
        `  ${expectedOf(c)}`,
      ];
  }
}

/** Makes one change; returns what the report says was done. */
async function applyChange(
  c: Change,
  envName: string,
  aws: AwsClients,
  arns: Map<string, string>,
): Promise<string> {
  const arn = (topic: string) => arns.get(topic) as string;
  switch (c.kind) {
    case 'create-topic': {
      const { CreateTopicCommand } = await import('@aws-sdk/client-sns');
      const out = await (await aws.sns()).send(
        new CreateTopicCommand({
          Name: c.topic,
          ...(c.kmsKeyId ? { Attributes: { KmsMasterKeyId: c.kmsKeyId } } : {}),
          Tags: [
            { Key: 'ManagedBy', Value: 'fsops' },
            { Key: 'Environment', Value: envName },
            { Key: 'Team', Value: c.team },
            { Key: 'Route', Value: c.key },
          ],
        }),
      );
      if (!out.TopicArn) throw new Error('CreateTopic returned no TopicArn');
      arns.set(c.topic, out.TopicArn);
      return 'created';
    }
    case 'encrypt-topic': {
      const { SetTopicAttributesCommand } = await import('@aws-sdk/client-sns');
      await (await aws.sns()).send(
        new SetTopicAttributesCommand({
          TopicArn: arn(c.topic),
          AttributeName: 'KmsMasterKeyId',
          AttributeValue: c.kmsKeyId,
        }),
      );
      return 'encrypted';
    }
    case 'allow-events': {
      const { GetTopicAttributesCommand, SetTopicAttributesCommand } = await import('@aws-sdk/client-sns');
      const sns = await aws.sns();
      // Read the policy now (a topic created a moment ago has AWS's default one) and add the statement.
      const policy =
        (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn(c.topic) }))).Attributes?.Policy ?? '';
      if (allowsEventBridge(policy)) return 'already allowed';
      await sns.send(
        new SetTopicAttributesCommand({
          TopicArn: arn(c.topic),
          AttributeName: 'Policy',
          AttributeValue: policyAllowingEventBridge(policy, arn(c.topic)),
        }),
      );
      return 'EventBridge may publish';
    }
    case 'subscribe': {
      const { SubscribeCommand } = await import('@aws-sdk/client-sns');
      const out = await (await aws.sns()).send(
        new SubscribeCommand({ TopicArn: arn(c.topic), Protocol: c.protocol, Endpoint: c.endpoint }),
      );
      const pending = !out.SubscriptionArn || /pending/i.test(out.SubscriptionArn);
      return pending ? 'subscribed: pending confirmation' : 'subscribed';
    }
    case 'put-filter': {
      const { PutMetricFilterCommand } = await import('@aws-sdk/client-cloudwatch-logs');
      await (await aws.logs()).send(
        new PutMetricFilterCommand({
          logGroupName: c.filter.logGroup,
          filterName: c.filter.name,
          filterPattern: c.filter.pattern,
          metricTransformations: [
            {
              metricNamespace: c.filter.namespace,
              metricName: c.filter.metric,
              metricValue: c.filter.value,
            },
          ],
        }),
      );
      return c.create ? 'created' : 'updated';
    }
    case 'put': {
      const { PutMetricAlarmCommand } = await import('@aws-sdk/client-cloudwatch');
      await (await aws.cloudwatch()).send(
        new PutMetricAlarmCommand(putMetricAlarmInput(c.alarm, c.alarm.topics.map(arn))),
      );
      return c.create ? 'created' : `updated: ${c.lines.map((l) => l.trim()).join('; ')}`;
    }
    case 'put-rule': {
      const { PutRuleCommand, PutTargetsCommand } = await import('@aws-sdk/client-eventbridge');
      const events = await aws.eventbridge();
      await events.send(
        new PutRuleCommand({
          Name: c.rule.rule,
          EventPattern: c.rule.pattern,
          State: 'ENABLED',
          Description: `${c.rule.name} (${c.rule.source}; managed by fsops alarms apply)`.slice(0, 512),
          Tags: [
            { Key: 'ManagedBy', Value: 'fsops' },
            { Key: 'Environment', Value: envName },
          ],
        }),
      );
      const out = await events.send(
        new PutTargetsCommand({
          Rule: c.rule.rule,
          Targets: c.rule.topics.map((topic) => ({ Id: topic.slice(0, 64), Arn: arn(topic) })),
        }),
      );
      if (out.FailedEntryCount)
        throw new Error(
          `PutTargets failed for ${out.FailedEntries?.map((f) => `${f.TargetId}: ${f.ErrorCode}`).join(', ')}`,
        );
      return c.create ? 'created with its targets' : `updated (${c.why})`;
    }
  }
}

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
