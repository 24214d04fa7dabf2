import { z } from 'zod';
import { describeAwsError } from '../../aws/errors.js';
import { guideThresholdAt } from '../../config/guide-thresholds.js';
import type { CheckContext, CheckDefinition, CheckResult } from '../../engine/model/check.js';
import type { Status } from '../../engine/model/finding.js';
import { joinMetricBatch } from '../../metrics/batch.js';
import { evaluateMetric, type MetricSpec, periodFor } from '../../metrics/series.js';
import { rdsInstance } from '../facts.js';
import { type DbThresholds, dbCheck, dbInfo, formatAge, formatBytes, judgeHigh, worst } from './common.js';

export interface ReplicaRow {
  name: string;
  client: string | null;
  /** null: hidden from a role without pg_read_all_stats. */
  state: string | null;
  /** Seconds behind, null when idle (no recent WAL to replay). */
  replayLag: number | null;
  lagBytes: number | null;
}

export interface SlotRow {
  name: string;
  type: string;
  active: boolean;
  retainedBytes: number | null;
}

export interface ReplicationFacts {
  inRecovery: boolean;
  /** On a replica: seconds since the last replayed transaction (null if none yet). */
  replayDelay: number | null;
  replicas: ReplicaRow[];
  slots: SlotRow[];
}

/**
 * Replication as seen from this server: on the primary its replicas (prod has two read replicas,
 * deployment guide §4.1.3) and replication slots; on a replica its own replay delay.
 */
export function evaluateReplication(
  facts: ReplicationFacts,
  /** null: the environment's RDS instance is asked instead (evaluateRdsReplicas), so the count is not judged here. */
  expectedReplicas: number | null,
  t: Pick<DbThresholds, 'replicationLagSeconds'>,
): CheckResult[] {
  const levels = t.replicationLagSeconds;
  if (facts.inRecovery) {
    return [
      {
        id: 'db.replication.lag',
        title: 'Replica replay delay',
        status: facts.replayDelay === null ? 'warn' : judgeHigh(facts.replayDelay, levels),
        resource: 'this replica',
        expected: `replay delay < ${levels.warn}s (fail at ${levels.fail}s)`,
        observed:
          facts.replayDelay === null
            ? 'no transaction replayed yet'
            : `last transaction replayed ${formatAge(facts.replayDelay)} ago (on a quiet primary this grows without lag)`,
        remediation:
          'Check the replica instance class, its ReplicaLag metric and long queries on it that conflict with replay.',
      },
    ];
  }
  const results: CheckResult[] = [];
  const streaming = facts.replicas.filter((r) => r.state === 'streaming');
  results.push({
    id: 'db.replication.replicas',
    title: 'Read replicas attached',
    status: expectedReplicas === null || streaming.length >= expectedReplicas ? 'pass' : 'warn',
    resource: 'pg_stat_replication',
    expected:
      expectedReplicas === null
        ? 'replicas streaming from this server (their number is judged from RDS: db.replication.rds-replicas)'
        : `${expectedReplicas} streaming replica${expectedReplicas === 1 ? '' : 's'} or more`,
    observed: facts.replicas.length
      ? facts.replicas
          .map(
            (r) => `${r.name || r.client || 'replica'} ${r.state ?? 'state hidden (no pg_read_all_stats)'}`,
          )
          .join(', ')
      : 'no replica attached',
    remediation:
      'Check the read replicas in the RDS console (status, replication errors); recreate a broken one (deployment guide §4.1.3).',
  });
  for (const r of facts.replicas) {
    if (r.state === null) {
      results.push({
        id: 'db.replication.lag',
        title: 'Replica lag',
        status: 'warn',
        resource: r.name || 'replica',
        expected: `replay lag < ${levels.warn}s (fail at ${levels.fail}s)`,
        observed: 'state and lag hidden from this role (it lacks pg_read_all_stats)',
        remediation: 'GRANT pg_monitor TO <the diagnostic role>; or judge the lag from RDS (pass --env).',
      });
      continue;
    }
    results.push({
      id: 'db.replication.lag',
      title: 'Replica lag',
      status: r.replayLag === null ? 'pass' : judgeHigh(r.replayLag, levels),
      resource: r.name || r.client || 'replica',
      expected: `replay lag < ${levels.warn}s (fail at ${levels.fail}s)`,
      observed: `${r.state}, replay lag ${r.replayLag === null ? '0s (idle)' : formatAge(r.replayLag)}${r.lagBytes === null ? '' : `, ${formatBytes(r.lagBytes)} behind`}`,
      remediation:
        'A lagging replica serves stale reads: check its instance class, its write IOPS and long queries on it.',
    });
  }
  const inactive = facts.slots.filter((s) => !s.active);
  results.push({
    id: 'db.replication.slots',
    title: 'Replication slots',
    status: worst(inactive.map(() => 'warn')),
    resource: 'pg_replication_slots',
    expected: 'every replication slot in use (an unused slot keeps WAL forever and fills the disk)',
    observed: facts.slots.length
      ? facts.slots
          .map(
            (s) =>
              `${s.name} (${s.type}) ${s.active ? 'active' : 'INACTIVE'}${s.retainedBytes === null ? '' : `, retains ${formatBytes(s.retainedBytes)} of WAL`}`,
          )
          .join('; ')
      : 'no replication slots',
    remediation: inactive.length
      ? `If nothing will consume it again: SELECT pg_drop_replication_slot('${inactive[0]!.name}');`
      : undefined,
  });
  return results;
}

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
}

