import type { DBInstance, DBSnapshot } from '@aws-sdk/client-rds';
import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { defineCheck, noParams } from '../../../base/model/check.js';
import { evaluateCrossRegion, formatMinutes } from '../../../domain/backup/evaluate.js';
import {
  isRecoverTableName,
  isRestoreTestName,
  isRestoreTestTagged,
  isTaggedFor,
  RECOVER_TABLE_PURPOSE,
} from '../../../domain/backup/naming.js';
import { listDbInstances, newestSnapshot } from '../../../domain/backup/rds.js';
import { rdsSnapshots } from '../maintenance/backups.js';

/**
 * `fsops backup status` (runbooks/backup-status.yaml): what the existing maintenance.backup-integrity
 * check does not already judge: the newest snapshot of each kind, the DR-region copies, and temporary
 * restore-test instances left behind.
 */

export function evaluateSnapshotAges(
  env: string,
  name: string,
  snapshots: DBSnapshot[],
  settings: { backupMaxAgeHours: number },
  now: Date,
): CheckResult[] {
  const line = (s: DBSnapshot) =>
    `${s.DBSnapshotIdentifier} at ${s.SnapshotCreateTime!.toISOString()} (${formatMinutes(now.getTime() - s.SnapshotCreateTime!.getTime())} ago)${s.Encrypted ? '' : ', NOT encrypted'}`;
  const manual = newestSnapshot(snapshots, 'manual');
  const creating = snapshots.filter((s) => s.Status === 'creating').map((s) => s.DBSnapshotIdentifier);
  const fresh =
    manual !== null &&
    now.getTime() - manual.SnapshotCreateTime!.getTime() <= settings.backupMaxAgeHours * 3_600_000;
  return [
    {
      id: 'backup.snapshot.manual',
      title: 'Newest manual snapshot (before maintenance)',
      // Manual snapshots are taken before a window (ops guide §12.1.1); none, or only an old one, is
      // not an error on its own: a warning, as the expectation says what fresh means.
      status: fresh ? 'pass' : 'warn',
      resource: name,
      expected: `one before each maintenance window (fresh means the last ${settings.backupMaxAgeHours}h)`,
      observed: `${manual ? line(manual) : 'no manual snapshot'}${creating.length ? `; being created: ${creating.join(', ')}` : ''}`,
      remediation: `fsops backup snapshot --env ${env} --change-ref <ref> before the next window`,
    },
  ];
}

/** Which of fsops's temporary instances `db` is: a `backup verify` copy or a `recover table` copy. */
function temporaryKind(env: string, db: DBInstance): 'restore-test' | 'recover-table' | null {
  const name = db.DBInstanceIdentifier ?? '';
  if (isRestoreTestTagged(db.TagList) || isRestoreTestName(env, name)) return 'restore-test';
  if (isTaggedFor(RECOVER_TABLE_PURPOSE, db.TagList) || isRecoverTableName(env, name)) return 'recover-table';
  return null;
}

export function evaluateLeftovers(env: string, instances: DBInstance[]): CheckResult {
  const ours = instances.filter((db) => temporaryKind(env, db) !== null);
  // `backup verify` and `recover table` start the deletion and do not wait for it (RDS takes minutes):
  // an instance already `deleting` is on its way out, said for information, not a leftover to act on.
  const deleting = ours.filter((db) => db.DBInstanceStatus === 'deleting');
  const leftovers = ours.filter((db) => db.DBInstanceStatus !== 'deleting');
  const describe = (db: DBInstance) =>
    `${db.DBInstanceIdentifier} (${temporaryKind(env, db) === 'recover-table' ? 'recover table copy, ' : ''}${db.DBInstanceStatus ?? 'status unknown'}, created ${db.InstanceCreateTime?.toISOString() ?? '?'})`;
  const beingDeleted = deleting.length
    ? `being deleted: ${deleting.map((db) => db.DBInstanceIdentifier).join(', ')}`
    : '';
  return {
    id: 'backup.restore-test.leftovers',
    title: 'No temporary restore-test instance is left running',
    status: leftovers.length ? 'fail' : 'pass',
    resource: `${env}-fivestar-restore-test-*, ${env}-fivestar-recover-table-*`,
    expected:
      'none (fsops backup verify deletes its instance unless --keep; fsops recover table deletes its copy at the end, on failure and on Ctrl-C)',
    observed: leftovers.length
      ? [leftovers.map(describe).join(', '), beingDeleted].filter(Boolean).join('; ')
      : deleting.length
        ? `none left; ${beingDeleted} (deletion in progress)`
        : 'none',
    remediation: leftovers.length
      ? `Unless a backup verify or recover table run is still going, delete each: aws rds delete-db-instance --db-instance-identifier ${leftovers[0]!.DBInstanceIdentifier ?? '<id>'} --skip-final-snapshot`
      : undefined,
  };
}

