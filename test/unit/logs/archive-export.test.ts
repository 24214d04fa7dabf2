import {
  CloudWatchLogsClient,
  CreateExportTaskCommand,
  DescribeExportTasksCommand,
  DescribeLogGroupsCommand,
  type ExportTask,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/base/model/errors.js';
import type { ActionContext, ApplyOutcome, ApplyRun } from '../../../src/catalogue/action.js';
import {
  type ArchiveExportParams,
  archiveExportAction,
} from '../../../src/catalogue/actions/logs/archive-export.js';
import { testAws, testEnv } from '../../helpers/context.js';

// logs.archive-export at the SDK boundary: the plan's refusals, and an export that completes, fails, is
// cancelled, waits for the account's one export slot, times out, or is interrupted by Ctrl-C.

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
const NOV_FROM = Date.UTC(2026, 10, 1);
const NOV_TO = Date.UTC(2026, 11, 1) - 1;
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });

/** The export tasks AWS knows; CreateExportTask adds one, `advance` decides how each poll sees it. */
interface Tasks {
  list: ExportTask[];
  /** The status code a task shows at its n-th DescribeExportTasks (by task id). */
  advance: (task: ExportTask, polls: number) => string;
  polls: Map<string, number>;
  creates: number;
}
let tasks: Tasks;
let retention: number | undefined;

function serveTasks() {
  logs.on(CreateExportTaskCommand).callsFake((input) => {
    tasks.creates += 1;
    const taskId = `task-${tasks.creates}`;
    tasks.list.unshift({
      taskId,
      logGroupName: input.logGroupName,
      from: input.from,
      to: input.to,
      destination: input.destination,
      destinationPrefix: input.destinationPrefix,
      status: { code: 'PENDING' },
    });
    return { taskId };
  });
  logs.on(DescribeExportTasksCommand).callsFake((input) => {
    if (!input.taskId) return { exportTasks: tasks.list };
    const task = tasks.list.find((t) => t.taskId === input.taskId);
    if (!task) return { exportTasks: [] };
    const polls = (tasks.polls.get(task.taskId!) ?? 0) + 1;
    tasks.polls.set(task.taskId!, polls);
    const code = tasks.advance(task, polls);
    task.status = {
      code: code as never,
      ...(code === 'FAILED'
        ? { message: 'Access Denied: the bucket policy does not allow logs.ap-south-1.amazonaws.com' }
        : {}),
    };
    return { exportTasks: [task] };
  });
}

beforeEach(() => {
  tasks = {
    list: [],
    advance: (_t, polls) => (polls < 2 ? 'RUNNING' : 'COMPLETED'),
    polls: new Map(),
    creates: 0,
  };
  retention = 90;
  logs.on(DescribeLogGroupsCommand).callsFake((input) => ({
    logGroups: (input.logGroupIdentifiers ?? []).map((name: string) => ({
      logGroupName: name,
      retentionInDays: retention,
    })),
  }));
  serveTasks();
  s3.on(GetBucketLifecycleConfigurationCommand).resolves({
    Rules: [{ ID: 'keep', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 400 } }],
  });
  s3.on(GetObjectLockConfigurationCommand).resolves({
    ObjectLockConfiguration: {
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } },
    },
  });
  s3.on(GetBucketEncryptionCommand).resolves({});
  s3.on(GetPublicAccessBlockCommand).resolves({});
});
afterEach(() => {
  logs.reset();
  s3.reset();
});

function context(options: { now?: string; env?: string; yaml?: string; signal?: AbortSignal } = {}) {
  const env = testEnv(
    options.env ?? 'prod',
    options.yaml ?? 'logArchive:\n  pollSeconds: 0.005\n  timeoutMinutes: 1\n',
  );
  const log: string[] = [];
  const signal = options.signal ?? new AbortController().signal;
  const ctx: ActionContext = {
    env,
    config: env.config,
    aws: testAws(),
    now: new Date(options.now ?? '2026-12-10T09:00:00Z'),
    signal,
    stopRequested: () => signal.aborted,
    db: async () => {
      throw new Error('no database');
    },
    log: (text) => log.push(text),
  };
  return { ctx, log };
}

