import {
  CloudWatchLogsClient,
  DescribeExportTasksCommand,
  DescribeLogGroupsCommand,
  DescribeSubscriptionFiltersCommand,
  type ExportTask,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  type DeliveryStreamDescription,
  DescribeDeliveryStreamCommand,
  type DestinationDescription,
  FirehoseClient,
  type S3DestinationDescription,
} from '@aws-sdk/client-firehose';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  type LifecycleRule,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../src/base/model/check.js';
import { logArchiveCheck } from '../../../src/catalogue/checks/logs/archive.js';
import { testContext } from '../../helpers/context.js';

// logs.archive at the SDK boundary: every verdict, and every read that fails becomes its own finding.

const logs = mockClient(CloudWatchLogsClient);
const s3 = mockClient(S3Client);
const firehose = mockClient(FirehoseClient);
const STREAM_ARN = (name: string) => `arn:aws:firehose:ap-south-1:123456789014:deliverystream/${name}`;
const s3Destination = (BucketARN: string): S3DestinationDescription => ({
  RoleARN: 'arn:aws:iam::123456789014:role/firehose',
  BucketARN,
  BufferingHints: {},
  CompressionFormat: 'GZIP',
  EncryptionConfiguration: {},
});
function stream(
  destination: Omit<DestinationDescription, 'DestinationId'>,
  status: DeliveryStreamDescription['DeliveryStreamStatus'] = 'ACTIVE',
): DeliveryStreamDescription {
  return {
    DeliveryStreamName: 'x',
    DeliveryStreamARN: 'x',
    DeliveryStreamStatus: status,
    DeliveryStreamType: 'DirectPut',
    VersionId: '1',
    Destinations: [{ DestinationId: 'destinationId-000000000001', ...destination }],
    HasMoreDestinations: false,
  };
}
/** The delivery streams Firehose has, by name (DescribeDeliveryStream; others: ResourceNotFoundException). */
let streams: Record<string, DeliveryStreamDescription>;
function streamFilters(byGroup: Record<string, { filterName: string; destinationArn: string }[]>) {
  logs
    .on(DescribeSubscriptionFiltersCommand)
    .callsFake((input) => ({ subscriptionFilters: byGroup[input.logGroupName] ?? [] }));
}
const BUCKET = 'fivestar-payments-prod-log-archive';
const GROUPS = [
  '/ecs/prod-fivestar-internal-pe',
  '/ecs/prod-fivestar-customer-portal',
  '/aws/lambda/prod-fivestar-schedulers',
  '/aws/rds/instance/prod-fivestar-payments-db/postgresql',
  '/aws/security/prod-fivestar-payments',
];
// The last closed month of 2026-12-10 is November.
const NOV_FROM = Date.UTC(2026, 10, 1);
const NOV_TO = Date.UTC(2026, 11, 1) - 1;
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });

function task(group: string, code: string, extra: Partial<ExportTask> = {}): ExportTask {
  return {
    taskId: `t-${group.split('/').pop()}-${code}`,
    logGroupName: group,
    from: NOV_FROM,
    to: NOV_TO,
    destination: BUCKET,
    status: {
      code: code as never,
      message: code === 'FAILED' ? 'Access Denied writing to the bucket' : undefined,
    },
    ...extra,
  };
}

let tasks: ExportTask[];
let retention: number | undefined;

