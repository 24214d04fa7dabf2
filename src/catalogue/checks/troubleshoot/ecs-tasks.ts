import type { Service, Task } from '@aws-sdk/client-ecs';
import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { componentsOf, componentsParams, defineCheck } from '../../../base/model/check.js';
import type { Status } from '../../../base/model/finding.js';
import { shortTaskDef } from '../../../domain/ecs/taskdef.js';
import { messageSignature } from '../../../domain/logs/signature.js';
import { gather, judgeEach, unreadFact } from '../partial.js';
import { ecsServices } from '../service-facts.js';

export interface TaskFacts {
  component: string;
  serviceName: string;
  service: Service | null;
  /** Tasks whose desired status is RUNNING: running and pending ones. */
  active: Task[];
  /** Stopped tasks ECS still remembers (about an hour). */
  stopped: Task[];
  /**
   * The facts that could not be read, with why (each its own: a throttled STOPPED list does not hide
   * the running tasks): `service` (DescribeServices), `active` and `stopped` (ListTasks, DescribeTasks).
   */
  unread: Partial<Record<'service' | 'active' | 'stopped', string>>;
}

/** A component's tasks: ListTasks RUNNING and STOPPED together (paginated), then DescribeTasks in batches of 100. */
export function ecsTaskFacts(ctx: CheckContext, component: string): Promise<TaskFacts> {
  return ctx.once(`ecs.tasks.${component}`, async (signal) => {
    // Loaded on use: the check catalogue is imported by commands that never call AWS (`runbook list`).
    const { describeTasks, listTaskArns } = await import('../../../domain/ecs/service-facts.js');
    const client = await ctx.aws.ecs();
    const cluster = ctx.env.nameOf('cluster');
    const serviceName = ctx.env.nameOf('service', component);
    const tasksWith = async (desiredStatus: 'RUNNING' | 'STOPPED') =>
      describeTasks(
        client,
        cluster,
        await listTaskArns(client, { cluster, service: serviceName }, desiredStatus, signal),
        signal,
      );
    const [services, active, stopped] = await gather(
      ecsServices(ctx),
      tasksWith('RUNNING'),
      tasksWith('STOPPED'),
    );
    return {
      component,
      serviceName,
      service: services.ok ? (services.value.find((s) => s.component === component)?.service ?? null) : null,
      active: active.ok ? active.value : [],
      stopped: stopped.ok ? stopped.value : [],
      unread: {
        ...(services.ok ? {} : { service: services.reason }),
        ...(active.ok ? {} : { active: active.reason }),
        ...(stopped.ok ? {} : { stopped: stopped.reason }),
      },
    };
  });
}

export interface StopGroup {
  kind: string;
  status: Status;
  stopCode: string;
  reason: string;
  containers: string;
  tasks: Task[];
}

/** Why a task stopped, as a finding id suffix and a verdict. */
export function classifyStop(task: Task): { kind: string; status: Status } {
  const reason = task.stoppedReason ?? '';
  const containers = task.containers ?? [];
  const containerReasons = containers.map((c) => c.reason ?? '').join(' ');
  const exitCodes = containers.map((c) => c.exitCode).filter((code): code is number => code !== undefined);
  if (
    task.stopCode === 'TaskFailedToStart' ||
    /CannotPullContainer|ResourceInitializationError|CannotStartContainer|CannotCreateContainer|unable to pull secrets/i.test(
      `${reason} ${containerReasons}`,
    )
  ) {
    return { kind: 'failed-to-start', status: 'fail' };
  }
  if (/OutOfMemory|OOM/i.test(`${reason} ${containerReasons}`)) return { kind: 'oom', status: 'fail' };
  if (/health ?check/i.test(reason)) return { kind: 'health-check', status: 'fail' };
  if (task.stopCode === 'EssentialContainerExited' && exitCodes.some((code) => code !== 0)) {
    return { kind: 'crashed', status: 'fail' };
  }
  if (task.stopCode === 'UserInitiated') return { kind: 'stopped-by-user', status: 'pass' };
  if (task.stopCode === 'SpotInterruption' || task.stopCode === 'TerminationNotice') {
    return { kind: 'interrupted', status: 'warn' };
  }
  if (task.stopCode === 'ServiceSchedulerInitiated' && exitCodes.every((code) => code === 0)) {
    return { kind: 'replaced', status: 'pass' };
  }
  return { kind: 'stopped', status: 'warn' };
}

