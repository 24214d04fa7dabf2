import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricAlarm, PutMetricAlarmInput } from '@aws-sdk/client-cloudwatch';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { EnvContext } from '../config/load.js';
import { plainIssue, yamlPosition, yamlReason } from '../config/load.js';
import { packageRoot } from '../config/package-root.js';
import { UsageError } from '../engine/model/errors.js';

/** The declared alarm catalogue shipped with fsops (ops guide §3.2.1, §5.1.1, §5.2.1, §8.1.1, §8.2.1). */
export const ALARM_CATALOGUE_FILE = join(packageRoot(), 'monitoring', 'alarms.yaml');

export const SEVERITIES = ['critical', 'high', 'warning'] as const;
export type AlarmSeverity = (typeof SEVERITIES)[number];

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
    severity: z.enum(SEVERITIES),
    namespace: z.string().min(1),
    metric: z.string().min(1),
    dimensions: z.record(z.string(), z.string().min(1)).default({}),
    statistic: z.enum(STATISTICS).optional(),
    extendedStatistic: z
      .string()
      .regex(/^p\d{1,2}(\.\d+)?$/, 'a percentile such as p95 or p99')
      .optional(),
    threshold: z.number(),
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
  .refine((a) => (a.statistic === undefined) !== (a.extendedStatistic === undefined), {
    message: 'give exactly one of statistic and extendedStatistic',
    path: ['statistic'],
  })
  .refine((a) => a.datapointsToAlarm === undefined || a.datapointsToAlarm <= a.evaluationPeriods, {
    message: 'datapointsToAlarm must not exceed evaluationPeriods',
    path: ['datapointsToAlarm'],
  });

