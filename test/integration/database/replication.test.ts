import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { replicationCheck } from '../../../src/catalogue/checks/database/replication.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';
import { byId, runCheck, statuses } from './check-helpers.js';

const rds = mockClient(RDSClient);
const cloudwatch = mockClient(CloudWatchClient);
const NOW = new Date('2026-11-21T10:00:00Z');
const minutesAgo = (n: number) => new Date(NOW.getTime() - n * 60_000);

describe('replication with --env: the RDS read replicas and their CloudWatch ReplicaLag (§4.1.3)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('replication');
  });
  afterEach(() => {
    rds.reset();
    cloudwatch.reset();
  });
  afterAll(async () => {
    await db.cleanup();
  });

  it('judges each replica by RDS status and ReplicaLag, in one DescribeDBInstances and one GetMetricData', async () => {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'prod-fivestar-payments-db' })
      .resolves({
        DBInstances: [
          {
            DBInstanceIdentifier: 'prod-fivestar-payments-db',
            DBInstanceStatus: 'available',
            ReadReplicaDBInstanceIdentifiers: [
              'prod-fivestar-payments-db-replica-1',
              'prod-fivestar-payments-db-replica-2',
              'arn:aws:rds:eu-west-1:123456789012:db:prod-fivestar-payments-dr',
            ],
          },
        ],
      })
      .on(DescribeDBInstancesCommand, {
        Filters: [
          {
            Name: 'db-instance-id',
            Values: ['prod-fivestar-payments-db-replica-1', 'prod-fivestar-payments-db-replica-2'],
          },
        ],
      })
      .resolves({
        DBInstances: [
          { DBInstanceIdentifier: 'prod-fivestar-payments-db-replica-1', DBInstanceStatus: 'available' },
          { DBInstanceIdentifier: 'prod-fivestar-payments-db-replica-2', DBInstanceStatus: 'available' },
        ],
      });
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        // replica-1 quiet with one small bump; replica-2 above 300 s for the last 5 minutes (a held breach).
        { Id: 'q0', Timestamps: [5, 4, 3, 2, 1].map(minutesAgo), Values: [1, 4, 2, 1, 1] },
        { Id: 'q1', Timestamps: [1, 2, 3, 4, 5, 6].map(minutesAgo), Values: [420, 400, 380, 360, 340, 90] },
      ],
    });
    const findings = await runCheck(replicationCheck, db.url, { envName: 'prod' });
    // The test server has no replica streaming from it: RDS, not pg_stat_replication, judges the count.
    expect(statuses(findings)).toEqual([
      'db.replication.replicas:pass',
      'db.replication.slots:pass',
      'db.replication.rds-replicas:pass',
      'db.replication.rds-lag:pass',
      'db.replication.rds-lag:fail',
      'db.replication.rds-lag:skip',
    ]);
    // The run's 15-minute look-back has 1-minute datapoints: ReplicaLag rides in its batch and window.
    const lag = byId(findings, 'db.replication.rds-lag');
    expect(lag[0]).toMatchObject({
      resource: 'prod-fivestar-payments-db-replica-1',
      observed: 'available, ReplicaLag 1s (peak 4s in the last 15 minutes)',
    });
    expect(lag[1]).toMatchObject({
      resource: 'prod-fivestar-payments-db-replica-2',
      observed: 'available, ReplicaLag 7m 0s',
    });
    expect(lag[2]!.observed).toBe('cross-region replica in eu-west-1: its ReplicaLag is published there');
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(2);
    const metricCalls = cloudwatch.commandCalls(GetMetricDataCommand);
    expect(metricCalls).toHaveLength(1);
    expect(
      metricCalls[0]!.args[0].input.MetricDataQueries!.map((q) => [
        q.MetricStat!.Metric!.MetricName,
        q.MetricStat!.Metric!.Dimensions![0]!.Value,
        q.MetricStat!.Stat,
      ]),
    ).toEqual([
      ['ReplicaLag', 'prod-fivestar-payments-db-replica-1', 'Maximum'],
      ['ReplicaLag', 'prod-fivestar-payments-db-replica-2', 'Maximum'],
    ]);
  });

  it('warns about a missing replica, and a replica RDS reports as broken fails', async () => {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'prod-fivestar-payments-db' })
      .resolves({
        DBInstances: [
          {
            DBInstanceIdentifier: 'prod-fivestar-payments-db',
            ReadReplicaDBInstanceIdentifiers: ['prod-fivestar-payments-db-replica-1'],
          },
        ],
      })
      .on(DescribeDBInstancesCommand, {
        Filters: [{ Name: 'db-instance-id', Values: ['prod-fivestar-payments-db-replica-1'] }],
      })
      .resolves({
        DBInstances: [
          {
            DBInstanceIdentifier: 'prod-fivestar-payments-db-replica-1',
            DBInstanceStatus: 'incompatible-parameters',
          },
        ],
      });
    cloudwatch
      .on(GetMetricDataCommand)
      .resolves({ MetricDataResults: [{ Id: 'q0', Timestamps: [], Values: [] }] });
    const findings = await runCheck(replicationCheck, db.url, { envName: 'prod' });
    const [count] = byId(findings, 'db.replication.rds-replicas');
    expect(count).toMatchObject({
      status: 'warn',
      observed: '1 read replica: prod-fivestar-payments-db-replica-1 incompatible-parameters',
    });
    const [lag] = byId(findings, 'db.replication.rds-lag');
    expect(lag).toMatchObject({
      status: 'fail',
      observed: 'incompatible-parameters, no ReplicaLag data in the last 15 minutes',
    });
    expect(lag!.remediation).toContain(
      'aws rds describe-events --source-identifier prod-fivestar-payments-db-replica-1',
    );
  });

  it('an AWS error becomes one error finding; what PostgreSQL reports still comes back', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: rds:DescribeDBInstances'), {
        name: 'AccessDenied',
      }),
    );
    const findings = await runCheck(replicationCheck, db.url, { envName: 'prod' });
    expect(statuses(findings)).toEqual([
      'db.replication.replicas:pass',
      'db.replication.slots:pass',
      'db.replication.rds-replicas:error',
    ]);
    expect(findings[2]!.observed).toMatch(/^could not read the RDS replicas: access denied/);
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(0);
  });

  it('without an environment (a bare --db-url) AWS is not asked', async () => {
    const findings = await runCheck(replicationCheck, db.url, { params: { expectedReplicas: 0 } });
    expect(statuses(findings)).toEqual(['db.replication.replicas:pass', 'db.replication.slots:pass']);
    expect(rds.calls()).toHaveLength(0);
  });
});
