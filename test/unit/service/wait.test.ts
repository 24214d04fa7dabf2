import type { Service, Task } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import {
  type Clock,
  judgeService,
  type ServiceObserver,
  type WaitEvent,
  waitForService,
} from '../../../src/domain/ecs/wait.js';
import { arn, deployment, service } from './builders.js';

/** A clock whose sleep advances time at once: the wait replays a scripted sequence without timers. */
function fakeClock(): Clock & { slept: number[] } {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    async sleep(ms) {
      slept.push(ms);
      now += ms;
    },
  };
}

/** Answers DescribeServices from a script (the last state repeats), ListTasks/DescribeTasks likewise. */
function scripted(
  states: Service[],
  stopped: Record<number, Task[]> = {},
): ServiceObserver & { polls: number } {
  const observer = {
    polls: 0,
    async service() {
      const state = states[Math.min(observer.polls, states.length - 1)]!;
      observer.polls += 1;
      return state;
    },
    async stoppedTaskArns() {
      return Object.entries(stopped)
        .filter(([poll]) => Number(poll) < observer.polls)
        .flatMap(([, tasks]) => tasks.map((t) => t.taskArn!));
    },
    async describeTasks(arns: string[]) {
      return Object.values(stopped)
        .flat()
        .filter((t) => arns.includes(t.taskArn!));
    },
  };
  return observer;
}

const target = { taskDefinition: arn(41), deploymentId: 'ecs-svc/41' };
const rollingOut = (running: number, pending: number) =>
  service(41, {
    runningCount: 3,
    pendingCount: pending,
    deployments: [
      deployment(41, { rolloutState: 'IN_PROGRESS', runningCount: running, pendingCount: pending }),
      deployment(42, { status: 'ACTIVE', runningCount: 3 - running }),
    ],
  });

describe('judgeService', () => {
  it('is stable only with one COMPLETED PRIMARY deployment on the target and running == desired', () => {
    expect(judgeService(service(41), target, false)).toEqual({ state: 'stable' });
    expect(judgeService(service(41, { runningCount: 2 }), target, false)).toEqual({ state: 'waiting' });
    expect(judgeService(rollingOut(2, 1), target, false)).toEqual({ state: 'waiting' });
    expect(judgeService(service(42), target, false)).toEqual({ state: 'waiting' });
    expect(judgeService(service(41), { ...target, desiredCount: 5 }, false)).toEqual({ state: 'waiting' });
  });

  it('sees the target replaced once it had been PRIMARY', () => {
    expect(judgeService(service(42), target, true)).toMatchObject({ state: 'rolled-back' });
  });
});

