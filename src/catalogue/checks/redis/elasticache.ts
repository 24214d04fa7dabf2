import type { ReplicationGroup, Snapshot } from '@aws-sdk/client-elasticache';
import type { RedisConfig } from '../../../base/config/schema.js';
import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { defineCheck, noParams } from '../../../base/model/check.js';
import type { Status } from '../../../base/model/finding.js';
import { joinMetricBatch } from '../../../domain/metrics/batch.js';
import { held } from '../../../domain/metrics/definitions.js';
import type { MetricSpec } from '../../../domain/metrics/series.js';
import { judgeMetrics } from '../troubleshoot/metrics.js';
import { above, round } from './redis-facts.js';

/** The replication group as ElastiCache describes it, or null when it does not exist. */
export interface ElastiCacheFacts {
  id: string;
  group: ReplicationGroup | null;
  /** Automatic and manual snapshots of the group, newest first (empty when none). */
  snapshots: Snapshot[];
}

export function replicationGroupId(ctx: CheckContext): string {
  return ctx.env.config.redis.replicationGroup.replaceAll('{env}', ctx.env.name);
}

/** DescribeReplicationGroups and DescribeSnapshots once per run (both checks and the metrics read them). */
export function elastiCacheFacts(ctx: CheckContext): Promise<ElastiCacheFacts> {
  return ctx.once('elasticache.group', async (signal) => {
    const { DescribeReplicationGroupsCommand, DescribeSnapshotsCommand } = await import(
      '@aws-sdk/client-elasticache'
    );
    const client = await ctx.aws.elasticache();
    const id = replicationGroupId(ctx);
    let group: ReplicationGroup | null;
    try {
      const out = await client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }), {
        abortSignal: signal,
      });
      group = out.ReplicationGroups?.[0] ?? null;
    } catch (error) {
      if ((error as Error).name !== 'ReplicationGroupNotFoundFault') throw error;
      group = null;
    }
    if (!group) return { id, group, snapshots: [] };
    const snapshots: Snapshot[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await client.send(
        new DescribeSnapshotsCommand({ ReplicationGroupId: id, Marker: marker }),
        {
          abortSignal: signal,
        },
      );
      snapshots.push(...(out.Snapshots ?? []));
      marker = out.Marker;
      pages += 1;
    } while (marker && pages < 20);
    snapshots.sort((a, b) => (snapshotTime(b)?.getTime() ?? 0) - (snapshotTime(a)?.getTime() ?? 0));
    return { id, group, snapshots };
  });
}

/** When a snapshot was taken: its node snapshots' creation time (the earliest), null while creating. */
export function snapshotTime(snapshot: Snapshot): Date | null {
  const times = (snapshot.NodeSnapshots ?? [])
    .map((node) => node.SnapshotCreateTime)
    .filter((t): t is Date => t instanceof Date);
  return times.length ? new Date(Math.min(...times.map((t) => t.getTime()))) : null;
}

/**
 * The ElastiCache side, without a connection: status, Multi-AZ and automatic failover (expected where
 * the environment runs Multi-AZ, deployment guide §4.1), encryption at rest and in transit, AUTH, and
 * the newest snapshot (runbook 003 Redis backup).
 */
