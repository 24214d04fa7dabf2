import type { DeploymentLifecycleHook, ECSClient, ServiceDeployment } from '@aws-sdk/client-ecs';
import type { ServiceNames } from '../ecs/service-facts.js';
import { systemClock } from '../ecs/wait.js';
import { type Followed, type FollowStateOptions, followState } from './follow.js';

/**
 * ECS native blue/green, as DescribeServiceDeployments reports it (runbook 004 "Blue-Green Deployment"):
 * green scales up beside blue, test traffic moves to green (the test listener rule), production traffic
 * moves to green, the bake time runs with blue kept for an instant switch back, then blue is cleaned up.
 */
export const STAGES_BEFORE_PRODUCTION = new Set([
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
]);
export const TEST_TRAFFIC_STAGES = new Set(['TEST_TRAFFIC_SHIFT', 'POST_TEST_TRAFFIC_SHIFT']);
export const STAGES_ON_GREEN = new Set(['POST_PRODUCTION_TRAFFIC_SHIFT', 'BAKE_TIME', 'CLEAN_UP']);

export type Traffic = 'blue' | 'green' | 'shifting' | 'returning to blue' | 'unknown';
export type DeploymentOutcome = 'succeeded' | 'rolled-back' | 'stopped' | 'rollback-failed';

export interface DeploymentState {
  arn: string;
  status: string;
  stage: string | null;
  /** Set once the deployment has ended. */
  outcome: DeploymentOutcome | null;
  /** Which side holds production traffic, by status and lifecycle stage. */
  traffic: Traffic;
  bakeTimeInMinutes: number | null;
  /** Milliseconds of bake time left (BAKE_TIME only); null when not baking. */
  bakeLeftMs: number | null;
  triggeredAlarms: string[];
  reason: string | null;
  /** A PAUSE lifecycle hook holding the deployment (AWAITING_ACTION): ContinueServiceDeployment moves it on. */
  awaitingHook: { hookId: string; expiresAt: string | null; timeoutAction: string | null } | null;
}

const OUTCOMES: Record<string, DeploymentOutcome> = {
  SUCCESSFUL: 'succeeded',
  ROLLBACK_SUCCESSFUL: 'rolled-back',
  STOPPED: 'stopped',
  ROLLBACK_FAILED: 'rollback-failed',
};

/**
 * One line of judgement over one DescribeServiceDeployments answer (pure). `bakeStartedAt` is when
 * fsops first saw BAKE_TIME (ECS does not say when the stage began); without it, the deployment's
 * `updatedAt` stands in.
 */
export function deploymentState(d: ServiceDeployment, now: Date, bakeStartedAt?: Date): DeploymentState {
  const status = d.status ?? 'UNKNOWN';
  const stage = d.lifecycleStage ?? null;
  const outcome = OUTCOMES[status] ?? null;
  const bake = d.deploymentConfiguration?.bakeTimeInMinutes ?? null;
  const bakeStart = bakeStartedAt ?? (d.updatedAt ? new Date(d.updatedAt) : null);
  const bakeLeftMs =
    !outcome && stage === 'BAKE_TIME' && bake !== null && bakeStart
      ? Math.max(0, bakeStart.getTime() + bake * 60_000 - now.getTime())
      : null;
  return {
    arn: d.serviceDeploymentArn ?? 'unknown',
    status,
    stage,
    outcome,
    traffic: trafficOf(status, stage),
    bakeTimeInMinutes: bake,
    bakeLeftMs,
    triggeredAlarms: d.alarms?.triggeredAlarmNames ?? [],
    reason: d.rollback?.reason ?? d.statusReason ?? null,
    awaitingHook: awaitingPause(d),
  };
}

function awaitingPause(d: ServiceDeployment): DeploymentState['awaitingHook'] {
  const hook = (d.lifecycleHookDetails ?? []).find(
    (h) => h.targetType === 'PAUSE' && h.status === 'AWAITING_ACTION' && h.hookId,
  );
  if (!hook) return null;
  return {
    hookId: hook.hookId!,
    expiresAt: hook.expiresAt ? new Date(hook.expiresAt).toISOString() : null,
    timeoutAction: hook.timeoutAction ?? null,
  };
}

export function trafficOf(status: string, stage: string | null): Traffic {
  if (status === 'SUCCESSFUL') return 'green';
  if (status === 'ROLLBACK_SUCCESSFUL') return 'blue';
  if (status === 'ROLLBACK_REQUESTED' || status === 'ROLLBACK_IN_PROGRESS') return 'returning to blue';
  if (status === 'PENDING') return 'blue';
  if (status !== 'IN_PROGRESS' || !stage) return 'unknown';
  if (STAGES_BEFORE_PRODUCTION.has(stage)) return 'blue';
  if (stage === 'PRODUCTION_TRAFFIC_SHIFT') return 'shifting';
  return STAGES_ON_GREEN.has(stage) ? 'green' : 'unknown';
}