describe('waitForService', () => {
  it('succeeds once the target deployment completes and reports each state change and event once', async () => {
    const clock = fakeClock();
    const events: WaitEvent[] = [];
    const done = service(41, {
      events: [
        {
          id: 'e2',
          createdAt: new Date('2026-11-21T10:05:00Z'),
          message: '(service prod-internal-pe-service) has reached a steady state.',
        },
        {
          id: 'e1',
          createdAt: new Date('2026-11-21T10:01:00Z'),
          message: '(service prod-internal-pe-service) has started 1 tasks.',
        },
        { id: 'old', createdAt: new Date('2026-11-20T10:00:00Z'), message: 'old news' },
      ],
    });
    const observer = scripted([rollingOut(1, 2), rollingOut(1, 2), rollingOut(2, 1), done]);
    const outcome = await waitForService(observer, target, {
      timeoutMs: 900_000,
      intervalMs: 5000,
      clock,
      knownEventIds: ['old'],
      onEvent: (e) => events.push(e),
    });
    expect(outcome.result).toBe('succeeded');
    expect(observer.polls).toBe(4);
    expect(clock.slept).toEqual([5000, 5000, 5000]);
    const changed = events.filter((e) => e.kind === 'state' && e.changed).map((e) => e.text);
    expect(changed).toHaveLength(3);
    expect(changed[0]).toMatch(
      /prod-fivestar-internal-pe:41 rollout IN_PROGRESS, running 3 \/ pending 2 \/ desired 3; ACTIVE prod-fivestar-internal-pe:42 \(2 running\)/,
    );
    const serviceEvents = events.filter((e) => e.kind === 'service-event').map((e) => e.text);
    expect(serviceEvents).toEqual([
      '10:01:00 (service prod-internal-pe-service) has started 1 tasks.',
      '10:05:00 (service prod-internal-pe-service) has reached a steady state.',
    ]);
  });

  it('reports a circuit-breaker rollback as rolled-back with its reason', async () => {
    const failedAndRolledBack = service(42, {
      deployments: [
        deployment(42, { id: 'ecs-svc/42b', rolloutState: 'IN_PROGRESS' }),
        deployment(41, {
          status: 'ACTIVE',
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          failedTasks: 3,
        }),
      ],
    });
    const outcome = await waitForService(scripted([rollingOut(1, 2), failedAndRolledBack]), target, {
      timeoutMs: 900_000,
      intervalMs: 1000,
      clock: fakeClock(),
    });
    expect(outcome.result).toBe('rolled-back');
    expect(outcome.reason).toBe('ECS deployment circuit breaker: tasks failed to start.');
    expect(outcome.state).toMatch(/prod-fivestar-internal-pe:42 rollout IN_PROGRESS/);
  });

  it('reports the stoppedReason and container reasons of tasks that stop while waiting, and a FAILED rollout', async () => {
    const stoppedTask: Task = {
      taskArn: 'arn:aws:ecs:ap-south-1:1:task/prod-fivestar-payments/abc123',
      taskDefinitionArn: arn(41),
      stoppedReason: 'Essential container in task exited',
      containers: [
        {
          name: 'internal-pe',
          exitCode: 139,
          reason: 'OutOfMemoryError: Container killed due to memory usage',
        },
        { name: 'log-router', exitCode: 0 },
      ],
    };
    const failed = service(41, {
      deployments: [
        deployment(41, {
          rolloutState: 'FAILED',
          rolloutStateReason: 'tasks failed to start',
          failedTasks: 1,
        }),
      ],
    });
    const events: WaitEvent[] = [];
    const outcome = await waitForService(
      scripted([rollingOut(1, 2), rollingOut(1, 2), failed], { 1: [stoppedTask] }),
      target,
      {
        timeoutMs: 900_000,
        intervalMs: 1000,
        clock: fakeClock(),
        knownStoppedTasks: ['arn:aws:ecs:ap-south-1:1:task/prod-fivestar-payments/older'],
        onEvent: (e) => events.push(e),
      },
    );
    expect(outcome.result).toBe('failed');
    expect(outcome.reason).toBe('tasks failed to start');
    const expected =
      'task abc123 (prod-fivestar-internal-pe:41) stopped: Essential container in task exited; internal-pe: exit 139, OutOfMemoryError: Container killed due to memory usage';
    expect(outcome.stoppedTasks).toEqual([expected]);
    expect(events.filter((e) => e.kind === 'task-stopped').map((e) => e.text)).toEqual([expected]);
  });

  it('fails at once when something else (Application Auto Scaling) changes the desired count it set', async () => {
    const clock = fakeClock();
    const scaleTarget = { taskDefinition: arn(42), deploymentId: 'ecs-svc/42', desiredCount: 5 };
    const outcome = await waitForService(
      scripted([
        service(42, { desiredCount: 5, runningCount: 3, pendingCount: 2 }),
        service(42, { desiredCount: 3, runningCount: 3, pendingCount: 0 }),
      ]),
      scaleTarget,
      { timeoutMs: 15 * 60_000, intervalMs: 6_000, clock },
    );
    expect(outcome.result).toBe('failed');
    expect(outcome.reason).toMatch(
      /^the desired count changed from 5 to 3 while waiting: something else manages it \(Application Auto Scaling/,
    );
    expect(outcome.elapsedMs).toBe(6_000);
  });

  it('does not mistake a stale first read of the old desired count for an override', async () => {
    const clock = fakeClock();
    const scaleTarget = { taskDefinition: arn(42), deploymentId: 'ecs-svc/42', desiredCount: 5 };
    const outcome = await waitForService(
      scripted([
        service(42, { desiredCount: 3, runningCount: 3 }),
        service(42, { desiredCount: 5, runningCount: 5 }),
      ]),
      scaleTarget,
      { timeoutMs: 60_000, intervalMs: 6_000, clock },
    );
    expect(outcome.result).toBe('succeeded');
  });

  it('times out with the last state seen', async () => {
    const clock = fakeClock();
    const outcome = await waitForService(scripted([rollingOut(1, 2)]), target, {
      timeoutMs: 60_000,
      intervalMs: 25_000,
      clock,
    });
    expect(outcome.result).toBe('timed-out');
    expect(clock.slept).toEqual([25_000, 25_000, 10_000]);
    expect(outcome.elapsedMs).toBe(60_000);
    expect(outcome.state).toMatch(/rollout IN_PROGRESS/);
  });

  it('keeps polling through a failed read and stops at once when interrupted', async () => {
    const controller = new AbortController();
    let calls = 0;
    const observer: ServiceObserver = {
      async service() {
        calls += 1;
        if (calls === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        controller.abort();
        return rollingOut(1, 2);
      },
      stoppedTaskArns: async () => [],
      describeTasks: async () => [],
    };
    const events: WaitEvent[] = [];
    const outcome = await waitForService(observer, target, {
      timeoutMs: 900_000,
      intervalMs: 1000,
      clock: fakeClock(),
      signal: controller.signal,
      onEvent: (e) => events.push(e),
    });
    expect(outcome.result).toBe('interrupted');
    expect(calls).toBe(2);
    expect(events[0]).toMatchObject({
      kind: 'state',
      text: expect.stringMatching(/could not read the service \(throttled/),
    });
  });
});

describe('waiting for a restart (same task definition)', () => {
  it('does not take the replaced deployment for the new one', () => {
    const restartTarget = { taskDefinition: arn(42), replacesDeploymentId: 'ecs-svc/42' };
    expect(judgeService(service(42), restartTarget, false)).toEqual({ state: 'waiting' });
    const replaced = service(42, { deployments: [deployment(42, { id: 'ecs-svc/new' })] });
    expect(judgeService(replaced, restartTarget, false)).toEqual({ state: 'stable' });
  });
});
