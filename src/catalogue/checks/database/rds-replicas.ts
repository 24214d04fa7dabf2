import { guideThresholdAt } from '../../../base/config/guide-thresholds.js';
import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { defineCheck, noParams } from '../../../base/model/check.js';
import type { Status } from '../../../base/model/finding.js';
import { joinMetricBatch } from '../../../domain/metrics/batch.js';
import { evaluateMetric, type MetricSpec, periodFor } from '../../../domain/metrics/series.js';
import { gather, unreadFact } from '../partial.js';
import { call } from '../security/common.js';
import { rdsInstance } from '../service-facts.js';
import { type DbThresholds, formatAge, worst } from './common.js';

// The RDS side of replication (read replicas and their ReplicaLag, from RDS and CloudWatch): the
// rds.replicas check, and the facts db.replication adds to what PostgreSQL says (./replication.ts).

/** One read replica of the environment's RDS instance, as RDS and CloudWatch see it. */
export interface RdsReplica {
  id: string;
  /** DBInstanceStatus; null when DescribeDBInstances does not return it. */
  status: string | null;
  /** The replica lives in another region (a cross-region replica): its metrics are there. */
  region: string | null;
  /** ReplicaLag in seconds, oldest first, over the look-back window (1-minute maximums). */
  lag: number[];
  /** When each `lag` datapoint was taken (epoch ms), same order. */
  lagAt: number[];
}

export interface RdsReplicationFacts {
  primary: string;
  /** False when the environment's instance does not exist (names.dbInstance, account, region). */
  found: boolean;
  replicas: RdsReplica[];
  /** The look-back the ReplicaLag was read over (REPLICA_LAG_WINDOW_MINUTES, or the run's when longer). */
  windowMinutes?: number;
  /**
   * Why the replicas' statuses (DescribeDBInstances) or their ReplicaLag (GetMetricData) could not be
   * read: each is its own error, and the replicas are judged on the other.
   */
  unread?: { statuses?: string; lag?: string };
}

/** How far back the ReplicaLag metric is read: twice the hold below, in 1-minute datapoints. */
export const REPLICA_LAG_WINDOW_MINUTES = 10;

/**
 * How long ReplicaLag must stay past a level before it counts (docs/thresholds.md, generated from
 * src/base/config/guide-thresholds.ts): judged on every datapoint of that window, like the other metrics.
 */
export const REPLICA_LAG_HOLD_SECONDS =
  (guideThresholdAt('database.thresholds.replicationLagSeconds')?.durationMinutes ?? 5) * 60;

const REPLICA_WARN_STATES = new Set([
  'backing-up',
  'modifying',
  'maintenance',
  'rebooting',
  'starting',
  'configuring-enhanced-monitoring',
  'storage-optimization',
  'upgrading',
]);

/**
 * RDS read replicas (deployment guide §4.1.3: prod has two) judged by what RDS reports: their status
 * and the CloudWatch ReplicaLag metric. pg_stat_replication on the primary misses a replica that has
 * fallen back to replaying archived WAL, and shows no lag at all to a role without pg_read_all_stats.
 */
