import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FAKE_CREDENTIALS, runFsops } from '../../helpers/cli.js';
import { type FakeAws, startFakeAws } from '../../helpers/fake-aws.js';

describe("fsops redis (bin/fsops against the test run's redis-server)", () => {
  const url = `${inject('redisUrl')}/8`;
  let client: Redis;
  let fake: FakeAws;
  beforeAll(async () => {
    client = new Redis(url);
    await client.flushdb();
    fake = await startFakeAws({
      handlers: {
        sts: {
          GetCallerIdentity: () => ({
            Account: '123456789012',
            Arn: 'arn:aws:iam::123456789012:user/oncall',
          }),
        },
        elasticache: {
          DescribeReplicationGroups: () => ({
            ReplicationGroups: [
              {
                ReplicationGroupId: 'dev-fivestar-redis',
                Status: 'available',
                MultiAZ: 'disabled',
                AutomaticFailover: 'disabled',
                AtRestEncryptionEnabled: true,
                TransitEncryptionEnabled: true,
                SnapshotRetentionLimit: 1,
                MemberClusters: ['dev-fivestar-redis-001'],
                NodeGroups: [
                  {
                    NodeGroupMembers: [{ CacheClusterId: 'dev-fivestar-redis-001', CurrentRole: 'primary' }],
                  },
                ],
              },
            ],
          }),
          DescribeSnapshots: () => ({
            Snapshots: [
              {
                SnapshotName: 's',
                NodeSnapshots: [{ SnapshotCreateTime: new Date(Date.now() - 3_600_000) }],
              },
            ],
          }),
        },
        monitoring: {
          GetMetricData: () => ({ MetricDataResults: [] }),
        },
        ssm: {
          GetParameter: () => ({
            Parameter: { Name: 'p', Type: 'SecureString', Value: url },
          }),
        },
      },
    });
  });
  afterAll(async () => {
    await client.flushdb();
    await client.quit();
    await fake.close();
  });

  it('reads the SSM redis_url, judges the planted backlog and exits 1; the JSON report has the documented fields', async () => {
    const old = Date.now() - 30 * 60_000;
    for (let i = 0; i < 150; i += 1)
      await client.lpush('webhook_queue', JSON.stringify({ created_at: old + i }));
    const result = await runFsops(
      ['redis', '--env', 'dev', '--endpoint-url', fake.url, '--output', 'json'],
      FAKE_CREDENTIALS,
    );
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    // Both sides: the ElastiCache group from AWS next to the connection's checks.
    expect(
      report.findings
        .filter((f: { id: string }) => f.id.startsWith('redis.elasticache'))
        .map((f: { id: string; status: string }) => `${f.id}:${f.status}`),
    ).toEqual([
      'redis.elasticache.status:pass',
      'redis.elasticache.failover:pass',
      'redis.elasticache.encryption:pass',
      'redis.elasticache.snapshot:pass',
    ]);
    expect(report.command).toBe('redis');
    const queue = report.findings.find(
      (f: { id: string; resource: string }) =>
        f.id === 'redis.queue.length' && f.resource.endsWith('webhook_queue'),
    );
    expect(queue).toMatchObject({ status: 'warn', observed: '150 items (LLEN webhook_queue)' });
    const age = report.findings.find(
      (f: { id: string; resource: string }) =>
        f.id === 'redis.queue.age' && f.resource.endsWith('webhook_queue'),
    );
    expect(age.status).toBe('fail');
    expect(Object.keys(age).sort()).toEqual(
      [
        'detail',
        'expected',
        'id',
        'observed',
        'remediation',
        'resource',
        'severity',
        'source',
        'status',
        'title',
      ].sort(),
    );
    expect(fake.calls.filter((c) => c.service === 'ssm').map((c) => c.input)).toEqual([
      { Name: '/fivestar/payments/dev/app/redis_url', WithDecryption: true },
    ]);
  });

  it('bad input is one line and exit 2, with nothing connected', async () => {
    const scheme = await runFsops(['redis', '--env', 'dev', '--redis-url', 'http://user:pw@h:1']);
    expect(scheme).toMatchObject({
      code: 2,
      stderr:
        "fsops: --redis-url has scheme 'http', not redis or rediss: give redis://[user:password@]host[:port][/db] or rediss:// for TLS\n",
    });
    const port = await runFsops(['redis', '--env', 'dev', '--redis-url', url, '--redis-port', '99999']);
    const both = await runFsops(['redis', '--env', 'dev', '--aws-only', '--no-aws']);
    expect(both).toMatchObject({
      code: 2,
      stderr: 'fsops: --aws-only and --no-aws exclude each other: pass one (or neither for both sides)\n',
    });
    expect(port).toMatchObject({
      code: 2,
      stderr: "fsops: --redis-port must be a port number 1-65535 (got '99999')\n",
    });
  });
});