function containerSummary(task: Task): string {
  return (task.containers ?? [])
    .map((c) => {
      const exit = c.exitCode === undefined ? 'no exit code' : `exit ${c.exitCode}`;
      return `${c.name ?? 'container'} ${exit}${c.reason ? ` (${c.reason})` : ''}`;
    })
    .join('; ');
}

/** Stopped tasks grouped by stop code, normalized reason and container exits; most frequent first. */
export function groupStoppedTasks(tasks: readonly Task[]): StopGroup[] {
  const groups = new Map<string, StopGroup>();
  for (const task of tasks) {
    const { kind, status } = classifyStop(task);
    const stopCode = task.stopCode ?? 'unknown';
    const reason = messageSignature(task.stoppedReason ?? 'no reason given');
    const containers = messageSignature(containerSummary(task));
    const key = `${stopCode}|${reason}|${containers}`;
    const group = groups.get(key);
    if (group) group.tasks.push(task);
    else groups.set(key, { kind, status, stopCode, reason, containers, tasks: [task] });
  }
  return [...groups.values()].sort((a, b) => b.tasks.length - a.tasks.length);
}

function taskId(task: Task): string {
  return task.taskArn?.split('/').pop() ?? 'unknown';
}

const STOP_REMEDIATION: Record<string, string> = {
  'failed-to-start':
    'Tasks cannot start: check the image exists in ECR, the execution role can pull it and read its secrets, and the subnets reach ECR/Secrets Manager (deployment guide §12.1.1).',
  oom: 'Containers were killed for memory: raise the task memory (deployment guide §4.1) or find the leak (runbook 002).',
  'health-check':
    'Tasks fail health checks: check the health path and port, the start-up time, and the container logs (deployment guide §12.1.1).',
  crashed:
    'The essential container exited with an error: read its last log lines (`fsops logs tail <component> --since 30m`).',
  interrupted: 'Capacity was reclaimed: ECS replaces these tasks; nothing to do unless it repeats.',
  stopped: 'Read the stopped reason and the container logs.',
};

const EVENT_KINDS: [string, RegExp, string][] = [
  [
    'placement',
    /unable to place|insufficient|no container instance/i,
    'ECS cannot place tasks: check capacity, subnets and the task size.',
  ],
  [
    'unhealthy',
    /unhealthy|health check/i,
    'Targets are unhealthy: `fsops troubleshoot health-check-failure` (deployment guide §12.1.1).',
  ],
  [
    'launch-failed',
    /failed to launch|unable to start|CannotPull|ResourceInitializationError|is unable to consistently start/i,
    'Tasks fail to launch: see the stopped tasks above (deployment guide §12.1.1).',
  ],
];

