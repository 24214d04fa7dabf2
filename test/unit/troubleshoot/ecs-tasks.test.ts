import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  classifyStop,
  ecsTasksCheck,
  evaluateTasks,
  groupStoppedTasks,
  taskListing,
} from '../../../src/catalogue/checks/troubleshoot/ecs-tasks.js';
import { testContext } from '../../helpers/context.js';

const ecs = mockClient(ECSClient);
beforeEach(() => ecs.reset());

const NOW = new Date('2026-11-21T10:00:00Z');
const SINCE = new Date('2026-11-21T09:00:00Z');
const arn = (id: string) => `arn:aws:ecs:ap-south-1:123456789014:task/prod-fivestar-payments/${id}`;
const taskDef = (rev: number) =>
  `arn:aws:ecs:ap-south-1:123456789014:task-definition/prod-fivestar-internal-pe:${rev}`;

function stopped(id: string, over: Partial<Task>): Task {
  return {
    taskArn: arn(id),
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    taskDefinitionArn: taskDef(43),
    stoppedAt: new Date('2026-11-21T09:30:00Z'),
    ...over,
  };
}

const oom = (id: string) =>
  stopped(id, {
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [
      { name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' },
    ],
  });

describe('classifyStop and groupStoppedTasks', () => {
  it('tells start failures, OOM kills, health check kills, crashes and routine replacements apart', () => {
    expect(
      classifyStop(
        stopped('a', {
          stopCode: 'TaskFailedToStart',
          stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
        }),
      ),
    ).toEqual({ kind: 'failed-to-start', status: 'fail' });
    expect(classifyStop(oom('b'))).toEqual({ kind: 'oom', status: 'fail' });
    expect(
      classifyStop(
        stopped('c', {
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: 'Task failed ELB health checks in (target-group arn:...)',
        }),
      ),
    ).toEqual({ kind: 'health-check', status: 'fail' });
    expect(
      classifyStop(
        stopped('d', { stopCode: 'EssentialContainerExited', containers: [{ name: 'app', exitCode: 1 }] }),
      ),
    ).toEqual({ kind: 'crashed', status: 'fail' });
    expect(
      classifyStop(
        stopped('e', {
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/123)',
          containers: [{ name: 'app', exitCode: 0 }],
        }),
      ),
    ).toEqual({ kind: 'replaced', status: 'pass' });
  });

  it('groups tasks that stopped for the same reason, ids and numbers normalised, most frequent first', () => {
    const groups = groupStoppedTasks([
      oom('t1'),
      stopped('t2', {
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'ResourceInitializationError: unable to pull secrets',
      }),
      oom('t3'),
      oom('t4'),
    ]);
    expect(groups.map((g) => [g.kind, g.tasks.length])).toEqual([
      ['oom', 3],
      ['failed-to-start', 1],
    ]);
  });
});

