import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricAlarm, PutMetricAlarmInput } from '@aws-sdk/client-cloudwatch';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { EnvContext } from '../../base/config/load.js';
import { plainIssue, yamlPosition, yamlReason } from '../../base/config/load.js';
import { packageRoot } from '../../base/config/package-root.js';
import { UsageError } from '../../base/model/errors.js';

/** The declared alarm catalogue shipped with fsops (ops guide §3.2.1, §5.1.1, §5.2.1, §8.1.1, §8.2.1). */
export const ALARM_CATALOGUE_FILE = join(packageRoot(), 'monitoring', 'alarms.yaml');

export const ALARM_SEVERITIES = ['critical', 'high', 'warning'] as const;
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];

const COMPARISONS = [
  'GreaterThanThreshold',
  'GreaterThanOrEqualToThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
] as const;
const STATISTICS = ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'] as const;
const positiveInt = z.number().int().positive();

const AlarmEntrySchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(255)
      .describe('template: {env}, {component}, {cluster}, {service}, {dbInstance}'),
    description: z.string().default(''),
    source: z.string().min(1).describe('the guide section the alarm comes from'),
    severity: z.enum(ALARM_SEVERITIES),
    namespace: z.string().min(1),
    metric: z.string().min(1),
    dimensions: z.record(z.string(), z.string().min(1)).default({}),
    statistic: z.enum(STATISTICS).optional(),
    extendedStatistic: z
      .string()
      .regex(/^p\d{1,2}(\.\d+)?$/, 'a percentile such as p95 or p99')
      .optional(),
    threshold: z.number().optional(),
    thresholdFrom: z
      .object({
        path: z
          .string()
          .regex(/^[\w.]+$/)
          .describe('dotted config path, e.g. thresholds.cpuPercent.fail'),
        scale: z.number().positive().default(1).describe('multiplier, e.g. 0.001 for ms -> s'),
      })
      .strict()
      .optional()
      .describe("the level is the environment's config value (one truth with the checks)"),
    notify: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('topic keys the alarm notifies (default: the topic of its severity)'),
    math: z
      .object({
        expression: z.string().min(1),
        label: z.string().min(1),
        metrics: z.record(
          z.string().regex(/^[a-z][a-zA-Z0-9_]*$/),
          z.object({ metric: z.string().min(1), statistic: z.enum(STATISTICS) }).strict(),
        ),
      })
      .strict()
      .optional()
      .describe('metric math over metrics of the same namespace and dimensions (e.g. 5XX percent)'),
    thresholdByEnv: z
      .record(z.string(), z.number())
      .optional()
      .describe("per-environment thresholds (e.g. 20% of each environment's allocated storage, in bytes)"),
    comparison: z.enum(COMPARISONS),
    period: positiveInt.refine(
      (p) => p === 10 || p === 30 || p % 60 === 0,
      '10, 30 or a multiple of 60 seconds',
    ),
    evaluationPeriods: positiveInt,
    datapointsToAlarm: positiveInt.optional(),
    treatMissingData: z.enum(['breaching', 'notBreaching', 'ignore', 'missing']).default('missing'),
  })
  .strict()
  .refine(
    (a) =>
      a.math
        ? a.statistic === undefined && a.extendedStatistic === undefined
        : (a.statistic === undefined) !== (a.extendedStatistic === undefined),
    {
      message: 'give exactly one of statistic and extendedStatistic (none with math)',
      path: ['statistic'],
    },
  )
  .refine((a) => (a.threshold === undefined) !== (a.thresholdFrom === undefined), {
    message: 'give exactly one of threshold and thresholdFrom',
    path: ['threshold'],
  })
  .refine((a) => a.datapointsToAlarm === undefined || a.datapointsToAlarm <= a.evaluationPeriods, {
    message: 'datapointsToAlarm must not exceed evaluationPeriods',
    path: ['datapointsToAlarm'],
  });

