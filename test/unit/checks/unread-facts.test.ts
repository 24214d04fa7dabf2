// One fact that cannot be read never hides the others (docs/safety.md): a denied or throttled call is
// its own `error` finding naming the fact and the permission, and every verdict the other facts allow
// is still given. AWS faked at the SDK boundary (aws-sdk-client-mock).
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeServicesCommand, ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { rdsReplicasCheck } from '../../../src/catalogue/checks/database/rds-replicas.js';
import { backupIntegrityCheck } from '../../../src/catalogue/checks/maintenance/backups.js';
import { rollbackTargetsCheck } from '../../../src/catalogue/checks/maintenance/rollback-targets.js';
import { albTargetsCheck } from '../../../src/catalogue/checks/troubleshoot/alb-targets.js';
import { logErrorSignaturesCheck } from '../../../src/catalogue/checks/troubleshoot/log-errors.js';
import { metricsAlbCheck, metricsRdsCheck } from '../../../src/catalogue/checks/troubleshoot/metrics.js';
import { testContext } from '../../helpers/context.js';

const cloudwatch = mockClient(CloudWatchClient);
const rds = mockClient(RDSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const logs = mockClient(CloudWatchLogsClient);
const ecs = mockClient(ECSClient);
const T0 = new Date('2026-11-21T09:00:00Z');

beforeEach(() => {
  for (const m of [cloudwatch, rds, elb, logs, ecs]) m.reset();
});

const denied = (action: string) =>
  Object.assign(new Error(`User: arn:aws:sts::1:assumed-role/ops is not authorized to perform: ${action}`), {
    name: 'AccessDeniedException',
  });
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

/** Answers every query of a GetMetricData call by the query's metric name, each value held 10 minutes. */
function answerBy(values: Record<string, number[]>) {
  return (input: { MetricDataQueries?: MetricDataQuery[] }) => ({
    MetricDataResults: (input.MetricDataQueries ?? [])
      .filter((q) => q.ReturnData !== false)
      .map((q) => {
        const key = q.MetricStat?.Metric?.MetricName ?? q.Label ?? '';
        const v = (values[key] ?? []).flatMap((x) => Array<number>(10).fill(x));
        const at = v.map((_, i) => new Date(T0.getTime() + i * 60_000));
        return { Id: q.Id, Timestamps: at, Values: v, StatusCode: 'Complete' as const };
      }),
  });
}

const ALB = (name: string) => ({
  LoadBalancers: [
    {
      LoadBalancerArn: `arn:aws:elasticloadbalancing:ap-south-1:1:loadbalancer/app/${name}/abc`,
      DNSName: `${name}.example.test`,
    },
  ],
});
const TG = (name: string) => ({
  TargetGroupArn: `arn:aws:elasticloadbalancing:ap-south-1:1:targetgroup/${name}/def`,
  TargetGroupName: name,
});

/** Both components' ALBs exist; the customer portal's cannot be described (denied). */
function portalAlbDenied(): void {
  elb
    .on(DescribeLoadBalancersCommand, { Names: ['prod-internal-pe-alb'] })
    .resolves(ALB('prod-internal-pe-alb'))
    .on(DescribeLoadBalancersCommand, { Names: ['prod-customer-portal-alb'] })
    .rejects(denied('elasticloadbalancing:DescribeLoadBalancers'));
  elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [TG('pe-tg')] });
}

describe('metrics.rds', () => {
  it('an RDS instance that cannot be described is its own error; the metrics CloudWatch answered are judged', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(denied('rds:DescribeDBInstances'));
    cloudwatch
      .on(GetMetricDataCommand)
      .callsFake(answerBy({ CPUUtilization: [95], DatabaseConnections: [50], FreeStorageSpace: [1] }));
    const results = await metricsRdsCheck.run(testContext(), {});
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['metrics.rds.instance', 'error'],
      ['metrics.rds.cpu', 'fail'],
      ['metrics.rds.connections', 'pass'],
      ['metrics.no-data.rds.freeable-memory', 'skip'],
      ['metrics.no-data.rds.read-latency', 'skip'],
      ['metrics.no-data.rds.write-latency', 'skip'],
      ['metrics.no-data.rds.disk-queue-depth', 'skip'],
    ]);
    expect(results[0]!.observed).toBe(
      'could not read the RDS instance (its allocated storage: free storage is not judged without it): missing permission rds:DescribeDBInstances',
    );
  });

  it('metrics that cannot be read (GetMetricData throttled) are one error; a missing instance still fails', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .rejects(Object.assign(new Error('x'), { name: 'DBInstanceNotFoundFault' }));
    cloudwatch.on(GetMetricDataCommand).rejects(throttled());
    const results = await metricsRdsCheck.run(testContext(), {});
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['metrics.rds', 'error'],
      ['metrics.rds.instance', 'fail'],
    ]);
    expect(results[0]!.observed).toMatch(
      /^could not read the RDS metrics \(CloudWatch GetMetricData\): throttled by AWS/,
    );
  });
});

