import { guideThreshold } from '../../base/config/guide-thresholds.js';
import type { EnvContext } from '../../base/config/load.js';
import type { MetricSpec } from './series.js';

/** The guide's duration (and severity tiers) for a config threshold key: src/base/config/guide-thresholds.ts. */
export function held(configKey: string): Pick<MetricSpec, 'durationSeconds' | 'tiers'> {
  const entry = guideThreshold(configKey);
  if (!entry) throw new Error(`internal: no guide threshold '${configKey}'`);
  return { durationSeconds: entry.durationMinutes * 60, ...(entry.tiers ? { tiers: entry.tiers } : {}) };
}

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

export const METRIC_GROUPS = ['rds', 'ecs', 'alb', 'payments', 'dynamodb'] as const;

export interface RdsMetricFacts {
  instance: string;
  /** GiB, from DescribeDBInstances; null when the instance was not found. */
  allocatedStorageGiB: number | null;
  maxConnections: { value: number; from: string };
}

/** RDS metrics and thresholds: ops guide §8.1.1, §6.1.1 (connections), deployment guide §12.2.1. */
export function rdsMetricSpecs(env: EnvContext, facts: RdsMetricFacts): MetricSpec[] {
  const t = env.thresholds;
  const rds = (name: string, stat: string) => ({
    namespace: 'AWS/RDS',
    name,
    dimensions: { DBInstanceIdentifier: facts.instance },
    stat,
  });
  const common = { resource: facts.instance, whenMissing: 'skip' as const };
  const specs: MetricSpec[] = [
    {
      ...common,
      key: 'rds.cpu',
      title: 'RDS CPU utilization',
      metric: rds('CPUUtilization', 'Average'),
      unit: '%',
      thresholds: t.cpuPercent,
      ...held('cpuPercent'),
      higherIsWorse: true,
      remediation:
        'High database CPU: look for slow queries (`fsops troubleshoot db-performance`, ops guide §8.1.1).',
    },
    {
      ...common,
      key: 'rds.connections',
      title: 'RDS connections (percent of max_connections)',
      metric: rds('DatabaseConnections', 'Maximum'),
      unit: '%',
      scale: 100 / facts.maxConnections.value,
      thresholds: t.dbConnectionsPercent,
      ...held('dbConnectionsPercent'),
      higherIsWorse: true,
      note: `max_connections ${facts.maxConnections.value} (${facts.maxConnections.from})`,
      remediation:
        'Scale up or investigate connection leaks (ops guide §8.1.1): look at idle connections and the pool size.',
    },
    {
      ...common,
      key: 'rds.freeable-memory',
      title: 'RDS freeable memory',
      metric: rds('FreeableMemory', 'Minimum'),
      unit: 'MB',
      scale: 1 / MIB,
      thresholds: t.rdsFreeableMemoryMb,
      ...held('rdsFreeableMemoryMb'),
      higherIsWorse: false,
      remediation:
        'Low freeable memory (alert < 1 GB, ops guide §8.1.1): check connections and consider a larger class.',
    },
    {
      ...common,
      key: 'rds.read-latency',
      title: 'RDS read latency',
      metric: rds('ReadLatency', 'Average'),
      unit: 'ms',
      scale: 1000,
      thresholds: t.rdsReadLatencyMs,
      ...held('rdsReadLatencyMs'),
      higherIsWorse: true,
      remediation: 'High read latency: check DiskQueueDepth, IOPS and slow queries (ops guide §8.1.1).',
    },
    {
      ...common,
      key: 'rds.write-latency',
      title: 'RDS write latency',
      metric: rds('WriteLatency', 'Average'),
      unit: 'ms',
      scale: 1000,
      thresholds: t.rdsWriteLatencyMs,
      ...held('rdsWriteLatencyMs'),
      higherIsWorse: true,
      remediation: 'High write latency: check DiskQueueDepth, IOPS and long transactions (ops guide §8.1.1).',
    },
    {
      ...common,
      key: 'rds.disk-queue-depth',
      title: 'RDS disk queue depth',
      metric: rds('DiskQueueDepth', 'Average'),
      unit: 'count',
      thresholds: t.rdsDiskQueueDepth,
      ...held('rdsDiskQueueDepth'),
      higherIsWorse: true,
      remediation:
        'Sustained disk queue (target < 10, ops guide §8.1.1): the storage is saturated; consider more IOPS.',
    },
  ];
  if (facts.allocatedStorageGiB) {
    specs.push({
      ...common,
      key: 'rds.free-storage',
      title: 'RDS free storage (percent of allocated)',
      metric: rds('FreeStorageSpace', 'Minimum'),
      unit: '%',
      scale: 100 / (facts.allocatedStorageGiB * GIB),
      thresholds: t.rdsFreeStoragePercent,
      ...held('rdsFreeStoragePercent'),
      higherIsWorse: false,
      note: `allocated storage ${facts.allocatedStorageGiB} GiB`,
      remediation:
        'Free storage below 20% (ops guide §8.1.1): plan a storage increase (storage can only grow).',
    });
  }
  return specs;
}