/** How far back the ReplicaLag metric is read: twice the hold below, in 1-minute datapoints. */
export const REPLICA_LAG_WINDOW_MINUTES = 10;

/**
 * How long ReplicaLag must stay past a level before it counts (docs/thresholds.md, generated from
 * src/config/guide-thresholds.ts): judged on every datapoint of that window, like the other metrics.
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
  const results: CheckResult[] = [
    {
      id: 'db.replication.rds-replicas',
      title: 'RDS read replicas',
      status: facts.replicas.length >= expectedReplicas ? 'pass' : 'warn',
      resource: facts.primary,
      expected: `${expectedReplicas} read replica${expectedReplicas === 1 ? '' : 's'} or more (deployment guide §4.1.3)`,
      observed: facts.replicas.length
        ? `${facts.replicas.length} read replica${facts.replicas.length === 1 ? '' : 's'}: ${facts.replicas.map((r) => `${r.id} ${r.status ?? 'status unknown'}`).join(', ')}`
        : 'no read replica',
      remediation: `Create the missing replica (aws rds create-db-instance-read-replica --source-db-instance-identifier ${facts.primary} ...) as deployment guide §4.1.3 describes.`,
    },
  ];
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
    const state: Status =
      r.status === 'available' ? 'pass' : r.status && REPLICA_WARN_STATES.has(r.status) ? 'warn' : 'fail';
    const latest = r.lag.at(-1);
    const peak = r.lag.length ? Math.max(...r.lag) : null;
    let lagStatus: Status;
    let lagText: string;
    let detail = '';
    if (latest === undefined) {
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
      status: worst([state, lagStatus]),
      observed: `${r.status ?? 'status unknown'}, ${lagText}`,
      ...(detail ? { detail } : {}),
      remediation:
        state !== 'pass'
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
    // The lag goes through the run's metrics batch (src/metrics/batch.ts): the run's own window (one
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
    const [described, lagSeries] = await Promise.all([
      rds.send(
        new DescribeDBInstancesCommand({
          Filters: [{ Name: 'db-instance-id', Values: local.map((r) => r.id) }],
        }),
        // A shared fact runs under the run's signal, not the first asking check's.
        { abortSignal: signal },
      ),
      ticket.fetch(local.map((r) => replicaLagSpec(r))),
    ]);
    const statusOf = new Map(
      (described.DBInstances ?? []).map((d) => [d.DBInstanceIdentifier ?? '', d.DBInstanceStatus ?? null]),
    );
    return {
      primary,
      found: true,
      windowMinutes,
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

export const replicationCheck = dbCheck<{ expectedReplicas?: number }>({
  id: 'db.replication',
  title: 'Replication',
  severity: 'high',
  source: 'deployment guide §4.1.3 (prod: two read replicas); ops guide §8.1.1',
  remediation: 'Check the replicas.',
  params: z.object({ expectedReplicas: z.number().int().min(0).optional() }).strict(),
  async run(ctx, db, params) {
    // Expectations taken from the environment (no explicit count) mean there is an RDS instance to ask:
    // its replicas and their CloudWatch ReplicaLag, concurrently with the database's own view.
    const fromRds = params.expectedReplicas === undefined;
    const expected = params.expectedReplicas ?? ctx.env.settings.rds.readReplicas;
    const t = ctx.env.config.database.thresholds;
    const rds: Promise<CheckResult[]> = fromRds
      ? rdsReplication(ctx).then(
          (facts) => evaluateRdsReplicas(facts, expected, t),
          (error: unknown) => [
            {
              id: 'db.replication.rds-replicas',
              title: 'RDS read replicas',
              status: 'error',
              resource: ctx.env.nameOf('dbInstance'),
              expected: 'RDS answers DescribeDBInstances and CloudWatch GetMetricData (ReplicaLag)',
              observed: `could not read the RDS replicas: ${describeAwsError(error)}`,
              remediation:
                'The role needs rds:DescribeDBInstances and cloudwatch:GetMetricData; the lag PostgreSQL reports is above.',
            },
          ],
        )
      : Promise.resolve([]);
    const judged = fromRds ? null : expected;
    const info = await dbInfo(ctx, db);
    if (info.inRecovery) {
      const [row] = await db.query<{ delay: number | null }>(
        `SELECT EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 AS delay`,
      );
      return [
        ...evaluateReplication(
          { inRecovery: true, replayDelay: row!.delay, replicas: [], slots: [] },
          judged,
          t,
        ),
        ...(await rds),
      ];
    }
    const [replicas, slots] = await Promise.all([
      db.query<{
        name: string;
        client: string | null;
        state: string | null;
        replay_lag: number | null;
        lag_bytes: number | null;
      }>(
        `SELECT application_name AS name, client_addr::text AS client, state,
                EXTRACT(EPOCH FROM replay_lag)::float8 AS replay_lag,
                pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS lag_bytes
           FROM pg_stat_replication`,
      ),
      db.query<{ name: string; type: string; active: boolean; retained: number | null }>(
        `SELECT slot_name AS name, slot_type AS type, active,
                pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::float8 AS retained
           FROM pg_replication_slots`,
      ),
    ]);
    return [
      ...evaluateReplication(
        {
          inRecovery: false,
          replayDelay: null,
          replicas: replicas.map((r) => ({
            name: r.name,
            client: r.client,
            state: r.state,
            replayLag: r.replay_lag,
            lagBytes: r.lag_bytes,
          })),
          slots: slots.map((s) => ({
            name: s.name,
            type: s.type,
            active: s.active,
            retainedBytes: s.retained,
          })),
        },
        judged,
        t,
      ),
      ...(await rds),
    ];
  },
});

/**
 * The environment's RDS read replicas and their ReplicaLag from RDS and CloudWatch alone, without a
 * database session: what `fsops status` shows (ops guide §10.2.1, database replica lag). The same
 * facts and judgement as db.replication's `rds-replicas`/`rds-lag` findings.
 */
export const rdsReplicasCheck: CheckDefinition = {
  id: 'rds.replicas',
  title: 'RDS read replicas and their lag',
  severity: 'high',
  source: 'deployment guide §4.1.3 (prod: two read replicas); ops guide §8.1.1, §10.2.1',
  remediation:
    'The role needs rds:DescribeDBInstances and cloudwatch:GetMetricData; fsops db replication --env shows the database side.',
  async run(ctx) {
    return evaluateRdsReplicas(
      await rdsReplication(ctx),
      ctx.env.settings.rds.readReplicas,
      ctx.env.config.database.thresholds,
    );
  },
};