/** Judges one component's tasks and service events (pure). */
export function evaluateTasks(facts: TaskFacts, since: Date): CheckResult[] {
  const name = facts.serviceName;
  const { unread } = facts;
  const results: CheckResult[] = [];
  const running = facts.active.filter((t) => t.lastStatus === 'RUNNING');
  const pending = facts.active.filter((t) => t.lastStatus !== 'RUNNING');
  const desired = facts.service?.desiredCount ?? 0;
  // A service known not to exist fails whatever else arrived; otherwise running against desired needs both.
  if (unread.service || (unread.active && facts.service !== null)) {
    results.push({
      ...unreadFact(
        'ecs.tasks.running',
        name,
        unread.service
          ? `the service ${name} (DescribeServices)`
          : `the running tasks of ${name} (ListTasks, DescribeTasks)`,
        (unread.service ?? unread.active)!,
      ),
      title: 'Running tasks',
      severity: 'critical',
      ...(unread.service && !unread.active
        ? { detail: `${running.length} running, ${pending.length} pending; the desired count is unknown` }
        : unread.active && !unread.service
          ? { detail: `${desired} desired; how many run is unknown` }
          : {}),
    });
  } else {
    results.push({
      id: 'ecs.tasks.running',
      title: 'Running tasks',
      status: facts.service === null ? 'fail' : running.length >= desired && desired > 0 ? 'pass' : 'fail',
      severity: 'critical',
      resource: name,
      expected: facts.service === null ? 'the service exists' : `${desired} running`,
      observed:
        facts.service === null
          ? 'service not found'
          : `${running.length} running, ${pending.length} pending (${pending.map((t) => t.lastStatus).join(', ') || 'none'}), ${desired} desired`,
      remediation: 'Find out why tasks stop or do not start (stopped tasks below; deployment guide §12.1.1).',
    });
  }
  if (unread.stopped) {
    results.push({
      ...unreadFact(
        'ecs.tasks.stopped',
        name,
        `the stopped tasks of ${name} (ListTasks STOPPED, DescribeTasks)`,
        unread.stopped,
      ),
      title: 'Recently stopped tasks',
    });
  }
  const recent = facts.stopped.filter((t) => !t.stoppedAt || t.stoppedAt >= since);
  const groups = groupStoppedTasks(recent);
  if (groups.length === 0 && !unread.stopped) {
    results.push({
      id: 'ecs.tasks.stopped',
      title: 'Recently stopped tasks',
      status: 'pass',
      resource: name,
      expected: 'no task stopped for an error',
      observed: 'no stopped tasks in the window',
    });
  }
  for (const group of groups) {
    const latest = group.tasks.reduce((a, b) => ((a.stoppedAt ?? 0) > (b.stoppedAt ?? 0) ? a : b));
    results.push({
      id: `ecs.tasks.${group.kind}`,
      title: `Stopped tasks: ${group.stopCode}`,
      status: group.status,
      severity: group.status === 'fail' ? 'high' : 'medium',
      resource: name,
      expected: 'no task stopped for an error',
      observed: `${group.tasks.length} task${group.tasks.length === 1 ? '' : 's'}: ${latest.stoppedReason ?? 'no reason given'}`,
      detail: [
        `containers: ${containerSummary(latest) || 'none reported'}`,
        `tasks: ${group.tasks.slice(0, 5).map(taskId).join(', ')}${group.tasks.length > 5 ? ', …' : ''}`,
        `task definition: ${shortTaskDef(latest.taskDefinitionArn)}; last stopped ${latest.stoppedAt?.toISOString() ?? 'unknown'}`,
      ].join('\n'),
      remediation: STOP_REMEDIATION[group.kind] ?? 'No action needed.',
    });
  }
  // The service's events come with the service: unread, they are part of the error above.
  if (unread.service) return results;
  const events = (facts.service?.events ?? []).filter((e) => !e.createdAt || e.createdAt >= since);
  const flagged = new Map<string, string[]>();
  for (const event of events) {
    const kind = EVENT_KINDS.find(([, pattern]) => pattern.test(event.message ?? ''));
    if (kind) flagged.set(kind[0], [...(flagged.get(kind[0]) ?? []), event.message ?? '']);
  }
  for (const [kind, , remediation] of EVENT_KINDS) {
    const messages = flagged.get(kind);
    if (!messages) continue;
    results.push({
      id: `ecs.events.${kind}`,
      title: 'Service events',
      status: 'fail',
      severity: 'high',
      resource: name,
      expected: 'no placement, launch or health problems in the service events',
      observed: `${messages.length} event${messages.length === 1 ? '' : 's'}: ${messages[0]}`,
      detail: messages.slice(1, 5).join('\n'),
      remediation,
    });
  }
  if (flagged.size === 0) {
    results.push({
      id: 'ecs.events',
      title: 'Service events',
      status: 'pass',
      resource: name,
      expected: 'no placement, launch or health problems in the service events',
      observed: events[0]?.message ?? 'no events in the window',
    });
  }
  if (unread.active) return results;
  const inUse = new Set(running.map((t) => shortTaskDef(t.taskDefinitionArn)));
  const serviceDef = shortTaskDef(facts.service?.taskDefinition);
  const mixed = inUse.size > 1 || (inUse.size === 1 && !inUse.has(serviceDef));
  results.push({
    id: 'ecs.tasks.task-definition',
    title: 'Task definition in use',
    status: facts.service === null ? 'skip' : mixed ? 'warn' : 'pass',
    resource: name,
    expected: `running tasks use the service's ${serviceDef}`,
    observed: inUse.size ? `running: ${[...inUse].join(', ')}` : `service: ${serviceDef} (no running tasks)`,
    remediation:
      'A deployment is in progress or stuck between revisions: `fsops ecs tasks` and the service events.',
  });
  return results;
}