describe('metrics.alb and alb.targets', () => {
  it("metrics.alb: one component's ALB that cannot be described is its own error; the other's metrics are judged", async () => {
    portalAlbDenied();
    cloudwatch
      .on(GetMetricDataCommand)
      .callsFake(answerBy({ TargetResponseTime: [2.5], 'alb.5xx-rate': [0], UnHealthyHostCount: [0] }));
    const results = await metricsAlbCheck.run(testContext(), {});
    expect(results.map((r) => [r.id, r.resource, r.status])).toEqual([
      ['metrics.alb', 'prod-customer-portal-alb', 'error'],
      ['metrics.alb.latency-p95', 'prod-internal-pe-alb', 'fail'],
      ['metrics.alb.5xx-rate', 'prod-internal-pe-alb', 'pass'],
      ['metrics.alb.unhealthy-hosts', 'prod-internal-pe-alb pe-tg', 'pass'],
    ]);
    expect(results[0]!.observed).toBe(
      'could not read the load balancer prod-customer-portal-alb (its metrics are not judged): missing permission elasticloadbalancing:DescribeLoadBalancers',
    );
  });

  it("alb.targets: one ALB and one target group that cannot be read are their own errors; the other group's unhealthy targets still fail", async () => {
    portalAlbDenied();
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [TG('pe-tg'), TG('pe-tg-2')] });
    elb
      .on(DescribeTargetHealthCommand, { TargetGroupArn: TG('pe-tg').TargetGroupArn })
      .resolves({
        TargetHealthDescriptions: [
          {
            Target: { Id: '10.0.0.1', Port: 8080 },
            TargetHealth: { State: 'unhealthy', Reason: 'Target.Timeout' },
          },
        ],
      })
      .on(DescribeTargetHealthCommand, { TargetGroupArn: TG('pe-tg-2').TargetGroupArn })
      .rejects(throttled());
    const results = await albTargetsCheck.run(testContext(), {});
    expect(results.map((r) => [r.id, r.resource, r.status])).toEqual([
      ['alb.targets', 'prod-customer-portal-alb', 'error'],
      ['alb.targets.unhealthy', 'prod-internal-pe-alb pe-tg', 'fail'],
      ['alb.targets', 'prod-internal-pe-alb pe-tg-2', 'error'],
    ]);
    expect(results[0]!.observed).toBe(
      'could not read the load balancer prod-customer-portal-alb and its target groups: missing permission elasticloadbalancing:DescribeLoadBalancers',
    );
    expect(results[2]!.observed).toMatch(
      /^could not read the target health of pe-tg-2: throttled by AWS after retries/,
    );
  });
});

describe('logs.errors', () => {
  it("one component's log group that cannot be read is its own error; the other's errors are grouped and judged", async () => {
    logs
      .on(FilterLogEventsCommand, { logGroupName: '/ecs/prod-fivestar-internal-pe' })
      .rejects(denied('logs:FilterLogEvents'))
      .on(FilterLogEventsCommand, { logGroupName: '/ecs/prod-fivestar-customer-portal' })
      .resolves({
        events: Array.from({ length: 60 }, (_, i) => ({
          eventId: `e${i}`,
          timestamp: T0.getTime() + i * 1000,
          message: 'ERROR RazorPay gateway returned 502',
        })),
      });
    const results = await logErrorSignaturesCheck.run(testContext(), {});
    expect(results.map((r) => [r.id, r.resource, r.status])).toEqual([
      ['logs.errors', '/ecs/prod-fivestar-internal-pe', 'error'],
      ['logs.errors.count', '/ecs/prod-fivestar-customer-portal', 'fail'],
      ['logs.errors.gateway', '/ecs/prod-fivestar-customer-portal', 'fail'],
    ]);
    expect(results[0]!.observed).toMatch(
      /^could not read the errors of \/ecs\/prod-fivestar-internal-pe: .*not authorized to perform: logs:FilterLogEvents/,
    );
  });
});

describe('maintenance.rollback-targets', () => {
  it("one family whose revisions cannot be listed is its own error; the other's missing target still fails", async () => {
    const td = (family: string, rev: number) => `arn:aws:ecs:ap-south-1:1:task-definition/${family}:${rev}`;
    ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
      services: input.services.map((name) => ({
        serviceName: name,
        taskDefinition: td(name.replace(/^prod-(.*)-service$/, 'prod-fivestar-$1'), 43),
      })),
    }));
    ecs
      .on(ListTaskDefinitionsCommand, { familyPrefix: 'prod-fivestar-internal-pe' })
      .resolves({ taskDefinitionArns: [td('prod-fivestar-internal-pe', 43)] })
      .on(ListTaskDefinitionsCommand, { familyPrefix: 'prod-fivestar-customer-portal' })
      .rejects(throttled());
    const results = await rollbackTargetsCheck.run(testContext(), {} as never);
    expect(results.map((r) => [r.resource, r.status])).toEqual([
      ['prod-fivestar-internal-pe', 'fail'],
      ['prod-fivestar-customer-portal', 'error'],
    ]);
    expect(results[1]!.observed).toMatch(
      /^could not read the ACTIVE revisions of prod-fivestar-customer-portal: throttled by AWS/,
    );
  });
});

