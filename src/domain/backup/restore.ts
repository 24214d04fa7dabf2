import type { DBInstance, DBSnapshot, RDSClient } from '@aws-sdk/client-rds';
import { describeAwsError } from '../../base/aws/errors.js';
import type { CheckResult, DbQuery } from '../../base/model/check.js';
import { UsageError } from '../../base/model/errors.js';
import { oneLine } from '../../base/model/text.js';
import { type DbSession, openDbSession } from '../db/connection.js';
import type { DbTarget } from '../db/target.js';
import { quoteQualified } from '../db/writable.js';
import {
  checkRestoreTime,
  evaluateRowCount,
  evaluateRpo,
  evaluateSchemas,
  formatMinutes,
  type TableRef,
} from './evaluate.js';
import { describeDbInstance, newestSnapshot } from './rds.js';

/**
 * Restore mechanics shared by `backup verify` (the monthly test restore) and `recover` (point-in-time
 * recovery): where the copy comes from, the restore call, the wait, the first connection, the comparison
 * of the copy with the live database, and the deletion of a temporary copy. Every wait checks `stop()`
 * (Ctrl-C) between polls; nothing here prints, confirms or audits.
 */

/** Where the copy comes from, resolved read-only before anything is created. */
export type RestoreSource =
  | { kind: 'snapshot'; snapshot: string; restorePoint: Date }
  | { kind: 'pitr'; restorePoint: Date };

/** Thrown by the waits when the person pressed Ctrl-C. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted (Ctrl-C)');
  }
}

/** How a wait learns about Ctrl-C and reports progress. */
export interface WaitHooks {
  stop?(): boolean;
  log(text: string): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits `ms` in short steps so that Ctrl-C is noticed within a fraction of a second. */
export async function pause(ms: number, stop?: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (stop?.()) throw new Interrupted();
    await sleep(Math.min(200, end - Date.now()));
  }
  if (stop?.()) throw new Interrupted();
}

/** Parses an ISO 8601 restore time given on the command line (bad input: one line, exit 2). */
export function parseRestoreTime(text: string, flag: string): Date {
  const time = new Date(text);
  if (Number.isNaN(time.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    throw new UsageError(`${flag} '${text}' is not an ISO 8601 time, e.g. 2026-11-29T02:30:00Z`);
  }
  return time;
}

/**
 * The exact point-in-time restore window of an instance: the earliest time of its automated backups and
 * its LatestRestorableTime. A window that cannot be read is an error (never "no bound"): a time cannot
 * be checked against it.
 */
export async function restoreWindow(
  rds: RDSClient,
  source: DBInstance,
): Promise<{ earliest: Date | null; latest: Date | null }> {
  const { DescribeDBInstanceAutomatedBackupsCommand } = await import('@aws-sdk/client-rds');
  const dbName = source.DBInstanceIdentifier!;
  let windows: { RestoreWindow?: { EarliestTime?: Date } }[];
  try {
    windows =
      (await rds.send(new DescribeDBInstanceAutomatedBackupsCommand({ DBInstanceIdentifier: dbName })))
        .DBInstanceAutomatedBackups ?? [];
  } catch (error) {
    throw new Error(
      `cannot read the restore window of ${dbName} (DescribeDBInstanceAutomatedBackups: ${oneLine(describeAwsError(error))}): a restore time cannot be checked against an unknown window; nothing was restored`,
    );
  }
  const earliest =
    windows
      .map((w) => w.RestoreWindow?.EarliestTime)
      .filter((t): t is Date => t instanceof Date)
      .sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
  return { earliest, latest: source.LatestRestorableTime ?? null };
}

/**
 * A point-in-time restore source: `time` (default the latest restorable time) checked against the
 * exact window. A window without an earliest time (no automated backup listed) is unknown: refused.
 */
export async function pitrSource(
  rds: RDSClient,
  source: DBInstance,
  time: Date | null,
  asGiven: string | undefined,
) {
  const dbName = source.DBInstanceIdentifier!;
  const window = await restoreWindow(rds, source);
  const restorePoint = time ?? window.latest;
  const unknown =
    time && !window.earliest
      ? 'the restore window is unknown (no automated backup of the instance is listed): refusing to guess it'
      : null;
  const problem =
    unknown ?? (restorePoint ? checkRestoreTime(restorePoint, window) : checkRestoreTime(new Date(), window));
  if (problem || !restorePoint) {
    throw new UsageError(
      `cannot restore ${dbName} to ${asGiven ?? 'its latest restorable time'}: ${problem ?? 'no restorable time'} (valid: ${window.earliest?.toISOString() ?? '?'} .. ${window.latest?.toISOString() ?? '?'})`,
    );
  }
  return { kind: 'pitr' as const, restorePoint };
}

/** A snapshot of `source` by id, checked to be of that instance and available (bad input: UsageError). */
export async function snapshotSource(rds: RDSClient, source: DBInstance, id: string, flag = '--from') {
  const { DescribeDBSnapshotsCommand } = await import('@aws-sdk/client-rds');
  const dbName = source.DBInstanceIdentifier!;
  let snapshot: DBSnapshot | undefined;
  try {
    snapshot = (await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: id })))
      .DBSnapshots?.[0];
  } catch (error) {
    if ((error as Error).name !== 'DBSnapshotNotFoundFault') throw error;
  }
  if (!snapshot) {
    throw new UsageError(
      flag === '--from'
        ? `unknown snapshot '${id}': valid --from values are latest-snapshot, pitr or a snapshot id of ${dbName} (see fsops backup status)`
        : `unknown snapshot '${id}': ${flag} takes a snapshot id of ${dbName} (see fsops backup status)`,
    );
  }
  if (snapshot.DBInstanceIdentifier !== dbName) {
    throw new UsageError(`snapshot '${id}' is of ${snapshot.DBInstanceIdentifier}, not of ${dbName}`);
  }
  if (snapshot.Status !== 'available') {
    throw new UsageError(
      `snapshot '${id}' is ${snapshot.Status}, not available: wait for it or pick another`,
    );
  }
  return { kind: 'snapshot' as const, snapshot: id, restorePoint: snapshot.SnapshotCreateTime ?? new Date() };
}