const TopicSchema = z
  .object({
    name: z.string().min(1).max(256).describe('SNS topic name template ({env})'),
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
    topics: z.object({ critical: TopicSchema, high: TopicSchema, warning: TopicSchema }).strict(),
    alarms: z.array(AlarmEntrySchema).min(1),
    /** Alerts that are not CloudWatch metric alarms (GuardDuty findings arrive through EventBridge). */
    events: z
      .array(
        z
          .object({
            name: z.string().min(1),
            source: z.string().min(1),
            severity: z.enum(SEVERITIES),
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
  threshold: number;
  comparison: string;
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: string;
  /** The SNS topic name its actions go to (by severity, ops guide §5.1.1). */
  topic: string;
}

function render(template: string, values: Record<string, string | undefined>, path: string): string {
  return template.replace(/\{([a-zA-Z]+)\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) {
      throw new UsageError(
        `alarm catalogue ${path}: unknown placeholder {${key}} in '${template}': valid are ${Object.keys(
          values,
        )
          .filter((k) => values[k] !== undefined || k === 'component')
          .map((k) => `{${k}}`)
          .join(', ')}`,
      );
    }
    return value;
  });
}

/** The catalogue's topics for one environment, by severity. */
export function topicsFor(catalogue: AlarmCatalogue, env: EnvContext): Record<AlarmSeverity, string> {
  const values = { env: env.name };
  return {
    critical: render(catalogue.topics.critical.name, values, 'topics.critical.name'),
    high: render(catalogue.topics.high.name, values, 'topics.high.name'),
    warning: render(catalogue.topics.warning.name, values, 'topics.warning.name'),
  };
}

/** The alarms one environment must have: `{component}` entries once per component. */
export function desiredAlarms(catalogue: AlarmCatalogue, env: EnvContext): DesiredAlarm[] {
  const topics = topicsFor(catalogue, env);
  return catalogue.alarms.flatMap((entry, i) => {
    const perComponent = [entry.name, ...Object.values(entry.dimensions)].some((t) =>
      t.includes('{component}'),
    );
    const components = perComponent ? env.components : [undefined];
    return components.map((component): DesiredAlarm => {
      const values: Record<string, string | undefined> = {
        env: env.name,
        component,
        cluster: env.nameOf('cluster'),
        service: component ? env.nameOf('service', component) : undefined,
        dbInstance: env.nameOf('dbInstance'),
      };
      const path = `alarms.${i}`;
      return {
        name: render(entry.name, values, `${path}.name`),
        description: entry.description,
        source: entry.source,
        severity: entry.severity,
        namespace: entry.namespace,
        metric: entry.metric,
        dimensions: Object.entries(entry.dimensions)
          .map(([Name, v]) => ({ Name, Value: render(v, values, `${path}.dimensions.${Name}`) }))
          .sort((a, b) => a.Name.localeCompare(b.Name)),
        ...(entry.statistic ? { statistic: entry.statistic } : {}),
        ...(entry.extendedStatistic ? { extendedStatistic: entry.extendedStatistic } : {}),
        threshold: entry.thresholdByEnv?.[env.name] ?? entry.threshold,
        comparison: entry.comparison,
        period: entry.period,
        evaluationPeriods: entry.evaluationPeriods,
        datapointsToAlarm: entry.datapointsToAlarm ?? entry.evaluationPeriods,
        treatMissingData: entry.treatMissingData,
        topic: topics[entry.severity],
      };
    });
  });
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

/** "AWS/ECS CPUUtilization Average > 80 for 5 of 5 x 60 s" */
export function describeAlarm(alarm: DesiredAlarm): string {
  return `${alarm.namespace} ${alarm.metric} ${alarm.extendedStatistic ?? alarm.statistic} ${SYMBOL[alarm.comparison] ?? alarm.comparison} ${alarm.threshold} for ${alarm.datapointsToAlarm} of ${alarm.evaluationPeriods} x ${alarm.period} s -> ${alarm.topic}`;
}

const dims = (list: { Name?: string; Value?: string }[] | undefined) =>
  [...(list ?? [])]
    .map((d) => `${d.Name}=${d.Value}`)
    .sort()
    .join(',') || '(none)';

/** The topic an action ARN names (arn:aws:sns:region:account:name). */
export const topicNameOf = (arn: string) => arn.split(':').pop() ?? arn;

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
  compare('namespace', existing.Namespace, desired.namespace);
  compare('metric', existing.MetricName, desired.metric);
  compare('dimensions', dims(existing.Dimensions), dims(desired.dimensions));
  compare('statistic', existing.Statistic, desired.statistic);
  compare('extendedStatistic', existing.ExtendedStatistic, desired.extendedStatistic);
  compare('threshold', existing.Threshold, desired.threshold);
  compare('comparison', existing.ComparisonOperator, desired.comparison);
  compare('period', existing.Period, desired.period);
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
  compare('actions', actions || '(none)', desired.topic);
  return diffs;
}

/** The PutMetricAlarm request that makes the alarm as the catalogue says. */
export function putMetricAlarmInput(desired: DesiredAlarm, topicArn: string): PutMetricAlarmInput {
  return {
    AlarmName: desired.name,
    AlarmDescription:
      `${desired.description ? `${desired.description} ` : ''}(${desired.source}; managed by fsops alarms apply)`.slice(
        0,
        1024,
      ),
    ActionsEnabled: true,
    AlarmActions: [topicArn],
    Namespace: desired.namespace,
    MetricName: desired.metric,
    Dimensions: desired.dimensions,
    ...(desired.statistic ? { Statistic: desired.statistic as PutMetricAlarmInput['Statistic'] } : {}),
    ...(desired.extendedStatistic ? { ExtendedStatistic: desired.extendedStatistic } : {}),
    Threshold: desired.threshold,
    ComparisonOperator: desired.comparison as PutMetricAlarmInput['ComparisonOperator'],
    Period: desired.period,
    EvaluationPeriods: desired.evaluationPeriods,
    DatapointsToAlarm: desired.datapointsToAlarm,
    TreatMissingData: desired.treatMissingData,
  };
}