describe('maintenance.backup-integrity', () => {
  const now = new Date('2026-11-21T10:00:00Z');
  const instance = {
    DBInstanceIdentifier: 'prod-fivestar-payments-db',
    BackupRetentionPeriod: 35,
    LatestRestorableTime: new Date(now.getTime() - 5 * 60_000),
  };

  it('snapshots that cannot be listed are one error; what the instance alone shows is judged', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [instance] });
    rds.on(DescribeDBSnapshotsCommand).rejects(denied('rds:DescribeDBSnapshots'));
    const results = await backupIntegrityCheck.run(testContext({ now }), {} as never);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['maintenance.backup-integrity', 'error'],
      ['maintenance.backup.enabled', 'pass'],
      ['maintenance.backup.pitr', 'pass'],
    ]);
    expect(results[0]!.observed).toBe(
      'could not read the snapshots: missing permission rds:DescribeDBSnapshots',
    );
  });

  it('an instance that cannot be described is one error; an unencrypted snapshot still fails', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(throttled());
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        {
          DBSnapshotIdentifier: 'rds:prod-fivestar-payments-db-2026-11-21',
          SnapshotType: 'automated',
          Status: 'available',
          SnapshotCreateTime: new Date(now.getTime() - 3_600_000),
          Encrypted: false,
        },
      ],
    });
    const results = await backupIntegrityCheck.run(testContext({ now }), {} as never);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['maintenance.backup-integrity', 'error'],
      ['maintenance.backup.daily', 'pass'],
      ['maintenance.backup.encrypted', 'fail'],
    ]);
    expect(results[0]!.observed).toMatch(/^could not read the RDS instance: throttled by AWS/);
  });
});

describe('rds.replicas', () => {
  const primary = {
    DBInstanceIdentifier: 'prod-fivestar-payments-db',
    ReadReplicaDBInstanceIdentifiers: [
      'prod-fivestar-payments-db-replica-1',
      'prod-fivestar-payments-db-replica-2',
    ],
  };
  function describe_(replicas: () => unknown) {
    rds
      .on(DescribeDBInstancesCommand)
      .callsFake((input: { DBInstanceIdentifier?: string }) =>
        input.DBInstanceIdentifier ? { DBInstances: [primary] } : replicas(),
      );
  }

  it("the replicas' status that cannot be read is one error; their ReplicaLag is still judged", async () => {
    describe_(() => {
      throw denied('rds:DescribeDBInstances');
    });
    cloudwatch.on(GetMetricDataCommand).callsFake(answerBy({ ReplicaLag: [400] }));
    const results = await rdsReplicasCheck.run(
      testContext({ now: new Date(T0.getTime() + 10 * 60_000) }),
      {} as never,
    );
    expect(results.map((r) => [r.id, r.resource, r.status])).toEqual([
      ['db.replication.rds-replicas', 'prod-fivestar-payments-db', 'error'],
      ['db.replication.rds-replicas', 'prod-fivestar-payments-db', 'pass'],
      ['db.replication.rds-lag', 'prod-fivestar-payments-db-replica-1', 'fail'],
      ['db.replication.rds-lag', 'prod-fivestar-payments-db-replica-2', 'fail'],
    ]);
    expect(results[0]!.observed).toBe(
      "could not read the replicas' status: missing permission rds:DescribeDBInstances",
    );
    expect(results[2]!.observed).toMatch(/^status not read, ReplicaLag /);
  });

  it("the ReplicaLag that cannot be read is one error; a replica's failed status still fails", async () => {
    describe_(() => ({
      DBInstances: [
        { DBInstanceIdentifier: 'prod-fivestar-payments-db-replica-1', DBInstanceStatus: 'available' },
        { DBInstanceIdentifier: 'prod-fivestar-payments-db-replica-2', DBInstanceStatus: 'failed' },
      ],
    }));
    cloudwatch.on(GetMetricDataCommand).rejects(throttled());
    const results = await rdsReplicasCheck.run(testContext(), {} as never);
    expect(results.map((r) => [r.id, r.resource, r.status])).toEqual([
      ['db.replication.rds-lag', 'prod-fivestar-payments-db', 'error'],
      ['db.replication.rds-replicas', 'prod-fivestar-payments-db', 'pass'],
      ['db.replication.rds-lag', 'prod-fivestar-payments-db-replica-1', 'pass'],
      ['db.replication.rds-lag', 'prod-fivestar-payments-db-replica-2', 'fail'],
    ]);
    expect(results[0]!.observed).toMatch(/^could not read the replicas' ReplicaLag: throttled by AWS/);
    expect(results[3]!.observed).toBe('failed, ReplicaLag not read');
  });
});
