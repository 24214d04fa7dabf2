import type { ExportTask, LogGroup, SubscriptionFilter } from '@aws-sdk/client-cloudwatch-logs';
import type { DeliveryStreamDescription } from '@aws-sdk/client-firehose';
import type {
  LifecycleRule,
  ObjectLockConfiguration,
  PublicAccessBlockConfiguration,
  ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
import { describeAwsError, isAccessDenied, isThrottling } from '../../../base/aws/errors.js';
import type { CheckResult } from '../../../base/model/check.js';
import { defineCheck, noParams } from '../../../base/model/check.js';
import { oneLine } from '../../../base/model/text.js';
import {
  archivePrefix,
  BUCKET_READ_ACTION,
  type BucketFacts,
  bucketMissing,
  deliveryStreamName,
  describeDeliveryStream,
  describeGroups,
  exportOf,
  firehoseFilters,
  guideLogGroups,
  lastClosedMonth,
  listExportTasks,
  type Month,
  type Read,
  readBucketFacts,
  stamp,
  streamS3Destination,
  subscriptionFilters,
} from '../../../domain/logs/archive.js';

export const ARCHIVE_SOURCE = 'runbook 002 "Log Archival"; ops guide §3.1.1; PCI DSS 10.5.1';
const DAY_MS = 86_400_000;

/**
 * A read that failed: its own finding, never a pass. Denied names the IAM action to grant; throttled
 * and anything else say so. `error`: it could not be judged.
 */
export function unreadable(
  id: string,
  resource: string,
  what: string,
  action: string,
  error: unknown,
): CheckResult {
  const denied = isAccessDenied(error);
  return {
    id,
    status: 'error',
    resource,
    expected: `${what} readable`,
    observed: denied
      ? `could not check: access denied to ${action}`
      : isThrottling(error)
        ? `could not check: ${action} throttled by AWS after retries`
        : `could not check: ${oneLine(describeAwsError(error), 300)}`,
    remediation: denied
      ? `Grant ${action} to the role fsops runs as (docs/logs.md lists every permission), then run again.`
      : 'Run again; if it persists, check the endpoint, the region and the AWS service health.',
  };
}

/** The bucket does not exist: one finding for the bucket (its settings cannot be judged). */
export function missingBucketResult(bucket: string, keepDays: number): CheckResult {
  return {
    id: 'logs.archive.bucket',
    status: 'fail',
    severity: 'high',
    resource: `s3://${bucket}`,
    expected: 'the archive bucket exists (names.logArchiveBucket)',
    observed: 'bucket not found (NoSuchBucket)',
    remediation: `Create it with Object Lock: aws s3api create-bucket --bucket ${bucket} --object-lock-enabled-for-bucket --create-bucket-configuration LocationConstraint=<region>; then put-object-lock-configuration (COMPLIANCE, ${keepDays} days), a lifecycle rule, encryption and the public access block (docs/logs.md). Or set names.logArchiveBucket to the bucket you use.`,
  };
}

/** Whether a lifecycle rule acts on the exported objects (they carry no tags, and live under `prefixes`). */
function ruleApplies(rule: LifecycleRule, prefixes: string[]): boolean {
  if (rule.Status !== 'Enabled') return false;
  const filter = rule.Filter;
  if (filter?.Tag || (filter?.And?.Tags?.length ?? 0) > 0) return false;
  const prefix = filter?.Prefix ?? filter?.And?.Prefix ?? rule.Prefix ?? '';
  return prefixes.length === 0 || prefixes.some((p) => p.startsWith(prefix) || prefix.startsWith(p));
}

/**
 * The lifecycle keeps exported objects at least `keepDays`: an enabled rule acting on them that
 * expires them sooner fails; no lifecycle at all keeps them forever (warn: nothing bounds the
 * archive, and nothing moves it to a cheaper class).
 */
export function evaluateLifecycle(
  bucket: string,
  lifecycle: Read<LifecycleRule[] | null>,
  keepDays: number,
  prefixes: string[],
  now: Date,
): CheckResult {
  const id = 'logs.archive.lifecycle';
  const resource = `s3://${bucket}`;
  if (!lifecycle.ok)
    return unreadable(
      id,
      resource,
      'the lifecycle configuration',
      BUCKET_READ_ACTION.lifecycle,
      lifecycle.error,
    );
  const expected = `objects kept at least ${keepDays} days (lifecycle expiration ≥ ${keepDays} days; PCI DSS 10.5.1)`;
  const fix = `aws s3api put-bucket-lifecycle-configuration --bucket ${bucket} with a rule that expires objects after ${keepDays} days or more (a transition to GLACIER keeps them cheaper)`;
  if (lifecycle.value === null || lifecycle.value.length === 0) {
    return {
      id,
      status: 'warn',
      resource,
      expected,
      observed:
        'no lifecycle configuration: objects are kept forever (nothing bounds the archive or moves it to a cheaper class)',
      remediation: fix,
    };
  }
  const applying = lifecycle.value.filter((rule) => ruleApplies(rule, prefixes));
  const expiring = applying
    .map((rule) => {
      const days = rule.Expiration?.Days;
      const date = rule.Expiration?.Date;
      const effective =
        days ?? (date ? Math.floor((new Date(date).getTime() - now.getTime()) / DAY_MS) : undefined);
      return { rule, days, date, effective };
    })
    .filter((r) => r.effective !== undefined);
  const shortest = expiring.sort((a, b) => a.effective! - b.effective!)[0];
  const transitions = applying.flatMap((rule) =>
    (rule.Transitions ?? []).map((t) => `${t.StorageClass ?? '?'} after ${t.Days ?? '?'} days`),
  );
  const moved = transitions.length ? `; moves to ${transitions.join(', ')}` : '';
  if (!shortest) {
    return {
      id,
      status: 'pass',
      resource,
      expected,
      observed: `${applying.length} enabled rule(s) on the archive, none expires objects (kept indefinitely)${moved}`,
    };
  }
  const name = oneLine(shortest.rule.ID ?? '(no id)', 80);
  const when =
    shortest.days !== undefined ? `after ${shortest.days} days` : `on ${stamp(new Date(shortest.date!))}`;
  return {
    id,
    status: shortest.effective! >= keepDays ? 'pass' : 'fail',
    severity: shortest.effective! >= keepDays ? undefined : 'high',
    resource,
    expected,
    observed: `rule ${name} expires objects ${when}${moved}`,
    remediation: `Change rule ${name}: ${fix}.`,
  };
}

/** Object Lock on, with a default retention (COMPLIANCE or GOVERNANCE) of at least `keepDays`. */
export function evaluateObjectLock(
  bucket: string,
  objectLock: Read<ObjectLockConfiguration | null>,
  keepDays: number,
): CheckResult {
  const id = 'logs.archive.object-lock';
  const resource = `s3://${bucket}`;
  if (!objectLock.ok)
    return unreadable(
      id,
      resource,
      'the Object Lock configuration',
      BUCKET_READ_ACTION.objectLock,
      objectLock.error,
    );
  const expected = `Object Lock enabled, default retention COMPLIANCE or GOVERNANCE ≥ ${keepDays} days (the archive cannot be altered or deleted; PCI DSS 10.5.1, 10.3.2)`;
  const fix = `aws s3api put-object-lock-configuration --bucket ${bucket} --object-lock-configuration '{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"COMPLIANCE","Days":${keepDays}}}}' (versioning must be on)`;
  const config = objectLock.value;
  if (config === null || config.ObjectLockEnabled !== 'Enabled') {
    return {
      id,
      status: 'fail',
      severity: 'high',
      resource,
      expected,
      observed:
        config === null
          ? 'Object Lock not enabled (ObjectLockConfigurationNotFoundError)'
          : 'Object Lock not enabled',
      remediation: fix,
    };
  }
  const retention = config.Rule?.DefaultRetention;
  const days = retention?.Days ?? (retention?.Years !== undefined ? retention.Years * 365 : undefined);
  if (!retention?.Mode || days === undefined) {
    return {
      id,
      status: 'fail',
      severity: 'high',
      resource,
      expected,
      observed: 'Object Lock enabled without a default retention: exported objects are not locked',
      remediation: fix,
    };
  }
  const shown = retention.Days !== undefined ? `${retention.Days} days` : `${retention.Years} year(s)`;
  return {
    id,
    status: days >= keepDays ? 'pass' : 'fail',
    severity: days >= keepDays ? undefined : 'high',
    resource,
    expected,
    observed: `Object Lock ${oneLine(retention.Mode, 20)}, default retention ${shown}`,
    remediation: fix,
  };
}

/** Default encryption set (SSE-S3 or SSE-KMS). */
export function evaluateEncryption(
  bucket: string,
  encryption: Read<ServerSideEncryptionRule[] | null>,
): CheckResult {
  const id = 'logs.archive.encryption';
  const resource = `s3://${bucket}`;
  if (!encryption.ok)
    return unreadable(
      id,
      resource,
      'the default encryption',
      BUCKET_READ_ACTION.encryption,
      encryption.error,
    );
  const algorithms = (encryption.value ?? [])
    .map((r) => r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm)
    .filter((a): a is NonNullable<typeof a> => Boolean(a));
  return {
    id,
    status: algorithms.length ? 'pass' : 'fail',
    severity: algorithms.length ? undefined : 'high',
    resource,
    expected: 'default encryption (SSE-S3 or SSE-KMS; PCI DSS 3.5)',
    observed: algorithms.length
      ? `default encryption ${algorithms.map((a) => oneLine(a, 30)).join(', ')}`
      : 'no default encryption',
    remediation: `aws s3api put-bucket-encryption --bucket ${bucket} --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms"}}]}' (the key policy must let CloudWatch Logs use the key)`,
  };
}

/** Every public access setting of the bucket blocked. */
export function evaluatePublicAccess(
  bucket: string,
  publicAccess: Read<PublicAccessBlockConfiguration | null>,
): CheckResult {
  const id = 'logs.archive.public-access';
  const resource = `s3://${bucket}`;
  if (!publicAccess.ok)
    return unreadable(
      id,
      resource,
      'the public access block',
      BUCKET_READ_ACTION.publicAccess,
      publicAccess.error,
    );
  const settings = [
    'BlockPublicAcls',
    'IgnorePublicAcls',
    'BlockPublicPolicy',
    'RestrictPublicBuckets',
  ] as const;
  const open =
    publicAccess.value === null ? [...settings] : settings.filter((s) => publicAccess.value![s] !== true);
  return {
    id,
    status: open.length ? 'fail' : 'pass',
    severity: open.length ? 'high' : undefined,
    resource,
    expected: 'public access blocked (all four settings of the bucket)',
    observed:
      publicAccess.value === null
        ? 'no public access block on the bucket (NoSuchPublicAccessBlockConfiguration)'
        : open.length
          ? `not blocked: ${open.join(', ')}`
          : 'all four settings on',
    remediation: `aws s3api put-public-access-block --bucket ${bucket} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true`,
  };
}

/** The bucket's findings: one for a missing bucket, else one per setting. */
export function evaluateBucket(
  facts: BucketFacts,
  keepDays: number,
  prefixes: string[],
  now: Date,
): CheckResult[] {
  if (bucketMissing(facts)) return [missingBucketResult(facts.bucket, keepDays)];
  return [
    evaluateLifecycle(facts.bucket, facts.lifecycle, keepDays, prefixes, now),
    evaluateObjectLock(facts.bucket, facts.objectLock, keepDays),
    evaluateEncryption(facts.bucket, facts.encryption),
    evaluatePublicAccess(facts.bucket, facts.publicAccess),
  ];
}

/** The log group's own retention keeps at least `availableDays` immediately available. */
export function evaluateAvailability(
  group: string,
  groups: Read<LogGroup[]>,
  availableDays: number,
): CheckResult {
  const id = 'logs.archive.available';
  if (!groups.ok) return unreadable(id, group, 'the log group', 'logs:DescribeLogGroups', groups.error);
  const found = groups.value.find((g) => g.logGroupName === group);
  const expected = `${availableDays} days or more immediately available in CloudWatch Logs (PCI DSS 10.5.1: 3 months)`;
  if (!found) {
    return {
      id,
      status: 'fail',
      resource: group,
      expected,
      observed: 'log group not found',
      remediation:
        'Create the log group (ops guide §3.1.1) or correct its name in the config (names.*LogGroup).',
    };
  }
  const days = found.retentionInDays;
  return {
    id,
    status: days === undefined || days >= availableDays ? 'pass' : 'fail',
    resource: group,
    expected,
    observed: days === undefined ? 'never expire' : `${days} days`,
    remediation: `aws logs put-retention-policy --log-group-name ${group} --retention-in-days ${availableDays}`,
  };
}

/** A delivery stream as the archive sees it: it delivers all its data to the bucket, or why not. */
export type StreamVerdict =
  | { archives: true; observed: string }
  | { archives: false; observed: string }
  | { archives: 'unread'; error: unknown };

/**
 * Whether a delivery stream archives to `bucket`: ACTIVE, and one of its destinations puts every
 * record in the bucket (the S3 destination, or an S3 backup of all data). Missing (null), not ACTIVE,
 * delivering elsewhere or backing up only failed data: not archived.
 */
export function judgeStream(
  name: string,
  description: Read<DeliveryStreamDescription | null>,
  bucket: string,
): StreamVerdict {
  const shown = oneLine(name, 120);
  if (!description.ok) return { archives: 'unread', error: description.error };
  const stream = description.value;
  if (stream === null) return { archives: false, observed: `delivery stream ${shown} not found` };
  const status = stream.DeliveryStreamStatus ?? 'unknown';
  if (status !== 'ACTIVE')
    return { archives: false, observed: `delivery stream ${shown} is ${oneLine(status, 40)}, not ACTIVE` };
  const targets = (stream.Destinations ?? []).map(streamS3Destination);
  const bucketOf = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);
  const here = targets.find((t) => t.bucketArn !== null && bucketOf(t.bucketArn) === bucket);
  if (here?.bucketArn) {
    return {
      archives: true,
      observed: `delivery stream ${shown} (ACTIVE) delivers to s3://${bucket}${here.via === 'S3' ? '' : ` (${here.via})`}`,
    };
  }
  const first = targets[0];
  return {
    archives: false,
    observed: !first
      ? `delivery stream ${shown} has no destination`
      : first.bucketArn !== null
        ? `delivery stream ${shown} delivers to s3://${oneLine(bucketOf(first.bucketArn), 120)}, not the archive bucket`
        : `delivery stream ${shown} ${first.why}`,
  };
}

