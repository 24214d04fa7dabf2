import type { DBInstance, RDSClient } from '@aws-sdk/client-rds';
import { z } from 'zod';
import { describeAwsError } from '../../../base/aws/errors.js';
import type { CheckResult } from '../../../base/model/check.js';
import { UsageError } from '../../../base/model/errors.js';
import { oneLine } from '../../../base/model/text.js';
import { evaluateRto, formatMinutes } from '../../../domain/backup/evaluate.js';
import { fsopsTags, KEEP_TAG, RESTORE_TEST_PURPOSE, restoreTestName } from '../../../domain/backup/naming.js';
import { describeDbInstance } from '../../../domain/backup/rds.js';
import {
  compareCopy,
  connectCopy,
  deleteTemporaryInstance,
  describeSource,
  Interrupted,
  latestSnapshotSource,
  parseRestoreTime,
  pitrSource,
  type RestoreSource,
  requestRestore,
  snapshotSource,
  waitAvailable,
} from '../../../domain/backup/restore.js';
import { type DbSession, openDbSession } from '../../../domain/db/connection.js';
import { applyTunnel, type DbTarget, envDbTarget, targetLabel } from '../../../domain/db/target.js';
import type { ActionContext } from '../../action.js';
import { defineAction } from '../../action.js';

/** `fsops backup verify` flags, as the action's parameters. */
export const restoreTestParams = z
  .object({
    /** latest-snapshot (default), pitr, or a snapshot identifier. */
    from: z.string().optional(),
    /** ISO 8601 restore time (with --from pitr; default the latest restorable time). */
    time: z.string().optional(),
    keep: z.boolean().optional(),
    /** A tunnel to the restored instance. */
    dbHost: z.string().optional(),
    dbPort: z.string().optional(),
    /** From a runbook (maintenance/monthly): run only when backup.verify.monthly is on. */
    onlyIfEnabled: z.boolean().optional(),
  })
  .strict();
export type RestoreTestParams = z.infer<typeof restoreTestParams>;

/** Resolves --from/--time against RDS (read-only); bad input is a UsageError before anything is created. */
export async function resolveRestoreSource(
  rds: RDSClient,
  source: DBInstance,
  params: Pick<RestoreTestParams, 'from' | 'time'>,
): Promise<RestoreSource> {
  const from = params.from ?? 'latest-snapshot';
  if (params.time !== undefined && from !== 'pitr') {
    throw new UsageError(`--time is for --from pitr only (got --from ${from})`);
  }
  if (from === 'pitr') {
    const time = params.time !== undefined ? parseRestoreTime(params.time, '--time') : null;
    return pitrSource(rds, source, time, params.time);
  }
  if (from === 'latest-snapshot') return latestSnapshotSource(rds, source);
  return snapshotSource(rds, source, from);
}

/**
 * The monthly test restore (runbook 003 Monthly Tasks "test restore"; runbook 002 Backup Verification;
 * deployment guide §2.2.3 RTO/RPO). Plan: resolve the source read-only. Apply: restore into a temporary
 * instance, wait, connect, compare with the source, measure RTO and RPO, and ALWAYS delete the
 * temporary instance (success, failure, timeout, Ctrl-C) unless `keep`.
 */