function applyRun(signal = new AbortController().signal) {
  const log: string[] = [];
  const outcomes: ApplyOutcome[] = [];
  const run: ApplyRun = { signal, log: (text) => log.push(text), auditOutcome: (o) => outcomes.push(o) };
  return { run, log, outcomes };
}

const plan = (params: ArchiveExportParams = {}, options: Parameters<typeof context>[0] = {}) =>
  archiveExportAction.plan(context(options).ctx, params);

describe('logs.archive-export: what it refuses before anything is created', () => {
  it.each([
    [
      '2026-12',
      'refusing to export: 2026-12 is not over yet (it ends 2027-01-01T00:00Z): export a closed month, e.g. --month 2026-11',
    ],
    ['2027-03', 'refusing to export: 2027-03 is in the future: export a closed month, e.g. --month 2026-11'],
    ['2026-13', "--month '2026-13' is not a month: give YYYY-MM, e.g. 2026-11"],
    ['nov', "--month 'nov' is not a month: give YYYY-MM, e.g. 2026-11"],
  ])('--month %s: one line, exit 2 (UsageError), nothing read or created', async (month, message) => {
    const refused = plan({ month });
    await expect(refused).rejects.toThrow(UsageError);
    await expect(plan({ month })).rejects.toThrow(message);
    expect(s3.calls()).toHaveLength(0);
    expect(logs.commandCalls(CreateExportTaskCommand)).toHaveLength(0);
  });

  it('a month closed less than 12 hours ago is refused: its last events may not be exportable yet', async () => {
    await expect(plan({ month: '2026-11' }, { now: '2026-12-01T05:00:00Z' })).rejects.toThrow(
      'refusing to export: 2026-11 closed less than 12 hours ago: CloudWatch Logs can take up to 12 hours to make its last events exportable; run after 2026-12-01T12:00Z',
    );
  });

  it('a bucket without Object Lock is refused with the fix (exit 2); nothing is created', async () => {
    s3.on(GetObjectLockConfigurationCommand).rejects(awsError('ObjectLockConfigurationNotFoundError'));
    const refused = plan({ month: '2026-11' });
    await expect(refused).rejects.toThrow(UsageError);
    await expect(plan({ month: '2026-11' })).rejects.toThrow(
      /^refusing to export to s3:\/\/fivestar-payments-prod-log-archive: Object Lock not enabled \(ObjectLockConfigurationNotFoundError\); fix: aws s3api put-object-lock-configuration/,
    );
    expect(logs.commandCalls(CreateExportTaskCommand)).toHaveLength(0);
  });

  it('a lifecycle that expires the archive before 365 days is refused; a missing bucket too', async () => {
    s3.on(GetBucketLifecycleConfigurationCommand).resolves({
      Rules: [{ ID: 'cleanup', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 30 } }],
    });
    await expect(plan({ month: '2026-11' })).rejects.toThrow(
      /^refusing to export to s3:\/\/\S+: rule cleanup expires objects after 30 days; fix: /,
    );
    for (const command of [
      GetBucketLifecycleConfigurationCommand,
      GetObjectLockConfigurationCommand,
    ] as const)
      s3.on(command as never).rejects(awsError('NoSuchBucket'));
    await expect(plan({ month: '2026-11' })).rejects.toThrow(
      /: the bucket does not exist \(names\.logArchiveBucket\); fix: Create it with Object Lock: aws s3api create-bucket/,
    );
  });

  it('Object Lock that cannot be read is an error of the run (exit 3) naming the permission, not a refusal and not a go', async () => {
    s3.on(GetObjectLockConfigurationCommand).rejects(awsError('AccessDenied', 'Access Denied'));
    const failed = await plan({ month: '2026-11' }).catch((error: Error) => error);
    expect(failed).toBeInstanceOf(Error);
    expect(failed).not.toBeInstanceOf(UsageError);
    expect((failed as Error).message).toMatch(
      /^cannot verify s3:\/\/fivestar-payments-prod-log-archive before exporting: could not check: access denied to s3:GetBucketObjectLockConfiguration/,
    );
  });

  it('from the monthly run: no archive needed is a skip; a bucket not ready is a failing finding, not a refusal of the run', async () => {
    const staging = await plan({ monthly: true }, { env: 'staging' });
    expect(staging.lines).toEqual([]);
    expect(staging.preview).toEqual([
      expect.objectContaining({ status: 'skip', observed: expect.stringMatching(/not required in staging/) }),
    ]);
    expect(s3.calls()).toHaveLength(0);
    // prod with a bucket that keeps it: last month's five exports are planned like the command's.
    const ready = await plan({ monthly: true });
    expect(ready.lines).toHaveLength(6);
    expect(ready.verb).toBe('export 5 log group(s) of 2026-11 to s3://fivestar-payments-prod-log-archive');
    s3.on(GetObjectLockConfigurationCommand).rejects(awsError('ObjectLockConfigurationNotFoundError'));
    const prod = await plan({ monthly: true });
    expect(prod.lines).toEqual([]);
    expect(prod.preview).toEqual([
      expect.objectContaining({
        status: 'fail',
        observed: 'not exported: Object Lock not enabled (ObjectLockConfigurationNotFoundError)',
      }),
    ]);
  });
});

