import type { Deployment, Service, Task } from '@aws-sdk/client-ecs';
import { describeAwsError } from '../../base/aws/errors.js';
import { sameTaskDef, shortTaskDef } from './taskdef.js';

/** What a mutating service command waits for. */
export interface WaitTarget {
  taskDefinition: string;
  /** The deployment that must become PRIMARY and complete, when ECS named it (UpdateService's answer). */
  deploymentId?: string;
  /** A deployment that must NOT count as the target: the one a restart replaces (same task definition). */
  replacesDeploymentId?: string;
  /** The desired count the service must reach (scale). */
  desiredCount?: number;
}

/** The reads the wait makes; the command builds them over the ECS client, tests script them. */
export interface ServiceObserver {
  service(signal: AbortSignal): Promise<Service | null>;
  stoppedTaskArns(signal: AbortSignal): Promise<string[]>;
  describeTasks(arns: string[], signal: AbortSignal): Promise<Task[]>;
}

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

export type WaitEvent =
  /** The service's state; `changed` when it differs from the previous poll. */
  | { kind: 'state'; text: string; changed: boolean }
  /** A service event ECS recorded while waiting (each once). */
  | { kind: 'service-event'; text: string }
  /** A task that stopped while waiting, with its reasons. */
  | { kind: 'task-stopped'; text: string };

export type Verdict =
  | { state: 'stable' }
  | { state: 'waiting' }
  | { state: 'failed'; reason: string }
  | { state: 'rolled-back'; reason: string };

export type WaitResult = 'succeeded' | 'failed' | 'rolled-back' | 'timed-out' | 'interrupted';

export interface WaitOutcome {
  result: WaitResult;
  /** The last state seen, as one line. */
  state: string;
  reason?: string;
  service: Service | null;
  stoppedTasks: string[];
  elapsedMs: number;
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  clock?: Clock;
  /** Aborted by Ctrl-C: the wait stops, the deployment does not. */
  signal?: AbortSignal;
  /** Events and stopped tasks from before the change, so that only new ones are shown. */
  knownEventIds?: Iterable<string>;
  knownStoppedTasks?: Iterable<string>;
  onEvent?(event: WaitEvent): void;
}

function isTarget(deployment: Deployment | undefined, target: WaitTarget): boolean {
  if (!deployment) return false;
  if (target.deploymentId && deployment.id !== target.deploymentId) return false;
  if (target.replacesDeploymentId && deployment.id === target.replacesDeploymentId) return false;
  return sameTaskDef(deployment.taskDefinition, target.taskDefinition);
}

/**
 * Judges one DescribeServices answer against the target (pure). Stable means: the PRIMARY deployment
 * is the target, its rollout COMPLETED, it is the only deployment, and running == desired (== the
 * wanted count when scaling). `sawTarget` says whether the target was PRIMARY in an earlier poll: if
 * it no longer is, something (the circuit breaker, another deploy) replaced it.
 */
export function judgeService(
  service: Service | null,
  target: WaitTarget,
  sawTarget: boolean,
  sawDesiredCount = false,
): Verdict {
  if (!service) return { state: 'failed', reason: 'the service no longer exists' };
  if (
    sawDesiredCount &&
    target.desiredCount !== undefined &&
    service.desiredCount !== undefined &&
    service.desiredCount !== target.desiredCount
  ) {
    // Something else set the count after ours took: waiting would only run into the timeout.
    return {
      state: 'failed',
      reason:
        `the desired count changed from ${target.desiredCount} to ${service.desiredCount} while waiting: something else manages it ` +
        "(Application Auto Scaling's minimum/maximum or a scheduled action, or another deploy); change the scalable target there",
    };
  }
  const deployments = service.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  const mine = deployments.find((d) => isTarget(d, target));
  if (mine?.rolloutState === 'FAILED') {
    const reason = mine.rolloutStateReason ?? 'the deployment failed';
    return isTarget(primary, target) ? { state: 'failed', reason } : { state: 'rolled-back', reason };
  }
  if (isTarget(primary, target)) {
    const desired = service.desiredCount ?? 0;
    const stable =
      (primary?.rolloutState ?? 'COMPLETED') === 'COMPLETED' &&
      deployments.length === 1 &&
      (service.runningCount ?? 0) === desired &&
      (service.pendingCount ?? 0) === 0 &&
      (target.desiredCount === undefined || desired === target.desiredCount);
    return stable ? { state: 'stable' } : { state: 'waiting' };
  }
  if (sawTarget) {
    const why = primary?.rolloutStateReason ? `: ${primary.rolloutStateReason}` : '';
    return {
      state: 'rolled-back',
      reason: `the service moved back to ${shortTaskDef(primary?.taskDefinition)}${why}`,
    };
  }
  return { state: 'waiting' };
}

