import type { DBInstance, DBSnapshot, RDSClient } from '@aws-sdk/client-rds';
import { describeAwsError } from '../../aws/errors.js';
import {
  checkRestoreTime,
  evaluateRowCount,
  evaluateRpo,
  evaluateRto,
  evaluateSchemas,
  formatMinutes,
  type TableRef,
} from '../../backup/evaluate.js';
import { fsopsTags, RESTORE_TEST_PURPOSE, restoreTestName } from '../../backup/naming.js';
import { describeDbInstance } from '../../backup/rds.js';
import { newestSnapshot } from '../../checks/maintenance/backups.js';
import {
  applyTunnel,
  type DbSession,
  type DbTarget,
  envDbTarget,
  openDbSession,
  targetLabel,
} from '../../db/connection.js';
import { quoteQualified } from '../../db/writable.js';
import type { CheckResult, DbQuery } from '../../engine/model/check.js';
import { UsageError } from '../../engine/model/errors.js';
import { oneLine } from '../../engine/model/text.js';
import type { ActionContext, ActionDefinition } from '../types.js';

/** `fsops backup verify` flags, as the action's parameters. */
export interface RestoreTestParams {
  /** latest-snapshot (default), pitr, or a snapshot identifier. */
  from?: string;
  /** ISO 8601 restore time (with --from pitr; default the latest restorable time). */
  time?: string;
  keep?: boolean;
  /** A tunnel to the restored instance. */
  dbHost?: string;
  dbPort?: string;
  /** From a runbook (maintenance/monthly): run only when backup.verify.monthly is on. */
  onlyIfEnabled?: boolean;
}

/** Where the copy comes from, resolved read-only at plan time. */
export type RestoreSource =
  | { kind: 'snapshot'; snapshot: string; restorePoint: Date }
  | { kind: 'pitr'; restorePoint: Date };

class Interrupted extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits `ms` in short steps so that Ctrl-C is noticed within a fraction of a second. */
async function pause(ms: number, ctx: ActionContext): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (ctx.stopRequested?.()) throw new Interrupted('interrupted (Ctrl-C)');
    await sleep(Math.min(200, end - Date.now()));
  }
  if (ctx.stopRequested?.()) throw new Interrupted('interrupted (Ctrl-C)');
}