describe('logs.archive-export: the plan', () => {
  it('defaults to the last closed month, one line per group with its prefix; a dry run exports nothing', async () => {
    const p = await plan();
    expect(p.lines).toEqual([
      '2026-11 (2026-11-01T00:00Z .. 2026-12-01T00:00Z), one export at a time (CloudWatch Logs runs one per account), to s3://fivestar-payments-prod-log-archive:',
      '  /ecs/prod-fivestar-internal-pe -> ecs/prod-fivestar-internal-pe/2026/11/',
      '  /ecs/prod-fivestar-customer-portal -> ecs/prod-fivestar-customer-portal/2026/11/',
      '  /aws/lambda/prod-fivestar-schedulers -> aws/lambda/prod-fivestar-schedulers/2026/11/',
      '  /aws/rds/instance/prod-fivestar-payments-db/postgresql -> aws/rds/instance/prod-fivestar-payments-db/postgresql/2026/11/',
      '  /aws/security/prod-fivestar-payments -> aws/security/prod-fivestar-payments/2026/11/',
    ]);
    expect(p.preview.map((r) => r.observed)).toEqual(Array(5).fill('not exported (dry run)'));
    expect(logs.commandCalls(CreateExportTaskCommand)).toHaveLength(0);
  });

  it('a group already exported is skipped, a missing group is a failing result, a short retention says the export is partial', async () => {
    tasks.list = [
      {
        taskId: 'done-1',
        logGroupName: GROUPS[0],
        from: NOV_FROM,
        to: NOV_TO,
        destination: BUCKET,
        status: { code: 'COMPLETED' },
      },
    ];
    retention = 14;
    logs.on(DescribeLogGroupsCommand).callsFake((input) => ({
      logGroups: (input.logGroupIdentifiers ?? [])
        .filter((name: string) => name !== GROUPS[4])
        .map((name: string) => ({ logGroupName: name, retentionInDays: retention })),
    }));
    const p = await plan({ month: '2026-11' });
    expect(p.lines).toHaveLength(5);
    expect(p.verb).toBe('export 3 log group(s) of 2026-11 to s3://fivestar-payments-prod-log-archive');
    expect(p.lines[1]).toBe(
      '  /ecs/prod-fivestar-customer-portal -> ecs/prod-fivestar-customer-portal/2026/11/ (partial: events before 2026-11-26T09:00Z have expired)',
    );
    expect(p.preview.slice(0, 2)).toEqual([
      expect.objectContaining({
        resource: GROUPS[0],
        status: 'pass',
        observed: 'already exported (task done-1)',
      }),
      expect.objectContaining({
        resource: GROUPS[4],
        status: 'fail',
        observed: 'log group not found: nothing to export',
      }),
    ]);
  });

  it('every group already exported: nothing to do', async () => {
    tasks.list = GROUPS.map((group, i) => ({
      taskId: `done-${i}`,
      logGroupName: group,
      from: NOV_FROM,
      to: NOV_TO,
      destination: BUCKET,
      status: { code: 'COMPLETED' },
    }));
    const p = await plan();
    expect(p.lines).toEqual([]);
    expect(p.preview.map((r) => r.status)).toEqual(Array(5).fill('pass'));
  });
});

