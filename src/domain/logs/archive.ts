import type {
  CloudWatchLogsClient,
  ExportTask,
  LogGroup,
  SubscriptionFilter,
} from '@aws-sdk/client-cloudwatch-logs';
import type {
  DeliveryStreamDescription,
  DestinationDescription,
  FirehoseClient,
} from '@aws-sdk/client-firehose';
import type {
  LifecycleRule,
  ObjectLockConfiguration,
  PublicAccessBlockConfiguration,
  S3Client,
  ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
import { describeAwsError } from '../../base/aws/errors.js';
import type { EnvContext } from '../../base/config/load.js';
import { UsageError } from '../../base/model/errors.js';
import { oneLine } from '../../base/model/text.js';

/**
 * The log archive (runbook 002 "Log Archival"; PCI DSS 10.5.1): which log groups, which month, where in
 * the bucket, and the AWS reads and the export wait that the check `logs.archive` and the action
 * `logs.archive-export` share. Nothing here judges (the catalogue does) or prints.
 */

/** The five log groups of ops guide §3.1.1: each component's, the scheduler Lambdas', RDS's, security's. */
export function guideLogGroups(env: EnvContext): string[] {
  return [
    ...env.components.map((c) => env.nameOf('logGroup', c)),
    env.nameOf('schedulerLogGroup'),
    env.nameOf('dbLogGroup'),
    env.nameOf('securityLogGroup'),
  ];
}

/** A calendar month in UTC: [start, end). */
export interface Month {
  /** `2026-11` */
  label: string;
  start: Date;
  end: Date;
}

export function monthAt(year: number, month: number): Month {
  const start = new Date(Date.UTC(year, month - 1, 1));
  const end = new Date(Date.UTC(year, month, 1));
  return { label: `${year}-${String(month).padStart(2, '0')}`, start, end };
}

/** `--month 2026-11` (bad input: one line, exit 2). */
export function parseMonth(text: string): Month {
  const match = /^(\d{4})-(\d{2})$/.exec(text.trim());
  const month = match ? Number(match[2]) : 0;
  if (!match || month < 1 || month > 12) {
    throw new UsageError(`--month '${text}' is not a month: give YYYY-MM, e.g. 2026-11`);
  }
  return monthAt(Number(match[1]), month);
}

/** The month before the one `now` is in (UTC): the last closed month. */
export function lastClosedMonth(now: Date): Month {
  return monthAt(now.getUTCFullYear(), now.getUTCMonth()); // getUTCMonth is 0-based: the previous month
}

/** CloudWatch Logs may take up to 12 hours to make ingested events available for export. */
export const EXPORT_LAG_MS = 12 * 3_600_000;

/** Why a month cannot be exported now (open, future, or closed too recently), or null. */
export function monthProblem(month: Month, now: Date): string | null {
  const last = lastClosedMonth(now).label;
  if (month.start.getTime() > now.getTime()) {
    return `${month.label} is in the future: export a closed month, e.g. --month ${last}`;
  }
  if (month.end.getTime() > now.getTime()) {
    return `${month.label} is not over yet (it ends ${stamp(month.end)}): export a closed month, e.g. --month ${last}`;
  }
  if (now.getTime() < month.end.getTime() + EXPORT_LAG_MS) {
    return `${month.label} closed less than 12 hours ago: CloudWatch Logs can take up to 12 hours to make its last events exportable; run after ${stamp(new Date(month.end.getTime() + EXPORT_LAG_MS))}`;
  }
  return null;
}

/** `2026-12-01T00:00Z` */
export function stamp(date: Date): string {
  return `${date.toISOString().slice(0, 16)}Z`;
}

/** Where a group's month goes in the bucket: `{group}/{yyyy}/{mm}`, without the group's leading slash. */
export function archivePrefix(group: string, month: Month): string {
  const [yyyy, mm] = month.label.split('-');
  return `${group.replace(/^\/+/, '')}/${yyyy}/${mm}`;
}

/** One AWS read: its answer, or the error it failed with (judged by the catalogue, never a pass). */
export type Read<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function read<T>(send: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await send() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The error name of a configuration that is simply not set: the answer is "none" (null), not a failure. */
function notSet<T>(result: Read<T>, ...names: string[]): Read<T | null> {
  if (!result.ok && names.includes((result.error as Error)?.name)) return { ok: true, value: null };
  return result;
}

/** Every archive-relevant setting of the bucket, each read on its own (one denied read hides no other). */
export interface BucketFacts {
  bucket: string;
  /** null: NoSuchLifecycleConfiguration. */
  lifecycle: Read<LifecycleRule[] | null>;
  /** null: ObjectLockConfigurationNotFoundError (Object Lock never enabled). */
  objectLock: Read<ObjectLockConfiguration | null>;
  /** null: ServerSideEncryptionConfigurationNotFoundError. */
  encryption: Read<ServerSideEncryptionRule[] | null>;
  /** null: NoSuchPublicAccessBlockConfiguration. */
  publicAccess: Read<PublicAccessBlockConfiguration | null>;
}

/** The IAM action each bucket read needs (S3's IAM names differ from its API names). */
export const BUCKET_READ_ACTION = {
  lifecycle: 's3:GetLifecycleConfiguration',
  objectLock: 's3:GetBucketObjectLockConfiguration',
  encryption: 's3:GetEncryptionConfiguration',
  publicAccess: 's3:GetBucketPublicAccessBlock',
} as const;

export async function readBucketFacts(
  s3: S3Client,
  bucket: string,
  signal: AbortSignal,
): Promise<BucketFacts> {
  const {
    GetBucketEncryptionCommand,
    GetBucketLifecycleConfigurationCommand,
    GetObjectLockConfigurationCommand,
    GetPublicAccessBlockCommand,
  } = await import('@aws-sdk/client-s3');
  const options = { abortSignal: signal };
  const [lifecycle, objectLock, encryption, publicAccess] = await Promise.all([
    read(() => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }), options)),
    read(() => s3.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }), options)),
    read(() => s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }), options)),
    read(() => s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }), options)),
  ]);
  const map = <A, B>(r: Read<A>, f: (a: A) => B): Read<B> => (r.ok ? { ok: true, value: f(r.value) } : r);
  return {
    bucket,
    lifecycle: notSet(
      map(lifecycle, (o) => o.Rules ?? []),
      'NoSuchLifecycleConfiguration',
    ),
    objectLock: notSet(
      map(objectLock, (o) => o.ObjectLockConfiguration ?? null),
      'ObjectLockConfigurationNotFoundError',
    ),
    encryption: notSet(
      map(encryption, (o) => o.ServerSideEncryptionConfiguration?.Rules ?? []),
      'ServerSideEncryptionConfigurationNotFoundError',
    ),
    publicAccess: notSet(
      map(publicAccess, (o) => o.PublicAccessBlockConfiguration ?? null),
      'NoSuchPublicAccessBlockConfiguration',
    ),
  };
}

