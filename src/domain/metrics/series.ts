import type { CloudWatchClient, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { EscalationTier } from '../../base/config/guide-thresholds.js';
import type { CheckResult } from '../../base/model/check.js';
import type { Severity, Status } from '../../base/model/finding.js';

/** GetMetricData takes at most 500 queries per call. */
export const MAX_QUERIES_PER_CALL = 500;
/**
 * Pages of one GetMetricData call fsops follows: a window of a few hours needs one; an endpoint that
 * keeps answering with a NextToken (the same one, or new ones forever) must not hold the run.
 */
export const MAX_PAGES_PER_CALL = 50;

export interface Series {
  timestamps: number[];
  values: number[];
}

export interface MetricSpec {
  /** Finding id under `metrics.`, e.g. `rds.cpu` -> `metrics.rds.cpu`. */
  key: string;
  title: string;
  resource: string;
  /** A CloudWatch metric, or a metric-math expression over `inputs`. */
  metric?: {
    namespace: string;
    name: string;
    dimensions: Record<string, string>;
    stat: string;
  };
  expression?: { text: string; inputs: Record<string, NonNullable<MetricSpec['metric']>> };
  unit: string;
  /** Multiplies raw values into `unit` (seconds -> ms, bytes -> MB, bytes -> percent of allocated). */
  scale?: number;
  thresholds?: { warn: number; fail: number };
  higherIsWorse: boolean;
  /** No datapoints: `warn` for metrics the application must publish, `skip` otherwise. */
  whenMissing: 'skip' | 'warn';
  expected?: string;
  remediation: string;
  /** Extra context shown under the finding (e.g. where max_connections came from). */
  note?: string;
  /**
   * How long the metric must stay past a level to breach it (src/base/config/guide-thresholds.ts): judged
   * on every datapoint of that trailing window, not on the latest one. 0/unset: the latest period.
   */
  durationSeconds?: number;
  /** Severity tiers past the fail level (payment success: critical < 90%, escalate < 80%). */
  tiers?: readonly EscalationTier[];
  /** The metric's own granularity (e.g. an application metric published every 5 minutes): never query finer. */
  minPeriodSeconds?: number;
}

/** A period giving at most about 60 points over the window, in whole minutes (CloudWatch's minimum is 60s). */
export function periodFor(windowMs: number): number {
  return Math.max(60, Math.ceil(windowMs / 60_000 / 60) * 60);
}

/**
 * The GetMetricData queries for specs: one per metric, expressions with hidden inputs; ids
 * <prefix><i>, <prefix><i>_<input> (the prefix keeps several checks' queries apart in one call).
 */
export function queriesFor(specs: readonly MetricSpec[], period: number, prefix = 'q'): MetricDataQuery[] {
  const stat = (m: NonNullable<MetricSpec['metric']>) => ({
    Metric: {
      Namespace: m.namespace,
      MetricName: m.name,
      Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
    },
    Period: period,
    Stat: m.stat,
  });
  return specs.flatMap((spec, i): MetricDataQuery[] => {
    const id = `${prefix}${i}`;
    if (spec.metric) {
      const query = stat(spec.metric);
      query.Period = Math.max(period, spec.minPeriodSeconds ?? 0);
      return [{ Id: id, MetricStat: query, ReturnData: true }];
    }
    if (!spec.expression) return [];
    const inputs = Object.entries(spec.expression.inputs).map(([name, m]) => ({
      Id: `${id}_${name}`,
      MetricStat: stat(m),
      ReturnData: false,
    }));
    const text = Object.keys(spec.expression.inputs).reduce(
      (expr, name) => expr.replaceAll(`{${name}}`, `${id}_${name}`),
      spec.expression.text,
    );
    return [...inputs, { Id: id, Expression: text, Label: spec.key, ReturnData: true }];
  });
}

/**
 * Splits queries into GetMetricData calls of at most 500 queries. An expression's inputs travel with
 * it (a call cannot refer to another call's ids), so a spec's queries are never split.
 */
export function chunkQueries(queries: readonly MetricDataQuery[]): MetricDataQuery[][] {
  const bySpec = new Map<string, MetricDataQuery[]>();
  for (const query of queries) {
    const spec = query.Id!.split('_')[0]!;
    const group = bySpec.get(spec) ?? [];
    group.push(query);
    bySpec.set(spec, group);
  }
  const chunks: MetricDataQuery[][] = [];
  let current: MetricDataQuery[] = [];
  for (const group of bySpec.values()) {
    if (current.length + group.length > MAX_QUERIES_PER_CALL) {
      chunks.push(current);
      current = [];
    }
    current.push(...group);
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/**
 * Fetches every query's series with as few GetMetricData calls as the API allows: 500 queries per
 * call (calls run together), each paginated by NextToken. Series come back oldest first.
 */
export async function fetchSeries(
  client: CloudWatchClient,
  queries: readonly MetricDataQuery[],
  window: { start: Date; end: Date },
  signal?: AbortSignal,
): Promise<Map<string, Series>> {
  const { GetMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
  const chunks = chunkQueries(queries);
  const points = new Map<string, Map<number, number>>();
  await Promise.all(
    chunks.map(async (chunk) => {
      let nextToken: string | undefined;
      let pages = 0;
      do {
        if (pages++ >= MAX_PAGES_PER_CALL) {
          throw new Error(
            `GetMetricData still answered with a NextToken after ${MAX_PAGES_PER_CALL} pages: stopped (a window this short needs one or two)`,
          );
        }
        const out = await client.send(
          new GetMetricDataCommand({
            MetricDataQueries: chunk,
            StartTime: window.start,
            EndTime: window.end,
            ScanBy: 'TimestampAscending',
            NextToken: nextToken,
          }),
          { abortSignal: signal },
        );
        for (const result of out.MetricDataResults ?? []) {
          if (!result.Id) continue;
          const byTime = points.get(result.Id) ?? new Map<number, number>();
          points.set(result.Id, byTime);
          (result.Timestamps ?? []).forEach((ts, i) => {
            const value = result.Values?.[i];
            if (value !== undefined && Number.isFinite(value)) byTime.set(new Date(ts).getTime(), value);
          });
        }
        if (out.NextToken && out.NextToken === nextToken) {
          throw new Error('GetMetricData answered with the NextToken it was given: stopped paging');
        }
        nextToken = out.NextToken;
      } while (nextToken);
    }),
  );
  const series = new Map<string, Series>();
  for (const [id, byTime] of points) {
    const timestamps = [...byTime.keys()].sort((a, b) => a - b);
    series.set(id, { timestamps, values: timestamps.map((t) => byTime.get(t)!) });
  }
  return series;
}

const BARS = '▁▂▃▄▅▆▇█';

/** A small unicode trend line of at most `width` characters (averaging neighbouring points). */
export function sparkline(values: readonly number[], width = 24): string {
  if (values.length === 0) return '';
  const buckets: number[] = [];
  const size = Math.ceil(values.length / width);
  for (let i = 0; i < values.length; i += size) {
    const slice = values.slice(i, i + size);
    buckets.push(slice.reduce((a, b) => a + b, 0) / slice.length);
  }
  const min = Math.min(...buckets);
  const max = Math.max(...buckets);
  if (max === min) return BARS[0]!.repeat(buckets.length);
  return buckets.map((v) => BARS[Math.round(((v - min) / (max - min)) * (BARS.length - 1))]).join('');
}

export function formatValue(value: number, unit: string): string {
  const rounded = Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
  return unit === '%' ? `${rounded}%` : unit === 'count' ? String(rounded) : `${rounded} ${unit}`;
}

const past = (value: number, level: number, spec: MetricSpec) =>
  spec.higherIsWorse ? value >= level : value <= level;

function levelOf(value: number, spec: MetricSpec): Status {
  const t = spec.thresholds;
  if (!t) return 'pass';
  if (past(value, t.fail, spec)) return 'fail';
  if (past(value, t.warn, spec)) return 'warn';
  return 'pass';
}

export function durationText(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

/**
 * The trailing window a level is judged on: the datapoints of the last `duration` (at least one
 * period) ending at the latest datapoint, and whether every period of it has a datapoint.
 */
export function trailingWindow(
  series: { timestamps: readonly number[]; values: readonly number[] },
  durationSeconds: number,
  periodSeconds: number,
): { values: number[]; periods: number; covered: number; complete: boolean } {
  const periods = Math.max(1, Math.ceil(durationSeconds / periodSeconds));
  const last = series.timestamps[series.timestamps.length - 1] ?? 0;
  const width = periodSeconds * 1000;
  const buckets = new Set<number>();
  const values: number[] = [];
  series.timestamps.forEach((ts, i) => {
    const bucket = Math.floor((last - ts) / width);
    if (bucket < 0 || bucket >= periods) return;
    buckets.add(bucket);
    values.push(series.values[i]!);
  });
  return { values, periods, covered: buckets.size, complete: buckets.size >= periods };
}

/**
 * The longest run of consecutive datapoints (no missing period between them) past `level`, in
 * periods; a run of `periods` or more anywhere in the window is an earlier sustained breach.
 */
function longestRun(
  series: { timestamps: readonly number[]; values: readonly number[] },
  level: number,
  spec: MetricSpec,
  periodSeconds: number,
): { length: number; peak: number | null } {
  let best = { length: 0, peak: null as number | null };
  let run = 0;
  let runPeak: number | null = null;
  let previous = Number.NEGATIVE_INFINITY;
  series.values.forEach((value, i) => {
    const ts = series.timestamps[i]!;
    const adjacent = ts - previous <= periodSeconds * 1000 * 1.5;
    previous = ts;
    if (!past(value, level, spec)) {
      run = 0;
      runPeak = null;
      return;
    }
    run = adjacent ? run + 1 : 1;
    if (run === 1) runPeak = value;
    runPeak = spec.higherIsWorse ? Math.max(runPeak ?? value, value) : Math.min(runPeak ?? value, value);
    if (run > best.length) best = { length: run, peak: runPeak };
  });
  return best;
}

/**
 * Judges one metric over the guide's duration (src/base/config/guide-thresholds.ts): a level is breached
 * only when every datapoint of the trailing `durationSeconds` is past it. A window with missing
 * datapoints is not a pass ("cannot judge", warn); a single spike is mentioned, not a breach; an
 * earlier sustained breach that has recovered warns. No datapoints at all is never a pass.
 */
export function evaluateMetric(
  spec: MetricSpec,
  raw: Series | undefined,
  window: string,
  periodSeconds = 60,
): CheckResult {
  const base = {
    id: `metrics.${spec.key}`,
    title: spec.title,
    resource: spec.resource,
    expected: spec.expected ?? expectedText(spec),
    remediation: spec.remediation,
  };
  if (!raw || raw.values.length === 0) {
    return {
      ...base,
      // Its own id: a metric without data says nothing about the cause, so no resolution step points at it.
      id: `metrics.no-data.${spec.key}`,
      status: spec.whenMissing,
      observed: `no datapoints in the last ${window}`,
      detail: spec.note ?? '',
      remediation:
        spec.whenMissing === 'warn'
          ? 'The metric has no data: check that the application publishes it (ops guide §3.2.1).'
          : 'No data for this metric in the window: check the resource name in the config, or widen --since.',
    };
  }
  const period = Math.max(periodSeconds, spec.minPeriodSeconds ?? 0);
  const duration = spec.durationSeconds ?? 0;
  const values = raw.values.map((v) => v * (spec.scale ?? 1));
  const scaled = { timestamps: raw.timestamps, values };
  const latest = values[values.length - 1]!;
  const average = values.reduce((a, b) => a + b, 0) / values.length;
  const peak = spec.higherIsWorse ? Math.max(...values) : Math.min(...values);
  const u = spec.unit;
  const observed = `latest ${formatValue(latest, u)}, avg ${formatValue(average, u)}, ${spec.higherIsWorse ? 'max' : 'min'} ${formatValue(peak, u)}  ${sparkline(values)}`;
  const t = spec.thresholds;
  const notes: string[] = [];
  let status: Status = 'pass';
  let severity: Severity | undefined;
  if (t) {
    const trailing = trailingWindow(scaled, duration, period);
    const span = duration > period ? `the last ${durationText(duration)}` : 'the latest period';
    const sustained = (level: number) => trailing.values.every((v) => past(v, level, spec));
    if (!trailing.complete) {
      const anyPast = trailing.values.some((v) => levelOf(v, spec) !== 'pass');
      status = 'warn';
      notes.push(
        `cannot judge: ${trailing.covered} of ${trailing.periods} datapoints in ${span}${anyPast ? ' (some past the threshold)' : ''}; a level counts only when every datapoint of ${durationText(duration || period)} is past it`,
      );
    } else if (sustained(t.fail)) {
      status = 'fail';
      notes.push(`past ${formatValue(t.fail, u)} for ${span} (every datapoint)`);
      const tier = [...(spec.tiers ?? [])].reverse().find((x) => sustained(x.level));
      if (tier) {
        severity = tier.severity;
        notes.push(`${tier.label} (${tier.source}): past ${formatValue(tier.level, u)}`);
      }
    } else if (sustained(t.warn)) {
      status = 'warn';
    }
    const needed = trailing.periods;
    const levelForRuns = status === 'fail' ? null : t.fail;
    if (levelForRuns !== null) {
      const run = longestRun(scaled, levelForRuns, spec, period);
      if (run.length >= needed && run.peak !== null) {
        if (status === 'pass') status = 'warn';
        notes.push(
          `stayed past ${formatValue(levelForRuns, u)} for ${durationText(run.length * period)} earlier in the last ${window} (${spec.higherIsWorse ? 'peak' : 'low'} ${formatValue(run.peak, u)}), now back under the threshold`,
        );
      } else if (run.length > 0 && run.peak !== null) {
        notes.push(
          `spiked to ${formatValue(peak, u)} for ${durationText(run.length * period)}: not a breach (the guide's level must hold for ${durationText(duration)})`,
        );
      }
    }
  }
  if (spec.note) notes.push(spec.note);
  return {
    ...base,
    status,
    ...(severity ? { severity } : {}),
    observed,
    detail: notes.join('\n'),
    value: latest,
    unit: u,
  };
}

export function expectedText(spec: MetricSpec): string {
  const t = spec.thresholds;
  if (!t) return 'datapoints present';
  const op = spec.higherIsWorse ? '<' : '>';
  const hold = spec.durationSeconds ? ` for ${durationText(spec.durationSeconds)}` : '';
  return `${op} ${formatValue(t.warn, spec.unit)} (fail ${spec.higherIsWorse ? '>=' : '<='} ${formatValue(t.fail, spec.unit)}${hold})`;
}