export function evaluateRdsReplicas(
  facts: RdsReplicationFacts,
  expectedReplicas: number,
  t: Pick<DbThresholds, 'replicationLagSeconds'>,
): CheckResult[] {
  const levels = t.replicationLagSeconds;
  const windowMinutes = facts.windowMinutes ?? REPLICA_LAG_WINDOW_MINUTES;
  if (!facts.found) {
    return [
      {
        id: 'db.replication.rds-replicas',
        title: 'RDS read replicas',
        status: 'error',
        resource: facts.primary,
        expected: `RDS instance ${facts.primary} with ${expectedReplicas} read replicas`,
        observed: `RDS instance ${facts.primary} not found`,
        remediation: 'Check names.dbInstance in the config and the account/region you are in.',
      },
    ];
  }
  const unread = facts.unread ?? {};
  const results: CheckResult[] = [];
  if (unread.statuses)
    results.push(
      unreadFact('db.replication.rds-replicas', facts.primary, "the replicas' status", unread.statuses),
    );
  if (unread.lag)
    results.push(unreadFact('db.replication.rds-lag', facts.primary, "the replicas' ReplicaLag", unread.lag));
  results.push({
    id: 'db.replication.rds-replicas',
    title: 'RDS read replicas',
    status: facts.replicas.length >= expectedReplicas ? 'pass' : 'warn',
    resource: facts.primary,
    expected: `${expectedReplicas} read replica${expectedReplicas === 1 ? '' : 's'} or more (deployment guide §4.1.3)`,
    observed: facts.replicas.length
      ? `${facts.replicas.length} read replica${facts.replicas.length === 1 ? '' : 's'}: ${facts.replicas.map((r) => `${r.id} ${r.status ?? 'status unknown'}`).join(', ')}`
      : 'no read replica',
    remediation: `Create the missing replica (aws rds create-db-instance-read-replica --source-db-instance-identifier ${facts.primary} ...) as deployment guide §4.1.3 describes.`,
  });
  for (const r of facts.replicas) {
    const base = {
      id: 'db.replication.rds-lag',
      title: 'RDS replica lag (CloudWatch ReplicaLag)',
      resource: r.id,
      expected: `ReplicaLag < ${levels.warn}s (fail at ${levels.fail}s held ${REPLICA_LAG_HOLD_SECONDS / 60} minutes), replica available`,
    };
    if (r.region) {
      results.push({
        ...base,
        status: 'skip',
        observed: `cross-region replica in ${r.region}: its ReplicaLag is published there`,
        remediation: `aws cloudwatch get-metric-statistics --region ${r.region} --namespace AWS/RDS --metric-name ReplicaLag --dimensions Name=DBInstanceIdentifier,Value=${r.id.split(':').pop()} ...`,
      });
      continue;
    }
    // Neither fact arrived: nothing to judge this replica on (the errors above say why).
    if (unread.statuses && unread.lag) continue;
    const state: Status | null = unread.statuses
      ? null
      : r.status === 'available'
        ? 'pass'
        : r.status && REPLICA_WARN_STATES.has(r.status)
          ? 'warn'
          : 'fail';
    const latest = r.lag.at(-1);
    const peak = r.lag.length ? Math.max(...r.lag) : null;
    let lagStatus: Status | null;
    let lagText: string;
    let detail = '';
    if (unread.lag) {
      lagStatus = null;
      lagText = 'ReplicaLag not read';
    } else if (latest === undefined) {
      lagStatus = 'warn';
      lagText = `no ReplicaLag data in the last ${windowMinutes} minutes`;
    } else if (latest < 0) {
      // RDS reports -1 while replication is not running: a state, not a level, so it fails at once.
      lagStatus = 'fail';
      lagText = 'ReplicaLag -1: replication is not running';
    } else {
      // The level must hold for REPLICA_LAG_HOLD_SECONDS: the metrics engine's own judgement
      // (evaluateMetric), so one spike is mentioned, not a breach, and a gap is "cannot judge".
      const judged = evaluateMetric(
        replicaLagSpec(r, levels),
        { timestamps: r.lagAt, values: r.lag },
        `${windowMinutes} min`,
        60,
      );
      lagStatus = judged.status;
      detail = judged.detail ?? '';
      lagText = `ReplicaLag ${formatAge(latest)}${peak !== null && peak > latest ? ` (peak ${formatAge(peak)} in the last ${windowMinutes} minutes)` : ''}`;
    }
    results.push({
      ...base,
      status: worst([state, lagStatus].filter((x): x is Status => x !== null)),
      observed: `${unread.statuses ? 'status not read' : (r.status ?? 'status unknown')}, ${lagText}`,
      ...(detail ? { detail } : {}),
      remediation:
        state !== 'pass' && state !== null
          ? `The replica is ${r.status ?? 'not reported by RDS'}: check its RDS events (aws rds describe-events --source-identifier ${r.id} --source-type db-instance).`
          : 'A lagging replica serves stale reads: check its instance class and write IOPS against the primary, long queries on it that conflict with replay, and its RDS events.',
    });
  }
  return results;
}

/**
 * The ReplicaLag (Maximum, per minute) of one replica, as a query of the run's metrics batch and,
 * with `levels`, as judged: past a level only when it holds for REPLICA_LAG_HOLD_SECONDS.
 */
function replicaLagSpec(replica: { id: string }, levels?: { warn: number; fail: number }): MetricSpec {
  return {
    key: 'rds.replica-lag',
    title: 'ReplicaLag',
    resource: replica.id,
    metric: {
      namespace: 'AWS/RDS',
      name: 'ReplicaLag',
      dimensions: { DBInstanceIdentifier: replica.id },
      stat: 'Maximum',
    },
    unit: 's',
    higherIsWorse: true,
    whenMissing: 'skip',
    remediation: '',
    ...(levels ? { thresholds: levels, durationSeconds: REPLICA_LAG_HOLD_SECONDS } : {}),
  };
}