/** One line for the service's state: rollout, counts, and any other deployment still running. */
export function describeServiceState(service: Service | null): string {
  if (!service) return 'service not found';
  const deployments = service.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  const others = deployments
    .filter((d) => d !== primary)
    .map((d) => `${d.status} ${shortTaskDef(d.taskDefinition)} (${d.runningCount ?? 0} running)`);
  const head = primary
    ? `${shortTaskDef(primary.taskDefinition)} rollout ${primary.rolloutState ?? 'unknown'}`
    : 'no PRIMARY deployment';
  const counts = `running ${service.runningCount ?? 0} / pending ${service.pendingCount ?? 0} / desired ${service.desiredCount ?? 0}`;
  const failed = primary?.failedTasks ? `, ${primary.failedTasks} failed` : '';
  return [`${head}, ${counts}${failed}`, ...others].join('; ');
}

/** A stopped task with why it stopped: ECS's stoppedReason and each container's exit code and reason. */
export function describeStoppedTask(task: Task): string {
  const id = task.taskArn?.split('/').pop() ?? 'unknown';
  const containers = (task.containers ?? [])
    .filter((c) => c.reason || (c.exitCode !== undefined && c.exitCode !== 0))
    .map(
      (c) =>
        `${c.name}: ${[c.exitCode !== undefined ? `exit ${c.exitCode}` : '', c.reason ?? ''].filter(Boolean).join(', ')}`,
    );
  const why = [task.stoppedReason ?? task.stopCode ?? 'no reason given', ...containers].join('; ');
  return `task ${id} (${shortTaskDef(task.taskDefinitionArn)}) stopped: ${why}`;
}

/**
 * Polls the service until the target is stable, fails, is rolled back, the time runs out, or the
 * signal aborts. It reads through `observer` and sleeps through `clock`, so tests replay sequences of
 * service states without timers. A read that fails is reported and retried until the deadline.
 */
export async function waitForService(
  observer: ServiceObserver,
  target: WaitTarget,
  options: WaitOptions,
): Promise<WaitOutcome> {
  const clock = options.clock ?? systemClock;
  const signal = options.signal ?? new AbortController().signal;
  const emit = options.onEvent ?? (() => undefined);
  const started = clock.now();
  const deadline = started + options.timeoutMs;
  const seenEvents = new Set(options.knownEventIds ?? []);
  const seenTasks = new Set(options.knownStoppedTasks ?? []);
  const stoppedTasks: string[] = [];
  let service: Service | null = null;
  let sawTarget = false;
  let sawDesiredCount = false;
  let lastState = '';
  let lastError: string | undefined;
  const outcome = (result: WaitResult, reason?: string): WaitOutcome => ({
    result,
    state: lastState || describeServiceState(service),
    reason,
    service,
    stoppedTasks,
    elapsedMs: clock.now() - started,
  });

  for (;;) {
    if (signal.aborted) return outcome('interrupted');
    try {
      const [current, stopped] = await Promise.all([
        observer.service(signal),
        observer.stoppedTaskArns(signal).catch(() => [] as string[]),
      ]);
      if (signal.aborted) return outcome('interrupted');
      service = current;
      lastError = undefined;
      for (const event of newEvents(service, seenEvents)) emit({ kind: 'service-event', text: event });
      const fresh = stopped.filter((arn) => !seenTasks.has(arn));
      if (fresh.length) {
        for (const arn of fresh) seenTasks.add(arn);
        const tasks = await observer.describeTasks(fresh, signal).catch(() => [] as Task[]);
        for (const task of tasks) {
          const text = describeStoppedTask(task);
          stoppedTasks.push(text);
          emit({ kind: 'task-stopped', text });
        }
      }
      const state = describeServiceState(service);
      emit({ kind: 'state', text: state, changed: state !== lastState });
      lastState = state;
      const verdict = judgeService(service, target, sawTarget, sawDesiredCount);
      sawDesiredCount ||= service?.desiredCount === target.desiredCount;
      sawTarget ||= isTarget(
        service?.deployments?.find((d) => d.status === 'PRIMARY'),
        target,
      );
      if (verdict.state === 'stable') return outcome('succeeded');
      if (verdict.state === 'failed') return outcome('failed', verdict.reason);
      if (verdict.state === 'rolled-back') return outcome('rolled-back', verdict.reason);
    } catch (error) {
      if (signal.aborted) return outcome('interrupted');
      lastError = describeAwsError(error);
      emit({ kind: 'state', text: `could not read the service (${lastError}); retrying`, changed: true });
    }
    const left = deadline - clock.now();
    if (left <= 0) return outcome('timed-out', lastError);
    await clock.sleep(Math.min(options.intervalMs, left), signal);
  }
}

function newEvents(service: Service | null, seen: Set<string>): string[] {
  const fresh = (service?.events ?? [])
    .filter((e) => e.id && !seen.has(e.id))
    .sort((a, b) => new Date(a.createdAt ?? 0).getTime() - new Date(b.createdAt ?? 0).getTime());
  for (const event of fresh) seen.add(event.id!);
  return fresh.map((e) =>
    `${e.createdAt ? new Date(e.createdAt).toISOString().slice(11, 19) : ''} ${e.message ?? ''}`.trim(),
  );
}