describe('evaluateTasks', () => {
  const service = {
    serviceName: 'prod-internal-pe-service',
    desiredCount: 3,
    taskDefinition: taskDef(43),
    events: [
      {
        createdAt: new Date('2026-11-21T09:40:00Z'),
        message: '(service prod-internal-pe-service) has started 1 tasks: (task t9).',
      },
      {
        createdAt: new Date('2026-11-21T09:35:00Z'),
        message:
          '(service prod-internal-pe-service) (port 8080) is unhealthy in (target-group pe-tg) due to (reason Health checks failed).',
      },
      {
        createdAt: new Date('2026-11-21T07:00:00Z'),
        message: '(service prod-internal-pe-service) was unable to place a task.',
      },
    ],
  };

  it('reports running vs desired, stopped-task groups, problem events in the window and the task definition', () => {
    const results = evaluateTasks(
      {
        component: 'internal-pe',
        serviceName: 'prod-internal-pe-service',
        service,
        active: [
          { taskArn: arn('r1'), lastStatus: 'RUNNING', taskDefinitionArn: taskDef(43) },
          { taskArn: arn('r2'), lastStatus: 'PROVISIONING', taskDefinitionArn: taskDef(43) },
        ],
        stopped: [
          oom('s1'),
          oom('s2'),
          stopped('old', { stoppedAt: new Date('2026-11-21T08:00:00Z'), stopCode: 'UserInitiated' }),
        ],
        unread: {},
      },
      SINCE,
    );
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['ecs.tasks.running', 'fail'],
      ['ecs.tasks.oom', 'fail'],
      ['ecs.events.unhealthy', 'fail'],
      ['ecs.tasks.task-definition', 'pass'],
    ]);
    expect(results[0]!.observed).toBe('1 running, 1 pending (PROVISIONING), 3 desired');
    expect(results[1]!.observed).toBe('2 tasks: Essential container in task exited');
    expect(results[1]!.detail).toContain(
      'app exit 137 (OutOfMemoryError: Container killed due to memory usage)',
    );
    expect(results[1]!.detail).toContain('task definition: prod-fivestar-internal-pe:43');
  });

  it('passes a healthy service and warns when running tasks use another revision than the service', () => {
    const results = evaluateTasks(
      {
        component: 'internal-pe',
        serviceName: 'prod-internal-pe-service',
        service: { ...service, desiredCount: 1, events: [] },
        active: [{ taskArn: arn('r1'), lastStatus: 'RUNNING', taskDefinitionArn: taskDef(42) }],
        stopped: [],
        unread: {},
      },
      SINCE,
    );
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['ecs.tasks.running', 'pass'],
      ['ecs.tasks.stopped', 'pass'],
      ['ecs.events', 'pass'],
      ['ecs.tasks.task-definition', 'warn'],
    ]);
  });

  it('lists tasks and events readably', () => {
    const text = taskListing(
      {
        component: 'internal-pe',
        serviceName: 'prod-internal-pe-service',
        service,
        active: [
          { taskArn: arn('r1'), lastStatus: 'RUNNING', taskDefinitionArn: taskDef(43), startedAt: NOW },
        ],
        stopped: [oom('s1')],
        unread: {},
      },
      SINCE,
    );
    expect(text).toContain('prod-internal-pe-service: task definition prod-fivestar-internal-pe:43');
    expect(text).toMatch(/Running and pending tasks:\n {2}r1 +RUNNING +prod-fivestar-internal-pe:43/);
    expect(text).toContain('EssentialContainerExited: Essential container in task exited; app exit 137');
    expect(text).toContain('Recent service events:');
  });
});