/** The environment's read replicas from RDS (one DescribeDBInstances) and their ReplicaLag (the metrics batch). */
export function rdsReplication(ctx: CheckContext): Promise<RdsReplicationFacts> {
  return ctx.once('rds.replication', async (signal) => {
    const primary = ctx.env.nameOf('dbInstance');
    const instance = await rdsInstance(ctx);
    if (!instance) return { primary, found: false, replicas: [] };
    const ids = (instance.ReadReplicaDBInstanceIdentifiers ?? []).map((raw) => {
      // Cross-region replicas are listed by ARN: arn:aws:rds:<region>:<account>:db:<name>.
      const arn = /^arn:[^:]+:rds:([^:]+):[^:]*:db:(.+)$/.exec(raw);
      const region = arn && arn[1] !== ctx.env.region ? arn[1]! : null;
      return { raw, id: arn && !region ? arn[2]! : raw, region };
    });
    const local = ids.filter((r) => !r.region);
    if (local.length === 0) {
      return {
        primary,
        found: true,
        replicas: ids.map((r) => ({ id: r.raw, status: null, region: r.region, lag: [], lagAt: [] })),
      };
    }
    // The lag goes through the run's metrics batch (src/domain/metrics/batch.ts): the run's own window (one
    // GetMetricData with the other metrics, e.g. on `fsops status`) when it is at least
    // REPLICA_LAG_WINDOW_MINUTES with 1-minute datapoints, else a window of its own.
    const runMs = ctx.now.getTime() - ctx.since.getTime();
    const shared = runMs >= REPLICA_LAG_WINDOW_MINUTES * 60_000 && periodFor(runMs) === 60;
    const windowMinutes = shared ? Math.round(runMs / 60_000) : REPLICA_LAG_WINDOW_MINUTES;
    const ticket = shared
      ? joinMetricBatch(ctx)
      : joinMetricBatch(ctx, {
          start: new Date(ctx.now.getTime() - REPLICA_LAG_WINDOW_MINUTES * 60_000),
          end: ctx.now,
        });
    const [{ DescribeDBInstancesCommand }, rds] = await Promise.all([
      import('@aws-sdk/client-rds'),
      ctx.aws.rds(),
    ]);
    // The statuses and the lag each on their own: one that cannot be read never hides the other.
    const [describedGot, lagGot] = await gather(
      call('rds:DescribeDBInstances', () =>
        rds.send(
          new DescribeDBInstancesCommand({
            Filters: [{ Name: 'db-instance-id', Values: local.map((r) => r.id) }],
          }),
          // A shared fact runs under the run's signal, not the first asking check's.
          { abortSignal: signal },
        ),
      ),
      call('cloudwatch:GetMetricData', () => ticket.fetch(local.map((r) => replicaLagSpec(r)))),
    );
    const described: { DBInstances?: { DBInstanceIdentifier?: string; DBInstanceStatus?: string }[] } =
      describedGot.ok ? describedGot.value : {};
    const lagSeries = lagGot.ok ? lagGot.value : [];
    const unread = {
      ...(describedGot.ok ? {} : { statuses: describedGot.reason }),
      ...(lagGot.ok ? {} : { lag: lagGot.reason }),
    };
    const statusOf = new Map(
      (described.DBInstances ?? []).map((d) => [d.DBInstanceIdentifier ?? '', d.DBInstanceStatus ?? null]),
    );
    return {
      primary,
      found: true,
      windowMinutes,
      ...(Object.keys(unread).length ? { unread } : {}),
      replicas: ids.map((r) => {
        if (r.region) return { id: r.raw, status: null, region: r.region, lag: [], lagAt: [] };
        const series = lagSeries[local.indexOf(r)];
        const points = (series?.timestamps ?? [])
          .map((at, i) => ({ at, value: series?.values[i] }))
          .filter((p): p is { at: number; value: number } => typeof p.value === 'number')
          .sort((a, b) => a.at - b.at);
        return {
          id: r.id,
          status: statusOf.get(r.id) ?? null,
          region: null,
          lag: points.map((p) => p.value),
          lagAt: points.map((p) => p.at),
        };
      }),
    };
  });
}

/**
 * The environment's RDS read replicas and their ReplicaLag from RDS and CloudWatch alone, without a
 * database session: what `fsops status` shows (ops guide §10.2.1, database replica lag). The same
 * facts and judgement as db.replication's `rds-replicas`/`rds-lag` findings.
 */
export const rdsReplicasCheck = defineCheck({
  id: 'rds.replicas',
  title: 'RDS read replicas and their lag',
  severity: 'high',
  source: 'deployment guide §4.1.3 (prod: two read replicas); ops guide §8.1.1, §10.2.1',
  remediation:
    'The role needs rds:DescribeDBInstances and cloudwatch:GetMetricData; fsops db replication --env shows the database side.',
  params: noParams,
  async run(ctx) {
    return evaluateRdsReplicas(
      await rdsReplication(ctx),
      ctx.env.settings.rds.readReplicas,
      ctx.env.config.database.thresholds,
    );
  },
});
