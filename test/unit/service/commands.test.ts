import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  type Service,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { deployments } from '../../../src/commands/deployments.js';
import { restart } from '../../../src/commands/restart.js';
import { rollback } from '../../../src/commands/rollback.js';
import { scale } from '../../../src/commands/scale.js';
import { dispatchInterrupt } from '../../../src/engine/interrupt.js';
import type { Runtime } from '../../../src/engine/runtime.js';
import type { PromptIO } from '../../../src/engine/safety.js';
import { collectingStream, testRuntime } from '../../helpers/runtime.js';
import {
  arn,
  auditRecords,
  deployment,
  scriptedTerminal,
  service,
  stubCommandEnv,
  taskDefinition,
} from './builders.js';

const ecs = mockClient(ECSClient);
const sts = mockClient(STSClient);
const autoScaling = mockClient(ApplicationAutoScalingClient);

let dir: string;
let health: Server;
let out: string;
let err: string;
let printed: string;
let current: () => Service;

const audit = () => auditRecords(dir);
const io = (isTTY: boolean, answer = '') =>
  scriptedTerminal(isTTY, answer, (text) => {
    printed += text;
  });

/** The command's runtime: the terminal as scripted, stdout and stderr collected into `out` and `err`. */
const deps = (prompt: PromptIO, pollIntervalMs = 0): Runtime =>
  testRuntime({
    io: prompt,
    pollIntervalMs,
    stdout: {
      write: (text: string) => {
        out += text;
      },
    },
    stderr: collectingStream((text) => {
      err += text;
    }),
  });
/** A rollback from :43 back to :42 in flight that the deployment history (ListServiceDeployments) does not list. */
function rollbackInFlightUnlisted(): void {
  current = () =>
    service(42, {
      deployments: [
        deployment(42, { rolloutState: 'IN_PROGRESS', runningCount: 1 }),
        deployment(43, { status: 'ACTIVE', runningCount: 2 }),
      ],
    });
  ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
}

/** ECS takes the rollback to :41, and its rollout has completed at the first look. */
const rollsBackTo41 = () =>
  ecs.on(UpdateServiceCommand).callsFake(() => {
    current = () => service(41);
    return { service: current() };
  });

/**
 * Runs `body` with prod's internal-pe health URL at a server that answers with `handler` (the config
 * replaced), closed afterwards.
 */
async function withHealthServer(handler: RequestListener, body: () => Promise<void>): Promise<void> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    writeFileSync(
      join(dir, 'fsops.config.yaml'),
      ['environments:', '  prod:', '    healthUrls:', `      internal-pe: http://127.0.0.1:${port}`].join(
        '\n',
      ),
    );
    await body();
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const mutatingCalls = () =>
  ecs.commandCalls(UpdateServiceCommand).length + ecs.commandCalls(StopServiceDeploymentCommand).length;

