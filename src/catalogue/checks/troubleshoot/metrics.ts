import { z } from 'zod';
import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { componentsOf, componentsParam, defineCheck } from '../../../base/model/check.js';
import { joinMetricBatch, type MetricTicket } from '../../../domain/metrics/batch.js';
import {
  albMetricSpecs,
  ecsMetricSpecs,
  paymentMetricSpecs,
  type RdsMetricFacts,
  rdsMetricSpecs,
} from '../../../domain/metrics/definitions.js';
import { evaluateMetric, type MetricSpec, periodFor, type Series } from '../../../domain/metrics/series.js';
import { gather, unreadFact } from '../partial.js';
import { call } from '../security/common.js';
import { rdsInstance } from '../service-facts.js';
import { albsOfEach, noAlbResult, windowText } from './load-balancer-facts.js';

/** ops guide §8.1.1: "DatabaseConnections (Current: 160/200 max)". */
const GUIDE_MAX_CONNECTIONS = 200;

interface MetricParams {
  /** Only these metric keys (without the group), e.g. [cpu, connections]. */
  metrics?: string[];
  components?: string[];
}

const metricParams = z
  .object({
    /** Only these metric keys (without the group), e.g. [cpu, connections]. */
    metrics: z.array(z.string().min(1)).optional(),
    ...componentsParam,
  })
  .strict();

/**
 * Fetches the specs' series through the run's GetMetricData batch (one call for every metrics check
 * of the run) and judges each metric. Pass the ticket the check joined with before its first await.
 */
export async function judgeMetrics(
  ctx: CheckContext,
  specs: MetricSpec[],
  ticket: MetricTicket = joinMetricBatch(ctx),
): Promise<CheckResult[]> {
  const series = await ticket.fetch(specs, ctx.signal);
  return judgeSeries(ctx, specs, series);
}

function judgeSeries(ctx: CheckContext, specs: MetricSpec[], series: (Series | undefined)[]): CheckResult[] {
  const text = windowText(ctx);
  const period = periodFor(ctx.now.getTime() - ctx.since.getTime());
  return specs.map((spec, i) => evaluateMetric(spec, series[i], text, period));
}

function selected(specs: MetricSpec[], params: MetricParams): MetricSpec[] {
  if (!params.metrics) return specs;
  return specs.filter((spec) => params.metrics!.includes(spec.key.split('.').slice(1).join('.')));
}

/**
 * max_connections is a server setting, not a CloudWatch metric: the config's value, else the
 * database's own (when a session is available), else the ops guide's 200.
 */
export async function maxConnections(ctx: CheckContext): Promise<RdsMetricFacts['maxConnections']> {
  const configured = ctx.env.settings.rds.maxConnections;
  if (configured) return { value: configured, from: `environments.${ctx.env.name}.rds.maxConnections` };
  try {
    const db = await ctx.db();
    const rows = await db.query<{ setting: string }>(
      "SELECT setting FROM pg_settings WHERE name = 'max_connections'",
    );
    const value = Number(rows[0]?.setting);
    if (value > 0) return { value, from: 'the database (SHOW max_connections)' };
  } catch {
    // No database session: fall back to the guide's figure, and say so.
  }
  return {
    value: GUIDE_MAX_CONNECTIONS,
    from: `ops guide §8.1.1; set environments.${ctx.env.name}.rds.maxConnections for the real value`,
  };
}

