import type { DBInstance, DBSnapshot } from '@aws-sdk/client-rds';
import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { defineCheck, noParams } from '../../../base/model/check.js';
import { newestSnapshot } from '../../../domain/backup/rds.js';
import { gather, unreadFact } from '../partial.js';
import { call } from '../security/common.js';
import { rdsInstance } from '../service-facts.js';

const HOUR = 3_600_000;

/** Every snapshot of the environment's instance, automated and manual (paginated, once per run). */
export function rdsSnapshots(ctx: CheckContext): Promise<DBSnapshot[]> {
  return ctx.once('rds.snapshots', async () => {
    const { paginateDescribeDBSnapshots } = await import('@aws-sdk/client-rds');
    const client = await ctx.aws.rds();
    const snapshots: DBSnapshot[] = [];
    for await (const page of paginateDescribeDBSnapshots(
      { client },
      { DBInstanceIdentifier: ctx.env.nameOf('dbInstance') },
    )) {
      snapshots.push(...(page.DBSnapshots ?? []));
    }
    return snapshots;
  });
}

const hoursAgo = (date: Date, now: Date) => `${((now.getTime() - date.getTime()) / HOUR).toFixed(1)}h ago`;

/** Point-in-time recovery reaches back to within the RPO (deployment guide §2.2.3: RPO < 1 hour). */
export function evaluatePitr(
  name: string,
  db: DBInstance | null,
  rpoMinutes: number,
  now: Date,
): CheckResult {
  const latest = db?.LatestRestorableTime;
  const lagMinutes = latest ? (now.getTime() - latest.getTime()) / 60_000 : null;
  return {
    id: 'maintenance.backup.pitr',
    title: 'Latest restorable time is within the RPO',
    status: lagMinutes !== null && lagMinutes <= rpoMinutes ? 'pass' : 'fail',
    resource: name,
    expected: `within ${rpoMinutes} min (deployment guide §2.2.3, RPO < 1 hour)`,
    observed:
      lagMinutes === null
        ? db
          ? 'no LatestRestorableTime: automated backups are off'
          : 'instance not found'
        : `${latest!.toISOString()} (${lagMinutes.toFixed(0)} min ago)`,
    remediation:
      'Turn automated backups on (BackupRetentionPeriod > 0) and check the instance is not stuck in backing-up or storage-full.',
  };
}

/** Pre-maintenance (ops guide §12.1.2 "Backup and rollback procedures verified"; §12.1.1 "Full backup before maintenance"). */
export function evaluateRecentBackup(
  name: string,
  db: DBInstance | null,
  snapshots: DBSnapshot[],
  settings: { backupMaxAgeHours: number; rpoMinutes: number; env: string },
  now: Date,
): CheckResult[] {
  const newest = newestSnapshot(snapshots);
  const fresh =
    newest && now.getTime() - newest.SnapshotCreateTime!.getTime() <= settings.backupMaxAgeHours * HOUR;
  return [
    {
      id: 'maintenance.backup.recent',
      title: 'A recent snapshot exists',
      status: fresh ? 'pass' : 'fail',
      resource: name,
      expected: `a snapshot from the last ${settings.backupMaxAgeHours}h`,
      observed: newest
        ? `${newest.SnapshotType} ${newest.DBSnapshotIdentifier} at ${newest.SnapshotCreateTime!.toISOString()} (${hoursAgo(newest.SnapshotCreateTime!, now)})`
        : 'no available snapshot',
      remediation: `Take one before the window: fsops backup snapshot --env ${settings.env} --change-ref <ref> --wait`,
    },
    evaluatePitr(name, db, settings.rpoMinutes, now),
  ];
}