/** ECS service CPU and memory per component: ops guide §6.1.1, deployment guide §12.2.1. */
export function ecsMetricSpecs(env: EnvContext, components: readonly string[]): MetricSpec[] {
  const cluster = env.nameOf('cluster');
  return components.flatMap((component): MetricSpec[] => {
    const service = env.nameOf('service', component);
    const metric = (name: string) => ({
      namespace: 'AWS/ECS',
      name,
      dimensions: { ClusterName: cluster, ServiceName: service },
      stat: 'Average',
    });
    return [
      {
        key: 'ecs.cpu',
        title: 'ECS service CPU utilization',
        resource: service,
        metric: metric('CPUUtilization'),
        unit: '%',
        thresholds: env.thresholds.cpuPercent,
        ...held('cpuPercent'),
        higherIsWorse: true,
        whenMissing: 'skip',
        remediation: `Scale out (\`fsops scale ${component} <count> --env ${env.name}\`) or look for hot code paths (ops guide §13.1.2).`,
      },
      {
        key: 'ecs.memory',
        title: 'ECS service memory utilization',
        resource: service,
        metric: metric('MemoryUtilization'),
        unit: '%',
        thresholds: env.thresholds.memoryPercent,
        ...held('memoryPercent'),
        higherIsWorse: true,
        whenMissing: 'skip',
        remediation:
          'Memory near the task limit: tasks may be OOM-killed (exit 137); raise task memory or find the leak.',
      },
    ];
  });
}

export interface AlbFacts {
  component: string;
  name: string;
  /** `app/<name>/<id>`, the LoadBalancer dimension. */
  dimension: string;
  /** `targetgroup/<name>/<id>` of each target group. */
  targetGroups: string[];
}

/** ALB latency, 5xx ratio and target health: ops guide §6.1.1 (API p95), deployment guide §12.2.1 (error rate). */
export function albMetricSpecs(env: EnvContext, albs: readonly AlbFacts[]): MetricSpec[] {
  const t = env.thresholds;
  return albs.flatMap((alb): MetricSpec[] => {
    const lb = (name: string, stat: string, extra: Record<string, string> = {}) => ({
      namespace: 'AWS/ApplicationELB',
      name,
      dimensions: { LoadBalancer: alb.dimension, ...extra },
      stat,
    });
    return [
      {
        key: 'alb.latency-p95',
        title: 'API response time p95 (ALB TargetResponseTime)',
        resource: alb.name,
        metric: lb('TargetResponseTime', 'p95'),
        unit: 'ms',
        scale: 1000,
        thresholds: t.apiLatencyP95Ms,
        ...held('apiLatencyP95Ms'),
        higherIsWorse: true,
        whenMissing: 'skip',
        remediation:
          'Slow API: `fsops troubleshoot slow-api` checks database, CPU and errors (ops guide §13.1.2).',
      },
      {
        key: 'alb.5xx-rate',
        title: 'Target 5XX responses (percent of requests)',
        resource: alb.name,
        expression: {
          text: '100 * FILL({errors}, 0) / {requests}',
          inputs: {
            errors: lb('HTTPCode_Target_5XX_Count', 'Sum'),
            requests: lb('RequestCount', 'Sum'),
          },
        },
        unit: '%',
        thresholds: t.errorRatePercent,
        ...held('errorRatePercent'),
        higherIsWorse: true,
        whenMissing: 'skip',
        remediation:
          'Group the errors (`fsops logs errors <component>`) and follow `fsops troubleshoot high-error-rate`.',
      },
      ...alb.targetGroups.map(
        (tg): MetricSpec => ({
          key: 'alb.unhealthy-hosts',
          title: 'Unhealthy ALB targets',
          resource: `${alb.name} ${tg.split('/')[1] ?? tg}`,
          metric: lb('UnHealthyHostCount', 'Maximum', { TargetGroup: tg }),
          unit: 'count',
          thresholds: { warn: 1, fail: 1 },
          // SystemDown: health check failures > 3 consecutive (ops guide §5.2.1): 3 minutes of unhealthy hosts.
          durationSeconds: 180,
          higherIsWorse: true,
          whenMissing: 'skip',
          expected: '0 unhealthy targets',
          remediation:
            'Targets fail their health checks: `fsops troubleshoot health-check-failure` (deployment guide §12.1.1).',
        }),
      ),
    ];
  });
}

/** The application's own metrics: ops guide §3.2.1 (alarms) and §6.1.1 (KPIs). */
export function paymentMetricSpecs(env: EnvContext): MetricSpec[] {
  const m = env.config.payments.metrics;
  const t = env.thresholds;
  const custom = (namespace: string, name: string) => ({ namespace, name, dimensions: {}, stat: 'Average' });
  return [
    {
      key: 'payments.success-rate',
      title: 'Payment success rate',
      resource: `${m.namespace} ${m.successRate}`,
      metric: custom(m.namespace, m.successRate),
      unit: '%',
      thresholds: t.paymentSuccessRatePercent,
      ...held('paymentSuccessRatePercent'),
      minPeriodSeconds: 300,
      higherIsWorse: false,
      whenMissing: 'warn',
      remediation: 'Payments failing: `fsops troubleshoot payment-failures` (ops guide §13.1.1).',
    },
    {
      key: 'payments.error-rate',
      title: 'Application error rate',
      resource: `${m.errorRateNamespace} ${m.errorRate}`,
      metric: custom(m.errorRateNamespace, m.errorRate),
      unit: '%',
      thresholds: t.errorRatePercent,
      ...held('errorRatePercent'),
      minPeriodSeconds: 60,
      higherIsWorse: true,
      whenMissing: 'warn',
      remediation: 'Errors above the alarm threshold: `fsops troubleshoot high-error-rate` (runbook 002).',
    },
    {
      key: 'payments.processing-time',
      title: 'Average payment processing time',
      resource: `${m.namespace} ${m.processingTime}`,
      metric: custom(m.namespace, m.processingTime),
      unit: 's',
      thresholds: t.paymentProcessingSeconds,
      ...held('paymentProcessingSeconds'),
      higherIsWorse: true,
      whenMissing: 'warn',
      note: `assumed metric: ops guide §6.1.1 names the KPI (AveragePaymentProcessingTime) but no CloudWatch metric; set payments.metrics.processingTime to the application's`,
      remediation: 'Slow payments: check gateway latency and the database (`fsops troubleshoot slow-api`).',
    },
  ];
}