describe('ecs.tasks check at the SDK boundary', () => {
  it('lists RUNNING and STOPPED over several pages and describes them in batches of 100', async () => {
    const running = Array.from({ length: 150 }, (_, i) => arn(`r${i}`));
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'prod-internal-pe-service',
          desiredCount: 150,
          status: 'ACTIVE',
          taskDefinition: taskDef(43),
        },
      ],
    });
    ecs
      .on(ListTasksCommand, { desiredStatus: 'RUNNING' })
      .resolvesOnce({ taskArns: running.slice(0, 100), nextToken: 'p2' })
      .resolvesOnce({ taskArns: running.slice(100) });
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [arn('s1')] });
    ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks.map((t) =>
        t.endsWith('/s1') ? oom('s1') : { taskArn: t, lastStatus: 'RUNNING', taskDefinitionArn: taskDef(43) },
      ),
    }));
    const results = await ecsTasksCheck.run(testContext({ since: SINCE, now: NOW }), {
      components: ['internal-pe'],
    });
    const describeSizes = ecs.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks!.length);
    expect(describeSizes.sort((a, b) => a - b)).toEqual([1, 50, 100]);
    expect(ecs.commandCalls(ListTasksCommand).map((c) => c.args[0].input)).toContainEqual({
      cluster: 'prod-fivestar-payments',
      serviceName: 'prod-internal-pe-service',
      desiredStatus: 'RUNNING',
      nextToken: 'p2',
    });
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['ecs.tasks.running', 'pass'],
      ['ecs.tasks.oom', 'fail'],
      ['ecs.events', 'pass'],
      ['ecs.tasks.task-definition', 'pass'],
    ]);
  });

  it("one service whose tasks cannot be listed is its own error; the other's OOM kill still fails", async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [] });
    ecs.on(ListTasksCommand, { serviceName: 'prod-customer-portal-service' }).rejects(
      Object.assign(new Error('User: x is not authorized to perform: ecs:ListTasks'), {
        name: 'AccessDeniedException',
      }),
    );
    ecs
      .on(ListTasksCommand, { serviceName: 'prod-internal-pe-service', desiredStatus: 'STOPPED' })
      .resolves({ taskArns: [arn('s1')] })
      .on(ListTasksCommand, { serviceName: 'prod-internal-pe-service', desiredStatus: 'RUNNING' })
      .resolves({ taskArns: [] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [oom('s1')] });
    const results = await ecsTasksCheck.run(testContext({ since: SINCE, now: NOW }), {});
    const unread = results.filter((r) => r.status === 'error');
    expect(unread).toMatchObject([
      { id: 'ecs.tasks.stopped', status: 'error', resource: 'prod-customer-portal-service' },
    ]);
    expect(unread[0]!.observed).toMatch(
      /^could not read the stopped tasks of prod-customer-portal-service .*ecs:ListTasks/,
    );
    expect(results.find((r) => r.id === 'ecs.tasks.oom')?.status).toBe('fail');
  });

  it('a STOPPED list that cannot be read is its own error; the running tasks are still judged, and the reverse', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'prod-internal-pe-service',
          desiredCount: 2,
          status: 'ACTIVE',
          taskDefinition: taskDef(43),
        },
      ],
    });
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).resolves({ taskArns: [arn('r1')] });
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).rejects(throttled);
    ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks.map((t) =>
        t.endsWith('/s1') ? oom('s1') : { taskArn: t, lastStatus: 'RUNNING', taskDefinitionArn: taskDef(43) },
      ),
    }));
    const ctx = () => testContext({ since: SINCE, now: NOW });
    let results = await ecsTasksCheck.run(ctx(), { components: ['internal-pe'] });
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['ecs.tasks.running', 'fail'],
      ['ecs.tasks.stopped', 'error'],
      ['ecs.events', 'pass'],
      ['ecs.tasks.task-definition', 'pass'],
    ]);
    expect(results[0]!.observed).toBe('1 running, 0 pending (none), 2 desired');
    expect(results[1]!.observed).toMatch(
      /^could not read the stopped tasks of prod-internal-pe-service .*throttled/,
    );

    // The running list throttled instead: the stopped OOM kill still fails; running is an error.
    ecs.reset();
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'prod-internal-pe-service',
          desiredCount: 2,
          status: 'ACTIVE',
          taskDefinition: taskDef(43),
        },
      ],
    });
    ecs.on(ListTasksCommand, { desiredStatus: 'RUNNING' }).rejects(throttled);
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: [arn('s1')] });
    ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks.map(() => oom('s1')),
    }));
    results = await ecsTasksCheck.run(ctx(), { components: ['internal-pe'] });
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['ecs.tasks.running', 'error'],
      ['ecs.tasks.oom', 'fail'],
      ['ecs.events', 'pass'],
    ]);
    expect(results[0]!.detail).toBe('2 desired; how many run is unknown');
  });

  it('handles a service with no tasks at all without calling DescribeTasks', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [] });
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    const results = await ecsTasksCheck.run(testContext(), { components: ['internal-pe'] });
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
    expect(results[0]).toMatchObject({
      id: 'ecs.tasks.running',
      status: 'fail',
      observed: 'service not found',
    });
  });
});