export const restoreTestAction = defineAction({
  id: 'backup.restore-test',
  title: 'Test restore of the database backup',
  severity: 'critical',
  source:
    'runbook 003 Monthly Tasks (test restore); runbook 002 Backup Verification, RTO/RPO Targets; deployment guide §2.2.3',
  remediation: 'Fix what the restore showed before relying on the backup.',
  params: restoreTestParams,
  async plan(ctx, params) {
    const env = ctx.env;
    const settings = ctx.config.backup.verify;
    if (params.onlyIfEnabled && !settings.monthly) {
      return {
        lines: [],
        preview: [
          {
            status: 'skip',
            resource: env?.nameOf('dbInstance') ?? 'database',
            expected: 'a monthly test restore (runbook 003 Monthly Tasks)',
            observed: 'not run: backup.verify.monthly is off (run fsops backup verify, or enable it)',
          },
        ],
        apply: async () => [],
      };
    }
    if (!env || !ctx.aws) throw new UsageError('backup verify needs an environment (--env)');
    if ((env.settings.protected || env.name === 'prod') && !settings.allowProd) {
      throw new UsageError(
        `refusing to restore a copy of ${env.name}: a test restore creates a billed RDS instance; set backup.verify.allowProd: true in the config to allow it (or verify staging)`,
      );
    }
    const rds = await ctx.aws.rds();
    const dbName = env.nameOf('dbInstance');
    const source = await describeDbInstance(rds, dbName);
    if (!source) throw new UsageError(`RDS instance ${dbName} not found (names.dbInstance in the config)`);
    const from = await resolveRestoreSource(rds, source, params);
    const name = restoreTestName(env.name, ctx.now);
    const instanceClass = settings.instanceClass ?? source.DBInstanceClass ?? 'the source class';
    const subnetGroup = source.DBSubnetGroup?.DBSubnetGroupName;
    const securityGroups = (source.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId!).filter(Boolean);
    const session = { config: ctx.config, env, aws: ctx.aws };
    // The database the run was given (maintenance run monthly --db-url/--db-host), else the
    // environment's secret: the copy is compared with it and reached with its credentials.
    const sourceTarget = ctx.dbTarget ? await ctx.dbTarget() : await envDbTarget(session);
    const tunnel =
      params.dbHost || params.dbPort
        ? ` through ${params.dbHost ?? '(same host)'}:${params.dbPort ?? '(same port)'}`
        : '';
    const keyTables = settings.keyTables.map((k) => k.table);
    const lines = [
      `restore ${describeSource(dbName, from)} into a temporary instance ${name}`,
      `  ${instanceClass}, single-AZ, not publicly accessible, subnet group ${subnetGroup ?? '(default)'}, security groups ${securityGroups.join(', ') || '(default)'}, tags managed-by=fsops purpose=${RESTORE_TEST_PURPOSE}`,
      `  cost: one ${instanceClass} instance and its storage for the length of the test (typically 20-90 min)`,
      `wait until it is available (at most ${settings.timeoutMinutes} min), connect as ${sourceTarget.user} (the environment's credentials)${tunnel}`,
      `compare schemas and tables with ${targetLabel(sourceTarget)}, row counts of ${keyTables.join(', ') || '(no key tables)'} within ${settings.rowCountTolerancePercent}%, newest row against the restore point; RTO target ${ctx.config.backup.rtoMinutes} min, RPO target ${ctx.config.maintenance.rpoMinutes} min`,
      params.keep
        ? `--keep: leave ${name} running afterwards (delete it yourself: aws rds delete-db-instance --db-instance-identifier ${name} --skip-final-snapshot)`
        : `delete ${name} without a final snapshot afterwards: also on failure, timeout or Ctrl-C`,
    ];
    return {
      lines,
      preview: [
        {
          status: 'skip',
          resource: name,
          expected: `a restore of ${describeSource(dbName, from)}`,
          observed: 'not restored (dry run)',
        },
      ],
      apply: () =>
        runRestoreTest(ctx, params, {
          rds,
          source,
          from,
          name,
          instanceClass: settings.instanceClass,
          subnetGroup,
          securityGroups,
          sourceTarget,
        }),
    };
  },
});

interface RestorePlan {
  rds: RDSClient;
  source: DBInstance;
  from: RestoreSource;
  name: string;
  instanceClass: string | null;
  subnetGroup: string | undefined;
  securityGroups: string[];
  sourceTarget: DbTarget;
}