/** Monthly backup integrity: backups on and kept, PITR within the RPO, every snapshot encrypted. */
export function evaluateBackupIntegrity(
  name: string,
  db: DBInstance | null,
  snapshots: DBSnapshot[],
  settings: { rpoMinutes: number; retentionDays: number },
  now: Date,
): CheckResult[] {
  const retention = db?.BackupRetentionPeriod ?? 0;
  const unencrypted = snapshots.filter((s) => !s.Encrypted);
  const automated = newestSnapshot(snapshots, 'automated');
  const automatedFresh = automated && now.getTime() - automated.SnapshotCreateTime!.getTime() <= 26 * HOUR;
  return [
    {
      id: 'maintenance.backup.enabled',
      title: 'Automated backups are on and kept long enough',
      status: retention === 0 ? 'fail' : retention < settings.retentionDays ? 'warn' : 'pass',
      resource: name,
      expected: `BackupRetentionPeriod >= ${settings.retentionDays} days (deployment guide §4.1)`,
      observed: `${retention} days`,
      remediation: `aws rds modify-db-instance --db-instance-identifier ${name} --backup-retention-period ${settings.retentionDays} --apply-immediately`,
    },
    {
      id: 'maintenance.backup.daily',
      title: 'The daily automated snapshot was taken',
      status: automatedFresh ? 'pass' : 'fail',
      resource: name,
      expected: 'an automated snapshot from the last 26h',
      observed: automated
        ? `${automated.DBSnapshotIdentifier} (${hoursAgo(automated.SnapshotCreateTime!, now)})`
        : 'no automated snapshot',
      remediation: 'Check RDS events for failed backups (aws rds describe-events --source-type db-instance).',
    },
    evaluatePitr(name, db, settings.rpoMinutes, now),
    {
      id: 'maintenance.backup.encrypted',
      title: 'Every snapshot is encrypted',
      status: unencrypted.length ? 'fail' : snapshots.length ? 'pass' : 'warn',
      resource: name,
      expected: 'Encrypted true on every snapshot (deployment guide §6.1.1 StorageEncrypted)',
      observed: unencrypted.length
        ? `unencrypted: ${unencrypted.map((s) => s.DBSnapshotIdentifier).join(', ')}`
        : `${snapshots.length} snapshot(s), all encrypted`,
      remediation:
        'Copy each unencrypted snapshot with a KMS key (aws rds copy-db-snapshot --kms-key-id ...) and delete the unencrypted one.',
    },
  ];
}

/** Findings judged on the instance alone, and on its snapshots alone. */
const NEEDS_INSTANCE = new Set(['maintenance.backup.pitr', 'maintenance.backup.enabled']);
const NEEDS_SNAPSHOTS = new Set([
  'maintenance.backup.recent',
  'maintenance.backup.daily',
  'maintenance.backup.encrypted',
]);

/**
 * The instance and its snapshots, each on its own: one that cannot be read (a denied call, a throttle)
 * is its own error, and the findings that need only the other are still judged.
 */
async function judgeBackupFacts(
  ctx: CheckContext,
  id: string,
  judge: (db: DBInstance | null, snapshots: DBSnapshot[]) => CheckResult[],
): Promise<CheckResult[]> {
  const name = ctx.env.nameOf('dbInstance');
  const [dbGot, snapshotsGot] = await gather(
    call('rds:DescribeDBInstances', () => rdsInstance(ctx)),
    call('rds:DescribeDBSnapshots', () => rdsSnapshots(ctx)),
  );
  const unread: CheckResult[] = [];
  if (!dbGot.ok) unread.push(unreadFact(id, name, 'the RDS instance', dbGot.reason));
  if (!snapshotsGot.ok) unread.push(unreadFact(id, name, 'the snapshots', snapshotsGot.reason));
  const judged = judge(dbGot.ok ? dbGot.value : null, snapshotsGot.ok ? snapshotsGot.value : []).filter(
    (r) =>
      (dbGot.ok || !NEEDS_INSTANCE.has(r.id ?? '')) && (snapshotsGot.ok || !NEEDS_SNAPSHOTS.has(r.id ?? '')),
  );
  return [...unread, ...judged];
}

export const backupRecentCheck = defineCheck({
  id: 'maintenance.backup-recent',
  title: 'A recent backup exists before maintenance',
  severity: 'critical',
  source: 'ops guide §12.1.1 (full backup before maintenance), §12.1.2; deployment guide §2.2.3',
  remediation: 'Take a manual snapshot before the window.',
  params: noParams,
  async run(ctx) {
    return judgeBackupFacts(ctx, 'maintenance.backup-recent', (db, snapshots) =>
      evaluateRecentBackup(
        ctx.env.nameOf('dbInstance'),
        db,
        snapshots,
        { ...ctx.env.config.maintenance, env: ctx.env.name },
        ctx.now,
      ),
    );
  },
});

export const backupIntegrityCheck = defineCheck({
  id: 'maintenance.backup-integrity',
  title: 'Backup integrity',
  severity: 'critical',
  source: 'ops guide §12.3.1 (monthly: backup integrity verification); deployment guide §2.2.3, §4.1, §6.1.1',
  remediation: 'Fix the backup configuration before the next window.',
  params: noParams,
  async run(ctx) {
    return judgeBackupFacts(ctx, 'maintenance.backup-integrity', (db, snapshots) =>
      evaluateBackupIntegrity(
        ctx.env.nameOf('dbInstance'),
        db,
        snapshots,
        {
          rpoMinutes: ctx.env.config.maintenance.rpoMinutes,
          retentionDays: ctx.env.settings.rds.backupRetentionPeriod,
        },
        ctx.now,
      ),
    );
  },
});