beforeAll(async () => {
  health = createServer((_, res) => res.writeHead(200).end('ok'));
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
});
afterAll(() => new Promise<void>((resolve) => health.close(() => resolve())));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fsops-service-'));
  const port = (health.address() as AddressInfo).port;
  const config = join(dir, 'fsops.config.yaml');
  writeFileSync(
    config,
    [
      'environments:',
      '  prod:',
      '    healthUrls:',
      `      internal-pe: http://127.0.0.1:${port}`,
      '  dev:',
      '    healthUrls:',
      `      internal-pe: http://127.0.0.1:${port}`,
    ].join('\n'),
  );
  vi.stubEnv('FSOPS_CONFIG', config);
  stubCommandEnv(dir);
  vi.stubEnv('FSOPS_ENV', 'prod');
  out = '';
  err = '';
  printed = '';
  ecs.reset();
  sts.reset();
  autoScaling.reset();
  autoScaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: '123456789014', Arn: 'arn:aws:iam::123456789014:user/oncall' });
  // prod internal-pe runs :42; :43 was registered but never rolled out; :41 completed before :42.
  current = () => service(42);
  ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
    services: input.services.filter((name) => name === 'prod-internal-pe-service').map(() => current()),
    failures: [],
  }));
  ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [43, 42, 41, 40].map((r) => arn(r)) });
  ecs.on(ListServiceDeploymentsCommand).resolves({
    serviceDeployments: [
      { serviceDeploymentArn: 'dep/42', status: 'SUCCESSFUL', createdAt: new Date('2026-11-21T09:00:00Z') },
      { serviceDeploymentArn: 'dep/41', status: 'SUCCESSFUL', createdAt: new Date('2026-11-19T09:00:00Z') },
    ],
  });
  ecs.on(DescribeServiceDeploymentsCommand).resolves({
    serviceDeployments: [
      {
        serviceDeploymentArn: 'dep/42',
        status: 'SUCCESSFUL',
        finishedAt: new Date('2026-11-21T09:10:00Z'),
        targetServiceRevision: { arn: 'rev/42' },
        sourceServiceRevisions: [{ arn: 'rev/41' }],
      },
      {
        serviceDeploymentArn: 'dep/41',
        status: 'SUCCESSFUL',
        finishedAt: new Date('2026-11-19T09:10:00Z'),
        targetServiceRevision: { arn: 'rev/41' },
      },
    ],
  });
  ecs.on(DescribeServiceRevisionsCommand).resolves({
    serviceRevisions: [
      {
        serviceRevisionArn: 'rev/42',
        taskDefinition: arn(42),
        containerImages: [{ containerName: 'internal-pe', image: 'repo/internal-pe:1.4.42' }],
      },
      {
        serviceRevisionArn: 'rev/41',
        taskDefinition: arn(41),
        containerImages: [{ containerName: 'internal-pe', image: 'repo/internal-pe:1.4.41' }],
      },
    ],
  });
  ecs.on(ListTasksCommand).resolves({ taskArns: [] });
  ecs.on(DescribeTasksCommand).resolves({ tasks: [] });
  ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
    taskDefinition: taskDefinition(Number(input.taskDefinition.split(':').pop())),
  }));
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('fsops rollback', () => {
  it('refuses without a terminal and without --yes: no mutating call, a refused audit record', async () => {
    await expect(rollback('internal-pe', { env: 'prod' }, deps(io(false)))).rejects.toThrow(
      /refusing to roll back prod-internal-pe-service without confirmation: no terminal.*--yes.*Nothing was changed/,
    );
    expect(mutatingCalls()).toBe(0);
    expect(printed).toMatch(/from: +prod-fivestar-internal-pe:42/);
    expect(printed).toMatch(/to: +prod-fivestar-internal-pe:41/);
    expect(audit()).toEqual([
      expect.objectContaining({
        command: 'rollback',
        env: 'prod',
        component: 'internal-pe',
        from: arn(42),
        to: arn(41),
        result: 'refused',
        identity: 'arn:aws:iam::123456789014:user/oncall',
      }),
    ]);
  });

  it('--dry-run shows the plan (with what differs) and makes no mutating call', async () => {
    const code = await rollback('internal-pe', { env: 'prod', dryRun: true }, deps(io(false)));
    expect(code).toBe(0);
    expect(mutatingCalls()).toBe(0);
    expect(printed).toContain(
      'why:     last deployment that completed before the current one on 2026-11-19T09:10:00.000Z',
    );
    expect(printed).toContain(
      'image internal-pe: 123456789014.dkr.ecr.ap-south-1.amazonaws.com/fivestar-internal-pe:1.4.42 -> 123456789014.dkr.ecr.ap-south-1.amazonaws.com/fivestar-internal-pe:1.4.41',
    );
    expect(printed).toContain(
      'call: ECS UpdateService prod-internal-pe-service --task-definition prod-fivestar-internal-pe:41',
    );
    expect(printed).toContain('Dry run: nothing was changed.');
    expect(printed).not.toContain('secretsmanager');
    expect(audit().map((r) => r.result)).toEqual(['dry-run']);
  });

  it('on prod asks to type the environment name; "y" is not enough', async () => {
    const prompt = io(true, 'y');
    await expect(rollback('internal-pe', { env: 'prod' }, deps(prompt))).rejects.toThrow(
      /not confirmed \(expected 'prod'\)/,
    );
    expect(prompt.asked).toEqual(["Type 'prod' to roll back prod-internal-pe-service: "]);
    expect(mutatingCalls()).toBe(0);
  });

  it('with --yes updates the service, waits for a stable deployment, verifies and audits', async () => {
    rollsBackTo41();
    const code = await rollback('internal-pe', { env: 'prod', yes: true }, deps(io(false)));
    expect(code).toBe(0);
    expect(ecs.commandCalls(UpdateServiceCommand)[0]!.args[0].input).toEqual({
      cluster: 'prod-fivestar-payments',
      service: 'prod-internal-pe-service',
      taskDefinition: arn(41),
    });
    expect(out).toMatch(/fsops rollback internal-pe prod: PASS/);
    expect(out).toMatch(/PASS +Rollback deployment completed/);
    expect(out).toMatch(/PASS +ECS running tasks match desired count/);
    expect(out).toMatch(/PASS +Health endpoints answer \[internal-pe http:\/\/127\.0\.0\.1:\d+\/health\]/);
    expect(err).toContain('Waiting for prod-internal-pe-service to settle');
    expect(audit().map((r) => [r.result, r.from, r.to])).toEqual([
      ['started', arn(42), arn(41)],
      ['succeeded', arn(42), arn(41)],
    ]);
  });

  it('prints nothing but the JSON report on stdout under --output json', async () => {
    rollsBackTo41();
    const code = await rollback('internal-pe', { env: 'prod', yes: true, output: 'json' }, deps(io(false)));
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ command: 'rollback internal-pe', env: 'prod', status: 'pass' });
    expect(report.findings[0]).toMatchObject({ id: 'rollback.deployment', status: 'pass' });
  });

  it('--no-wait starts the rollback and reports it as not waited for', async () => {
    ecs.on(UpdateServiceCommand).resolves({ service: service(41) });
    const code = await rollback('internal-pe', { env: 'prod', yes: true, wait: false }, deps(io(false)));
    expect(code).toBe(0);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(out).toMatch(/SKIP +Rollback started \(not waited for\)/);
    expect(out).toContain('fsops deployments internal-pe --env prod');
    // "started" before UpdateService; "accepted" once ECS took it (not followed: --no-wait).
    expect(audit().map((r) => r.result)).toEqual(['started', 'accepted']);
  });

  it('--dry-run under --output json prints the plan as a report and nothing else on stdout', async () => {
    const code = await rollback(
      'internal-pe',
      { env: 'prod', dryRun: true, output: 'json' },
      deps(io(false)),
    );
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.findings).toEqual([
      expect.objectContaining({
        id: 'rollback.plan',
        status: 'skip',
        observed: 'dry run: nothing was changed',
      }),
    ]);
    expect(report.notes).toContain(
      'to:      prod-fivestar-internal-pe:41 (internal-pe=123456789014.dkr.ecr.ap-south-1.amazonaws.com/fivestar-internal-pe:1.4.41)',
    );
    expect(err).toContain('Plan: roll back prod-internal-pe-service (prod)');
    expect(mutatingCalls()).toBe(0);
  });

  it('an empty ListServiceDeployments answer is not "nothing in progress": a rollback in flight (:43 -> :42) is refused, not taken to :41', async () => {
    rollbackInFlightUnlisted();
    await expect(rollback('internal-pe', { env: 'prod', yes: true }, deps(io(false)))).rejects.toThrow(
      /a rollback is already in progress: the service is moving from prod-fivestar-internal-pe:43 back to prod-fivestar-internal-pe:42/,
    );
    expect(mutatingCalls()).toBe(0);
    expect(printed).not.toContain('fivestar-internal-pe:41');
  });

  it('a lagging history (only the completed deployments) does not hide a forward rollout in flight', async () => {
    current = () =>
      service(43, {
        deployments: [
          deployment(43, { rolloutState: 'IN_PROGRESS', runningCount: 1 }),
          deployment(42, { status: 'ACTIVE', runningCount: 2 }),
        ],
      });
    await expect(rollback('internal-pe', { env: 'prod', yes: true }, deps(io(false)))).rejects.toThrow(
      /a rollout is in progress on prod-internal-pe-service: prod-fivestar-internal-pe:43 .*nothing was changed\. Options: wait .*--to 42/,
    );
    expect(mutatingCalls()).toBe(0);
  });

  it('lets ECS roll back a deployment in progress with StopServiceDeployment ROLLBACK', async () => {
    current = () =>
      service(43, {
        deployments: [deployment(43, { rolloutState: 'IN_PROGRESS' }), deployment(42, { status: 'ACTIVE' })],
      });
    ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [{ serviceDeploymentArn: 'dep/43', status: 'IN_PROGRESS', createdAt: new Date() }],
    });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: 'dep/43',
          status: 'IN_PROGRESS',
          targetServiceRevision: { arn: 'rev/43' },
          sourceServiceRevisions: [{ arn: 'rev/42' }],
        },
      ],
    });
    ecs.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: [
        { serviceRevisionArn: 'rev/43', taskDefinition: arn(43) },
        { serviceRevisionArn: 'rev/42', taskDefinition: arn(42) },
      ],
    });
    ecs.on(StopServiceDeploymentCommand).callsFake(() => {
      current = () => service(42);
      return { serviceDeploymentArn: 'dep/43' };
    });
    const code = await rollback('internal-pe', { env: 'prod', yes: true }, deps(io(false)));
    expect(code).toBe(0);
    expect(ecs.commandCalls(StopServiceDeploymentCommand)[0]!.args[0].input).toEqual({
      serviceDeploymentArn: 'dep/43',
      stopType: 'ROLLBACK',
    });
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(audit().at(-1)).toMatchObject({ result: 'succeeded', from: arn(43), to: arn(42) });
  });

  it('exits 1 when the circuit breaker rolls the rollback back, with the stopped tasks and what to run next', async () => {
    let polls = 0;
    ecs.on(UpdateServiceCommand).callsFake(() => {
      current = () => {
        polls += 1;
        return polls === 1
          ? service(41, {
              deployments: [
                deployment(41, { rolloutState: 'IN_PROGRESS' }),
                deployment(42, { status: 'ACTIVE' }),
              ],
            })
          : service(42, {
              deployments: [
                deployment(42, { id: 'ecs-svc/42b', rolloutState: 'IN_PROGRESS' }),
                deployment(41, {
                  status: 'ACTIVE',
                  rolloutState: 'FAILED',
                  rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
                }),
              ],
            });
      };
      return { service: current() };
    });
    ecs
      .on(ListTasksCommand)
      .resolvesOnce({ taskArns: [] })
      .resolves({ taskArns: ['task/abc'] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: 'arn:aws:ecs:ap-south-1:1:task/prod-fivestar-payments/abc',
          taskDefinitionArn: arn(41),
          stoppedReason: 'Task failed ELB health checks',
          containers: [{ name: 'internal-pe', exitCode: 1, reason: 'health check failed' }],
        },
      ],
    });
    const code = await rollback('internal-pe', { env: 'prod', yes: true }, deps(io(false)));
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL +Rollback deployment was rolled back by ECS/);
    expect(out).toContain('reason: ECS deployment circuit breaker: tasks failed to start.');
    expect(out).toContain('stopped: Task failed ELB health checks; internal-pe: exit 1, health check failed');
    expect(out).toContain('fsops deployments internal-pe --env prod');
    expect(err).toContain('stopped: Task failed ELB health checks');
    expect(audit().at(-1)).toMatchObject({ result: 'rolled-back' });
  });

  it('Ctrl-C while waiting stops the wait, not the rollback: exit 130, said so, audited', async () => {
    let polls = 0;
    ecs.on(UpdateServiceCommand).callsFake(() => {
      current = () => {
        polls += 1;
        if (polls === 2) dispatchInterrupt();
        return service(41, {
          deployments: [
            deployment(41, { rolloutState: 'IN_PROGRESS' }),
            deployment(42, { status: 'ACTIVE' }),
          ],
        });
      };
      return { service: current() };
    });
    const code = await rollback('internal-pe', { env: 'prod', yes: true }, deps(io(false)));
    expect(code).toBe(130);
    expect(err).toContain(
      'stopped waiting; the rollback continues in ECS. Check it with `fsops deployments internal-pe --env prod`',
    );
    expect(audit().map((r) => r.result)).toEqual(['started', 'interrupted']);
    expect(dispatchInterrupt()).toBe(false);
  });

  it('exits 1 when the rollout completes but the verification afterwards fails (runbook 002: verify rollback)', async () => {
    await withHealthServer(
      (_, res) => res.writeHead(503).end('down'),
      async () => {
        rollsBackTo41();
        const code = await rollback('internal-pe', { env: 'prod', yes: true }, deps(io(false)));
        expect(code).toBe(1);
        expect(out).toMatch(/PASS +Rollback deployment completed/);
        expect(out).toMatch(/FAIL +Health endpoints answer/);
        expect(out).toMatch(/fsops rollback internal-pe prod: FAIL/);
      },
    );
  });

  it('Ctrl-C during the verification says the rollback itself completed, and exits 130', async () => {
    // A health endpoint that does not answer: the engineer presses Ctrl-C while it is being checked.
    const hanging = () => {
      dispatchInterrupt();
    };
    await withHealthServer(hanging, async () => {
      rollsBackTo41();
      const code = await rollback('internal-pe', { env: 'prod', yes: true }, deps(io(false)));
      expect(code).toBe(130);
      expect(err).toContain(
        'fsops: stopped verifying; the rollback itself completed (prod-fivestar-internal-pe:41 rollout COMPLETED, running 3 / pending 0 / desired 3). Verify with `fsops validate prod`.',
      );
      expect(out).toMatch(/PASS +Rollback deployment completed/);
      // The verification did not finish: the run is INTERRUPTED, never PASS.
      expect(out).toMatch(/fsops rollback internal-pe prod: INTERRUPTED/);
      expect(out).toContain('not checked again after the changes: ecs.service, health.endpoints');
      expect(audit().map((r) => r.result)).toEqual(['started', 'succeeded']);
      expect(dispatchInterrupt()).toBe(false);
    });
  });

  it('gives up waiting after --timeout: exit 1, the state the service is in, what to run next, audited', async () => {
    ecs.on(UpdateServiceCommand).callsFake(() => {
      current = () =>
        service(41, {
          pendingCount: 1,
          deployments: [
            deployment(41, { rolloutState: 'IN_PROGRESS', runningCount: 1 }),
            deployment(42, { status: 'ACTIVE', runningCount: 2 }),
          ],
        });
      return { service: current() };
    });
    const started = Date.now();
    const code = await rollback(
      'internal-pe',
      { env: 'prod', yes: true, timeout: '1s' },
      deps(io(false), 100),
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL +Rollback deployment did not settle within 1s/);
    expect(out).toContain(
      'prod-fivestar-internal-pe:41 rollout IN_PROGRESS, running 3 / pending 1 / desired 3',
    );
    expect(out).toContain('fsops rollback internal-pe --env prod` rolls an in-progress deployment back');
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand).length).toBeGreaterThan(0);
    expect(audit().map((r) => r.result)).toEqual(['started', 'timed-out']);
  });

  it('also sends the audit record to CloudWatch Logs when audit.logGroup is set', async () => {
    const logs = mockClient(CloudWatchLogsClient);
    logs.on(CreateLogStreamCommand).resolves({});
    logs.on(PutLogEventsCommand).resolves({});
    writeFileSync(join(dir, 'fsops.config.yaml'), ['audit:', '  logGroup: /fivestar/fsops-audit'].join('\n'));
    try {
      await rollback('internal-pe', { env: 'prod', dryRun: true }, deps(io(false)));
      const sent = logs.commandCalls(PutLogEventsCommand).map((c) => c.args[0].input);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.logGroupName).toBe('/fivestar/fsops-audit');
      expect(JSON.parse(sent[0]!.logEvents![0]!.message!)).toMatchObject({
        identity: 'arn:aws:iam::123456789014:user/oncall',
        env: 'prod',
        command: 'rollback',
        component: 'internal-pe',
        from: arn(42),
        to: arn(41),
        result: 'dry-run',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(audit()).toHaveLength(1);
    } finally {
      logs.restore();
    }
  });

  it('needs --env on the command line even when FSOPS_ENV is set, and touches no AWS before the flags are valid', async () => {
    await expect(rollback('internal-pe', {}, deps(io(false)))).rejects.toThrow(/pass --env explicitly/);
    await expect(rollback('internal-pe', { env: 'prod', to: 'abc' }, deps(io(false)))).rejects.toThrow(
      /invalid --to 'abc'/,
    );
    await expect(rollback('internal-pe', { env: 'prod', timeout: 'soon' }, deps(io(false)))).rejects.toThrow(
      /invalid --timeout 'soon'/,
    );
    await expect(rollback('billing', { env: 'prod' }, deps(io(false)))).rejects.toThrow(
      /unknown component 'billing'/,
    );
    expect(sts.calls()).toHaveLength(0);
    expect(ecs.calls()).toHaveLength(0);
  });

  it('refuses --to the revision already running with one line and no change', async () => {
    await expect(
      rollback('internal-pe', { env: 'prod', to: '42', yes: true }, deps(io(false))),
    ).rejects.toThrow(/--to prod-fivestar-internal-pe:42 is the revision the service already runs/);
    expect(mutatingCalls()).toBe(0);
  });
});

