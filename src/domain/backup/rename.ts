import type { DBInstance, RDSClient } from '@aws-sdk/client-rds';
import { oneLine } from '../../base/model/text.js';
import { formatMinutes } from './evaluate.js';
import { describeDbInstance } from './rds.js';
import { pause, type WaitHooks } from './restore.js';

/**
 * Renames of RDS instances for a recovery's cut-over (ModifyDBInstance NewDBInstanceIdentifier,
 * ApplyImmediately): the endpoint name follows the identifier, so the copy that takes the live name is
 * reached by every client at the live endpoint. Each rename is waited for: the new name `available`, the
 * old one gone.
 */

export const RECOVERY_TAG = 'fsops-recovery';
export const ROLE_TAG = 'recovery-role';

export const hasTag = (db: DBInstance | null, key: string, value: string) =>
  (db?.TagList ?? []).some((t) => t.Key === key && t.Value === value);

/** True when `db` is the copy restored by recovery `id`. */
export const isRecoveryCopy = (db: DBInstance | null, id: string) =>
  hasTag(db, RECOVERY_TAG, id) && hasTag(db, ROLE_TAG, 'copy');

export interface RenameWait extends WaitHooks {
  pollMs: number;
  timeoutMs: number;
}

/** Waits until `name` exists and is available (after a rename or a restore). */
export async function waitInstanceAvailable(
  rds: RDSClient,
  name: string,
  wait: RenameWait,
): Promise<DBInstance> {
  const started = Date.now();
  let last = '';
  for (;;) {
    const db = await describeDbInstance(rds, name);
    const status = oneLine(db?.DBInstanceStatus ?? 'not there yet', 60);
    if (status !== last) {
      wait.log(`${name}: ${status} (${formatMinutes(Date.now() - started)})`);
      last = status;
    }
    if (db && status === 'available') return db;
    if (Date.now() - started >= wait.timeoutMs) {
      throw new Error(
        `timed out: ${name} not available after ${formatMinutes(Date.now() - started)} (status ${status})`,
      );
    }
    await pause(wait.pollMs, wait.stop);
  }
}

/** Renames `from` to `to` and waits for it; a `from` already renamed (a resumed run) is only waited for. */
export async function renameInstance(
  rds: RDSClient,
  from: string,
  to: string,
  wait: RenameWait,
): Promise<DBInstance> {
  const { ModifyDBInstanceCommand } = await import('@aws-sdk/client-rds');
  const target = await describeDbInstance(rds, to);
  if (!target) {
    wait.log(`Renaming ${from} to ${to} ...`);
    await rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: from,
        NewDBInstanceIdentifier: to,
        ApplyImmediately: true,
      }),
    );
  }
  return waitInstanceAvailable(rds, to, wait);
}

/** Deletion protection on and the recovery's tags: the instance before the recovery is never deleted. */
export async function protectInstance(
  rds: RDSClient,
  db: DBInstance,
  tags: { Key: string; Value: string }[],
): Promise<void> {
  const { AddTagsToResourceCommand, ModifyDBInstanceCommand } = await import('@aws-sdk/client-rds');
  await rds.send(
    new ModifyDBInstanceCommand({
      DBInstanceIdentifier: db.DBInstanceIdentifier,
      DeletionProtection: true,
      ApplyImmediately: true,
    }),
  );
  if (db.DBInstanceArn)
    await rds.send(new AddTagsToResourceCommand({ ResourceName: db.DBInstanceArn, Tags: tags }));
}