/**
 * The group's last closed month is in the archive: streamed by a subscription filter to a Firehose
 * delivery stream that delivers to the bucket (DescribeDeliveryStream), or a COMPLETED export task
 * covering the month to the bucket. Still running warns; none warns for `graceDays` after the month
 * closed, then fails; a failed or cancelled export says so. A fact that could not be read and could
 * have archived the month is its own error finding (never "not archived" from it).
 */
export function evaluateGroupArchive(
  group: string,
  facts: {
    filters: Read<SubscriptionFilter[]>;
    tasks: Read<ExportTask[]>;
    /** DescribeDeliveryStream of each Firehose destination ARN (null: the stream does not exist). */
    streams?: ReadonlyMap<string, Read<DeliveryStreamDescription | null>>;
  },
  bucket: string,
  month: Month,
  now: Date,
  graceDays: number,
  env: string,
): CheckResult[] {
  const id = 'logs.archive.group';
  const expected = `${month.label} in s3://${bucket} (an export task, or a subscription filter to a Firehose stream delivering there)`;
  const streams = (facts.filters.ok ? firehoseFilters(facts.filters.value) : []).map((filter) => {
    const arn = filter.destinationArn ?? '';
    const name = deliveryStreamName(arn);
    const read = facts.streams?.get(arn) ?? {
      ok: false as const,
      error: new Error(`delivery stream ${name} was not read`),
    };
    return { filter: oneLine(filter.filterName ?? '?', 80), name, verdict: judgeStream(name, read, bucket) };
  });
  const archiving = streams.find((s) => s.verdict.archives === true);
  if (archiving && archiving.verdict.archives === true) {
    return [
      {
        id,
        status: 'pass',
        resource: group,
        expected,
        observed: `streamed by subscription filter ${archiving.filter}: ${archiving.verdict.observed}`,
      },
    ];
  }
  const notCounted = streams.flatMap((s) =>
    s.verdict.archives === false ? [`subscription filter ${s.filter}: ${s.verdict.observed}`] : [],
  );
  const streamNote = notCounted.length ? `; ${notCounted.join('; ')}` : '';
  const task = facts.tasks.ok ? exportOf(facts.tasks.value, group, bucket, month) : undefined;
  const fix = `fsops logs archive --env ${env} --month ${month.label}`;
  const where = `s3://${bucket}/${archivePrefix(group, month)}`;
  const code = task?.status?.code;
  if (code === 'COMPLETED') {
    return [
      {
        id,
        status: 'pass',
        resource: group,
        expected,
        observed: `exported to ${where} (task ${oneLine(task!.taskId ?? '?', 80)})`,
        ...(notCounted.length ? { detail: `Not counted: ${notCounted.join('; ')}.` } : {}),
      },
    ];
  }
  if (code === 'PENDING' || code === 'RUNNING') {
    return [
      {
        id,
        status: 'warn',
        resource: group,
        expected,
        observed: `export of ${month.label} ${code} (task ${oneLine(task!.taskId ?? '?', 80)})`,
        remediation: `Wait for it, then check again (or ${fix}: it waits for the running task).`,
      },
    ];
  }
  // A read that failed leaves the question open when nothing was found: never "not archived" from it.
  // Each one is its own finding (the IAM action to grant, or the error).
  const unread: CheckResult[] = [
    ...(facts.tasks.ok
      ? []
      : [unreadable(id, group, 'the export tasks', 'logs:DescribeExportTasks', facts.tasks.error)]),
    ...(facts.filters.ok
      ? []
      : [
          unreadable(
            id,
            group,
            'the subscription filters',
            'logs:DescribeSubscriptionFilters',
            facts.filters.error,
          ),
        ]),
    ...streams.flatMap((s) =>
      s.verdict.archives === 'unread'
        ? [
            unreadable(
              id,
              group,
              `the delivery stream ${oneLine(s.name, 120)} of subscription filter ${s.filter}`,
              'firehose:DescribeDeliveryStream',
              s.verdict.error,
            ),
          ]
        : [],
    ),
  ];
  if (unread.length) return unread;
  const due = new Date(month.end.getTime() + graceDays * DAY_MS);
  const late = now.getTime() >= due.getTime();
  const failed = code === 'FAILED' || code === 'CANCELLED';
  return [
    {
      id,
      status: late || failed ? 'fail' : 'warn',
      severity: late || failed ? 'high' : undefined,
      resource: group,
      expected,
      observed: failed
        ? `the export of ${month.label} ${code} (task ${oneLine(task!.taskId ?? '?', 80)}: ${oneLine(task!.status?.message ?? 'no reason given', 200)})${streamNote}`
        : notCounted.length
          ? `${month.label} not archived: no export task${streamNote}${late ? '' : ` (due by ${stamp(due)}: logArchive.graceDays)`}`
          : `${month.label} not archived: no export task and no subscription filter to Firehose${late ? '' : ` (due by ${stamp(due)}: logArchive.graceDays)`}`,
      remediation: `${fix} (exports every log group of ops guide §3.1.1 for the month)${notCounted.length ? `, or make the delivery stream ACTIVE and deliver all of its data to s3://${bucket}` : ''}.`,
    },
  ];
}