describe('fsops scale', () => {
  it('rejects a count that is not a whole number before any AWS call', async () => {
    for (const bad of ['-1', '2.5', 'three', '']) {
      await expect(scale('internal-pe', bad, { env: 'prod', yes: true }, deps(io(false)))).rejects.toThrow(
        /invalid count/,
      );
    }
    expect(sts.calls()).toHaveLength(0);
  });

  it('scaling prod to 0 without a terminal needs --allow-zero as well as --yes', async () => {
    await expect(scale('internal-pe', '0', { env: 'prod', yes: true }, deps(io(false)))).rejects.toThrow(
      /refusing to scale prod-internal-pe-service to 0 without --allow-zero/,
    );
    expect(mutatingCalls()).toBe(0);
    expect(printed).toContain('DANGER: every task of prod-internal-pe-service stops');
    expect(audit().map((r) => r.result)).toEqual(['refused']);
  });

  it('scaling prod to 0 on a terminal needs the danger word typed, even with --yes', async () => {
    const prompt = io(true, 'prod');
    await expect(scale('internal-pe', '0', { env: 'prod', yes: true }, deps(prompt))).rejects.toThrow(
      /not confirmed \(expected 'stop internal-pe'\)/,
    );
    expect(prompt.asked).toEqual(["Type 'stop internal-pe' to scale prod-internal-pe-service to 0: "]);
    expect(mutatingCalls()).toBe(0);
  });

  it('scales prod to 0 with --yes --allow-zero, waits for 0 running and skips the health checks', async () => {
    ecs.on(UpdateServiceCommand).callsFake(() => {
      current = () =>
        service(42, {
          desiredCount: 0,
          runningCount: 0,
          deployments: [deployment(42, { desiredCount: 0, runningCount: 0 })],
        });
      return { service: current() };
    });
    const code = await scale(
      'internal-pe',
      '0',
      { env: 'prod', yes: true, allowZero: true },
      deps(io(false)),
    );
    expect(code).toBe(0);
    expect(ecs.commandCalls(UpdateServiceCommand)[0]!.args[0].input).toMatchObject({ desiredCount: 0 });
    expect(out).toMatch(/PASS +Scale deployment completed/);
    expect(out).toContain('Health checks skipped: the service was scaled to 0 tasks.');
    expect(audit().at(-1)).toMatchObject({
      command: 'scale',
      result: 'succeeded',
      to: 'prod-fivestar-internal-pe:42 x0',
    });
  });

  it('exits 1 with the reason when Application Auto Scaling puts the count back while waiting', async () => {
    let polls = 0;
    ecs.on(UpdateServiceCommand).callsFake(() => {
      current = () => {
        polls += 1;
        return polls <= 1
          ? service(42, { desiredCount: 5, pendingCount: 2 })
          : service(42, { desiredCount: 3 });
      };
      return { service: service(42, { desiredCount: 5 }) };
    });
    const code = await scale('internal-pe', '5', { env: 'prod', yes: true }, deps(io(false)));
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL +Scale deployment failed/);
    expect(out).toContain('reason: the desired count changed from 5 to 3 while waiting');
    expect(out).toContain('Application Auto Scaling');
    expect(out).not.toContain('pick another revision');
    expect(audit().at(-1)).toMatchObject({ command: 'scale', result: 'failed' });
  });

  it('scaling dev to 0 is an ordinary confirmation', async () => {
    current = () => ({ ...service(42), serviceName: 'dev-internal-pe-service' });
    ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
      services: input.services.filter((n) => n === 'dev-internal-pe-service').map(() => current()),
    }));
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/dev' });
    await expect(scale('internal-pe', '0', { env: 'dev', dryRun: true }, deps(io(false)))).resolves.toBe(0);
    expect(printed).toContain('desired count: 3 -> 0');
    expect(mutatingCalls()).toBe(0);
  });
});