beforeEach(() => {
  tasks = GROUPS.map((g) => task(g, 'COMPLETED'));
  retention = 90;
  streams = {
    'logs-to-s3': stream({
      // DescribeDeliveryStream of an extended S3 stream returns both descriptions.
      S3DestinationDescription: s3Destination(`arn:aws:s3:::${BUCKET}`),
      ExtendedS3DestinationDescription: { ...s3Destination(`arn:aws:s3:::${BUCKET}`) },
    }),
  };
  firehose.on(DescribeDeliveryStreamCommand).callsFake((input) => {
    const found = streams[input.DeliveryStreamName];
    if (!found) throw awsError('ResourceNotFoundException', `${input.DeliveryStreamName} not found`);
    return { DeliveryStreamDescription: found };
  });
  logs.on(DescribeLogGroupsCommand).callsFake((input) => ({
    logGroups: (input.logGroupIdentifiers ?? []).map((name: string) => ({
      logGroupName: name,
      retentionInDays: retention,
    })),
  }));
  logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
  logs.on(DescribeExportTasksCommand).callsFake(() => ({ exportTasks: tasks }));
  s3.on(GetBucketLifecycleConfigurationCommand).resolves({
    Rules: [{ ID: 'keep', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 400 } }],
  });
  s3.on(GetObjectLockConfigurationCommand).resolves({
    ObjectLockConfiguration: {
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } },
    },
  });
  s3.on(GetBucketEncryptionCommand).resolves({
    ServerSideEncryptionConfiguration: {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    },
  });
  s3.on(GetPublicAccessBlockCommand).resolves({
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
  });
});
afterEach(() => {
  logs.reset();
  s3.reset();
  firehose.reset();
});

async function check(options: { now?: string; env?: string; yaml?: string } = {}): Promise<CheckResult[]> {
  const ctx = testContext({
    now: new Date(options.now ?? '2026-12-10T09:00:00Z'),
    envName: options.env ?? 'prod',
    configYaml: options.yaml ?? '',
  });
  return logArchiveCheck.run(ctx, {});
}

const of = (results: CheckResult[], id: string) => results.filter((r) => r.id === id);
const one = (results: CheckResult[], id: string, resource?: string) => {
  const found = of(results, id).filter((r) => resource === undefined || r.resource === resource);
  expect(found, `${id} ${resource ?? ''}`).toHaveLength(1);
  return found[0]!;
};

