import { z } from 'zod';
import { describeAwsError } from '../../../base/aws/errors.js';
import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { couldNotCheck, defineCheck } from '../../../base/model/check.js';
import {
  type DbThresholds,
  dbFacts,
  dbInfo,
  formatAge,
  formatBytes,
  judgeHigh,
  unreadQuery,
  worst,
} from './common.js';
import { evaluateRdsReplicas, rdsReplication } from './rds-replicas.js';

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
  /** null: pg_stat_replication could not be read (its own error finding; the slots are still judged). */
  replicas: ReplicaRow[] | null;
  /** null: pg_replication_slots could not be read (its own error finding; the replicas are still judged). */
  slots: SlotRow[] | null;
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
  if (facts.replicas) results.push(...judgeReplicas(facts.replicas, expectedReplicas, levels));
  if (facts.slots) results.push(judgeSlots(facts.slots));
  return results;
}

function judgeReplicas(
  replicas: ReplicaRow[],
  expectedReplicas: number | null,
  levels: DbThresholds['replicationLagSeconds'],
): CheckResult[] {
  const results: CheckResult[] = [];
  const streaming = replicas.filter((r) => r.state === 'streaming');
  results.push({
    id: 'db.replication.replicas',
    title: 'Read replicas attached',
    status: expectedReplicas === null || streaming.length >= expectedReplicas ? 'pass' : 'warn',
    resource: 'pg_stat_replication',
    expected:
      expectedReplicas === null
        ? 'replicas streaming from this server (their number is judged from RDS: db.replication.rds-replicas)'
        : `${expectedReplicas} streaming replica${expectedReplicas === 1 ? '' : 's'} or more`,
    observed: replicas.length
      ? replicas
          .map(
            (r) => `${r.name || r.client || 'replica'} ${r.state ?? 'state hidden (no pg_read_all_stats)'}`,
          )
          .join(', ')
      : 'no replica attached',
    remediation:
      'Check the read replicas in the RDS console (status, replication errors); recreate a broken one (deployment guide §4.1.3).',
  });
  for (const r of replicas) {
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
  return results;
}

function judgeSlots(slots: SlotRow[]): CheckResult {
  const inactive = slots.filter((s) => !s.active);
  return {
    id: 'db.replication.slots',
    title: 'Replication slots',
    status: worst(inactive.map(() => 'warn')),
    resource: 'pg_replication_slots',
    expected: 'every replication slot in use (an unused slot keeps WAL forever and fills the disk)',
    observed: slots.length
      ? slots
          .map(
            (s) =>
              `${s.name} (${s.type}) ${s.active ? 'active' : 'INACTIVE'}${s.retainedBytes === null ? '' : `, retains ${formatBytes(s.retainedBytes)} of WAL`}`,
          )
          .join('; ')
      : 'no replication slots',
    remediation: inactive.length
      ? `If nothing will consume it again: SELECT pg_drop_replication_slot('${inactive[0]!.name}');`
      : undefined,
  };
}

export const replicationCheck = defineCheck({
  id: 'db.replication',
  title: 'Replication',
  severity: 'high',
  source: 'deployment guide §4.1.3 (prod: two read replicas); ops guide §8.1.1',
  remediation: 'Check the replicas.',
  params: z.object({ expectedReplicas: z.number().int().min(0).optional() }).strict(),
  async run(ctx, params) {
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
    // The database's side and RDS's are facts of their own: a database that cannot be reached or
    // read (a connection, pg_is_in_recovery the role may not call) is one error, and the RDS
    // replicas are still judged.
    const database = await databaseSide(ctx, fromRds ? null : expected, t).catch((error: unknown) => [
      {
        id: 'db.replication',
        ...couldNotCheck(
          'db.replication',
          (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '',
          'Check the database connection and that the role can read the statistics views (GRANT pg_monitor), or raise database.session.statementTimeoutMs.',
        ),
      },
    ]);
    return [...database, ...(await rds)];
  },
});

/** Replication as PostgreSQL reports it; each query on its own (one that fails is its own error). */
async function databaseSide(
  ctx: CheckContext,
  judged: number | null,
  t: DbThresholds,
): Promise<CheckResult[]> {
  const db = await ctx.db();
  const info = await dbInfo(ctx, db);
  if (info.inRecovery) {
    const [delay] = await dbFacts(
      db.query<{ delay: number | null }>(
        `SELECT EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 AS delay`,
      ),
    );
    if (!delay.ok)
      return [unreadQuery('db.replication.lag', 'this replica', 'the replay delay', delay.reason)];
    return evaluateReplication(
      { inRecovery: true, replayDelay: delay.value[0]?.delay ?? null, replicas: [], slots: [] },
      judged,
      t,
    );
  }
  const [replicas, slots] = await dbFacts(
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
  );
  return [
    ...(replicas.ok
      ? []
      : [
          unreadQuery(
            'db.replication.replicas',
            'pg_stat_replication',
            'the replicas streaming from this server',
            replicas.reason,
          ),
        ]),
    ...(slots.ok
      ? []
      : [unreadQuery('db.replication.slots', 'pg_replication_slots', 'the replication slots', slots.reason)]),
    ...evaluateReplication(
      {
        inRecovery: false,
        replayDelay: null,
        replicas: replicas.ok
          ? replicas.value.map((r) => ({
              name: r.name,
              client: r.client,
              state: r.state,
              replayLag: r.replay_lag,
              lagBytes: r.lag_bytes,
            }))
          : null,
        slots: slots.ok
          ? slots.value.map((s) => ({
              name: s.name,
              type: s.type,
              active: s.active,
              retainedBytes: s.retained,
            }))
          : null,
      },
      judged,
      t,
    ),
  ];
}