/** Resolves --from/--time against RDS (read-only); bad input is a UsageError before anything is created. */
export async function resolveRestoreSource(
  rds: RDSClient,
  source: DBInstance,
  params: RestoreTestParams,
): Promise<RestoreSource> {
  const {
    DescribeDBSnapshotsCommand,
    DescribeDBInstanceAutomatedBackupsCommand,
    paginateDescribeDBSnapshots,
  } = await import('@aws-sdk/client-rds');
  const dbName = source.DBInstanceIdentifier!;
  const from = params.from ?? 'latest-snapshot';
  if (params.time !== undefined && from !== 'pitr') {
    throw new UsageError(`--time is for --from pitr only (got --from ${from})`);
  }
  if (from === 'pitr') {
    let time: Date | null = null;
    if (params.time !== undefined) {
      time = new Date(params.time);
      if (Number.isNaN(time.getTime()) || !/\d{4}-\d{2}-\d{2}T/.test(params.time)) {
        throw new UsageError(`--time '${params.time}' is not an ISO 8601 time, e.g. 2026-11-29T02:30:00Z`);
      }
    }
    const windows = await rds
      .send(new DescribeDBInstanceAutomatedBackupsCommand({ DBInstanceIdentifier: dbName }))
      .then((out) => out.DBInstanceAutomatedBackups ?? [])
      .catch(() => []);
    const earliest =
      windows
        .map((w) => w.RestoreWindow?.EarliestTime)
        .filter((t): t is Date => t instanceof Date)
        .sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
    const latest = source.LatestRestorableTime ?? null;
    const restorePoint = time ?? latest;
    const problem = restorePoint
      ? checkRestoreTime(restorePoint, { earliest, latest })
      : checkRestoreTime(new Date(), { earliest, latest });
    if (problem || !restorePoint) {
      throw new UsageError(
        `cannot restore ${dbName} to ${params.time ?? 'its latest restorable time'}: ${problem ?? 'no restorable time'} (valid: ${earliest?.toISOString() ?? '?'} .. ${latest?.toISOString() ?? '?'})`,
      );
    }
    return { kind: 'pitr', restorePoint };
  }
  if (from === 'latest-snapshot') {
    const snapshots: DBSnapshot[] = [];
    for await (const page of paginateDescribeDBSnapshots({ client: rds }, { DBInstanceIdentifier: dbName })) {
      snapshots.push(...(page.DBSnapshots ?? []));
    }
    const newest = newestSnapshot(snapshots);
    if (!newest) throw new UsageError(`no available snapshot of ${dbName} to restore: use --from pitr`);
    return {
      kind: 'snapshot',
      snapshot: newest.DBSnapshotIdentifier!,
      restorePoint: newest.SnapshotCreateTime!,
    };
  }
  let snapshot: DBSnapshot | undefined;
  try {
    snapshot = (await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: from })))
      .DBSnapshots?.[0];
  } catch (error) {
    if ((error as Error).name !== 'DBSnapshotNotFoundFault') throw error;
  }
  if (!snapshot) {
    throw new UsageError(
      `unknown snapshot '${from}': valid --from values are latest-snapshot, pitr or a snapshot id of ${dbName} (see fsops backup status)`,
    );
  }
  if (snapshot.DBInstanceIdentifier !== dbName) {
    throw new UsageError(`snapshot '${from}' is of ${snapshot.DBInstanceIdentifier}, not of ${dbName}`);
  }
  if (snapshot.Status !== 'available') {
    throw new UsageError(
      `snapshot '${from}' is ${snapshot.Status}, not available: wait for it or pick another`,
    );
  }
  return { kind: 'snapshot', snapshot: from, restorePoint: snapshot.SnapshotCreateTime ?? new Date() };
}

const TABLES_SQL = `SELECT n.nspname AS schema, c.relname AS table
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
   AND n.nspname NOT LIKE 'pg_temp_%'
 ORDER BY 1, 2`;

async function listTables(db: DbQuery): Promise<TableRef[]> {
  return db.query<TableRef>(TABLES_SQL);
}