/** A readable listing of a component's tasks and recent events, for `fsops ecs tasks`. */
export function taskListing(facts: TaskFacts, since: Date): string {
  const lines = [`${facts.serviceName}: task definition ${shortTaskDef(facts.service?.taskDefinition)}`];
  const row = (t: Task) => {
    const when = t.stoppedAt ?? t.startedAt ?? t.createdAt;
    return `  ${taskId(t).padEnd(32)} ${(t.lastStatus ?? '?').padEnd(12)} ${shortTaskDef(t.taskDefinitionArn).padEnd(36)} ${when?.toISOString() ?? ''}`;
  };
  const unreadLine = (what: string, why: string | undefined) =>
    why ? [`${what}: could not be read (${why})`] : [];
  lines.push(...unreadLine('The service', facts.unread.service));
  lines.push(
    ...(facts.unread.active
      ? unreadLine('Running and pending tasks', facts.unread.active)
      : [facts.active.length ? 'Running and pending tasks:' : 'Running and pending tasks: none']),
  );
  lines.push(...facts.active.map(row));
  const stopped = facts.stopped.filter((t) => !t.stoppedAt || t.stoppedAt >= since);
  lines.push(
    ...(facts.unread.stopped
      ? unreadLine('Recently stopped tasks', facts.unread.stopped)
      : [stopped.length ? 'Recently stopped tasks:' : 'Recently stopped tasks: none']),
  );
  for (const t of stopped) {
    lines.push(
      row(t),
      `      ${t.stopCode ?? 'unknown'}: ${t.stoppedReason ?? 'no reason'}; ${containerSummary(t)}`,
    );
  }
  const events = (facts.service?.events ?? []).slice(0, 10);
  if (events.length) {
    lines.push('Recent service events:');
    for (const e of events) lines.push(`  ${e.createdAt?.toISOString() ?? ''}  ${e.message ?? ''}`);
  }
  return lines.join('\n');
}

export const ecsTasksCheck = defineCheck({
  id: 'ecs.tasks',
  title: 'ECS tasks and why they stopped',
  severity: 'high',
  source: 'deployment guide §12.1.1',
  remediation: 'Read the stopped reasons and the service events (deployment guide §12.1.1).',
  params: componentsParams,
  async run(ctx, params) {
    // One service whose tasks cannot be read is its own error; the others are judged.
    return judgeEach(
      componentsOf(ctx, params),
      'ecs.tasks',
      (c) => ({
        resource: ctx.env.nameOf('service', c),
        what: `the tasks of ${ctx.env.nameOf('service', c)}`,
      }),
      async (c) => evaluateTasks(await ecsTaskFacts(ctx, c), ctx.since),
    );
  },
});