const TopicSchema = z
  .object({
    name: z.string().min(1).max(256).describe('SNS topic name template ({env})'),
    team: z.string().min(1).default('devops').describe('the team the guide routes these alarms to'),
    escalation: z.string().min(1).describe('who it reaches (ops guide §5.1.1)'),
    subscriptions: z
      .array(
        z
          .object({
            protocol: z.enum(['email', 'https', 'sms', 'lambda', 'sqs']),
            endpoint: z.string().min(1),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export const AlarmCatalogueSchema = z
  .object({
    source: z.string().min(1),
    /** One topic per severity (the default route), plus one per team the guide names (payments, security). */
    topics: z
      .object({ critical: TopicSchema, high: TopicSchema, warning: TopicSchema })
      .catchall(TopicSchema),
    /** Server-side encryption of the topics apply creates (a customer managed key CloudWatch and EventBridge may use). */
    topicEncryption: z
      .object({ kmsKeyId: z.string().min(1) })
      .strict()
      .optional(),
    alarms: z.array(AlarmEntrySchema).min(1),
    /** CloudWatch Logs metric filters the alarms read (failed logins, ops guide §7.1.1). */
    metricFilters: z
      .array(
        z
          .object({
            name: z.string().min(1).max(512).describe('filter name template'),
            source: z.string().min(1),
            logGroup: z.string().min(1).describe('template: {securityLogGroup}, {env}'),
            pattern: z.string().describe('template: {failedLoginPattern} is security.failedLogin.pattern'),
            namespace: z.string().min(1),
            metric: z.string().min(1),
            value: z.string().min(1).default('1'),
          })
          .strict(),
      )
      .default([]),
    /** Alerts that are not CloudWatch metric alarms (GuardDuty findings arrive through EventBridge). */
    events: z
      .array(
        z
          .object({
            name: z.string().min(1),
            source: z.string().min(1),
            severity: z.enum(ALARM_SEVERITIES),
            notify: z.array(z.string().min(1)).min(1).optional(),
            rule: z.string().min(1).describe('the EventBridge rule name template'),
            pattern: z.string().min(1),
            note: z.string().default(''),
          })
          .strict(),
      )
      .default([]),
  })
  .strict()
  .superRefine((catalogue, ctx) => {
    const seen = new Map<string, number>();
    catalogue.alarms.forEach((alarm, i) => {
      const first = seen.get(alarm.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['alarms', i, 'name'],
          message: `duplicate of alarms.${first}.name`,
        });
      }
      seen.set(alarm.name, i);
    });
    const keys = Object.keys(catalogue.topics);
    const checkNotify = (list: string[] | undefined, path: (string | number)[]) =>
      list?.forEach((key, j) => {
        if (!keys.includes(key))
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'notify', j],
            message: `unknown topic '${key}': valid topics are ${keys.join(', ')}`,
          });
      });
    catalogue.alarms.forEach((alarm, i) => {
      checkNotify(alarm.notify, ['alarms', i]);
    });
    catalogue.events.forEach((event, i) => {
      checkNotify(event.notify, ['events', i]);
    });
  });

export type AlarmCatalogue = z.infer<typeof AlarmCatalogueSchema>;
export type AlarmEntry = AlarmCatalogue['alarms'][number];

/** Parses and validates a catalogue: every problem with its dotted path, one UsageError (exit 2). */
export function parseAlarmCatalogue(text: string, label: string): AlarmCatalogue {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new UsageError(
      `alarm catalogue ${label}${yamlPosition(error, text)}: not valid YAML (${yamlReason(error)})`,
    );
  }
  const result = AlarmCatalogueSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `  - ${issue.path.join('.') || '(top level)'}: ${plainIssue(issue)}`,
    );
    throw new UsageError(`alarm catalogue ${label} is invalid:\n${problems.join('\n')}`);
  }
  return result.data;
}

export function loadAlarmCatalogue(file = ALARM_CATALOGUE_FILE): AlarmCatalogue {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read the alarm catalogue ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  return parseAlarmCatalogue(text, file);
}

/** One alarm as it must exist in one environment (templates resolved). */
export interface DesiredAlarm {
  name: string;
  description: string;
  source: string;
  severity: AlarmSeverity;
  namespace: string;
  metric: string;
  dimensions: { Name: string; Value: string }[];
  statistic?: string;
  extendedStatistic?: string;
  /** Metric math (the 5XX percent): the expression and its metrics, same namespace and dimensions. */
  math?: {
    expression: string;
    label: string;
    metrics: Record<string, { metric: string; statistic: string }>;
  };
  threshold: number;
  comparison: string;
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: string;
  /** The SNS topic names its actions go to (its team's, else its severity's: ops guide §3.2.1, §5.1.1). */
  topics: string[];
  /** Why the alarm cannot be made in this environment (its load balancer does not exist), if so. */
  unresolved?: string;
}

/** A component's load balancer as the ALB alarms need it: the LoadBalancer and TargetGroup dimensions. */
export interface AlbDimensions {
  /** `app/<name>/<id>` */
  loadBalancer: string;
  /** `targetgroup/<name>/<id>` of each target group. */
  targetGroups: string[];
}

