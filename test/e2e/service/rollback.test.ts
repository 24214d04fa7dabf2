import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, FAKE_CREDENTIALS, runFsops } from '../../helpers/cli.js';
import { AwsFault, type FakeAws, startFakeWorld } from '../../helpers/fake-aws.js';

// Run `npm run build` first: these tests spawn bin/fsops as an on-call engineer would.
const ACCOUNT = '123456789014';
const FAMILY = 'prod-fivestar-internal-pe';
const taskDef = (revision: number) =>
  `arn:aws:ecs:ap-south-1:${ACCOUNT}:task-definition/${FAMILY}:${revision}`;

let fake: FakeAws | undefined;
let auditFile: string;
/** The revision the fake prod internal-pe service runs; UpdateService changes it. */
let running: number;

beforeEach(async () => {
  auditFile = join(mkdtempSync(join(tmpdir(), 'fsops-audit-')), 'audit.jsonl');
  running = 42;
  fake = await startFakeWorld('prod', {
    service: (service, component) =>
      component === 'internal-pe'
        ? {
            ...service,
            taskDefinition: taskDef(running),
            deployments: [
              { ...service.deployments[0], id: `ecs-svc/${running}`, taskDefinition: taskDef(running) },
            ],
          }
        : service,
  });
  const ecs = fake.handlers.ecs!;
  // :43 was registered but never rolled out: deployment guide §10.1 would "roll back" to :42, the running one.
  ecs.ListTaskDefinitions = () => ({ taskDefinitionArns: [43, 42, 41, 40].map(taskDef) });
  ecs.ListServiceDeployments = () => {
    throw new AwsFault('AccessDeniedException', 'not authorized to perform ecs:ListServiceDeployments');
  };
  ecs.ListTasks = () => ({ taskArns: [] });
  ecs.DescribeTasks = () => ({ tasks: [] });
  ecs.UpdateService = (input) => {
    const taskDefinition = String(input.taskDefinition);
    running = Number(taskDefinition.split(':').pop());
    return {
      service: {
        serviceName: 'prod-internal-pe-service',
        deployments: [{ id: `ecs-svc/${running}`, status: 'PRIMARY', taskDefinition }],
      },
    };
  };
});

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const fsops = (...args: string[]) =>
  runFsops([...args, '--endpoint-url', fake!.url], { ...FAKE_CREDENTIALS, FSOPS_AUDIT_FILE: auditFile });
const mutatingCalls = () =>
  fake!.calls.filter((c) => ['UpdateService', 'StopServiceDeployment'].includes(c.action));
const audit = () =>
  existsSync(auditFile)
    ? readFileSync(auditFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
    : [];

describe('fsops rollback against a local AWS endpoint', () => {
  it('without a terminal and without --yes: exit 2, one line, nothing changed, a refused audit record', async () => {
    const result = await fsops('rollback', 'internal-pe', '--env', 'prod');
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'fsops: refusing to roll back prod-internal-pe-service without confirmation: no terminal to ask on; pass --yes to confirm or --dry-run to see the plan only. Nothing was changed.',
    ]);
    expect(result.stdout).toContain(`to:      ${FAMILY}:41`);
    expect(mutatingCalls()).toEqual([]);
    expect(audit()).toEqual([
      expect.objectContaining({ command: 'rollback', result: 'refused', from: taskDef(42), to: taskDef(41) }),
    ]);
  });

  it('--dry-run prints the plan and makes no mutating call', async () => {
    const result = await fsops('rollback', 'internal-pe', '--env', 'prod', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('why:     nearest ACTIVE revision older than the running 42');
    expect(result.stdout).toContain(
      'note: deployment history unavailable (access denied (AccessDeniedException)',
    );
    expect(result.stdout).toContain('Dry run: nothing was changed.');
    expect(mutatingCalls()).toEqual([]);
    expect(audit().map((r) => r.result)).toEqual(['dry-run']);
  });

  it('with --yes rolls back, waits, verifies health and writes the audit trail', async () => {
    const result = await fsops('rollback', 'internal-pe', '--env', 'prod', '--yes');
    expect(result.code).toBe(0);
    expect(mutatingCalls().map((c) => c.input)).toEqual([
      { cluster: 'prod-fivestar-payments', service: 'prod-internal-pe-service', taskDefinition: taskDef(41) },
    ]);
    expect(result.stdout).toMatch(/fsops rollback internal-pe prod: PASS/);
    expect(result.stdout).toMatch(/PASS +Health endpoints answer/);
    expect(result.stderr).toContain('Waiting for prod-internal-pe-service to settle');
    expect(audit().map((r) => [r.result, r.identity, r.to])).toEqual([
      ['started', `arn:aws:iam::${ACCOUNT}:user/oncall`, taskDef(41)],
      ['succeeded', `arn:aws:iam::${ACCOUNT}:user/oncall`, taskDef(41)],
    ]);
  });
});