describe('logs.archive: the log groups of ops guide §3.1.1 and the archive bucket', () => {
  it('a complete archive passes: every group exported for November and 90 days available, the bucket keeps a year', async () => {
    const results = await check();
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(of(results, 'logs.archive.group').map((r) => r.resource)).toEqual(GROUPS);
    expect(of(results, 'logs.archive.available')).toHaveLength(5);
    expect(one(results, 'logs.archive.group', GROUPS[0]).observed).toBe(
      `exported to s3://${BUCKET}/ecs/prod-fivestar-internal-pe/2026/11 (task t-prod-fivestar-internal-pe-COMPLETED)`,
    );
    expect(one(results, 'logs.archive.object-lock').observed).toBe(
      'Object Lock COMPLIANCE, default retention 365 days',
    );
    expect(one(results, 'logs.archive.lifecycle').observed).toBe('rule keep expires objects after 400 days');
    // The bucket is the configured one.
    expect(s3.commandCalls(GetObjectLockConfigurationCommand)[0]!.args[0].input).toEqual({ Bucket: BUCKET });
  });

  it('an environment that needs no archive is a skip, and nothing is read', async () => {
    const results = await check({ env: 'staging' });
    expect(results).toEqual([
      expect.objectContaining({
        id: 'logs.archive.required',
        status: 'skip',
        observed: 'not required in staging (environments.staging.logs.archiveRequired is off)',
      }),
    ]);
    expect(s3.calls()).toHaveLength(0);
    expect(logs.calls()).toHaveLength(0);
  });

  it('the bucket name comes from names.logArchiveBucket', async () => {
    await check({ yaml: 'names:\n  logArchiveBucket: acme-{env}-audit-logs\n' });
    expect(s3.commandCalls(GetBucketLifecycleConfigurationCommand)[0]!.args[0].input).toEqual({
      Bucket: 'acme-prod-audit-logs',
    });
  });

  it('a month not exported warns within logArchive.graceDays, then fails with the command that exports it', async () => {
    tasks = [];
    const early = one(await check({ now: '2026-12-03T00:00:00Z' }), 'logs.archive.group', GROUPS[4]);
    expect(early).toMatchObject({
      status: 'warn',
      observed:
        '2026-11 not archived: no export task and no subscription filter to Firehose (due by 2026-12-08T00:00Z: logArchive.graceDays)',
    });
    const late = one(await check(), 'logs.archive.group', GROUPS[4]);
    expect(late).toMatchObject({
      status: 'fail',
      observed: '2026-11 not archived: no export task and no subscription filter to Firehose',
    });
    expect(late.remediation).toMatch(/^fsops logs archive --env prod --month 2026-11 /);
  });

  it('an export that FAILED or was CANCELLED fails with its reason; one still RUNNING warns', async () => {
    tasks = [
      task(GROUPS[0]!, 'FAILED'),
      task(GROUPS[1]!, 'CANCELLED'),
      task(GROUPS[2]!, 'RUNNING'),
      ...GROUPS.slice(3).map((g) => task(g, 'COMPLETED')),
    ];
    const results = await check();
    expect(one(results, 'logs.archive.group', GROUPS[0])).toMatchObject({
      status: 'fail',
      observed: `the export of 2026-11 FAILED (task t-prod-fivestar-internal-pe-FAILED: Access Denied writing to the bucket)`,
    });
    expect(one(results, 'logs.archive.group', GROUPS[1])).toMatchObject({ status: 'fail' });
    expect(one(results, 'logs.archive.group', GROUPS[1]).observed).toMatch(/CANCELLED/);
    expect(one(results, 'logs.archive.group', GROUPS[2])).toMatchObject({
      status: 'warn',
      observed: 'export of 2026-11 RUNNING (task t-prod-fivestar-schedulers-RUNNING)',
    });
  });

  it('an export that covers only part of the month, or went to another bucket, does not count', async () => {
    tasks = [
      task(GROUPS[0]!, 'COMPLETED', { from: NOV_FROM + 86_400_000 }),
      task(GROUPS[1]!, 'COMPLETED', { to: NOV_TO - 86_400_000 }),
      task(GROUPS[2]!, 'COMPLETED', { destination: 'someone-elses-bucket' }),
      ...GROUPS.slice(3).map((g) => task(g, 'COMPLETED')),
    ];
    const results = await check();
    expect(of(results, 'logs.archive.group').map((r) => r.status)).toEqual([
      'fail',
      'fail',
      'fail',
      'pass',
      'pass',
    ]);
  });

  it('a subscription filter to a Firehose stream delivering to the archive bucket counts; one to Lambda does not', async () => {
    tasks = [];
    streamFilters({
      [GROUPS[0]!]: [{ filterName: 'to-s3', destinationArn: STREAM_ARN('logs-to-s3') }],
      [GROUPS[1]!]: [
        { filterName: 'to-lambda', destinationArn: 'arn:aws:lambda:ap-south-1:123456789014:function:ship' },
      ],
    });
    const results = await check();
    expect(one(results, 'logs.archive.group', GROUPS[0])).toMatchObject({
      status: 'pass',
      observed: `streamed by subscription filter to-s3: delivery stream logs-to-s3 (ACTIVE) delivers to s3://${BUCKET}`,
    });
    expect(one(results, 'logs.archive.group', GROUPS[0]).detail).toBeUndefined();
    expect(one(results, 'logs.archive.group', GROUPS[1]).status).toBe('fail');
    expect(firehose.commandCalls(DescribeDeliveryStreamCommand).map((c) => c.args[0].input)).toEqual([
      { DeliveryStreamName: 'logs-to-s3' },
    ]);
  });

  it('a stream shared by several groups is described once per run', async () => {
    tasks = [];
    streamFilters(
      Object.fromEntries(
        GROUPS.map((g) => [g, [{ filterName: 'to-s3', destinationArn: STREAM_ARN('logs-to-s3') }]]),
      ),
    );
    const results = await check();
    expect(of(results, 'logs.archive.group').map((r) => r.status)).toEqual([
      'pass',
      'pass',
      'pass',
      'pass',
      'pass',
    ]);
    expect(firehose.commandCalls(DescribeDeliveryStreamCommand)).toHaveLength(1);
  });

  it('a stream delivering to another bucket is not archived: fails with both fixes; a completed export still passes, noting the stream', async () => {
    tasks = GROUPS.slice(1).map((g) => task(g, 'COMPLETED'));
    streams['logs-to-s3'] = stream({
      ExtendedS3DestinationDescription: s3Destination('arn:aws:s3:::someone-elses-bucket'),
    });
    streamFilters(
      Object.fromEntries(
        GROUPS.slice(0, 2).map((g) => [
          g,
          [{ filterName: 'to-s3', destinationArn: STREAM_ARN('logs-to-s3') }],
        ]),
      ),
    );
    const results = await check();
    const streamed = one(results, 'logs.archive.group', GROUPS[0]);
    expect(streamed).toMatchObject({
      status: 'fail',
      observed:
        '2026-11 not archived: no export task; subscription filter to-s3: delivery stream logs-to-s3 delivers to s3://someone-elses-bucket, not the archive bucket',
    });
    expect(streamed.remediation).toBe(
      `fsops logs archive --env prod --month 2026-11 (exports every log group of ops guide §3.1.1 for the month), or make the delivery stream ACTIVE and deliver all of its data to s3://${BUCKET}.`,
    );
    expect(one(results, 'logs.archive.group', GROUPS[1])).toMatchObject({
      status: 'pass',
      observed: expect.stringMatching(/^exported to /),
      detail:
        'Not counted: subscription filter to-s3: delivery stream logs-to-s3 delivers to s3://someone-elses-bucket, not the archive bucket.',
    });
  });

  it('a stream not ACTIVE, or missing (ResourceNotFoundException), is not archived', async () => {
    tasks = [];
    streams['creating'] = stream({}, 'CREATING');
    streamFilters({
      [GROUPS[0]!]: [{ filterName: 'new', destinationArn: STREAM_ARN('creating') }],
      [GROUPS[1]!]: [{ filterName: 'gone', destinationArn: STREAM_ARN('deleted-stream') }],
    });
    const results = await check();
    expect(one(results, 'logs.archive.group', GROUPS[0])).toMatchObject({
      status: 'fail',
      observed:
        '2026-11 not archived: no export task; subscription filter new: delivery stream creating is CREATING, not ACTIVE',
    });
    expect(one(results, 'logs.archive.group', GROUPS[1])).toMatchObject({
      status: 'fail',
      observed:
        '2026-11 not archived: no export task; subscription filter gone: delivery stream deleted-stream not found',
    });
  });

  it('Redshift, OpenSearch or HTTP without an S3 backup of all data is not archived; an S3 backup of all data to the bucket is', async () => {
    tasks = [];
    const backup = s3Destination(`arn:aws:s3:::${BUCKET}`);
    streams['redshift'] = stream({
      RedshiftDestinationDescription: {
        RoleARN: 'r',
        ClusterJDBCURL: 'jdbc:x',
        CopyCommand: { DataTableName: 't' },
        S3DestinationDescription: backup,
        S3BackupMode: 'Disabled',
      },
    });
    streams['opensearch'] = stream({
      AmazonopensearchserviceDestinationDescription: {
        S3BackupMode: 'FailedDocumentsOnly',
        S3DestinationDescription: backup,
      },
    });
    streams['http-all'] = stream({
      HttpEndpointDestinationDescription: { S3BackupMode: 'AllData', S3DestinationDescription: backup },
    });
    streams['redshift-backup'] = stream({
      RedshiftDestinationDescription: {
        RoleARN: 'r',
        ClusterJDBCURL: 'jdbc:x',
        CopyCommand: { DataTableName: 't' },
        S3DestinationDescription: s3Destination('arn:aws:s3:::staging-bucket'),
        S3BackupMode: 'Enabled',
        S3BackupDescription: backup,
      },
    });
    const names = ['redshift', 'opensearch', 'http-all', 'redshift-backup'];
    streamFilters(
      Object.fromEntries(
        names.map((n, i) => [GROUPS[i]!, [{ filterName: n, destinationArn: STREAM_ARN(n) }]]),
      ),
    );
    const results = await check();
    expect(one(results, 'logs.archive.group', GROUPS[0]).observed).toBe(
      '2026-11 not archived: no export task; subscription filter redshift: delivery stream redshift delivers to Redshift, S3 backup mode Disabled (not all data)',
    );
    expect(one(results, 'logs.archive.group', GROUPS[1]).observed).toBe(
      '2026-11 not archived: no export task; subscription filter opensearch: delivery stream opensearch delivers to OpenSearch, S3 backup mode FailedDocumentsOnly (not all data)',
    );
    expect(one(results, 'logs.archive.group', GROUPS[2])).toMatchObject({
      status: 'pass',
      observed: `streamed by subscription filter http-all: delivery stream http-all (ACTIVE) delivers to s3://${BUCKET} (HTTP endpoint with S3 backup of all data)`,
    });
    expect(one(results, 'logs.archive.group', GROUPS[3]).status).toBe('pass');
  });

  it('DescribeDeliveryStream denied: an error naming firehose:DescribeDeliveryStream, never a pass; a completed export still passes', async () => {
    tasks = GROUPS.slice(1).map((g) => task(g, 'COMPLETED'));
    firehose
      .on(DescribeDeliveryStreamCommand)
      .rejects(
        awsError(
          'AccessDeniedException',
          'User is not authorized to perform: firehose:DescribeDeliveryStream',
        ),
      );
    streamFilters(
      Object.fromEntries(
        GROUPS.slice(0, 2).map((g) => [
          g,
          [{ filterName: 'to-s3', destinationArn: STREAM_ARN('logs-to-s3') }],
        ]),
      ),
    );
    const results = await check();
    expect(one(results, 'logs.archive.group', GROUPS[0])).toMatchObject({
      status: 'error',
      expected: 'the delivery stream logs-to-s3 of subscription filter to-s3 readable',
      observed: 'could not check: access denied to firehose:DescribeDeliveryStream',
      remediation: expect.stringMatching(/^Grant firehose:DescribeDeliveryStream to the role fsops runs as/),
    });
    expect(one(results, 'logs.archive.group', GROUPS[1]).status).toBe('pass');
  });

  it('the export tasks and the delivery stream both unreadable: one error finding for each', async () => {
    logs.on(DescribeExportTasksCommand).rejects(awsError('AccessDeniedException'));
    firehose.on(DescribeDeliveryStreamCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    streamFilters({ [GROUPS[0]!]: [{ filterName: 'to-s3', destinationArn: STREAM_ARN('logs-to-s3') }] });
    const found = of(await check(), 'logs.archive.group').filter((r) => r.resource === GROUPS[0]);
    expect(found.map((r) => [r.status, r.observed])).toEqual([
      ['error', 'could not check: access denied to logs:DescribeExportTasks'],
      ['error', 'could not check: firehose:DescribeDeliveryStream throttled by AWS after retries'],
    ]);
  });

  it('DescribeExportTasks denied: an error naming logs:DescribeExportTasks for each group, never a pass or a fail', async () => {
    logs
      .on(DescribeExportTasksCommand)
      .rejects(
        awsError('AccessDeniedException', 'User is not authorized to perform: logs:DescribeExportTasks'),
      );
    const groups = of(await check(), 'logs.archive.group');
    expect(groups.map((r) => r.status)).toEqual(['error', 'error', 'error', 'error', 'error']);
    expect(groups[0]).toMatchObject({
      observed: 'could not check: access denied to logs:DescribeExportTasks',
      remediation: expect.stringMatching(/^Grant logs:DescribeExportTasks to the role fsops runs as/),
    });
  });

  it('DescribeExportTasks throttled: an error that says so', async () => {
    logs.on(DescribeExportTasksCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    expect(one(await check(), 'logs.archive.group', GROUPS[0])).toMatchObject({
      status: 'error',
      observed: 'could not check: logs:DescribeExportTasks throttled by AWS after retries',
    });
  });

  it('DescribeSubscriptionFilters denied: a completed export still passes; without one it is an error naming the permission', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).rejects(awsError('AccessDeniedException'));
    tasks = GROUPS.slice(1).map((g) => task(g, 'COMPLETED'));
    const results = await check();
    expect(one(results, 'logs.archive.group', GROUPS[1]).status).toBe('pass');
    expect(one(results, 'logs.archive.group', GROUPS[0])).toMatchObject({
      status: 'error',
      observed: 'could not check: access denied to logs:DescribeSubscriptionFilters',
    });
  });

  it("a log group's own retention under 90 days fails; never-expire passes; a missing group fails; denied is an error", async () => {
    retention = 30;
    const short = one(await check(), 'logs.archive.available', GROUPS[0]);
    expect(short).toMatchObject({ status: 'fail', observed: '30 days' });
    expect(short.remediation).toBe(
      `aws logs put-retention-policy --log-group-name ${GROUPS[0]} --retention-in-days 90`,
    );
    retention = undefined;
    expect(one(await check(), 'logs.archive.available', GROUPS[0])).toMatchObject({
      status: 'pass',
      observed: 'never expire',
    });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    expect(one(await check(), 'logs.archive.available', GROUPS[0])).toMatchObject({
      status: 'fail',
      observed: 'log group not found',
    });
    logs.on(DescribeLogGroupsCommand).rejects(awsError('AccessDeniedException'));
    expect(one(await check(), 'logs.archive.available', GROUPS[0])).toMatchObject({
      status: 'error',
      observed: 'could not check: access denied to logs:DescribeLogGroups',
    });
  });
});