/** The newest available snapshot of `source`. */
export async function latestSnapshotSource(rds: RDSClient, source: DBInstance): Promise<RestoreSource> {
  const { paginateDescribeDBSnapshots } = await import('@aws-sdk/client-rds');
  const dbName = source.DBInstanceIdentifier!;
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

export function describeSource(dbName: string, source: RestoreSource): string {
  return source.kind === 'snapshot'
    ? `snapshot ${source.snapshot} (taken ${source.restorePoint.toISOString()})`
    : `${dbName} at ${source.restorePoint.toISOString()} (point in time)`;
}

/** What a restore creates: the new instance's name and settings (the rest is RDS's default or the snapshot's). */
export interface RestoreRequest {
  name: string;
  sourceId: string;
  from: RestoreSource;
  instanceClass?: string | null;
  subnetGroup?: string;
  securityGroups: string[];
  multiAZ: boolean;
  parameterGroup?: string;
  /** The source's, for a copy that becomes the live database (RDS defaults otherwise). */
  backupRetentionPeriod?: number;
  storageType?: string;
  copyTagsToSnapshot?: boolean;
  deletionProtection: boolean;
  tags: { Key: string; Value: string }[];
}

/** RestoreDBInstanceFromDBSnapshot or RestoreDBInstanceToPointInTime; never publicly accessible. */
export async function requestRestore(rds: RDSClient, request: RestoreRequest): Promise<void> {
  const { RestoreDBInstanceFromDBSnapshotCommand, RestoreDBInstanceToPointInTimeCommand } = await import(
    '@aws-sdk/client-rds'
  );
  const common = {
    DBSubnetGroupName: request.subnetGroup,
    VpcSecurityGroupIds: request.securityGroups.length ? request.securityGroups : undefined,
    PubliclyAccessible: false,
    MultiAZ: request.multiAZ,
    DeletionProtection: request.deletionProtection,
    ...(request.instanceClass ? { DBInstanceClass: request.instanceClass } : {}),
    ...(request.parameterGroup ? { DBParameterGroupName: request.parameterGroup } : {}),
    ...(request.backupRetentionPeriod !== undefined
      ? { BackupRetentionPeriod: request.backupRetentionPeriod }
      : {}),
    ...(request.storageType ? { StorageType: request.storageType } : {}),
    ...(request.copyTagsToSnapshot !== undefined ? { CopyTagsToSnapshot: request.copyTagsToSnapshot } : {}),
    Tags: request.tags,
  };
  if (request.from.kind === 'snapshot') {
    await rds.send(
      new RestoreDBInstanceFromDBSnapshotCommand({
        DBInstanceIdentifier: request.name,
        DBSnapshotIdentifier: request.from.snapshot,
        ...common,
      }),
    );
  } else {
    await rds.send(
      new RestoreDBInstanceToPointInTimeCommand({
        SourceDBInstanceIdentifier: request.sourceId,
        TargetDBInstanceIdentifier: request.name,
        RestoreTime: request.from.restorePoint,
        ...common,
      }),
    );
  }
}

/** States a restored instance never leaves for `available`: the wait ends at once. */
export const FAILED_STATES = new Set([
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

/** Waits until `name` is available with an endpoint; a failed state or the deadline is an error. */
export async function waitAvailable(
  rds: RDSClient,
  name: string,
  wait: WaitHooks & { deadline: number; pollMs: number; timeoutSetting: string },
): Promise<DBInstance> {
  const started = Date.now();
  let last = '';
  for (;;) {
    const db = await describeDbInstance(rds, name);
    const status = oneLine(db?.DBInstanceStatus ?? 'not found', 60);
    if (status !== last) {
      wait.log(`${name}: ${status} (${formatMinutes(Date.now() - started)} since the request)`);
      last = status;
    }
    if (db && status === 'available' && db.Endpoint?.Address) return db;
    if (FAILED_STATES.has(status)) throw new Error(`the restored instance is ${status}`);
    if (Date.now() >= wait.deadline)
      throw new Error(
        `timed out: not available after ${formatMinutes(Date.now() - started)} (status ${status}; ${wait.timeoutSetting})`,
      );
    await pause(Math.min(wait.pollMs, Math.max(0, wait.deadline - Date.now())), wait.stop);
  }
}

/**
 * Connects to the copy, retrying until it answers (a fresh instance may refuse for a moment). A copy
 * that is `available` but never answers is bounded by `deadline` (much shorter than the restore's wait:
 * the billed instance is deleted sooner).
 */
export async function connectCopy(
  target: DbTarget,
  settings: Parameters<typeof openDbSession>[1]['settings'],
  wait: WaitHooks & { deadline: number; pollMs: number; timeoutSetting: string },
): Promise<{ db: DbSession; at: Date }> {
  const started = Date.now();
  for (;;) {
    try {
      const db = await openDbSession(target, { readOnly: true, settings, poolSize: 1 });
      return { db, at: new Date() };
    } catch (error) {
      const reason = oneLine((error as Error).message);
      if (Date.now() >= wait.deadline) {
        throw new Error(
          `the copy is available but did not answer for ${formatMinutes(Date.now() - started)} (${wait.timeoutSetting}): ${reason}`,
        );
      }
      wait.log(`copy not answering yet: ${reason}`);
      await pause(Math.min(wait.pollMs, Math.max(0, wait.deadline - Date.now())), wait.stop);
    }
  }
}

/** Deletes a temporary instance without a final snapshot; one finding (never throws). */
export async function deleteTemporaryInstance(
  rds: RDSClient,
  name: string,
  id = 'backup.verify.cleanup',
): Promise<CheckResult> {
  const { DeleteDBInstanceCommand } = await import('@aws-sdk/client-rds');
  const base = {
    id,
    title: 'The temporary instance is deleted',
    resource: name,
    expected: 'deleted without a final snapshot',
  };
  try {
    await rds.send(
      new DeleteDBInstanceCommand({
        DBInstanceIdentifier: name,
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
      remediation: `Delete it now: aws rds delete-db-instance --db-instance-identifier ${name} --skip-final-snapshot (fsops backup status lists leftovers)`,
    };
  }
}

const TABLES_SQL = `SELECT n.nspname AS schema, c.relname AS table
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
   AND n.nspname NOT LIKE 'pg_temp_%'
 ORDER BY 1, 2`;

export async function listTables(db: DbQuery): Promise<TableRef[]> {
  return db.query<TableRef>(TABLES_SQL);
}

export async function countRows(db: DbQuery, table: string): Promise<number> {
  const rows = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteQualified(table)}`);
  return Number(rows[0]!.n);
}

export async function newestRow(db: DbQuery, table: string, column: string): Promise<Date | null> {
  const rows = await db.query<{ t: Date | null }>(
    `SELECT max(${quoteQualified(column)}) AS t FROM ${quoteQualified(table)}`,
  );
  return rows[0]?.t ?? null;
}

/** `fsops db health` basics on the copy: a writable primary, no invalid index, its size. */
export async function copyHealth(db: DbQuery, resource: string): Promise<CheckResult> {
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

/** A key table of the comparison: its name and, when it has one, the column of its rows' time. */
export interface KeyTable {
  table: string;
  timestampColumn?: string;
}

/** One key table counted on both sides; a side that cannot be counted says why. */
export interface KeyTableCount {
  table: string;
  live: number | null;
  copy: number | null;
  problem?: string;
}

/** Counts each key table on the live database and the copy at once (a failure is kept, not thrown). */
export async function countKeyTables(
  live: DbQuery,
  copy: DbQuery,
  keyTables: readonly KeyTable[],
  stop?: () => boolean,
): Promise<KeyTableCount[]> {
  const counts: KeyTableCount[] = [];
  for (const key of keyTables) {
    if (stop?.()) throw new Interrupted();
    const count = (db: DbQuery) =>
      countRows(db, key.table).then(
        (n) => ({ n, problem: undefined as string | undefined }),
        (e: Error) => ({ n: null, problem: oneLine(e.message) }),
      );
    const [l, c] = await Promise.all([count(live), count(copy)]);
    counts.push({ table: key.table, live: l.n, copy: c.n, problem: c.problem ?? l.problem });
  }
  return counts;
}

/**
 * The comparisons of a restored copy with the live database (backup verify's; recover's verification):
 * every schema and table present, key-table counts within the tolerance, the newest row against the
 * restore point (RPO), and the copy's health. Returns the findings and the counts it took.
 */
export async function compareCopy(
  live: DbQuery,
  copy: DbQuery,
  input: {
    resource: string;
    keyTables: readonly KeyTable[];
    tolerancePercent: number;
    restorePoint: Date;
    requestedAt: Date;
    rpoMinutes: number;
    /** Judge the RPO (point-in-time restores); a snapshot's loss is reported, not judged. */
    judgeRpo: boolean;
    stop?: () => boolean;
  },
): Promise<{ results: CheckResult[]; counts: KeyTableCount[]; newestRow: Date | null }> {
  const results: CheckResult[] = [];
  results.push(evaluateSchemas(input.resource, await listTables(live), await listTables(copy)));
  const counts = await countKeyTables(live, copy, input.keyTables, input.stop);
  for (const c of counts) {
    results.push(
      evaluateRowCount(
        input.resource,
        { table: c.table, source: c.live, copy: c.copy, problem: c.problem },
        input.tolerancePercent,
      ),
    );
  }
  let newest: { at: Date; table: string } | null = null;
  let timestampTable: string | null = null;
  for (const key of input.keyTables) {
    const counted = counts.find((c) => c.table === key.table);
    if (!key.timestampColumn || counted?.copy === null) continue;
    if (input.stop?.()) throw new Interrupted();
    timestampTable ??= key.table;
    const t = await newestRow(copy, key.table, key.timestampColumn).catch(() => null);
    if (t && (!newest || t > newest.at)) newest = { at: t, table: key.table };
  }
  results.push(
    evaluateRpo({
      resource: input.resource,
      newestRow: newest?.at ?? null,
      table: newest?.table ?? timestampTable,
      restorePoint: input.restorePoint,
      requestedAt: input.requestedAt,
      targetMinutes: input.rpoMinutes,
      judged: input.judgeRpo,
    }),
  );
  results.push(await copyHealth(copy, input.resource));
  return { results, counts, newestRow: newest?.at ?? null };
}