/** One line for people: status, stage, traffic, bake time left, alarms that fired. */
export function describeDeploymentState(state: DeploymentState): string {
  const parts = [
    `${state.status}${state.stage && !state.outcome ? ` ${state.stage}` : ''}`,
    `production traffic on ${state.traffic}`,
  ];
  if (state.bakeLeftMs !== null) parts.push(`bake ${Math.ceil(state.bakeLeftMs / 60_000)} min left`);
  if (state.triggeredAlarms.length) parts.push(`alarms fired: ${state.triggeredAlarms.join(', ')}`);
  if (state.awaitingHook) parts.push('held by a PAUSE hook');
  if (state.reason && state.outcome && state.outcome !== 'succeeded') parts.push(state.reason);
  return parts.join(', ');
}

export interface DeploymentObserver {
  deployment(signal: AbortSignal): Promise<ServiceDeployment | null>;
}

export function deploymentObserver(ecs: ECSClient, arn: string): DeploymentObserver {
  return {
    async deployment(signal) {
      const { DescribeServiceDeploymentsCommand } = await import('@aws-sdk/client-ecs');
      const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }), {
        abortSignal: signal,
      });
      return out.serviceDeployments?.find((d) => d.serviceDeploymentArn === arn) ?? null;
    },
  };
}

export type FollowResult = Followed<DeploymentState>;
export type FollowOptions = FollowStateOptions<DeploymentState>;

/**
 * Polls DescribeServiceDeployments until `until(state)` holds, the deployment ends, the time runs out
 * or the signal aborts (the one wait of a release, src/domain/release/follow.ts).
 */
export function followDeployment(
  observer: DeploymentObserver,
  until: (state: DeploymentState) => boolean,
  options: FollowOptions,
): Promise<FollowResult> {
  const clock = options.clock ?? systemClock;
  let bakeStartedAt: Date | undefined;
  const read = async (signal: AbortSignal): Promise<DeploymentState | null> => {
    const deployment = await observer.deployment(signal);
    if (!deployment) return null;
    const now = new Date(clock.now());
    if (deployment.lifecycleStage === 'BAKE_TIME') bakeStartedAt ??= now;
    return deploymentState(deployment, now, bakeStartedAt);
  };
  return followState(read, describeDeploymentState, until, options);
}

/**
 * The service deployment an UpdateService started: the newest of the service's deployments created
 * at or after `since` (ListServiceDeployments; ECS names no deployment ARN in UpdateService's answer).
 */
export async function startedDeploymentArn(
  ecs: ECSClient,
  names: ServiceNames,
  since: Date,
  signal?: AbortSignal,
): Promise<string | null> {
  const { ListServiceDeploymentsCommand } = await import('@aws-sdk/client-ecs');
  const out = await ecs.send(
    new ListServiceDeploymentsCommand({
      cluster: names.cluster,
      service: names.service,
      createdAt: { after: new Date(since.getTime() - 60_000) },
    }),
    { abortSignal: signal },
  );
  const newest = (out.serviceDeployments ?? [])
    .filter((d) => d.serviceDeploymentArn)
    .sort((a, b) => new Date(b.createdAt ?? 0).getTime() - new Date(a.createdAt ?? 0).getTime())[0];
  return newest?.serviceDeploymentArn ?? null;
}

/**
 * The lifecycle hook that holds green on the test listener before production traffic moves (a PAUSE
 * hook fsops continues, or a Lambda hook that decides by itself), at TEST_TRAFFIC_SHIFT or
 * POST_TEST_TRAFFIC_SHIFT; null when none does, and ECS moves production traffic on its own.
 */
export function testTrafficHold(
  hooks: readonly DeploymentLifecycleHook[],
): { kind: 'PAUSE' | 'LAMBDA'; stage: string } | null {
  const holding = hooks
    .map((h) => ({
      kind: (h.targetType === 'PAUSE' ? 'PAUSE' : 'LAMBDA') as 'PAUSE' | 'LAMBDA',
      stage: (h.lifecycleStages ?? []).find((stage) => TEST_TRAFFIC_STAGES.has(stage)) as string | undefined,
    }))
    .filter((h): h is { kind: 'PAUSE' | 'LAMBDA'; stage: string } => h.stage !== undefined);
  return holding.find((h) => h.kind === 'PAUSE') ?? holding[0] ?? null;
}