/** The new deployment never settles (tasks keep starting): the fake holds the rollout to :41 in progress. */
function holdRolloutInProgress(): void {
  fake!.handlers.ecs!.UpdateService = (input) => {
    running = Number(String(input.taskDefinition).split(':').pop());
    return {
      service: {
        deployments: [{ id: 'ecs-svc/slow', status: 'PRIMARY', taskDefinition: input.taskDefinition }],
      },
    };
  };
  const world = fake!.handlers.ecs!.DescribeServices!;
  fake!.handlers.ecs!.DescribeServices = async (input) => {
    const out = (await world(input)) as { services: Record<string, unknown>[] };
    return {
      services: out.services.map((s) =>
        running === 41
          ? {
              ...s,
              pendingCount: 2,
              deployments: [
                {
                  id: 'ecs-svc/slow',
                  status: 'PRIMARY',
                  taskDefinition: taskDef(41),
                  rolloutState: 'IN_PROGRESS',
                  runningCount: 1,
                  desiredCount: 3,
                },
                {
                  id: 'ecs-svc/42',
                  status: 'ACTIVE',
                  taskDefinition: taskDef(42),
                  rolloutState: 'COMPLETED',
                  runningCount: 2,
                },
              ],
            }
          : s,
      ),
    };
  };
}

/** `fsops rollback internal-pe --env prod --yes`, resolved once it waits on the rollout in progress. */
async function rollbackUntilWaiting(): Promise<{
  child: ReturnType<typeof spawn>;
  exited: Promise<number | null>;
  stderr: () => string;
  stdout: () => string;
}> {
  const child = spawn(
    process.execPath,
    [BIN, 'rollback', 'internal-pe', '--env', 'prod', '--yes', '--endpoint-url', fake!.url],
    {
      env: {
        PATH: process.env.PATH,
        HOME: tmpdir(),
        NO_COLOR: '1',
        AWS_EC2_METADATA_DISABLED: 'true',
        FSOPS_AUDIT_FILE: auditFile,
        ...FAKE_CREDENTIALS,
      },
    },
  );
  let stderr = '';
  let stdout = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdout!.on('data', (chunk) => {
    stdout += String(chunk);
  });
  await new Promise<void>((resolve) => {
    child.stderr!.on('data', (chunk) => {
      stderr += String(chunk);
      if (stderr.includes('rollout IN_PROGRESS')) resolve();
    });
  });
  return { child, exited, stderr: () => stderr, stdout: () => stdout };
}