export function evaluateElastiCache(
  facts: ElastiCacheFacts,
  expectMultiAz: boolean,
  t: RedisConfig['thresholds'],
  now: Date,
): CheckResult[] {
  const { id, group } = facts;
  if (!group) {
    return [
      {
        id: 'redis.elasticache.status',
        status: 'fail',
        resource: id,
        expected: 'the replication group exists',
        observed: 'replication group not found',
        remediation:
          'Set redis.replicationGroup in the config to the group the services use (its id, {env} allowed).',
      },
    ];
  }
  const status = group.Status ?? 'unknown';
  const statusLevel: Status =
    status === 'available'
      ? 'pass'
      : ['modifying', 'snapshotting', 'creating'].includes(status)
        ? 'warn'
        : 'fail';
  const multiAz = group.MultiAZ === 'enabled';
  const failover = group.AutomaticFailover === 'enabled';
  const nodes = (group.NodeGroups ?? []).flatMap((g) => g.NodeGroupMembers ?? []);
  const replicas = nodes.filter((n) => n.CurrentRole === 'replica').length;
  const atRest = group.AtRestEncryptionEnabled === true;
  const inTransit = group.TransitEncryptionEnabled === true;
  const results: CheckResult[] = [
    {
      id: 'redis.elasticache.status',
      status: statusLevel,
      resource: id,
      expected: 'available',
      observed: `${status}; ${nodes.length} node${nodes.length === 1 ? '' : 's'} (${replicas} replica${replicas === 1 ? '' : 's'})${group.CacheNodeType ? `, ${group.CacheNodeType}` : ''}`,
      remediation:
        'The group is not available: look at its events in the ElastiCache console (failover, modification).',
    },
    {
      id: 'redis.elasticache.failover',
      status: expectMultiAz && !(multiAz && failover) ? 'fail' : 'pass',
      resource: id,
      expected: expectMultiAz
        ? 'Multi-AZ with automatic failover (the environment runs Multi-AZ, deployment guide §4.1)'
        : 'Multi-AZ not required in this environment (deployment guide §4.1)',
      observed: `Multi-AZ ${group.MultiAZ ?? 'not reported'}, automatic failover ${group.AutomaticFailover ?? 'not reported'}`,
      remediation:
        'Enable Multi-AZ and automatic failover (it needs at least one replica): a node loss otherwise stops the webhook queue.',
    },
    {
      id: 'redis.elasticache.encryption',
      status: atRest && inTransit ? 'pass' : 'fail',
      resource: id,
      expected: 'encrypted at rest and in transit (PCI DSS 3.5, 4.2)',
      observed: `at rest ${atRest ? 'on' : 'off'}, in transit ${inTransit ? 'on' : 'off'}, AUTH ${group.AuthTokenEnabled ? 'on' : 'off'}`,
      remediation:
        'Encryption cannot be switched on in place for every engine version: create an encrypted group and move to it (in-transit encryption can be enabled on Redis 7 with a migration mode).',
    },
  ];
  const retention = group.SnapshotRetentionLimit ?? 0;
  const newest = facts.snapshots.map(snapshotTime).find((time): time is Date => time !== null) ?? null;
  const hours = newest ? (now.getTime() - newest.getTime()) / 3_600_000 : null;
  results.push({
    id: 'redis.elasticache.snapshot',
    status: hours === null ? 'fail' : above(hours, t.snapshotAgeHours),
    resource: id,
    expected: `a snapshot younger than ${t.snapshotAgeHours.warn} h (fail at ${t.snapshotAgeHours.fail} h; runbook 003: daily Redis backup)`,
    observed: `${newest ? `newest ${newest.toISOString()} (${round(hours!)} h ago)` : 'no snapshot'}; automatic snapshots ${retention > 0 ? `kept ${retention} day${retention === 1 ? '' : 's'}` : 'off'}`,
    remediation:
      retention > 0
        ? 'Snapshots stopped: check the group events (a failed snapshot) and the snapshot window.'
        : 'Turn on automatic snapshots (SnapshotRetentionLimit > 0) or take one (create-snapshot) before anything else.',
    ...(hours !== null ? { value: hours, unit: 'h' } : {}),
  });
  return results;
}