describe('logs.archive: the bucket keeps the archive 12 months (PCI DSS 10.5.1)', () => {
  const rules = (...list: LifecycleRule[]) =>
    s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: list });

  it('a lifecycle rule expiring objects after 30 days fails, naming the rule', async () => {
    rules({ ID: 'cleanup', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 30 } });
    expect(one(await check(), 'logs.archive.lifecycle')).toMatchObject({
      status: 'fail',
      severity: 'high',
      observed: 'rule cleanup expires objects after 30 days',
    });
  });

  it('rules that do not act on the exports are not counted: disabled, another prefix, a tag filter', async () => {
    rules(
      { ID: 'off', Status: 'Disabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } },
      { ID: 'tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 1 } },
      {
        ID: 'tagged',
        Status: 'Enabled',
        Filter: { Tag: { Key: 'scratch', Value: 'yes' } },
        Expiration: { Days: 1 },
      },
      { ID: 'ecs', Status: 'Enabled', Filter: { Prefix: 'ecs/' }, Expiration: { Days: 730 } },
    );
    expect(one(await check(), 'logs.archive.lifecycle')).toMatchObject({
      status: 'pass',
      observed: 'rule ecs expires objects after 730 days',
    });
    rules({
      ID: 'ecs-short',
      Status: 'Enabled',
      Filter: { And: { Prefix: 'ecs/prod' } },
      Expiration: { Days: 90 },
    });
    expect(one(await check(), 'logs.archive.lifecycle').status).toBe('fail');
  });

  it('no lifecycle configuration warns (kept forever, unbounded), never a pass', async () => {
    s3.on(GetBucketLifecycleConfigurationCommand).rejects(awsError('NoSuchLifecycleConfiguration'));
    expect(one(await check(), 'logs.archive.lifecycle')).toMatchObject({
      status: 'warn',
      observed: expect.stringMatching(/^no lifecycle configuration: objects are kept forever/),
    });
  });

  it('Object Lock not enabled fails with the command that enables it', async () => {
    s3.on(GetObjectLockConfigurationCommand).rejects(awsError('ObjectLockConfigurationNotFoundError'));
    const lock = one(await check(), 'logs.archive.object-lock');
    expect(lock).toMatchObject({
      status: 'fail',
      observed: 'Object Lock not enabled (ObjectLockConfigurationNotFoundError)',
    });
    expect(lock.remediation).toContain('"Mode":"COMPLIANCE","Days":365');
  });

  it('Object Lock without a default retention, or a retention shorter than a year, fails; GOVERNANCE for a year passes', async () => {
    const lock = (config: object) =>
      s3.on(GetObjectLockConfigurationCommand).resolves({ ObjectLockConfiguration: config });
    lock({ ObjectLockEnabled: 'Enabled' });
    expect(one(await check(), 'logs.archive.object-lock')).toMatchObject({
      status: 'fail',
      observed: 'Object Lock enabled without a default retention: exported objects are not locked',
    });
    lock({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } } });
    expect(one(await check(), 'logs.archive.object-lock').status).toBe('fail');
    lock({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Years: 1 } } });
    expect(one(await check(), 'logs.archive.object-lock')).toMatchObject({
      status: 'pass',
      observed: 'Object Lock GOVERNANCE, default retention 1 year(s)',
    });
  });

  it('no default encryption fails; the public access block missing or partly off fails, listing what is open', async () => {
    s3.on(GetBucketEncryptionCommand).rejects(awsError('ServerSideEncryptionConfigurationNotFoundError'));
    s3.on(GetPublicAccessBlockCommand).rejects(awsError('NoSuchPublicAccessBlockConfiguration'));
    let results = await check();
    expect(one(results, 'logs.archive.encryption')).toMatchObject({
      status: 'fail',
      observed: 'no default encryption',
    });
    expect(one(results, 'logs.archive.public-access')).toMatchObject({
      status: 'fail',
      observed: 'no public access block on the bucket (NoSuchPublicAccessBlockConfiguration)',
    });
    s3.on(GetPublicAccessBlockCommand).resolves({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: true,
      },
    });
    results = await check();
    expect(one(results, 'logs.archive.public-access').observed).toBe('not blocked: BlockPublicPolicy');
  });

  it('a missing bucket is one failing finding with the fix; none of its settings passes', async () => {
    for (const command of [
      GetBucketLifecycleConfigurationCommand,
      GetObjectLockConfigurationCommand,
      GetBucketEncryptionCommand,
      GetPublicAccessBlockCommand,
    ] as const)
      s3.on(command as never).rejects(awsError('NoSuchBucket', 'The specified bucket does not exist'));
    const results = await check();
    expect(one(results, 'logs.archive.bucket')).toMatchObject({
      status: 'fail',
      resource: `s3://${BUCKET}`,
      observed: 'bucket not found (NoSuchBucket)',
      remediation: expect.stringContaining('--object-lock-enabled-for-bucket'),
    });
    for (const id of [
      'logs.archive.lifecycle',
      'logs.archive.object-lock',
      'logs.archive.encryption',
      'logs.archive.public-access',
    ])
      expect(of(results, id), id).toEqual([]);
  });

  it('each denied bucket read is its own error naming its IAM action; the readable ones are still judged', async () => {
    s3.on(GetBucketLifecycleConfigurationCommand).rejects(awsError('AccessDenied', 'Access Denied'));
    s3.on(GetObjectLockConfigurationCommand).rejects(awsError('AccessDenied', 'Access Denied'));
    const results = await check();
    expect(one(results, 'logs.archive.lifecycle')).toMatchObject({
      status: 'error',
      observed: 'could not check: access denied to s3:GetLifecycleConfiguration',
    });
    expect(one(results, 'logs.archive.object-lock')).toMatchObject({
      status: 'error',
      observed: 'could not check: access denied to s3:GetBucketObjectLockConfiguration',
      remediation: expect.stringMatching(/^Grant s3:GetBucketObjectLockConfiguration/),
    });
    expect(one(results, 'logs.archive.encryption').status).toBe('pass');
    expect(one(results, 'logs.archive.public-access').status).toBe('pass');
  });

  it('a throttled bucket read (SlowDown) is an error that says so', async () => {
    s3.on(GetBucketEncryptionCommand).rejects(awsError('SlowDown', 'Please reduce your request rate.'));
    expect(one(await check(), 'logs.archive.encryption')).toMatchObject({
      status: 'error',
      observed: 'could not check: s3:GetEncryptionConfiguration throttled by AWS after retries',
    });
  });
});
