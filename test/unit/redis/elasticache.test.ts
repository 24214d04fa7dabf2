import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeReplicationGroupsCommand,
  DescribeSnapshotsCommand,
  ElastiCacheClient,
  type ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../src/catalogue/checks/index.js';
import { runChecks, stepsFor } from '../../../src/engine/runner.js';
import { testAws, testEnv } from '../../helpers/context.js';

const now = new Date('2026-12-07T12:00:00Z');
const group: ReplicationGroup = {
  ReplicationGroupId: 'prod-fivestar-redis',
  Status: 'available',
  MultiAZ: 'enabled',
  AutomaticFailover: 'enabled',
  AtRestEncryptionEnabled: true,
  TransitEncryptionEnabled: true,
  AuthTokenEnabled: true,
  CacheNodeType: 'cache.r6g.large',
  SnapshotRetentionLimit: 7,
  MemberClusters: ['prod-fivestar-redis-001', 'prod-fivestar-redis-002'],
  NodeGroups: [
    {
      NodeGroupId: '0001',
      NodeGroupMembers: [
        { CacheClusterId: 'prod-fivestar-redis-001', CurrentRole: 'primary' },
        { CacheClusterId: 'prod-fivestar-redis-002', CurrentRole: 'replica' },
      ],
    },
  ],
};

async function run(checks: string[], envName = 'prod') {
  const env = testEnv(envName);
  return (
    await runChecks(
      { env, aws: testAws(), config: env.config },
      stepsFor(
        CHECKS,
        checks.map((check) => ({ check })),
      ),
      {
        now,
        since: new Date(now.getTime() - 3600_000),
      },
    )
  ).findings;
}

describe('the ElastiCache side, without a connection (AWS at the SDK boundary)', () => {
  const elasticache = mockClient(ElastiCacheClient);
  const cloudwatch = mockClient(CloudWatchClient);
  afterEach(() => {
    elasticache.reset();
    cloudwatch.reset();
  });

  it('a healthy prod group passes: available, Multi-AZ with failover, encrypted, snapshot of today', async () => {
    elasticache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group] });
    elasticache.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        { SnapshotName: 'old', NodeSnapshots: [{ SnapshotCreateTime: new Date('2026-12-01T01:00:00Z') }] },
        { SnapshotName: 'new', NodeSnapshots: [{ SnapshotCreateTime: new Date('2026-12-07T01:00:00Z') }] },
      ],
    });
    const findings = await run(['redis.elasticache']);
    expect(findings.map((f) => `${f.id}:${f.status}`)).toEqual([
      'redis.elasticache.status:pass',
      'redis.elasticache.failover:pass',
      'redis.elasticache.encryption:pass',
      'redis.elasticache.snapshot:pass',
    ]);
    expect(findings[3]!.observed).toBe(
      'newest 2026-12-07T01:00:00.000Z (11 h ago); automatic snapshots kept 7 days',
    );
    expect(elasticache.commandCalls(DescribeReplicationGroupsCommand)[0]!.args[0].input).toEqual({
      ReplicationGroupId: 'prod-fivestar-redis',
    });
  });

  it('no failover in prod, no encryption in transit, no snapshots: each fails; a missing group fails', async () => {
    elasticache.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [
        {
          ...group,
          MultiAZ: 'disabled',
          AutomaticFailover: 'disabled',
          TransitEncryptionEnabled: false,
          SnapshotRetentionLimit: 0,
        },
      ],
    });
    elasticache.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    const findings = await run(['redis.elasticache']);
    expect(findings.map((f) => `${f.id}:${f.status}`)).toEqual([
      'redis.elasticache.status:pass',
      'redis.elasticache.failover:fail',
      'redis.elasticache.encryption:fail',
      'redis.elasticache.snapshot:fail',
    ]);
    expect(findings[3]!.observed).toBe('no snapshot; automatic snapshots off');
    // dev runs single-AZ (deployment guide §4.1): no failover is not a finding there.
    const dev = await run(['redis.elasticache'], 'dev');
    expect(dev.find((f) => f.id === 'redis.elasticache.failover')!.status).toBe('pass');
    elasticache.reset();
    elasticache.on(DescribeReplicationGroupsCommand).rejects(
      Object.assign(new Error('ReplicationGroup prod-fivestar-redis not found'), {
        name: 'ReplicationGroupNotFoundFault',
      }),
    );
    const missing = await run(['redis.elasticache', 'metrics.redis']);
    expect(missing.map((f) => `${f.id}:${f.status}`)).toEqual([
      'redis.elasticache.status:fail',
      'metrics.redis:error',
    ]);
  });

  it("CloudWatch metrics of every node through the run's one GetMetricData call, replication lag on the replica only", async () => {
    elasticache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [group] });
    elasticache.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    const timestamps = Array.from({ length: 10 }, (_, i) => new Date(now.getTime() - (10 - i) * 60_000));
    cloudwatch.on(GetMetricDataCommand).callsFake(
      (input: {
        MetricDataQueries: {
          Id: string;
          MetricStat?: { Metric: { MetricName: string; Dimensions: { Value: string }[] } };
        }[];
      }) => ({
        MetricDataResults: input.MetricDataQueries.map((q) => {
          const name = q.MetricStat?.Metric.MetricName;
          const value =
            name === 'DatabaseMemoryUsagePercentage'
              ? 93
              : name === 'Evictions'
                ? 0
                : name === 'CurrConnections'
                  ? 120
                  : name === 'ReplicationLag'
                    ? 0.2
                    : 35;
          return {
            Id: q.Id,
            Timestamps: [...timestamps].reverse(),
            Values: timestamps.map(() => value),
            StatusCode: 'Complete',
          };
        }),
      }),
    );
    const findings = await run(['metrics.redis', 'metrics.rds']);
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(1);
    const redis = findings.filter((f) => f.id.startsWith('metrics.redis'));
    expect(redis.map((f) => `${f.id} ${f.resource}:${f.status}`)).toEqual([
      'metrics.redis.engine-cpu prod-fivestar-redis-001:pass',
      'metrics.redis.memory prod-fivestar-redis-001:fail',
      'metrics.redis.evictions prod-fivestar-redis-001:pass',
      'metrics.redis.connections prod-fivestar-redis-001:pass',
      'metrics.redis.engine-cpu prod-fivestar-redis-002:pass',
      'metrics.redis.memory prod-fivestar-redis-002:fail',
      'metrics.redis.evictions prod-fivestar-redis-002:pass',
      'metrics.redis.connections prod-fivestar-redis-002:pass',
      'metrics.redis.replication-lag prod-fivestar-redis-002:pass',
    ]);
  });
});
