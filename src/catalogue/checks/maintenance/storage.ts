import type { Thresholds } from '../../../base/config/schema.js';
import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { defineCheck, noParams } from '../../../base/model/check.js';
import { rdsInstance } from '../service-facts.js';

const GIB = 1024 ** 3;
const DAY = 86_400_000;

export interface StoragePoint {
  at: Date;
  freeBytes: number;
}

export interface StorageTrend {
  allocatedBytes: number | null;
  points: StoragePoint[];
}

/** Daily minimum FreeStorageSpace over the last 30 days (one GetMetricData call) and the allocated size. */
export function storageTrend(ctx: CheckContext, days = 30): Promise<StorageTrend> {
  return ctx.once(`rds.storage-trend.${days}`, async (signal) => {
    const { GetMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
    const cloudwatch = await ctx.aws.cloudwatch();
    const [db, out] = await Promise.all([
      rdsInstance(ctx),
      cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(ctx.now.getTime() - days * DAY),
          EndTime: ctx.now,
          MetricDataQueries: [
            {
              Id: 'free',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/RDS',
                  MetricName: 'FreeStorageSpace',
                  Dimensions: [{ Name: 'DBInstanceIdentifier', Value: ctx.env.nameOf('dbInstance') }],
                },
                Period: 86_400,
                Stat: 'Minimum',
              },
            },
          ],
        }),
        { abortSignal: signal },
      ),
    ]);
    const series = out.MetricDataResults?.[0];
    const points = (series?.Timestamps ?? [])
      .map((at, i) => ({ at, freeBytes: series?.Values?.[i] ?? Number.NaN }))
      .filter((p) => Number.isFinite(p.freeBytes))
      .sort((a, b) => a.at.getTime() - b.at.getTime());
    return { allocatedBytes: db?.AllocatedStorage ? db.AllocatedStorage * GIB : null, points };
  });
}

/** Least-squares growth of used space in bytes per day (positive = filling up); null with < 2 points. */
export function growthPerDay(points: StoragePoint[]): number | null {
  if (points.length < 2) return null;
  const xs = points.map((p) => p.at.getTime() / DAY);
  const ys = points.map((p) => -p.freeBytes);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? null : num / den;
}

const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;

export function evaluateStorage(
  name: string,
  trend: StorageTrend,
  thresholds: Thresholds['rdsFreeStoragePercent'],
): CheckResult[] {
  const latest = trend.points.at(-1);
  if (!latest || !trend.allocatedBytes) {
    return [
      {
        status: 'error',
        resource: name,
        expected: 'FreeStorageSpace datapoints and the allocated size',
        observed: latest
          ? 'allocated storage unknown (instance not found)'
          : 'no FreeStorageSpace datapoints in 30 days',
      },
    ];
  }
  const freePercent = (100 * latest.freeBytes) / trend.allocatedBytes;
  const growth = growthPerDay(trend.points);
  return [
    {
      id: 'maintenance.storage.free',
      title: 'RDS free storage',
      status: freePercent < thresholds.fail ? 'fail' : freePercent < thresholds.warn ? 'warn' : 'pass',
      resource: name,
      expected: `>= ${thresholds.warn}% free (ops guide §8.1.1)`,
      observed: `${gib(latest.freeBytes)} free of ${gib(trend.allocatedBytes)} (${freePercent.toFixed(1)}%)`,
      remediation: 'Increase allocated storage (or enable storage autoscaling) and run `fsops db retention`.',
    },
    {
      id: 'maintenance.storage.growth',
      title: 'RDS storage growth',
      status: 'pass',
      resource: name,
      expected: 'known growth rate',
      observed:
        growth === null
          ? 'not enough datapoints for a trend'
          : `${growth >= 0 ? '+' : ''}${gib(growth)}/day over ${trend.points.length} days`,
    },
  ];
}

/** Quarterly capacity planning: days until the disk is full at the 30-day growth rate. */
export function evaluateCapacity(name: string, trend: StorageTrend): CheckResult {
  const latest = trend.points.at(-1);
  const growth = growthPerDay(trend.points);
  if (!latest || growth === null) {
    return {
      status: 'error',
      resource: name,
      expected: 'a storage trend',
      observed: 'not enough FreeStorageSpace datapoints to project (need 2+ days)',
    };
  }
  if (growth <= 0) {
    return {
      status: 'pass',
      resource: name,
      expected: '> 90 days of headroom',
      observed: 'used storage is not growing',
    };
  }
  const days = latest.freeBytes / growth;
  return {
    status: days < 30 ? 'fail' : days < 90 ? 'warn' : 'pass',
    resource: name,
    expected: '> 90 days of headroom at the current growth',
    observed: `full in ~${Math.floor(days)} days (${gib(latest.freeBytes)} free, +${gib(growth)}/day)`,
    remediation:
      'Plan a storage increase in the next window, or archive data (fsops db retention, db partitions --drop-older-than).',
  };
}

export const storageCheck = defineCheck({
  id: 'maintenance.storage',
  title: 'Storage utilization and growth',
  severity: 'high',
  source: 'ops guide §12.3.1 (monthly: storage utilization check), §8.1.1',
  remediation: 'Increase allocated storage or archive data.',
  params: noParams,
  async run(ctx) {
    return evaluateStorage(
      ctx.env.nameOf('dbInstance'),
      await storageTrend(ctx),
      ctx.env.thresholds.rdsFreeStoragePercent,
    );
  },
});

export const capacityCheck = defineCheck({
  id: 'maintenance.capacity',
  title: 'Storage capacity projection',
  severity: 'high',
  source: 'ops guide §12.3.1 (quarterly: capacity planning review)',
  remediation: 'Plan a storage increase.',
  params: noParams,
  async run(ctx) {
    return [evaluateCapacity(ctx.env.nameOf('dbInstance'), await storageTrend(ctx))];
  },
});
