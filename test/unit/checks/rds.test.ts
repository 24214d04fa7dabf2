import { type DBInstance, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { evaluateRdsInstance, rdsInstanceCheck } from '../../../src/catalogue/checks/rds-instance.js';
import { testContext, testEnv } from '../../helpers/context.js';

const rds = mockClient(RDSClient);
const prod = testEnv('prod').settings.rds;

const healthy: DBInstance = {
  DBInstanceIdentifier: 'prod-fivestar-payments-db',
  DBInstanceStatus: 'available',
  DBInstanceClass: 'db.r6g.large',
  AllocatedStorage: 1000,
  BackupRetentionPeriod: 35,
  MultiAZ: true,
  StorageEncrypted: true,
  DeletionProtection: true,
  ReadReplicaDBInstanceIdentifiers: ['r1', 'r2'],
};

const byId = (results: ReturnType<typeof evaluateRdsInstance>) =>
  Object.fromEntries(results.map((r) => [r.id, r.status]));

describe('evaluateRdsInstance', () => {
  it('passes an instance matching the prod profile', () => {
    expect(Object.values(byId(evaluateRdsInstance('db', healthy, prod)))).toEqual(Array(8).fill('pass'));
  });

  it('fails what puts data at risk and warns on sizing drift', () => {
    const drifted = {
      ...healthy,
      MultiAZ: false,
      BackupRetentionPeriod: 7,
      DeletionProtection: false,
      DBInstanceClass: 'db.t3.medium',
      ReadReplicaDBInstanceIdentifiers: [],
    };
    expect(byId(evaluateRdsInstance('db', drifted, prod))).toMatchObject({
      'rds.instance.multi-az': 'fail',
      'rds.instance.backup-retention': 'fail',
      'rds.instance.deletion-protection': 'fail',
      'rds.instance.class': 'warn',
      'rds.instance.read-replicas': 'warn',
      'rds.instance.encryption': 'pass',
    });
  });

  it('warns while the instance is backing up and fails when it is stopped or missing', () => {
    expect(
      byId(evaluateRdsInstance('db', { ...healthy, DBInstanceStatus: 'backing-up' }, prod))[
        'rds.instance.available'
      ],
    ).toBe('warn');
    expect(
      byId(evaluateRdsInstance('db', { ...healthy, DBInstanceStatus: 'stopped' }, prod))[
        'rds.instance.available'
      ],
    ).toBe('fail');
    expect(evaluateRdsInstance('db', null, prod)).toMatchObject([
      { status: 'fail', observed: 'instance not found' },
    ]);
  });

  it('does not demand Multi-AZ or deletion protection in dev', () => {
    const dev = testEnv('dev').settings.rds;
    const results = byId(
      evaluateRdsInstance(
        'db',
        {
          ...healthy,
          DBInstanceClass: 'db.t3.medium',
          MultiAZ: false,
          DeletionProtection: false,
          BackupRetentionPeriod: 7,
        },
        dev,
      ),
    );
    expect(results['rds.instance.multi-az']).toBe('pass');
    expect(results['rds.instance.deletion-protection']).toBe('pass');
  });
});

describe('rds.instance through the SDK', () => {
  beforeEach(() => rds.reset());

  it('asks for the environment instance by name', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [healthy] });
    await rdsInstanceCheck.run(testContext(), {});
    expect(rds.commandCalls(DescribeDBInstancesCommand)[0]!.args[0].input).toEqual({
      DBInstanceIdentifier: 'prod-fivestar-payments-db',
    });
  });

  it('turns DBInstanceNotFound into a failing finding, not an error', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .rejects(Object.assign(new Error('not found'), { name: 'DBInstanceNotFoundFault' }));
    expect(await rdsInstanceCheck.run(testContext(), {})).toMatchObject([
      { status: 'fail', observed: 'instance not found' },
    ]);
  });
});