describe('logs.archive-export: applying', () => {
  it('exports each group for the whole month to {group}/{yyyy}/{mm}, one at a time, each waited for', async () => {
    const created: string[] = [];
    const events: string[] = [];
    tasks.advance = (task, polls) => {
      events.push(`poll ${task.logGroupName}`);
      return polls < 3 ? 'RUNNING' : 'COMPLETED';
    };
    logs.on(CreateExportTaskCommand).callsFake((input) => {
      events.push(`create ${input.logGroupName}`);
      created.push(input.logGroupName);
      tasks.creates += 1;
      const taskId = `task-${tasks.creates}`;
      tasks.list.unshift({ taskId, logGroupName: input.logGroupName, status: { code: 'PENDING' } });
      return { taskId };
    });
    const { run, log } = applyRun();
    const results = await (await plan({ month: '2026-11' })).apply(run);
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('pass'));
    expect(results[0]!.observed).toMatch(/^COMPLETED in \d+ s \(task task-1\)$/);
    expect(created).toEqual(GROUPS);
    // Never a second export before the first completed (one active export task per account).
    for (const [i, group] of GROUPS.entries()) {
      const createdAt = events.indexOf(`create ${group}`);
      const lastPoll = events.lastIndexOf(`poll ${group}`);
      expect(lastPoll).toBeGreaterThan(createdAt);
      if (i + 1 < GROUPS.length) expect(events.indexOf(`create ${GROUPS[i + 1]}`)).toBeGreaterThan(lastPoll);
    }
    const input = logs.commandCalls(CreateExportTaskCommand)[3]!.args[0].input;
    expect(input).toMatchObject({
      logGroupName: '/aws/rds/instance/prod-fivestar-payments-db/postgresql',
      from: NOV_FROM,
      to: NOV_TO,
      destination: BUCKET,
      destinationPrefix: 'aws/rds/instance/prod-fivestar-payments-db/postgresql/2026/11',
    });
    // The mutating call is never sent under the run's signal.
    expect((logs.commandCalls(CreateExportTaskCommand)[0]!.args as unknown[])[1]).toBeUndefined();
    // ... while the reads are (the same check on them finds their abort signal).
    const poll = logs.commandCalls(DescribeExportTasksCommand).find((c) => c.args[0].input.taskId);
    expect((poll!.args as unknown[])[1]).toEqual({ abortSignal: expect.any(AbortSignal) });
    expect(log).toContain('/ecs/prod-fivestar-internal-pe: COMPLETED');
  });

  it('an export that FAILS or is CANCELLED is a failing result with the reason; the others still run', async () => {
    tasks.advance = (task) =>
      task.logGroupName === GROUPS[1]
        ? 'FAILED'
        : task.logGroupName === GROUPS[2]
          ? 'CANCELLED'
          : 'COMPLETED';
    const results = await (await plan({ month: '2026-11' })).apply(applyRun().run);
    expect(results.map((r) => r.status)).toEqual(['pass', 'fail', 'fail', 'pass', 'pass']);
    expect(results[1]!.observed).toBe(
      'FAILED (task task-2): Access Denied: the bucket policy does not allow logs.ap-south-1.amazonaws.com',
    );
    expect(results[1]!.remediation).toMatch(/bucket policy/);
    expect(results[2]!.observed).toBe('CANCELLED (task task-3): no reason given');
  });

  it('LimitExceededException (another export is active in the account): waits for the slot, then exports', async () => {
    let refusals = 2;
    const create = logs.on(CreateExportTaskCommand);
    create.callsFake((input) => {
      if (input.logGroupName === GROUPS[0] && refusals > 0) {
        refusals -= 1;
        throw awsError('LimitExceededException', 'Resource limit exceeded.');
      }
      tasks.creates += 1;
      const taskId = `task-${tasks.creates}`;
      tasks.list.unshift({ taskId, logGroupName: input.logGroupName, status: { code: 'PENDING' } });
      return { taskId };
    });
    const { run, log } = applyRun();
    const results = await (await plan({ month: '2026-11' })).apply(run);
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('pass'));
    expect(
      logs.commandCalls(CreateExportTaskCommand).filter((c) => c.args[0].input.logGroupName === GROUPS[0]),
    ).toHaveLength(3);
    expect(log).toContain(
      '/ecs/prod-fivestar-internal-pe: another export task is active in the account (one at a time): waiting',
    );
  });

  it('a CreateExportTask that fails otherwise (denied) is an error result naming the cause; the next group is tried', async () => {
    logs.on(CreateExportTaskCommand).callsFake((input) => {
      if (input.logGroupName === GROUPS[0])
        throw awsError('AccessDeniedException', 'User is not authorized to perform: logs:CreateExportTask');
      tasks.creates += 1;
      tasks.list.unshift({
        taskId: `task-${tasks.creates}`,
        logGroupName: input.logGroupName,
        status: { code: 'PENDING' },
      });
      return { taskId: `task-${tasks.creates}` };
    });
    const results = await (await plan({ month: '2026-11' })).apply(applyRun().run);
    expect(results[0]).toMatchObject({
      status: 'error',
      observed: expect.stringMatching(/^CreateExportTask failed: access denied \(AccessDeniedException\)/),
    });
    expect(results.slice(1).map((r) => r.status)).toEqual(Array(4).fill('pass'));
  });

  it('an export still running at logArchive.timeoutMinutes: a warning, the rest not started, audited timed-out', async () => {
    tasks.advance = () => 'RUNNING';
    const p = await archiveExportAction.plan(
      context({ yaml: 'logArchive:\n  pollSeconds: 0.005\n  timeoutMinutes: 1\n' }).ctx,
      { month: '2026-11' },
    );
    const { run, outcomes } = applyRun();
    const realNow = Date.now;
    let fake = realNow();
    // Each read of the clock moves 10 s on: the 1-minute timeout comes after a few polls.
    Date.now = () => {
      fake += 10_000;
      return fake;
    };
    try {
      const results = await p.apply(run);
      expect(results[0]).toMatchObject({
        status: 'warn',
        observed: expect.stringMatching(
          /^still RUNNING after \d+ s \(task task-1; logArchive\.timeoutMinutes\): CloudWatch Logs carries on$/,
        ),
      });
      expect(results.slice(1).map((r) => r.observed)).toEqual(
        Array(4).fill(
          'not started: the export of /ecs/prod-fivestar-internal-pe is still running; run again later',
        ),
      );
      expect(outcomes).toEqual([
        { result: 'timed-out', detail: '/ecs/prod-fivestar-internal-pe: still RUNNING' },
      ]);
    } finally {
      Date.now = realNow;
    }
  });

  it('Ctrl-C while the second export runs: the first completed, the second left running and said so, the rest not done', async () => {
    const stop = new AbortController();
    tasks.advance = (task, polls) => {
      if (task.logGroupName === GROUPS[1] && polls === 2) stop.abort();
      return task.logGroupName === GROUPS[1] ? 'RUNNING' : 'COMPLETED';
    };
    const p = await plan({ month: '2026-11' });
    const results = await p.apply(applyRun(stop.signal).run);
    expect(results.map((r) => [r.resource, r.status])).toEqual([
      [GROUPS[0], 'pass'],
      [GROUPS[1], 'skip'],
      [GROUPS[2], 'skip'],
      [GROUPS[3], 'skip'],
      [GROUPS[4], 'skip'],
    ]);
    expect(results[1]!.observed).toBe(
      'not done: interrupted (Ctrl-C) while task task-2 was RUNNING; CloudWatch Logs carries on with it (run again to wait for it)',
    );
    expect(results[2]!.observed).toBe('not done: interrupted (Ctrl-C); run again to finish');
    expect(logs.commandCalls(CreateExportTaskCommand)).toHaveLength(2);
  });

  it('an export an earlier run left RUNNING is waited for, not created again', async () => {
    tasks.list = [
      {
        taskId: 'earlier',
        logGroupName: GROUPS[0],
        from: NOV_FROM,
        to: NOV_TO,
        destination: BUCKET,
        status: { code: 'RUNNING' },
      },
    ];
    const p = await plan({ month: '2026-11' });
    expect(p.lines[1]).toBe(
      '  /ecs/prod-fivestar-internal-pe -> ecs/prod-fivestar-internal-pe/2026/11/ (wait for the running task earlier)',
    );
    const results = await p.apply(applyRun().run);
    expect(results[0]!.observed).toMatch(/\(task earlier\)$/);
    expect(logs.commandCalls(CreateExportTaskCommand).map((c) => c.args[0].input.logGroupName)).toEqual(
      GROUPS.slice(1),
    );
  });
});
