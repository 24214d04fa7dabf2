import type { CloudWatchClient, MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { Report, Status } from '../../base/model/finding.js';

/** PutMetricData takes at most 1000 metrics per call. */
export const MAX_METRICS_PER_CALL = 1000;
/** Where `--publish` puts its metrics (FSOPS_PUBLISH_NAMESPACE overrides it). */
export const DEFAULT_PUBLISH_NAMESPACE = 'Fivestar/Ops';

const STATUSES: Status[] = ['pass', 'warn', 'fail', 'skip', 'error'];

/**
 * A run as CloudWatch metrics (pure):
 * - `CheckFailing` (Env, Check): 1 when any finding of that id failed or could not be checked (error), else 0;
 * - `Findings` (Env, Command, Status): the number of findings in each status (0s included, so alarms see data);
 * - `RunFailing` (Env, Command): 1 when the run's verdict is fail or error.
 */
export function reportMetrics(report: Report): MetricDatum[] {
  const env = report.env ?? 'none';
  const at = new Date(report.startedAt);
  const failingById = new Map<string, number>();
  for (const f of report.findings) {
    const failing = f.status === 'fail' || f.status === 'error' ? 1 : 0;
    failingById.set(f.id, Math.max(failingById.get(f.id) ?? 0, failing));
  }
  const data: MetricDatum[] = [...failingById].map(([check, value]) => ({
    MetricName: 'CheckFailing',
    Dimensions: [
      { Name: 'Env', Value: env },
      { Name: 'Check', Value: check.slice(0, 255) },
    ],
    Value: value,
    Unit: 'Count',
    Timestamp: at,
  }));
  for (const status of STATUSES) {
    data.push({
      MetricName: 'Findings',
      Dimensions: [
        { Name: 'Env', Value: env },
        { Name: 'Command', Value: report.command.slice(0, 255) },
        { Name: 'Status', Value: status },
      ],
      Value: report.findings.filter((f) => f.status === status).length,
      Unit: 'Count',
      Timestamp: at,
    });
  }
  data.push({
    MetricName: 'RunFailing',
    Dimensions: [
      { Name: 'Env', Value: env },
      { Name: 'Command', Value: report.command.slice(0, 255) },
    ],
    Value: report.status === 'fail' || report.status === 'error' ? 1 : 0,
    Unit: 'Count',
    Timestamp: at,
  });
  return data;
}

/** Sends the metrics with as few PutMetricData calls as the API allows (1000 metrics each). */
export async function putMetrics(
  client: CloudWatchClient,
  namespace: string,
  data: readonly MetricDatum[],
  signal?: AbortSignal,
): Promise<number> {
  const { PutMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
  let calls = 0;
  for (let i = 0; i < data.length; i += MAX_METRICS_PER_CALL) {
    await client.send(
      new PutMetricDataCommand({ Namespace: namespace, MetricData: data.slice(i, i + MAX_METRICS_PER_CALL) }),
      { abortSignal: signal },
    );
    calls += 1;
  }
  return calls;
}