describe('fsops restart', () => {
  it('forces a new deployment of the same revision and waits for that deployment', async () => {
    let polls = 0;
    ecs.on(UpdateServiceCommand).callsFake(() => {
      current = () => {
        polls += 1;
        return polls === 1
          ? service(42, {
              deployments: [
                deployment(42, { id: 'ecs-svc/new', rolloutState: 'IN_PROGRESS' }),
                deployment(42, { status: 'ACTIVE' }),
              ],
            })
          : service(42, { deployments: [deployment(42, { id: 'ecs-svc/new' })] });
      };
      return {
        service: service(42, {
          deployments: [deployment(42, { id: 'ecs-svc/new', rolloutState: 'IN_PROGRESS' })],
        }),
      };
    });
    const code = await restart('internal-pe', { env: 'prod', yes: true }, deps(io(false)));
    expect(code).toBe(0);
    expect(ecs.commandCalls(UpdateServiceCommand)[0]!.args[0].input).toEqual({
      cluster: 'prod-fivestar-payments',
      service: 'prod-internal-pe-service',
      forceNewDeployment: true,
    });
    // two polls while waiting (the new deployment IN_PROGRESS, then COMPLETED), one by the verification
    expect(polls).toBe(3);
    expect(err).toMatch(/prod-fivestar-internal-pe:42 rollout IN_PROGRESS, running 3/);
    expect(out).toMatch(/PASS +Restart deployment completed/);
    expect(audit().at(-1)).toMatchObject({
      command: 'restart',
      result: 'succeeded',
      from: arn(42),
      to: arn(42),
    });
  });
});

