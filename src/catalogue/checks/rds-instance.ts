import type { DBInstance } from '@aws-sdk/client-rds';
import type { EnvironmentConfig } from '../../base/config/schema.js';
import type { CheckResult } from '../../base/model/check.js';
import { defineCheck, noParams } from '../../base/model/check.js';
import type { Status } from '../../base/model/finding.js';
import { rdsInstance } from './service-facts.js';

type Profile = EnvironmentConfig['rds'];

/** Judges the RDS instance against the environment profile (deployment guide §4.1, §6.1.1). */
export function evaluateRdsInstance(name: string, db: DBInstance | null, profile: Profile): CheckResult[] {
  if (!db) {
    return [
      {
        id: 'rds.instance.available',
        title: 'RDS instance is available',
        status: 'fail',
        severity: 'critical',
        resource: name,
        expected: 'status available',
        observed: 'instance not found',
        remediation: 'Check names.dbInstance in the config and the account/region you are in.',
      },
    ];
  }
  const status = db.DBInstanceStatus ?? 'unknown';
  const availability: Status =
    status === 'available'
      ? 'pass'
      : [
            'backing-up',
            'modifying',
            'maintenance',
            'configuring-enhanced-monitoring',
            'storage-optimization',
          ].includes(status)
        ? 'warn'
        : 'fail';
  const replicas = db.ReadReplicaDBInstanceIdentifiers?.length ?? 0;
  const property = (
    key: string,
    title: string,
    ok: boolean,
    expected: string,
    observed: string,
    remediation: string,
    failStatus: Status = 'fail',
  ): CheckResult => ({
    id: `rds.instance.${key}`,
    title,
    status: ok ? 'pass' : failStatus,
    resource: name,
    expected,
    observed,
    remediation,
  });
  return [
    {
      id: 'rds.instance.available',
      title: 'RDS instance is available',
      status: availability,
      severity: 'critical',
      resource: name,
      expected: 'available',
      observed: status,
      remediation:
        'Check RDS events for the instance; an instance that is not available takes payments down (ops guide §8.1).',
    },
    property(
      'class',
      'RDS instance class matches the profile',
      db.DBInstanceClass === profile.instanceClass,
      profile.instanceClass,
      db.DBInstanceClass ?? 'unknown',
      'Modify the instance class in the next maintenance window, or update the profile.',
      'warn',
    ),
    property(
      'storage',
      'RDS allocated storage matches the profile',
      (db.AllocatedStorage ?? 0) >= profile.allocatedStorage,
      `>= ${profile.allocatedStorage} GiB`,
      `${db.AllocatedStorage ?? 0} GiB`,
      'Increase allocated storage (storage can only grow).',
      'warn',
    ),
    property(
      'backup-retention',
      'RDS backup retention matches the profile',
      (db.BackupRetentionPeriod ?? 0) >= profile.backupRetentionPeriod,
      `>= ${profile.backupRetentionPeriod} days`,
      `${db.BackupRetentionPeriod ?? 0} days`,
      'Set BackupRetentionPeriod with modify-db-instance (deployment guide §4.1).',
    ),
    property(
      'multi-az',
      'RDS Multi-AZ as the profile requires',
      !profile.multiAz || db.MultiAZ === true,
      profile.multiAz ? 'Multi-AZ on' : 'either',
      db.MultiAZ ? 'Multi-AZ on' : 'single-AZ',
      'Enable Multi-AZ (deployment guide §2.2.3: required in production).',
    ),
    property(
      'encryption',
      'RDS storage is encrypted',
      !profile.storageEncrypted || db.StorageEncrypted === true,
      'StorageEncrypted true',
      String(db.StorageEncrypted ?? false),
      'Encryption cannot be turned on in place: restore an encrypted copy of a snapshot (deployment guide §6.1.1).',
    ),
    property(
      'deletion-protection',
      'RDS deletion protection',
      !profile.deletionProtection || db.DeletionProtection === true,
      profile.deletionProtection ? 'on' : 'either',
      db.DeletionProtection ? 'on' : 'off',
      'Turn on deletion protection with modify-db-instance --deletion-protection.',
    ),
    property(
      'read-replicas',
      'RDS read replicas as the profile requires',
      replicas >= profile.readReplicas,
      `>= ${profile.readReplicas}`,
      String(replicas),
      'Create the missing read replica(s) (deployment guide §4.1.3).',
      'warn',
    ),
  ];
}

export const rdsInstanceCheck = defineCheck({
  id: 'rds.instance',
  title: 'RDS instance',
  severity: 'high',
  source: 'deployment guide §4.1, §6.1.1, §11.1',
  remediation: 'Compare the instance with deployment guide §4.1.',
  params: noParams,
  async run(ctx) {
    return evaluateRdsInstance(ctx.env.nameOf('dbInstance'), await rdsInstance(ctx), ctx.env.settings.rds);
  },
});
