import type { DBSnapshot, RDSClient } from '@aws-sdk/client-rds';
import { z } from 'zod';
import { describeAwsError } from '../../../base/aws/errors.js';
import type { CheckResult } from '../../../base/model/check.js';
import { UsageError } from '../../../base/model/errors.js';
import { oneLine } from '../../../base/model/text.js';
import { formatMinutes } from '../../../domain/backup/evaluate.js';
import { fsopsTags, PREMAINT_PURPOSE, premaintSnapshotName } from '../../../domain/backup/naming.js';
import type { ActionContext } from '../../action.js';
import { defineAction } from '../../action.js';

export const snapshotParams = z
  .object({
    changeRef: z.string().optional(),
    /** Wait until the snapshot is available (with progress). */
    wait: z.boolean().optional(),
    /** How long to wait, in minutes (default 60). */
    timeoutMinutes: z.number().optional(),
  })
  .strict();
export type SnapshotParams = z.infer<typeof snapshotParams>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function findSnapshot(rds: RDSClient, id: string): Promise<DBSnapshot | null> {
  const { DescribeDBSnapshotsCommand } = await import('@aws-sdk/client-rds');
  try {
    return (
      (await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id }))).DBSnapshots?.[0] ?? null
    );
  } catch (error) {
    if ((error as Error).name === 'DBSnapshotNotFoundFault') return null;
    throw error;
  }
}

async function waitForSnapshot(
  rds: RDSClient,
  id: string,
  ctx: ActionContext,
  params: SnapshotParams,
): Promise<CheckResult> {
  const started = Date.now();
  const deadline = started + (params.timeoutMinutes ?? 60) * 60_000;
  const pollMs = ctx.config.backup.pollSeconds * 1000;
  let last = '';
  const base = { resource: id, expected: 'available' };
  for (;;) {
    const snapshot = await findSnapshot(rds, id);
    const status = oneLine(snapshot?.Status ?? 'not found', 60);
    const progress = snapshot?.PercentProgress !== undefined ? ` ${snapshot.PercentProgress}%` : '';
    if (`${status}${progress}` !== last) {
      ctx.log(`${id}: ${status}${progress} (${formatMinutes(Date.now() - started)})`);
      last = `${status}${progress}`;
    }
    if (status === 'available') {
      return { ...base, status: 'pass', observed: `available after ${formatMinutes(Date.now() - started)}` };
    }
    if (status === 'failed' || status === 'not found') {
      return {
        ...base,
        status: 'fail',
        observed: `snapshot ${status}`,
        remediation: 'See RDS events (aws rds describe-events --source-type db-snapshot).',
      };
    }
    if (ctx.stopRequested?.()) {
      return {
        ...base,
        status: 'skip',
        observed: `stopped waiting (Ctrl-C) while ${status}: RDS carries on creating it`,
      };
    }
    if (Date.now() >= deadline) {
      return {
        ...base,
        status: 'warn',
        observed: `still ${status} after ${formatMinutes(Date.now() - started)}: RDS carries on; check with fsops backup status`,
      };
    }
    const until = Math.min(deadline, Date.now() + pollMs);
    while (Date.now() < until && !ctx.stopRequested?.()) await sleep(Math.min(200, until - Date.now()));
  }
}

/**
 * The manual snapshot before maintenance (ops guide §12.1.1 "Full backup before maintenance"):
 * `{env}-fivestar-premaint-<date>-<ref>`, tagged managed-by=fsops, purpose=pre-maintenance.
 */
export const snapshotAction = defineAction({
  id: 'backup.snapshot',
  title: 'Manual snapshot before maintenance',
  severity: 'high',
  source: 'ops guide §12.1.1 (full backup before maintenance), §12.1.2; deployment guide §2.2.3',
  remediation: 'Take the snapshot before starting the maintenance.',
  params: snapshotParams,
  async plan(ctx, params) {
    const env = ctx.env;
    if (!env || !ctx.aws) throw new UsageError('backup snapshot needs an environment (--env)');
    const rds = await ctx.aws.rds();
    const dbName = env.nameOf('dbInstance');
    const name = premaintSnapshotName(env.name, ctx.now, params.changeRef);
    if (await findSnapshot(rds, name)) {
      throw new UsageError(
        `snapshot ${name} already exists: pass another --change-ref, or use it (fsops backup status)`,
      );
    }
    const tags = fsopsTags(PREMAINT_PURPOSE, params.changeRef ? { 'change-ref': params.changeRef } : {});
    return {
      lines: [
        `create DB snapshot ${name} of ${dbName}`,
        `  tags ${tags.map((t) => `${t.Key}=${t.Value}`).join(', ')}`,
        params.wait ? 'wait until it is available' : 'do not wait (check with fsops backup status)',
      ],
      preview: [{ status: 'skip', resource: name, expected: 'created', observed: 'not created (dry run)' }],
      async apply() {
        const { CreateDBSnapshotCommand } = await import('@aws-sdk/client-rds');
        try {
          await rds.send(
            new CreateDBSnapshotCommand({
              DBInstanceIdentifier: dbName,
              DBSnapshotIdentifier: name,
              Tags: tags,
            }),
          );
        } catch (error) {
          return [
            {
              status: 'error',
              resource: name,
              expected: 'created',
              observed: `CreateDBSnapshot failed: ${oneLine(describeAwsError(error))}`,
              remediation: 'Fix the cause (instance state, quota, permissions) and take the snapshot again.',
            },
          ];
        }
        ctx.log(`Snapshot ${name} requested.`);
        if (!params.wait) {
          return [
            {
              status: 'pass',
              resource: name,
              expected: 'created',
              observed: 'creation started (not waited for)',
            },
          ];
        }
        return [await waitForSnapshot(rds, name, ctx, params)];
      },
    };
  },
});