/**
 * `logs.archive`: each log group of ops guide §3.1.1 is archived to S3 for the last closed month and keeps
 * 90 days itself; the archive bucket keeps 12 months, locked, encrypted, not public (runbook 002 "Log
 * Archival"; PCI DSS 10.5.1). Only where `environments.<env>.logs.archiveRequired` is on.
 */
export const logArchiveCheck = defineCheck({
  id: 'logs.archive',
  title: 'Log archive',
  severity: 'high',
  source: ARCHIVE_SOURCE,
  remediation: 'Archive the log groups to the S3 bucket and keep them 12 months (docs/logs.md).',
  params: noParams,
  async run(ctx) {
    const env = ctx.env;
    const settings = env.config.logArchive;
    const bucket = env.nameOf('logArchiveBucket');
    if (!env.settings.logs.archiveRequired) {
      return [
        {
          id: 'logs.archive.required',
          status: 'skip',
          resource: `s3://${bucket}`,
          expected: 'log groups archived 12 months (PCI DSS 10.5.1)',
          observed: `not required in ${env.name} (environments.${env.name}.logs.archiveRequired is off)`,
        },
      ];
    }
    const month = lastClosedMonth(ctx.now);
    const groups = guideLogGroups(env);
    const [s3, logs] = await Promise.all([ctx.aws.s3(), ctx.aws.logs()]);
    const attempt = async <T>(send: () => Promise<T>): Promise<Read<T>> => {
      try {
        return { ok: true, value: await send() };
      } catch (error) {
        return { ok: false, error };
      }
    };
    // The delivery streams wait for the filters that name them; each is described once per run.
    const streamsOf = async (): Promise<{
      filters: Read<SubscriptionFilter[]>[];
      streams: Map<string, Read<DeliveryStreamDescription | null>>;
    }> => {
      const filters = await Promise.all(
        groups.map((group) => attempt(() => subscriptionFilters(logs, group, ctx.signal))),
      );
      const arns = [
        ...new Set(
          filters.flatMap((f) => (f.ok ? firehoseFilters(f.value).map((x) => x.destinationArn ?? '') : [])),
        ),
      ];
      const streams = new Map<string, Read<DeliveryStreamDescription | null>>();
      if (arns.length) {
        const firehose = await ctx.aws.firehose();
        const described = await Promise.all(
          arns.map((arn) =>
            attempt(() =>
              ctx.once(`logs.archive.firehose:${arn}`, (signal) =>
                describeDeliveryStream(firehose, deliveryStreamName(arn), signal),
              ),
            ),
          ),
        );
        for (const [i, arn] of arns.entries()) streams.set(arn, described[i]!);
      }
      return { filters, streams };
    };
    const [facts, described, tasks, { filters, streams }] = await Promise.all([
      ctx.once(`logs.archive.bucket:${bucket}`, (signal) => readBucketFacts(s3, bucket, signal)),
      attempt(() => describeGroups(logs, groups, ctx.signal)),
      attempt(() => listExportTasks(logs, ctx.signal)),
      streamsOf(),
    ]);
    const prefixes = groups.map((group) => archivePrefix(group, month).replace(/\/\d{4}\/\d{2}$/, '/'));
    return [
      ...groups.flatMap((group, i) => [
        ...evaluateGroupArchive(
          group,
          { filters: filters[i]!, tasks, streams },
          bucket,
          month,
          ctx.now,
          settings.graceDays,
          env.name,
        ),
        evaluateAvailability(group, described, settings.availableDays),
      ]),
      ...evaluateBucket(facts, settings.keepDays, prefixes, ctx.now),
    ];
  },
});