/** Whether any read says the bucket does not exist. */
export function bucketMissing(facts: BucketFacts): boolean {
  return [facts.lifecycle, facts.objectLock, facts.encryption, facts.publicAccess].some(
    (r) => !r.ok && (r.error as Error)?.name === 'NoSuchBucket',
  );
}

/** DescribeLogGroups of the named groups (one call pages through up to 50 names); missing ones are absent. */
export async function describeGroups(
  logs: CloudWatchLogsClient,
  names: string[],
  signal: AbortSignal,
): Promise<LogGroup[]> {
  const { DescribeLogGroupsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const groups: LogGroup[] = [];
  let nextToken: string | undefined;
  do {
    const out = await logs.send(new DescribeLogGroupsCommand({ logGroupIdentifiers: names, nextToken }), {
      abortSignal: signal,
    });
    groups.push(...(out.logGroups ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return groups;
}

/** The group's subscription filters (a missing group has none). */
export async function subscriptionFilters(
  logs: CloudWatchLogsClient,
  group: string,
  signal: AbortSignal,
): Promise<SubscriptionFilter[]> {
  const { DescribeSubscriptionFiltersCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const filters: SubscriptionFilter[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const out = await logs.send(
        new DescribeSubscriptionFiltersCommand({ logGroupName: group, nextToken }),
        { abortSignal: signal },
      );
      filters.push(...(out.subscriptionFilters ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return [];
    throw error;
  }
  return filters;
}

/** The subscription filters that stream to Kinesis Data Firehose (a way to S3), in their order. */
export function firehoseFilters(filters: SubscriptionFilter[]): SubscriptionFilter[] {
  return filters.filter((f) => /^arn:aws[a-z-]*:firehose:/.test(f.destinationArn ?? ''));
}

/** The delivery stream's name in a Firehose ARN (`arn:aws:firehose:<region>:<account>:deliverystream/<name>`). */
export function deliveryStreamName(arn: string): string {
  return arn.slice(arn.indexOf('deliverystream/') + 'deliverystream/'.length) || arn;
}

/**
 * DescribeDeliveryStream of the stream a subscription filter names: its description, or null when
 * Firehose has no such stream (ResourceNotFoundException). Any other failure is thrown (the catalogue
 * reports it as its own error finding).
 */
export async function describeDeliveryStream(
  firehose: FirehoseClient,
  name: string,
  signal: AbortSignal,
): Promise<DeliveryStreamDescription | null> {
  const { DescribeDeliveryStreamCommand } = await import('@aws-sdk/client-firehose');
  try {
    const out = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }), {
      abortSignal: signal,
    });
    return out.DeliveryStreamDescription ?? null;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return null;
    throw error;
  }
}

/** Where a delivery stream puts all of its data in S3: the bucket's ARN, or why it does not. */
export type StreamS3 = { bucketArn: string; via: string } | { bucketArn: null; why: string };

/**
 * The S3 bucket that receives every record of a delivery stream's destination: the S3 destination
 * itself (ExtendedS3DestinationDescription, else S3DestinationDescription), or for Redshift,
 * OpenSearch, Splunk, HTTP, Snowflake and Iceberg the S3 backup when it backs up all data. A backup
 * of failed data only, or none, is not an archive.
 */
export function streamS3Destination(destination: DestinationDescription): StreamS3 {
  const d = destination;
  const others: [
    string,
    { S3BackupMode?: string; S3DestinationDescription?: { BucketARN?: string } } | undefined,
    string,
  ][] = [
    ['Redshift', d.RedshiftDestinationDescription, 'Enabled'],
    ['Elasticsearch', d.ElasticsearchDestinationDescription, 'AllDocuments'],
    ['OpenSearch', d.AmazonopensearchserviceDestinationDescription, 'AllDocuments'],
    ['OpenSearch Serverless', d.AmazonOpenSearchServerlessDestinationDescription, 'AllDocuments'],
    ['Splunk', d.SplunkDestinationDescription, 'AllEvents'],
    ['HTTP endpoint', d.HttpEndpointDestinationDescription, 'AllData'],
    ['Snowflake', d.SnowflakeDestinationDescription, 'AllData'],
    ['Iceberg', d.IcebergDestinationDescription, 'AllData'],
  ];
  const other = others.find(([, description]) => description !== undefined);
  if (other) {
    const [kind, description, all] = other;
    const backup =
      kind === 'Redshift'
        ? d.RedshiftDestinationDescription?.S3BackupDescription
        : description!.S3DestinationDescription;
    const mode = description!.S3BackupMode ?? 'not set';
    if (mode === all && backup?.BucketARN)
      return { bucketArn: backup.BucketARN, via: `${kind} with S3 backup of all data` };
    return {
      bucketArn: null,
      why: `delivers to ${kind}, S3 backup mode ${mode} (not all data)`,
    };
  }
  const s3 = d.ExtendedS3DestinationDescription ?? d.S3DestinationDescription;
  if (s3?.BucketARN) return { bucketArn: s3.BucketARN, via: 'S3' };
  return { bucketArn: null, why: 'no S3 destination' };
}

/** The account's export tasks (newest first as AWS lists them), at most `maxPages` pages of 50. */
export async function listExportTasks(
  logs: CloudWatchLogsClient,
  signal: AbortSignal,
  maxPages = 20,
): Promise<ExportTask[]> {
  const { DescribeExportTasksCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const tasks: ExportTask[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const out = await logs.send(new DescribeExportTasksCommand({ limit: 50, nextToken }), {
      abortSignal: signal,
    });
    tasks.push(...(out.exportTasks ?? []));
    if (!out.nextToken || out.nextToken === nextToken) break;
    nextToken = out.nextToken;
  }
  return tasks;
}

/**
 * The export of `group`'s `month` to `bucket`: a COMPLETED task covering the whole month, else one
 * still PENDING/RUNNING, else the newest that FAILED or was CANCELLED; undefined when there is none.
 */
export function exportOf(
  tasks: ExportTask[],
  group: string,
  bucket: string,
  month: Month,
): ExportTask | undefined {
  const covering = tasks.filter(
    (t) =>
      t.logGroupName === group &&
      t.destination === bucket &&
      (t.from ?? Number.POSITIVE_INFINITY) <= month.start.getTime() &&
      // `to` is inclusive: an export to the month's last millisecond covers it.
      (t.to ?? 0) >= month.end.getTime() - 1,
  );
  const code = (t: ExportTask) => t.status?.code ?? '';
  return (
    covering.find((t) => code(t) === 'COMPLETED') ??
    covering.find((t) => code(t) === 'PENDING' || code(t) === 'RUNNING') ??
    covering
      .filter((t) => code(t) === 'FAILED' || code(t) === 'CANCELLED')
      .sort((a, b) => (b.executionInfo?.creationTime ?? 0) - (a.executionInfo?.creationTime ?? 0))[0]
  );
}

/** How an export ended: the states DescribeExportTasks reports, or fsops stopped waiting. */
export type ExportEnd =
  | { state: 'COMPLETED'; taskId: string; ms: number }
  | { state: 'FAILED' | 'CANCELLED'; taskId: string; ms: number; reason: string }
  | { state: 'timed-out'; taskId: string | null; ms: number; last: string }
  | { state: 'interrupted'; taskId: string | null; ms: number; last: string }
  | { state: 'error'; taskId: string | null; ms: number; reason: string };

export interface ExportWait {
  signal: AbortSignal;
  pollMs: number;
  timeoutMs: number;
  log(text: string): void;
  now?(): number;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export interface ExportRequest {
  group: string;
  bucket: string;
  prefix: string;
  month: Month;
  /** A task already PENDING/RUNNING for this export (an earlier run's): waited for, not created again. */
  existingTaskId?: string;
}

/**
 * One export, start to end: CreateExportTask (waiting while the account's one export slot is taken:
 * LimitExceededException), then DescribeExportTasks until it completes, fails or is cancelled.
 * CreateExportTask is never sent under the run's signal (a request AWS may have accepted is not undone
 * by aborting it); the reads and the pauses are, so Ctrl-C ends the wait at once. Never throws.
 */
export async function runExport(
  logs: CloudWatchLogsClient,
  request: ExportRequest,
  wait: ExportWait,
): Promise<ExportEnd> {
  const { CreateExportTaskCommand, DescribeExportTasksCommand } = await import(
    '@aws-sdk/client-cloudwatch-logs'
  );
  const now = wait.now ?? Date.now;
  const started = now();
  const deadline = started + wait.timeoutMs;
  const elapsed = () => now() - started;
  let taskId: string | null = request.existingTaskId ?? null;
  let last = taskId ? 'RUNNING (started earlier)' : 'not created';
  let waitingForSlot = false;
  while (!taskId) {
    if (wait.signal.aborted) return { state: 'interrupted', taskId, ms: elapsed(), last };
    try {
      const out = await logs.send(
        new CreateExportTaskCommand({
          taskName:
            `fsops-${request.month.label}-${request.group.replace(/[^\w-]+/g, '-').replace(/^-+/, '')}`.slice(
              0,
              512,
            ),
          logGroupName: request.group,
          from: request.month.start.getTime(),
          // `to` is inclusive in milliseconds: the last millisecond of the month.
          to: request.month.end.getTime() - 1,
          destination: request.bucket,
          destinationPrefix: request.prefix,
        }),
      );
      if (!out.taskId)
        return { state: 'error', taskId, ms: elapsed(), reason: 'CreateExportTask returned no task id' };
      taskId = out.taskId;
      last = 'PENDING';
      wait.log(`${request.group}: export task ${taskId} created`);
    } catch (error) {
      if ((error as Error).name !== 'LimitExceededException') {
        return {
          state: 'error',
          taskId,
          ms: elapsed(),
          reason: `CreateExportTask failed: ${oneLine(describeAwsError(error))}`,
        };
      }
      last = 'waiting for the export slot (another export task is active in the account)';
      if (!waitingForSlot) {
        wait.log(`${request.group}: another export task is active in the account (one at a time): waiting`);
        waitingForSlot = true;
      }
      if (now() >= deadline) return { state: 'timed-out', taskId, ms: elapsed(), last };
      await pause(Math.min(wait.pollMs, Math.max(0, deadline - now())), wait.signal);
    }
  }
  let shown = '';
  for (;;) {
    if (wait.signal.aborted) return { state: 'interrupted', taskId, ms: elapsed(), last };
    let task: ExportTask | undefined;
    try {
      task = (await logs.send(new DescribeExportTasksCommand({ taskId }), { abortSignal: wait.signal }))
        .exportTasks?.[0];
    } catch (error) {
      if (wait.signal.aborted) return { state: 'interrupted', taskId, ms: elapsed(), last };
      return {
        state: 'error',
        taskId,
        ms: elapsed(),
        reason: `DescribeExportTasks failed: ${oneLine(describeAwsError(error))} (the export may still be running)`,
      };
    }
    const code = oneLine(task?.status?.code ?? 'not found', 40);
    last = code;
    if (code !== shown) {
      wait.log(`${request.group}: ${code}`);
      shown = code;
    }
    if (code === 'COMPLETED') return { state: 'COMPLETED', taskId, ms: elapsed() };
    if (code === 'FAILED' || code === 'CANCELLED') {
      return {
        state: code,
        taskId,
        ms: elapsed(),
        reason: oneLine(task?.status?.message ?? 'no reason given', 300),
      };
    }
    if (code === 'not found') {
      return { state: 'error', taskId, ms: elapsed(), reason: `export task ${taskId} not found` };
    }
    if (now() >= deadline) return { state: 'timed-out', taskId, ms: elapsed(), last };
    await pause(Math.min(wait.pollMs, Math.max(0, deadline - now())), wait.signal);
  }
}