export const snapshotAgesCheck = defineCheck({
  id: 'backup.snapshots',
  // The newest automated snapshot is maintenance.backup-integrity's `daily` finding (same runbook).
  title: 'Newest manual snapshot',
  severity: 'high',
  source: 'deployment guide §2.2.3, §4.1; ops guide §12.1.1 (full backup before maintenance)',
  remediation: 'Take a snapshot: fsops backup snapshot --env <env>.',
  params: noParams,
  async run(ctx) {
    return evaluateSnapshotAges(
      ctx.env.name,
      ctx.env.nameOf('dbInstance'),
      await rdsSnapshots(ctx),
      ctx.env.config.maintenance,
      ctx.now,
    );
  },
});

async function drRegionFacts(ctx: CheckContext, region: string, dbName: string) {
  const { DescribeDBInstanceAutomatedBackupsCommand, paginateDescribeDBSnapshots } = await import(
    '@aws-sdk/client-rds'
  );
  const rds = await ctx.aws.rdsIn(region);
  const replicated = await rds
    .send(new DescribeDBInstanceAutomatedBackupsCommand({ DBInstanceIdentifier: dbName }), {
      abortSignal: ctx.signal,
    })
    .then((out) => out.DBInstanceAutomatedBackups ?? [])
    .catch((error: Error) => {
      if (error.name === 'DBInstanceAutomatedBackupNotFoundFault') return [];
      throw error;
    });
  const replicatedLatest =
    replicated
      .map((b) => b.RestoreWindow?.LatestTime)
      .filter((t): t is Date => t instanceof Date)
      .sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
  // Every page: RDS returns 100 snapshots a page in no promised order, so the newest copy may be on any.
  const copies: DBSnapshot[] = [];
  for await (const page of paginateDescribeDBSnapshots(
    { client: rds, pageSize: 100 },
    { DBInstanceIdentifier: dbName },
    { abortSignal: ctx.signal },
  ))
    copies.push(...(page.DBSnapshots ?? []));
  const newest = newestSnapshot(copies);
  return {
    replicatedLatest,
    newestCopy: newest ? { id: newest.DBSnapshotIdentifier ?? '?', at: newest.SnapshotCreateTime! } : null,
  };
}

export const crossRegionCheck = defineCheck({
  id: 'backup.cross-region',
  title: 'Backups are copied to the DR region',
  severity: 'high',
  source: 'deployment guide §2.2.3 (backup strategy: automated with cross-region replication)',
  remediation: 'Turn on automated backup replication to the DR region.',
  params: noParams,
  async run(ctx) {
    const drRegion = ctx.env.config.backup.drRegion;
    const name = ctx.env.nameOf('dbInstance');
    const facts = drRegion
      ? await drRegionFacts(ctx, drRegion, name)
      : { replicatedLatest: null, newestCopy: null };
    return [
      evaluateCrossRegion({
        resource: name,
        drRegion,
        ...facts,
        rpoMinutes: ctx.env.config.maintenance.rpoMinutes,
        copyMaxAgeHours: ctx.env.config.backup.copyMaxAgeHours,
        now: ctx.now,
      }),
    ];
  },
});

export const restoreTestLeftoversCheck = defineCheck({
  id: 'backup.restore-test-leftovers',
  title: 'No restore-test instance left behind',
  severity: 'medium',
  source: 'runbook 002 Backup Verification (clean up the test database); runbook 003 Monthly Tasks',
  remediation: 'Delete the temporary instance without a final snapshot.',
  params: noParams,
  async run(ctx) {
    return [evaluateLeftovers(ctx.env.name, await listDbInstances(await ctx.aws.rds()))];
  },
});

export const backupStatusChecks = [snapshotAgesCheck, crossRegionCheck, restoreTestLeftoversCheck];