describe('fsops deployments', () => {
  it('does not advertise a rollback target while a rollout is in flight that the history does not list', async () => {
    rollbackInFlightUnlisted();
    const code = await deployments('internal-pe', { env: 'prod', output: 'json' }, deps(io(false)));
    expect(code).toBe(0);
    const view = JSON.parse(out);
    expect(view.rollback.refused).toMatch(/a rollback is already in progress/);
    expect(view.revisions.filter((r: { rollbackTarget: boolean }) => r.rollbackTarget)).toEqual([]);
    expect(mutatingCalls()).toBe(0);
  });

  it('lists deployments and revisions, marking the running one and the rollback target', async () => {
    const code = await deployments('internal-pe', { env: 'prod', output: 'json' }, deps(io(false)));
    expect(code).toBe(0);
    const view = JSON.parse(out);
    expect(view.rollback).toMatchObject({ action: 'update-service', to: arn(41) });
    expect(
      view.history.deployments.map((d: { revision: number; running: boolean }) => [d.revision, d.running]),
    ).toEqual([
      [42, true],
      [41, false],
    ]);
    expect(view.history.deployments[0].images).toEqual(['internal-pe:1.4.42']);
    expect(
      view.revisions.map((r: { revision: number; running: boolean; rollbackTarget: boolean }) => [
        r.revision,
        r.running,
        r.rollbackTarget,
      ]),
    ).toEqual([
      [43, false, false],
      [42, true, false],
      [41, false, true],
      [40, false, false],
    ]);
    expect(mutatingCalls()).toBe(0);
  });

  it('marks only the current deployment as running and the one a rollback returns to, after an earlier rollback', async () => {
    // 40 -> 42 -> 43, then rolled back to 42: a rollback now goes to 40, not forward to 43.
    const entries = [
      { id: 'd42b', revision: 42, source: 43, at: '2026-11-21T09:00:00Z' },
      { id: 'd43', revision: 43, source: 42, at: '2026-11-20T12:00:00Z' },
      { id: 'd42', revision: 42, source: 40, at: '2026-11-19T09:00:00Z' },
      { id: 'd40', revision: 40, source: 39, at: '2026-11-18T09:00:00Z' },
    ];
    ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: entries.map((e) => ({
        serviceDeploymentArn: e.id,
        status: 'SUCCESSFUL',
        createdAt: new Date(e.at),
      })),
    });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: entries.map((e) => ({
        serviceDeploymentArn: e.id,
        status: 'SUCCESSFUL',
        finishedAt: new Date(new Date(e.at).getTime() + 600_000),
        targetServiceRevision: { arn: `rev/${e.revision}` },
        sourceServiceRevisions: [{ arn: `rev/${e.source}` }],
      })),
    });
    ecs.on(DescribeServiceRevisionsCommand).callsFake((input: { serviceRevisionArns: string[] }) => ({
      serviceRevisions: input.serviceRevisionArns.map((a) => ({
        serviceRevisionArn: a,
        taskDefinition: arn(Number(a.split('/')[1])),
      })),
    }));
    await deployments('internal-pe', { env: 'prod', output: 'json' }, deps(io(false)));
    const view = JSON.parse(out);
    expect(view.rollback).toMatchObject({ action: 'update-service', to: arn(40) });
    expect(
      view.history.deployments.map((d: { revision: number; running: boolean; rollbackTarget: boolean }) => [
        d.revision,
        d.running,
        d.rollbackTarget,
      ]),
    ).toEqual([
      [42, true, false],
      [43, false, false],
      [42, false, false],
      [40, false, true],
    ]);
  });

  it('prints a readable table in text', async () => {
    await deployments('internal-pe', { env: 'prod' }, deps(io(false)));
    expect(out).toContain('rollback would: update the service to prod-fivestar-internal-pe:41');
    expect(out).toMatch(/41 +2026-11-20 10:00:00 +internal-pe:1\.4\.41 +<- rollback target/);
    expect(out).toMatch(/42 +2026-11-20 10:00:00 +internal-pe:1\.4\.42 +running/);
    expect(out).toMatch(/SUCCESSFUL +41 +internal-pe:1\.4\.41 +<- rollback target/);
  });
});