/** What the templates need from AWS: each component's ALB (null: not found). */
export interface CatalogueFacts {
  albs: Map<string, AlbDimensions | null>;
  /** Why the ALBs could not be read (the alarms on them cannot be judged), when they could not. */
  albsUnread?: string;
}

export const NO_FACTS: CatalogueFacts = { albs: new Map() };

function render(template: string, values: Record<string, string | undefined>, path: string): string {
  return template.replace(/\{([a-zA-Z]+)\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) {
      throw new UsageError(
        `alarm catalogue ${path}: unknown placeholder {${key}} in '${template}': valid are ${Object.keys(
          values,
        )
          .map((k) => `{${k}}`)
          .join(', ')}`,
      );
    }
    return value;
  });
}

/** The catalogue's topics for one environment, by key (critical, high, warning, and the teams'). */
export function topicsFor(catalogue: AlarmCatalogue, env: EnvContext): Record<string, string> {
  return Object.fromEntries(
    Object.entries(catalogue.topics).map(([key, topic]) => [
      key,
      render(topic.name, { env: env.name }, `topics.${key}.name`),
    ]),
  );
}

/** The topic keys an alarm or event notifies: its own list, else its severity's topic. */
export const notifyKeys = (entry: { notify?: string[]; severity: AlarmSeverity }) =>
  entry.notify ?? [entry.severity];