describe('a signal while waiting (Ctrl-C, SIGTERM from an ECS task stop or CI, SIGHUP from a dropped SSH session)', () => {
  it.each([['SIGINT'], ['SIGTERM'], ['SIGHUP']] as const)(
    '%s stops waiting, not the rollback: says so, audits interrupted, exits 130',
    async (signal) => {
      holdRolloutInProgress();
      const run = await rollbackUntilWaiting();
      run.child.kill(signal);
      expect(await run.exited).toBe(130);
      expect(run.stderr()).toContain(
        'fsops: stopped waiting; the rollback continues in ECS. Check it with `fsops deployments internal-pe --env prod`.',
      );
      expect(mutatingCalls()).toHaveLength(1);
      expect(audit().map((r) => r.result)).toEqual(['started', 'interrupted']);
      // The report says so too: INTERRUPTED, the rollout not followed to the end, never PASS.
      expect(run.stdout()).toMatch(/^fsops rollback internal-pe prod: INTERRUPTED /m);
      expect(run.stdout()).toMatch(/SKIP +Rollback deployment was not followed to the end/);
    },
  );

  it('SIGHUP after the terminal is gone (stdout and stderr closed): the outcome is still audited, exit 130', async () => {
    holdRolloutInProgress();
    const run = await rollbackUntilWaiting();
    // A dropped SSH session: nobody reads what fsops writes any more.
    run.child.stdout!.destroy();
    run.child.stderr!.destroy();
    run.child.kill('SIGHUP');
    expect(await run.exited).toBe(130);
    expect(mutatingCalls()).toHaveLength(1);
    expect(audit().map((r) => r.result)).toEqual(['started', 'interrupted']);
  });
});

describe('a second operator', () => {
  it.each([
    ['the deployment history is unavailable', 'denied'],
    ['the deployment history is empty (lagging)', 'empty'],
  ] as const)(
    'a second rollback while the first one is rolling out is refused, not taken one revision further (%s)',
    async (_label, history) => {
      if (history === 'empty')
        fake!.handlers.ecs!.ListServiceDeployments = () => ({ serviceDeployments: [] });
      holdRolloutInProgress();
      const first = await rollbackUntilWaiting();
      try {
        const second = await fsops('rollback', 'internal-pe', '--env', 'prod', '--yes');
        expect(second.code).toBe(2);
        expect(second.stderr).toMatch(
          /^fsops: a rollback is already in progress: the service is moving from prod-fivestar-internal-pe:42 back to prod-fivestar-internal-pe:41; follow it with `fsops deployments`/,
        );
        // One UpdateService (the first operator's, to :41); never :40.
        expect(mutatingCalls().map((c) => c.input.taskDefinition)).toEqual([taskDef(41)]);
        expect(audit().map((r) => [r.result, r.to])).toEqual([['started', taskDef(41)]]);
      } finally {
        first.child.kill('SIGINT');
        expect(await first.exited).toBe(130);
      }
    },
  );
});

describe('bad input is one line, exit 2, and no AWS call', () => {
  it.each([
    [
      ['rollback', 'billing', '--env', 'prod'],
      "fsops: unknown component 'billing': valid components are internal-pe, customer-portal",
    ],
    [
      ['rollback', 'internal-pe'],
      'fsops: rollback changes a service: pass --env explicitly (FSOPS_ENV is not used for changes)',
    ],
    [
      ['rollback', 'internal-pe', '--env', 'qa'],
      "fsops: unknown environment 'qa': valid environments are dev, staging, prod",
    ],
    [
      ['rollback', 'internal-pe', '--env', 'prod', '--to', 'v41'],
      "fsops: invalid --to 'v41': use a revision number (41), family:revision, or a task definition ARN",
    ],
    [
      ['rollback', 'internal-pe', '--env', 'prod', '--timeout', '15'],
      "fsops: invalid --timeout '15': use a number with a unit, e.g. 90s, 15m, 1h, 2d",
    ],
    [
      ['scale', 'internal-pe', 'many', '--env', 'prod'],
      "fsops: invalid count 'many': use a whole number of tasks, 0 or more (e.g. 3)",
    ],
    [
      ['restart', 'internal-pe'],
      'fsops: restart changes a service: pass --env explicitly (FSOPS_ENV is not used for changes)',
    ],
  ])('%j', async (args, message) => {
    const result = await runFsops([...args, '--endpoint-url', fake!.url], {
      ...FAKE_CREDENTIALS,
      FSOPS_ENV: 'prod',
      FSOPS_AUDIT_FILE: auditFile,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${message}\n`);
    expect(result.stdout).toBe('');
    expect(fake!.calls).toEqual([]);
  });
});