/** CloudWatch AWS/ElastiCache metrics of each node of the group, through the run's one GetMetricData batch. */
export function elastiCacheMetricSpecs(ctx: CheckContext, group: ReplicationGroup): MetricSpec[] {
  const t = ctx.env.thresholds;
  const members = (group.NodeGroups ?? []).flatMap((g) => g.NodeGroupMembers ?? []);
  const clusters =
    members.length > 0
      ? members.map((m) => ({ id: m.CacheClusterId ?? '?', replica: m.CurrentRole === 'replica' }))
      : (group.MemberClusters ?? []).map((id) => ({ id, replica: false }));
  return clusters.flatMap(({ id, replica }) => {
    const metric = (name: string, stat: string) => ({
      namespace: 'AWS/ElastiCache',
      name,
      dimensions: { CacheClusterId: id },
      stat,
    });
    const common = { resource: id, whenMissing: 'skip' as const, higherIsWorse: true };
    const specs: MetricSpec[] = [
      {
        ...common,
        key: 'redis.engine-cpu',
        title: 'Redis engine CPU (the command thread)',
        metric: metric('EngineCPUUtilization', 'Average'),
        unit: '%',
        thresholds: t.redisEngineCpuPercent,
        ...held('redisEngineCpuPercent'),
        remediation:
          'The Redis thread is saturated: look for slow commands (SLOWLOG) and large keys, or scale the node type.',
      },
      {
        ...common,
        key: 'redis.memory',
        title: 'Redis memory used (percent of maxmemory)',
        metric: metric('DatabaseMemoryUsagePercentage', 'Maximum'),
        unit: '%',
        thresholds: t.redisMemoryPercent,
        ...held('redisMemoryPercent'),
        remediation:
          'Memory is filling up: drain the webhook queue, find large keys, or scale (runbook 003: < 75%).',
      },
      {
        ...common,
        key: 'redis.evictions',
        title: 'Redis evictions',
        metric: metric('Evictions', 'Sum'),
        unit: 'keys',
        thresholds: t.redisEvictions,
        ...held('redisEvictions'),
        remediation:
          'Keys are evicted for lack of memory: queued webhooks may be lost; free memory or scale.',
      },
      {
        ...common,
        key: 'redis.connections',
        title: 'Redis connections (percent of maxclients)',
        metric: metric('CurrConnections', 'Maximum'),
        unit: '%',
        scale: 100 / ctx.env.config.redis.maxClients,
        thresholds: t.redisConnectionsPercent,
        ...held('redisConnectionsPercent'),
        note: `maxclients ${ctx.env.config.redis.maxClients} (redis.maxClients)`,
        remediation: 'Connections near maxclients: look for connection leaks in the services (pool sizes).',
      },
    ];
    if (replica) {
      specs.push({
        ...common,
        key: 'redis.replication-lag',
        title: 'Redis replication lag',
        metric: metric('ReplicationLag', 'Maximum'),
        unit: 's',
        thresholds: t.redisReplicationLagSeconds,
        ...held('redisReplicationLagSeconds'),
        remediation:
          'The replica is behind: a failover now would lose writes; check the primary load and the network.',
      });
    }
    return specs;
  });
}

const SOURCE =
  'runbook 003 Technical Metrics (Redis Performance), Redis backup; runbook 002 Key Metrics; deployment guide §4.1, §4.2.1';

export const redisElastiCacheCheck = defineCheck({
  id: 'redis.elasticache',
  title: 'ElastiCache replication group (status, failover, encryption, snapshots)',
  severity: 'high',
  source: SOURCE,
  remediation: 'Check the replication group in the ElastiCache console.',
  params: noParams,
  async run(ctx) {
    const facts = await elastiCacheFacts(ctx);
    return evaluateElastiCache(facts, ctx.env.settings.rds.multiAz, ctx.env.config.redis.thresholds, ctx.now);
  },
});

export const metricsRedisCheck = defineCheck({
  id: 'metrics.redis',
  title: 'ElastiCache metrics (engine CPU, memory, evictions, connections, replication lag)',
  severity: 'high',
  source: SOURCE,
  remediation: 'Scale the node type or reduce the load (runbook 003 Redis Performance).',
  params: noParams,
  async run(ctx) {
    // Joined before the first await, so the run's batch waits for these queries (src/domain/metrics/batch.ts).
    const ticket = joinMetricBatch(ctx);
    let facts: ElastiCacheFacts;
    try {
      facts = await elastiCacheFacts(ctx);
    } catch (error) {
      ticket.leave();
      throw error;
    }
    if (!facts.group) {
      ticket.leave();
      return [
        {
          status: 'error',
          resource: facts.id,
          expected: 'the replication group, to know its nodes',
          observed: 'replication group not found: no node to read metrics for',
          remediation: 'Set redis.replicationGroup in the config.',
        },
      ];
    }
    return judgeMetrics(ctx, elastiCacheMetricSpecs(ctx, facts.group), ticket);
  },
});
