import type { CloudWatchClient, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { CheckResult } from '../engine/model/check.js';
import type { Status } from '../engine/model/finding.js';

/** GetMetricData takes at most 500 queries per call. */
export const MAX_QUERIES_PER_CALL = 500;

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
    if (spec.metric) return [{ Id: id, MetricStat: stat(spec.metric), ReturnData: true }];
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
      do {
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

function levelOf(value: number, spec: MetricSpec): Status {
  const t = spec.thresholds;
  if (!t) return 'pass';
  const worse = (a: number, b: number) => (spec.higherIsWorse ? a >= b : a <= b);
  if (worse(value, t.fail)) return 'fail';
  if (worse(value, t.warn)) return 'warn';
  return 'pass';
}

/**
 * Judges one metric: the latest value against the thresholds; a window peak past a threshold while
 * the latest value is fine is a warning ("peaked"). No datapoints is never a pass.
 */
export function evaluateMetric(spec: MetricSpec, raw: Series | undefined, window: string): CheckResult {
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
  const values = raw.values.map((v) => v * (spec.scale ?? 1));
  const latest = values[values.length - 1]!;
  const average = values.reduce((a, b) => a + b, 0) / values.length;
  const peak = spec.higherIsWorse ? Math.max(...values) : Math.min(...values);
  const latestLevel = levelOf(latest, spec);
  const peakLevel = levelOf(peak, spec);
  const status: Status = latestLevel !== 'pass' ? latestLevel : peakLevel !== 'pass' ? 'warn' : 'pass';
  const u = spec.unit;
  const observed = `latest ${formatValue(latest, u)}, avg ${formatValue(average, u)}, ${spec.higherIsWorse ? 'max' : 'min'} ${formatValue(peak, u)}  ${sparkline(values)}`;
  const peaked =
    latestLevel === 'pass' && peakLevel !== 'pass'
      ? `peaked at ${formatValue(peak, u)} in the last ${window}, now back under the threshold`
      : '';
  return { ...base, status, observed, detail: [peaked, spec.note].filter(Boolean).join('\n') };
}

function expectedText(spec: MetricSpec): string {
  const t = spec.thresholds;
  if (!t) return 'datapoints present';
  const op = spec.higherIsWorse ? '<' : '>';
  return `${op} ${formatValue(t.warn, spec.unit)} (fail ${spec.higherIsWorse ? '>=' : '<='} ${formatValue(t.fail, spec.unit)})`;
}