/** The value at a dotted path of the environment's config (thresholds merged for the environment). */
function configValue(env: EnvContext, path: string): unknown {
  let node: unknown = { ...env.config, thresholds: env.thresholds };
  for (const part of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  return node;
}

function thresholdOf(entry: AlarmEntry, env: EnvContext, path: string): number {
  if (entry.thresholdFrom) {
    const value = configValue(env, entry.thresholdFrom.path);
    if (typeof value !== 'number')
      throw new UsageError(
        `alarm catalogue ${path}.thresholdFrom.path: ${entry.thresholdFrom.path} is not a number in the config`,
      );
    return Number((value * entry.thresholdFrom.scale).toPrecision(12));
  }
  return entry.thresholdByEnv?.[env.name] ?? (entry.threshold as number);
}

const PER_COMPONENT = /\{(component|service|alb|targetGroup)\}/;

/**
 * The alarms one environment must have: `{component}` entries once per component; entries on a
 * target group (`{targetGroup}`) once per target group of the component's ALB (named with the target
 * group's name when the ALB has more than one). An entry whose ALB does not exist is `unresolved`.
 */
export function desiredAlarms(
  catalogue: AlarmCatalogue,
  env: EnvContext,
  facts: CatalogueFacts = NO_FACTS,
): DesiredAlarm[] {
  const topics = topicsFor(catalogue, env);
  return catalogue.alarms.flatMap((entry, i) => {
    const path = `alarms.${i}`;
    const templates = [entry.name, ...Object.values(entry.dimensions)];
    const perComponent = templates.some((t) => PER_COMPONENT.test(t));
    const needsAlb = templates.some((t) => /\{(alb|targetGroup)\}/.test(t));
    const perTargetGroup = templates.some((t) => t.includes('{targetGroup}'));
    const components = perComponent ? env.components : [undefined];
    return components.flatMap((component): DesiredAlarm[] => {
      const base: Record<string, string | undefined> = {
        env: env.name,
        component,
        cluster: env.nameOf('cluster'),
        service: component ? env.nameOf('service', component) : undefined,
        dbInstance: env.nameOf('dbInstance'),
        alb: undefined,
        targetGroup: undefined,
      };
      const alb = component ? facts.albs.get(component) : undefined;
      const make = (
        values: Record<string, string | undefined>,
        suffix = '',
        unresolved?: string,
      ): DesiredAlarm => {
        const filled = unresolved ? { ...values, alb: '(unresolved)', targetGroup: '(unresolved)' } : values;
        return {
          name: `${render(entry.name, filled, `${path}.name`)}${suffix}`,
          description: entry.description,
          source: entry.source,
          severity: entry.severity,
          namespace: entry.namespace,
          metric: entry.metric,
          dimensions: Object.entries(entry.dimensions)
            .map(([Name, v]) => ({ Name, Value: render(v, filled, `${path}.dimensions.${Name}`) }))
            .sort((a, b) => a.Name.localeCompare(b.Name)),
          ...(entry.statistic ? { statistic: entry.statistic } : {}),
          ...(entry.extendedStatistic ? { extendedStatistic: entry.extendedStatistic } : {}),
          ...(entry.math ? { math: entry.math } : {}),
          threshold: thresholdOf(entry, env, path),
          comparison: entry.comparison,
          period: entry.period,
          evaluationPeriods: entry.evaluationPeriods,
          datapointsToAlarm: entry.datapointsToAlarm ?? entry.evaluationPeriods,
          treatMissingData: entry.treatMissingData,
          topics: notifyKeys(entry).map((key) => topics[key] as string),
          ...(unresolved ? { unresolved } : {}),
        };
      };
      if (!needsAlb || !component) return [make(base)];
      if (!alb) {
        const why = facts.albsUnread
          ? `could not read load balancer ${env.nameOf('alb', component)}: ${facts.albsUnread}`
          : `load balancer ${env.nameOf('alb', component)} not found`;
        return [make(base, '', why)];
      }
      const withAlb = { ...base, alb: alb.loadBalancer };
      if (!perTargetGroup) return [make(withAlb)];
      if (alb.targetGroups.length === 0)
        return [make(withAlb, '', `load balancer ${env.nameOf('alb', component)} has no target group`)];
      return alb.targetGroups.map((tg) =>
        make(
          { ...withAlb, targetGroup: tg },
          alb.targetGroups.length > 1 ? `-${tg.split('/')[1] ?? tg}` : '',
        ),
      );
    });
  });
}

/** A metric filter as it must exist in one environment. */
export interface DesiredMetricFilter {
  name: string;
  source: string;
  logGroup: string;
  pattern: string;
  namespace: string;
  metric: string;
  value: string;
}

export function desiredMetricFilters(catalogue: AlarmCatalogue, env: EnvContext): DesiredMetricFilter[] {
  const values = {
    env: env.name,
    securityLogGroup: env.nameOf('securityLogGroup'),
    failedLoginPattern: env.config.security.failedLogin.pattern,
  };
  return catalogue.metricFilters.map((f, i) => ({
    name: render(f.name, values, `metricFilters.${i}.name`),
    source: f.source,
    logGroup: render(f.logGroup, values, `metricFilters.${i}.logGroup`),
    // A pattern holds quotes and braces of its own: only the two placeholders are filled.
    pattern: f.pattern
      .replaceAll('{failedLoginPattern}', values.failedLoginPattern)
      .replaceAll('{env}', env.name),
    namespace: f.namespace,
    metric: f.metric,
    value: f.value,
  }));
}

/** An event rule (GuardDuty HIGH) as it must exist in one environment. */
export interface DesiredEventRule {
  name: string;
  rule: string;
  source: string;
  severity: AlarmSeverity;
  pattern: string;
  note: string;
  topics: string[];
}

export function desiredEventRules(catalogue: AlarmCatalogue, env: EnvContext): DesiredEventRule[] {
  const topics = topicsFor(catalogue, env);
  return catalogue.events.map((e, i) => ({
    name: e.name,
    rule: render(e.rule, { env: env.name }, `events.${i}.rule`),
    source: e.source,
    severity: e.severity,
    pattern: e.pattern,
    note: e.note,
    topics: notifyKeys(e).map((key) => topics[key] as string),
  }));
}

export interface FieldDiff {
  field: string;
  old: string;
  new: string;
}

const SYMBOL: Record<string, string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

const measured = (alarm: DesiredAlarm) =>
  alarm.math
    ? `${alarm.namespace} ${alarm.math.label} (${alarm.math.expression})`
    : `${alarm.namespace} ${alarm.metric} ${alarm.extendedStatistic ?? alarm.statistic}`;

/** "AWS/ECS CPUUtilization Average > 80 for 5 of 5 x 60 s -> prod-fivestar-alerts-high" */
export function describeAlarm(alarm: DesiredAlarm): string {
  return `${measured(alarm)} ${SYMBOL[alarm.comparison] ?? alarm.comparison} ${alarm.threshold} for ${alarm.datapointsToAlarm} of ${alarm.evaluationPeriods} x ${alarm.period} s -> ${alarm.topics.join(', ')}`;
}

const dims = (list: { Name?: string; Value?: string }[] | undefined) =>
  [...(list ?? [])]
    .map((d) => `${d.Name}=${d.Value}`)
    .sort()
    .join(',') || '(none)';

/** The topic an action ARN names (arn:aws:sns:region:account:name). */
export const topicNameOf = (arn: string) => arn.split(':').pop() ?? arn;

/** The metric-math queries of an alarm, in a canonical text (to compare with CloudWatch's `Metrics`). */
function mathText(
  metrics:
    | {
        Id?: string;
        Expression?: string;
        ReturnData?: boolean;
        MetricStat?: {
          Metric?: {
            Namespace?: string;
            MetricName?: string;
            Dimensions?: { Name?: string; Value?: string }[];
          };
          Stat?: string;
          Period?: number;
        };
      }[]
    | undefined,
): string {
  if (!metrics?.length) return '(unset)';
  return metrics
    .map((m) =>
      m.Expression
        ? `${m.Id}=${m.Expression}${m.ReturnData ? '*' : ''}`
        : `${m.Id}=${m.MetricStat?.Metric?.Namespace} ${m.MetricStat?.Metric?.MetricName} ${m.MetricStat?.Stat} ${m.MetricStat?.Period} [${dims(m.MetricStat?.Metric?.Dimensions)}]`,
    )
    .sort()
    .join('; ');
}

/**
 * What differs between the catalogue's alarm and CloudWatch's (pure): the fields PutMetricAlarm sets.
 * Actions are compared by topic name, so a topic ARN in another form is not drift.
 */
export function alarmDiff(desired: DesiredAlarm, existing: MetricAlarm): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  const compare = (field: string, old: unknown, wanted: unknown) => {
    const o = old === undefined || old === null ? '(unset)' : String(old);
    const n = wanted === undefined || wanted === null ? '(unset)' : String(wanted);
    if (o !== n) diffs.push({ field, old: o, new: n });
  };
  if (desired.math) {
    compare('metrics', mathText(existing.Metrics), mathText(metricQueries(desired)));
  } else {
    compare('namespace', existing.Namespace, desired.namespace);
    compare('metric', existing.MetricName, desired.metric);
    compare('dimensions', dims(existing.Dimensions), dims(desired.dimensions));
    compare('statistic', existing.Statistic, desired.statistic);
    compare('extendedStatistic', existing.ExtendedStatistic, desired.extendedStatistic);
  }
  compare('threshold', existing.Threshold, desired.threshold);
  compare('comparison', existing.ComparisonOperator, desired.comparison);
  if (!desired.math) compare('period', existing.Period, desired.period);
  compare('evaluationPeriods', existing.EvaluationPeriods, desired.evaluationPeriods);
  compare(
    'datapointsToAlarm',
    existing.DatapointsToAlarm ?? existing.EvaluationPeriods,
    desired.datapointsToAlarm,
  );
  compare('treatMissingData', existing.TreatMissingData ?? 'missing', desired.treatMissingData);
  const actions = (existing.ActionsEnabled === false ? [] : (existing.AlarmActions ?? []))
    .filter((arn) => arn.startsWith('arn:aws:sns:'))
    .map(topicNameOf)
    .sort()
    .join(',');
  compare('actions', actions || '(none)', [...desired.topics].sort().join(','));
  return diffs;
}