async function countRows(db: DbQuery, table: string): Promise<number> {
  const rows = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteQualified(table)}`);
  return Number(rows[0]!.n);
}

async function newestRow(db: DbQuery, table: string, column: string): Promise<Date | null> {
  const rows = await db.query<{ t: Date | null }>(
    `SELECT max(${quoteQualified(column)}) AS t FROM ${quoteQualified(table)}`,
  );
  return rows[0]?.t ?? null;
}

/** `fsops db health` basics on the copy: a writable primary, no invalid index, its size. */
async function copyHealth(db: DbQuery, resource: string): Promise<CheckResult> {
  const [row] = await db.query<{ recovery: boolean; invalid: string; size: string; version: string }>(
    `SELECT pg_is_in_recovery() AS recovery,
            (SELECT count(*) FROM pg_index WHERE NOT indisvalid) AS invalid,
            pg_size_pretty(pg_database_size(current_database())) AS size,
            current_setting('server_version') AS version`,
  );
  const invalid = Number(row!.invalid);
  return {
    id: 'backup.verify.health',
    title: 'The restored copy is a healthy, writable database',
    status: row!.recovery ? 'fail' : invalid > 0 ? 'warn' : 'pass',
    resource,
    expected: 'not in recovery, no invalid index',
    observed: `PostgreSQL ${row!.version}, ${row!.recovery ? 'IN RECOVERY' : 'not in recovery'}, ${invalid} invalid index(es), ${row!.size}`,
    remediation: 'Look at the copy (fsops db health --db-url ...) before deleting it: rerun with --keep.',
  };
}

function describeSource(dbName: string, source: RestoreSource): string {
  return source.kind === 'snapshot'
    ? `snapshot ${source.snapshot} (taken ${source.restorePoint.toISOString()})`
    : `${dbName} at ${source.restorePoint.toISOString()} (point in time)`;
}

/**
 * The monthly test restore (runbook 003 Monthly Tasks "test restore"; runbook 002 Backup Verification;
 * deployment guide §2.2.3 RTO/RPO). Plan: resolve the source read-only. Apply: restore into a temporary
 * instance, wait, connect, compare with the source, measure RTO and RPO, and ALWAYS delete the
 * temporary instance (success, failure, timeout, Ctrl-C) unless `keep`.
 */
export const restoreTestAction: ActionDefinition<RestoreTestParams> = {
  id: 'backup.restore-test',
  title: 'Test restore of the database backup',
  severity: 'critical',
  source:
    'runbook 003 Monthly Tasks (test restore); runbook 002 Backup Verification, RTO/RPO Targets; deployment guide §2.2.3',
  remediation: 'Fix what the restore showed before relying on the backup.',
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
};

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

async function requestRestore(plan: RestorePlan, ctx: ActionContext): Promise<void> {
  const { RestoreDBInstanceFromDBSnapshotCommand, RestoreDBInstanceToPointInTimeCommand } = await import(
    '@aws-sdk/client-rds'
  );
  const common = {
    DBSubnetGroupName: plan.subnetGroup,
    VpcSecurityGroupIds: plan.securityGroups.length ? plan.securityGroups : undefined,
    PubliclyAccessible: false,
    MultiAZ: false,
    DeletionProtection: false,
    ...(plan.instanceClass ? { DBInstanceClass: plan.instanceClass } : {}),
    Tags: fsopsTags(RESTORE_TEST_PURPOSE, { 'source-db': plan.source.DBInstanceIdentifier! }),
  };
  if (plan.from.kind === 'snapshot') {
    await plan.rds.send(
      new RestoreDBInstanceFromDBSnapshotCommand({
        DBInstanceIdentifier: plan.name,
        DBSnapshotIdentifier: plan.from.snapshot,
        ...common,
      }),
    );
  } else {
    await plan.rds.send(
      new RestoreDBInstanceToPointInTimeCommand({
        SourceDBInstanceIdentifier: plan.source.DBInstanceIdentifier,
        TargetDBInstanceIdentifier: plan.name,
        RestoreTime: plan.from.restorePoint,
        ...common,
      }),
    );
  }
  ctx.log(`Restore of ${plan.name} requested.`);
}

const FAILED_STATES = new Set([
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'incompatible-network',
  'storage-full',
  'deleting',
  // A snapshot encrypted with a KMS key the account cannot use: it never becomes available.
  'inaccessible-encryption-credentials',
  'inaccessible-encryption-credentials-recoverable',
  'incompatible-option-group',
  'incompatible-credentials',
]);

async function waitAvailable(
  plan: RestorePlan,
  ctx: ActionContext,
  deadline: number,
  pollMs: number,
): Promise<DBInstance> {
  const started = Date.now();
  let last = '';
  for (;;) {
    const db = await describeDbInstance(plan.rds, plan.name);
    const status = oneLine(db?.DBInstanceStatus ?? 'not found', 60);
    if (status !== last) {
      ctx.log(`${plan.name}: ${status} (${formatMinutes(Date.now() - started)} since the request)`);
      last = status;
    }
    if (db && status === 'available' && db.Endpoint?.Address) return db;
    if (FAILED_STATES.has(status)) throw new Error(`the restored instance is ${status}`);
    if (Date.now() >= deadline)
      throw new Error(
        `timed out: not available after ${formatMinutes(Date.now() - started)} (status ${status}; backup.verify.timeoutMinutes)`,
      );
    await pause(Math.min(pollMs, Math.max(0, deadline - Date.now())), ctx);
  }
}

/** Connects to the copy, retrying until it answers (a fresh instance may refuse for a moment). */
async function connectCopy(
  target: DbTarget,
  ctx: ActionContext,
  deadline: number,
  pollMs: number,
): Promise<{ db: DbSession; at: Date }> {
  for (;;) {
    try {
      const db = await openDbSession(target, {
        readOnly: true,
        settings: ctx.config.database.session,
        poolSize: 1,
      });
      return { db, at: new Date() };
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      ctx.log(`copy not answering yet: ${oneLine((error as Error).message)}`);
      await pause(Math.min(pollMs, Math.max(0, deadline - Date.now())), ctx);
    }
  }
}

async function deleteCopy(plan: RestorePlan): Promise<CheckResult> {
  const { DeleteDBInstanceCommand } = await import('@aws-sdk/client-rds');
  const base = {
    id: 'backup.verify.cleanup',
    title: 'The temporary instance is deleted',
    resource: plan.name,
    expected: 'deleted without a final snapshot',
  };
  try {
    await plan.rds.send(
      new DeleteDBInstanceCommand({
        DBInstanceIdentifier: plan.name,
        SkipFinalSnapshot: true,
        DeleteAutomatedBackups: true,
      }),
    );
    return { ...base, status: 'pass', observed: 'deletion started (DeleteDBInstance, SkipFinalSnapshot)' };
  } catch (error) {
    if ((error as Error).name === 'DBInstanceNotFoundFault') {
      return { ...base, status: 'pass', observed: 'not there (the restore never created it)' };
    }
    return {
      ...base,
      status: 'error',
      observed: `could not delete: ${oneLine(describeAwsError(error))}`,
      remediation: `Delete it now: aws rds delete-db-instance --db-instance-identifier ${plan.name} --skip-final-snapshot (fsops backup status lists leftovers)`,
    };
  }
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
  try {
    requested = true; // a restore call that fails in flight may still have created the instance
    await requestRestore(plan, ctx);
    const ready = await waitAvailable(plan, ctx, deadline, pollMs);
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
    const { db: copy, at } = await connectCopy(copyTarget, ctx, deadline, pollMs);
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
    if (ctx.stopRequested?.()) throw new Interrupted('interrupted (Ctrl-C)');
    results.push(evaluateSchemas(plan.name, await listTables(source), await listTables(copy)));
    let newest: { at: Date; table: string } | null = null;
    let timestampTable: string | null = null;
    for (const key of settings.keyTables) {
      if (ctx.stopRequested?.()) throw new Interrupted('interrupted (Ctrl-C)');
      const count = async (db: DbQuery): Promise<{ n: number | null; problem?: string }> =>
        countRows(db, key.table).then(
          (n) => ({ n }),
          (e: Error) => ({ n: null, problem: oneLine(e.message) }),
        );
      const [s, c] = await Promise.all([count(source), count(copy)]);
      results.push(
        evaluateRowCount(
          plan.name,
          { table: key.table, source: s.n, copy: c.n, problem: c.problem ?? s.problem },
          settings.rowCountTolerancePercent,
        ),
      );
      if (key.timestampColumn && c.n !== null) {
        timestampTable ??= key.table;
        const t = await newestRow(copy, key.table, key.timestampColumn).catch(() => null);
        if (t && (!newest || t > newest.at)) newest = { at: t, table: key.table };
      }
    }
    results.push(
      evaluateRpo({
        resource: plan.name,
        newestRow: newest?.at ?? null,
        table: newest?.table ?? timestampTable,
        restorePoint: plan.from.restorePoint,
        requestedAt,
        targetMinutes: ctx.config.maintenance.rpoMinutes,
        judged: plan.from.kind === 'pitr',
      }),
    );
    results.push(await copyHealth(copy, plan.name));
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
        results.push(await deleteCopy(plan));
      }
    }
  }
  return results;
}