export const metricsRdsCheck = defineCheck({
  id: 'metrics.rds',
  title: 'RDS metrics',
  severity: 'high',
  source: 'ops guide §8.1.1, §6.1.1; deployment guide §12.2.1',
  remediation: 'See `fsops troubleshoot db-performance` (ops guide §13.1.2).',
  params: metricParams,
  async run(ctx, params) {
    const name = ctx.env.nameOf('dbInstance');
    // The queries need only the instance name; the instance and max_connections only scale the
    // answers, so the batch does not wait for them (max_connections may need a database session).
    const querySpecs = selected(
      rdsMetricSpecs(ctx.env, {
        instance: name,
        allocatedStorageGiB: 1,
        maxConnections: { value: 1, from: '' },
      }),
      params,
    );
    // Each fact on its own: metrics that CloudWatch answered are judged even when the instance cannot
    // be described (only free storage needs its size), and the other way round.
    // maxConnections never fails: it falls back to the guide's figure and says so.
    const max = maxConnections(ctx);
    const [seriesGot, dbGot] = await gather(
      call('cloudwatch:GetMetricData', () => joinMetricBatch(ctx).fetch(querySpecs, ctx.signal)),
      call('rds:DescribeDBInstances', () => rdsInstance(ctx)),
    );
    const unread: CheckResult[] = [];
    if (!dbGot.ok)
      unread.push(
        unreadFact(
          'metrics.rds.instance',
          name,
          'the RDS instance (its allocated storage: free storage is not judged without it)',
          dbGot.reason,
        ),
      );
    if (!seriesGot.ok)
      unread.push(
        unreadFact('metrics.rds', name, 'the RDS metrics (CloudWatch GetMetricData)', seriesGot.reason),
      );
    const db = dbGot.ok ? dbGot.value : undefined;
    if (db === null) {
      return [
        ...unread,
        {
          id: 'metrics.rds.instance',
          status: 'fail',
          resource: name,
          expected: 'the RDS instance exists',
          observed: 'instance not found',
          remediation: 'Check names.dbInstance in the config and the account/region.',
        },
      ];
    }
    if (!seriesGot.ok) return unread;
    const specs = selected(
      rdsMetricSpecs(ctx.env, {
        instance: name,
        allocatedStorageGiB: db?.AllocatedStorage ?? null,
        maxConnections: await max,
      }),
      params,
    );
    const series = seriesGot.value;
    const byKey = new Map(querySpecs.map((spec, i) => [spec.key, series[i]]));
    return [
      ...unread,
      ...judgeSeries(
        ctx,
        specs,
        specs.map((spec) => byKey.get(spec.key)),
      ),
    ];
  },
});

export const metricsEcsCheck = defineCheck({
  id: 'metrics.ecs',
  title: 'ECS service CPU and memory',
  severity: 'high',
  source: 'ops guide §6.1.1; deployment guide §12.2.1',
  remediation: 'Scale out or find the hot path (ops guide §13.1.2).',
  params: metricParams,
  async run(ctx, params) {
    return judgeMetrics(ctx, selected(ecsMetricSpecs(ctx.env, componentsOf(ctx, params)), params));
  },
});

export const metricsAlbCheck = defineCheck({
  id: 'metrics.alb',
  title: 'ALB latency, errors and target health',
  severity: 'high',
  source: 'ops guide §6.1.1; deployment guide §12.2.1',
  remediation: 'See `fsops troubleshoot slow-api` and `high-error-rate`.',
  params: metricParams,
  async run(ctx, params) {
    // Joins before looking up the ALBs, so the run's batch waits for this check's queries.
    const ticket = joinMetricBatch(ctx);
    const components = componentsOf(ctx, params);
    let read: Awaited<ReturnType<typeof albsOfEach>>;
    try {
      read = await albsOfEach(ctx, components);
    } catch (error) {
      ticket.leave();
      throw error;
    }
    // An ALB that cannot be described is its own error; the others' metrics are judged.
    const unread = read.unread.map((u) =>
      unreadFact('metrics.alb', u.name, `the load balancer ${u.name} (its metrics are not judged)`, u.reason),
    );
    if (read.found.length === 0) {
      ticket.leave();
      return unread.length ? unread : [noAlbResult(ctx, components, 'metrics.alb.missing')];
    }
    const specs = albMetricSpecs(
      ctx.env,
      read.found.map((alb) => ({
        component: alb.component,
        name: alb.name,
        dimension: alb.dimension,
        targetGroups: alb.targetGroups.map((tg) => tg.dimension),
      })),
    );
    return [...unread, ...(await judgeMetrics(ctx, selected(specs, params), ticket))];
  },
});

export const metricsPaymentsCheck = defineCheck({
  id: 'metrics.payments',
  title: 'Payment success rate, error rate and processing time',
  severity: 'critical',
  source: 'ops guide §3.2.1, §6.1.1',
  remediation: 'See `fsops troubleshoot payment-failures` (ops guide §13.1.1).',
  params: metricParams,
  async run(ctx, params) {
    return judgeMetrics(ctx, selected(paymentMetricSpecs(ctx.env), params));
  },
});