/** The metric-math queries PutMetricAlarm gets for an alarm with `math`. */
function metricQueries(desired: DesiredAlarm): NonNullable<PutMetricAlarmInput['Metrics']> {
  const math = desired.math;
  if (!math) return [];
  return [
    { Id: 'e1', Expression: math.expression, Label: math.label, ReturnData: true },
    ...Object.entries(math.metrics).map(([Id, m]) => ({
      Id,
      ReturnData: false,
      MetricStat: {
        Metric: { Namespace: desired.namespace, MetricName: m.metric, Dimensions: desired.dimensions },
        Stat: m.statistic,
        Period: desired.period,
      },
    })),
  ];
}

/** The PutMetricAlarm request that makes the alarm as the catalogue says. */
export function putMetricAlarmInput(desired: DesiredAlarm, topicArns: string[]): PutMetricAlarmInput {
  return {
    AlarmName: desired.name,
    AlarmDescription:
      `${desired.description ? `${desired.description} ` : ''}(${desired.source}; managed by fsops alarms apply)`.slice(
        0,
        1024,
      ),
    ActionsEnabled: true,
    AlarmActions: topicArns,
    ...(desired.math
      ? { Metrics: metricQueries(desired) }
      : {
          Namespace: desired.namespace,
          MetricName: desired.metric,
          Dimensions: desired.dimensions,
          ...(desired.statistic ? { Statistic: desired.statistic as PutMetricAlarmInput['Statistic'] } : {}),
          ...(desired.extendedStatistic ? { ExtendedStatistic: desired.extendedStatistic } : {}),
          Period: desired.period,
        }),
    Threshold: desired.threshold,
    ComparisonOperator: desired.comparison as PutMetricAlarmInput['ComparisonOperator'],
    EvaluationPeriods: desired.evaluationPeriods,
    DatapointsToAlarm: desired.datapointsToAlarm,
    TreatMissingData: desired.treatMissingData,
  };
}