async function runRestoreTest(
  ctx: ActionContext,
  params: RestoreTestParams,
  plan: RestorePlan,
): Promise<CheckResult[]> {
  const settings = ctx.config.backup.verify;
  const pollMs = ctx.config.backup.pollSeconds * 1000;
  const results: CheckResult[] = [];
  const requestedAt = new Date();
  const deadline = requestedAt.getTime() + settings.timeoutMinutes * 60_000;
  let requested = false;
  let interrupted = false;
  let firstQueryAt: Date | null = null;
  const sessions: DbSession[] = [];
  const wait = {
    log: ctx.log,
    stop: ctx.stopRequested,
    deadline,
    pollMs,
    timeoutSetting: 'backup.verify.timeoutMinutes',
  };
  try {
    requested = true; // a restore call that fails in flight may still have created the instance
    await requestRestore(plan.rds, {
      name: plan.name,
      sourceId: plan.source.DBInstanceIdentifier!,
      from: plan.from,
      instanceClass: plan.instanceClass,
      subnetGroup: plan.subnetGroup,
      securityGroups: plan.securityGroups,
      multiAZ: false,
      deletionProtection: false,
      tags: fsopsTags(RESTORE_TEST_PURPOSE, {
        'source-db': plan.source.DBInstanceIdentifier!,
        // A copy kept on purpose is not an orphan for the next run to delete.
        ...(params.keep ? { [KEEP_TAG.Key]: KEEP_TAG.Value } : {}),
      }),
    });
    ctx.log(`Restore of ${plan.name} requested.`);
    const ready = await waitAvailable(plan.rds, plan.name, wait);
    const copyTarget = applyTunnel(
      {
        ...plan.sourceTarget,
        host: ready.Endpoint!.Address!,
        port: ready.Endpoint!.Port ?? plan.sourceTarget.port,
        tlsServerName: undefined,
        source: `restored instance ${plan.name}`,
      },
      params,
    );
    // A copy that is available but does not answer is bounded much shorter than the restore itself.
    const { db: copy, at } = await connectCopy(copyTarget, ctx.config.database.session, {
      ...wait,
      deadline: Math.min(deadline, Date.now() + settings.connectTimeoutMinutes * 60_000),
      timeoutSetting: 'backup.verify.connectTimeoutMinutes',
    });
    sessions.push(copy);
    firstQueryAt = at;
    ctx.log(
      `Connected to the copy after ${formatMinutes(at.getTime() - requestedAt.getTime())}; comparing with the source ...`,
    );
    const source = await openDbSession(plan.sourceTarget, {
      readOnly: true,
      settings: ctx.config.database.session,
      poolSize: 1,
    });
    sessions.push(source);
    if (ctx.stopRequested?.()) throw new Interrupted();
    const compared = await compareCopy(source, copy, {
      resource: plan.name,
      keyTables: settings.keyTables,
      tolerancePercent: settings.rowCountTolerancePercent,
      restorePoint: plan.from.restorePoint,
      requestedAt,
      rpoMinutes: ctx.config.maintenance.rpoMinutes,
      judgeRpo: plan.from.kind === 'pitr',
      stop: ctx.stopRequested,
    });
    results.push(...compared.results);
  } catch (error) {
    interrupted = error instanceof Interrupted;
    results.push({
      id: 'backup.verify.restore',
      title: 'The backup restores into a working database',
      status: interrupted ? 'skip' : 'error',
      resource: plan.name,
      expected: 'restored, available and answering queries',
      observed: interrupted
        ? 'not finished: interrupted (Ctrl-C)'
        : `failed: ${oneLine(error instanceof Error && '$metadata' in error ? describeAwsError(error) : (error as Error).message)}`,
      remediation: interrupted
        ? 'Run the test restore again.'
        : 'See RDS events for the instance (aws rds describe-events).',
    });
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
    if (interrupted && !firstQueryAt) {
      results.push({
        id: 'backup.verify.rto',
        title: 'Recovery time: restore requested to first successful query',
        status: 'skip',
        resource: plan.name,
        expected: `<= ${ctx.config.backup.rtoMinutes} min`,
        observed: 'not measured: interrupted (Ctrl-C) before the copy answered',
      });
    } else {
      results.push(evaluateRto(plan.name, requestedAt, firstQueryAt, ctx.config.backup.rtoMinutes));
    }
    if (requested) {
      if (params.keep) {
        results.push({
          id: 'backup.verify.cleanup',
          title: 'The temporary instance is deleted',
          status: 'warn',
          resource: plan.name,
          expected: 'deleted without a final snapshot',
          observed: 'kept running (--keep): it costs money until deleted',
          remediation: `aws rds delete-db-instance --db-instance-identifier ${plan.name} --skip-final-snapshot`,
        });
      } else {
        ctx.log(`Deleting ${plan.name} ...`);
        results.push(await deleteTemporaryInstance(plan.rds, plan.name));
      }
    }
  }
  return results;
}
