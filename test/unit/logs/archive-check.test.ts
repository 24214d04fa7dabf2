import {
  CloudWatchLogsClient,
  DescribeExportTasksCommand,
  DescribeLogGroupsCommand,
  DescribeSubscriptionFiltersCommand,
  type ExportTask,
} from '@aws-sdk/client-cloudwatch-logs';
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

  it('a subscription filter to Firehose counts as archived; one to Lambda does not', async () => {
    tasks = [];
    logs.on(DescribeSubscriptionFiltersCommand).callsFake((input) => ({
      subscriptionFilters:
        input.logGroupName === GROUPS[0]
          ? [
              {
                filterName: 'to-s3',
                destinationArn: 'arn:aws:firehose:ap-south-1:123456789014:deliverystream/logs-to-s3',
              },
            ]
          : input.logGroupName === GROUPS[1]
            ? [
                {
                  filterName: 'to-lambda',
                  destinationArn: 'arn:aws:lambda:ap-south-1:123456789014:function:ship',
                },
              ]
            : [],
    }));
    const results = await check();
    expect(one(results, 'logs.archive.group', GROUPS[0])).toMatchObject({
      status: 'pass',
      observed: 'streamed to logs-to-s3 by subscription filter to-s3',
    });
    expect(one(results, 'logs.archive.group', GROUPS[1]).status).toBe('fail');
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
