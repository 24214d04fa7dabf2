import type { Deployment, Service } from '@aws-sdk/client-ecs';
import { UsageError } from '../../base/model/errors.js';
import { type ContainerImage, parseTaskDef, sameTaskDef, shortTaskDef, type TaskDefRef } from './taskdef.js';

/** One entry of the ECS service deployment history (ListServiceDeployments + DescribeServiceDeployments). */
export interface HistoryDeployment {
  arn: string;
  /** SUCCESSFUL, IN_PROGRESS, PENDING, ROLLBACK_SUCCESSFUL, STOPPED, ... */
  status: string;
  statusReason?: string;
  createdAt?: Date;
  finishedAt?: Date;
  /** Task definition the deployment rolled out (from its target service revision). */
  targetTaskDefinition?: string;
  /** Task definitions the service ran when the deployment started (its source service revisions). */
  sourceTaskDefinitions: string[];
  /** Images of the target revision, as ECS resolved them (tags and digests). */
  targetImages: ContainerImage[];
  /** ECS native blue/green (and linear, canary): the deployment's lifecycle stage and settings. */
  lifecycleStage?: string;
  strategy?: string;
  bakeTimeInMinutes?: number;
  updatedAt?: Date;
  triggeredAlarms?: string[];
}

export type DeploymentHistory =
  | { available: true; deployments: HistoryDeployment[] }
  | { available: false; reason: string };

export interface RollbackFacts {
  service: Service;
  /** The family the service runs (from its task definition). */
  family: string;
  /** ARNs of the family's ACTIVE revisions, newest first. */
  activeRevisions: string[];
  history: DeploymentHistory;
}

export type RollbackChoice =
  | {
      kind: 'stop-deployment';
      deploymentArn: string;
      from: string;
      to: string;
      reason: string;
      notes: string[];
    }
  | { kind: 'update-service'; from: string; to: string; reason: string; notes: string[] };

const IN_PROGRESS = new Set(['IN_PROGRESS', 'PENDING']);
/** ECS is already undoing a deployment: a second rollback would race it. */
const ROLLING_BACK = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'STOP_REQUESTED']);

/**
 * Where `fsops rollback` takes the service, decided from facts only:
 * 1. `--to`: that revision, if it is an ACTIVE revision of the same family and not the one running;
 * 2. a deployment still in progress: ECS's own rollback of it (StopServiceDeployment ROLLBACK);
 * 3. the task definition of the last SUCCESSFUL deployment before the current one (deployment history);
 * 4. the nearest ACTIVE revision older than the running one. Not "the second newest revision" (the
 *    deployment guide §10.1 script), which is the running one when a newer revision was never rolled out.
 */
export function chooseRollbackTarget(facts: RollbackFacts, to?: string): RollbackChoice {
  const current = facts.service.taskDefinition;
  const currentRef = parseTaskDef(current);
  if (!current || !currentRef) {
    throw new UsageError(
      `${facts.service.serviceName ?? 'the service'} has no task definition to roll back from`,
    );
  }
  const active = activeRefs(facts);
  if (to !== undefined) return explicitTarget(facts, currentRef, active, to);

  refuseWhileEcsRollsBack(facts);
  const inProgress = inProgressDeployment(facts);
  if (inProgress) return inProgress;

  const notes: string[] = [];
  if (facts.history.available) {
    const fromHistory = lastCompletedBefore(facts, currentRef, active, notes);
    if (fromHistory) return fromHistory;
  } else {
    notes.push(`deployment history unavailable (${facts.history.reason}); chose from the family's revisions`);
  }
  const older = active
    .filter((ref) => ref.revision < currentRef.revision)
    .sort((a, b) => b.revision - a.revision)[0];
  if (!older) {
    throw new UsageError(
      `nothing to roll back to: ${shortTaskDef(current)} is the oldest ACTIVE revision of ${facts.family}; ` +
        'pick one with --to <revision> (see `fsops deployments`)',
    );
  }
  return {
    kind: 'update-service',
    from: current,
    to: arnOf(facts, older),
    reason: `nearest ACTIVE revision older than the running ${currentRef.revision}`,
    notes,
  };
}

/** `--to 41`, `--to family:41` or a full ARN; anything else is a usage error before any AWS call. */
export function parseToOption(text: string): { revision: number } | { ref: TaskDefRef } {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed) && Number(trimmed) > 0) return { revision: Number(trimmed) };
  const ref = parseTaskDef(trimmed);
  if (ref) return { ref };
  throw new UsageError(
    `invalid --to '${text}': use a revision number (41), family:revision, or a task definition ARN`,
  );
}

function explicitTarget(
  facts: RollbackFacts,
  currentRef: TaskDefRef,
  active: TaskDefRef[],
  to: string,
): RollbackChoice {
  const parsed = parseToOption(to);
  const wanted = 'ref' in parsed ? parsed.ref : { family: facts.family, revision: parsed.revision };
  const label = `${wanted.family}:${wanted.revision}`;
  if (wanted.family !== facts.family) {
    throw new UsageError(
      `--to ${label} is from family ${wanted.family}, but the service runs ${facts.family}: pick a revision of ${facts.family}`,
    );
  }
  if (wanted.revision === currentRef.revision) {
    throw new UsageError(`--to ${label} is the revision the service already runs: nothing to roll back`);
  }
  if (!active.some((ref) => ref.revision === wanted.revision)) {
    const recent = active.slice(0, 8).map((ref) => ref.revision);
    throw new UsageError(
      `--to ${label} is not an ACTIVE revision of ${facts.family} (deregistered or never registered); ` +
        `ACTIVE revisions: ${recent.length ? recent.join(', ') : 'none'}`,
    );
  }
  const notes =
    wanted.revision > currentRef.revision
      ? [`${label} is newer than the running revision ${currentRef.revision}`]
      : [];
  return {
    kind: 'update-service',
    from: facts.service.taskDefinition!,
    to: arnOf(facts, wanted),
    reason: 'chosen with --to',
    notes,
  };
}

function refuseWhileEcsRollsBack(facts: RollbackFacts): void {
  const follow = 'follow it with `fsops deployments`, or pick a revision with --to';
  const undoing = facts.history.available
    ? facts.history.deployments.find((d) => ROLLING_BACK.has(d.status))
    : undefined;
  if (undoing) {
    throw new UsageError(
      `ECS is already rolling back deployment ${undoing.arn.split('/').pop()} (${undoing.status}) of ${shortTaskDef(undoing.targetTaskDefinition)}; ${follow}`,
    );
  }
  // The circuit breaker at work: the failed deployment is no longer PRIMARY, the one ECS returns to is.
  const failed = facts.service.deployments?.find((d) => d.status === 'ACTIVE' && d.rolloutState === 'FAILED');
  const primary = facts.service.deployments?.find((d) => d.status === 'PRIMARY');
  if (failed && primary?.rolloutState === 'IN_PROGRESS') {
    throw new UsageError(
      `ECS is already rolling back from ${shortTaskDef(failed.taskDefinition)} to ${shortTaskDef(primary.taskDefinition)} (${failed.rolloutStateReason ?? 'deployment failed'}); ${follow}`,
    );
  }
}

/**
 * A deployment in progress from a newer revision to an older one of the same family is itself a
 * rollback (an earlier `fsops rollback` whose wait was interrupted, or someone else's): undoing it would
 * return the service to the revision it is leaving.
 */
function refuseWhileGoingBack(target: string | undefined, source: string | undefined): void {
  const to = parseTaskDef(target);
  const from = parseTaskDef(source);
  if (to && from && to.family === from.family && to.revision < from.revision) {
    throw new UsageError(
      `a rollback is already in progress: the service is moving from ${shortTaskDef(source)} back to ${shortTaskDef(target)}; ` +
        'follow it with `fsops deployments`, or pick a revision with --to',
    );
  }
}

function inProgressDeployment(facts: RollbackFacts): RollbackChoice | null {
  const primary = facts.service.deployments?.find((d) => d.status === 'PRIMARY');
  const previous = facts.service.deployments?.find((d) => d.status === 'ACTIVE');
  if (facts.history.available) {
    const running = facts.history.deployments.find((d) => IN_PROGRESS.has(d.status));
    if (running) {
      const back = running.sourceTaskDefinitions[0] ?? previous?.taskDefinition;
      refuseWhileGoingBack(running.targetTaskDefinition, back);
      if (!back) {
        throw new UsageError(
          `deployment ${running.arn} is in progress but has no earlier revision to return to; pick one with --to <revision>`,
        );
      }
      return {
        kind: 'stop-deployment',
        deploymentArn: running.arn,
        from: running.targetTaskDefinition ?? primary?.taskDefinition ?? facts.service.taskDefinition!,
        to: back,
        reason: `deployment in progress (${running.status}); ECS rolls it back to the revision it replaced`,
        notes: [],
      };
    }
  }
  refuseWhileRollingOut(facts);
  return null;
}

/**
 * Whatever the deployment history says (it lags behind, or is empty, or cannot be read), an unfinished
 * PRIMARY deployment beside an ACTIVE one in DescribeServices is a rollout in progress. The running
 * task definition is then only being rolled out: a target chosen relative to it would go one revision
 * too far (:2 -> :1 while :3 -> :2 is in flight). Refuse, with what is happening and the options.
 */
export function rolloutInProgress(service: Service): { primary: Deployment; active: Deployment } | null {
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  const active = service.deployments?.find((d) => d.status === 'ACTIVE');
  if (!primary || !active) return null;
  const unfinished =
    primary.rolloutState !== 'COMPLETED' || (primary.runningCount ?? 0) < (primary.desiredCount ?? 0);
  return unfinished ? { primary, active } : null;
}

function refuseWhileRollingOut(facts: RollbackFacts): void {
  const rollout = rolloutInProgress(facts.service);
  if (!rollout) return;
  const { primary, active } = rollout;
  refuseWhileGoingBack(primary.taskDefinition, active.taskDefinition);
  const activeRef = parseTaskDef(active.taskDefinition);
  const history = facts.history.available
    ? 'the deployment history does not list it yet'
    : `deployment history unavailable (${facts.history.reason})`;
  throw new UsageError(
    `a rollout is in progress on ${facts.service.serviceName ?? 'the service'}: ${shortTaskDef(primary.taskDefinition)} ` +
      `(PRIMARY, ${primary.rolloutState ?? 'rollout state unknown'}, ${primary.runningCount ?? 0}/${primary.desiredCount ?? 0} running) ` +
      `is replacing ${shortTaskDef(active.taskDefinition)} (ACTIVE, ${active.runningCount ?? 0} running) and ${history}; ` +
      'nothing was changed. Options: wait for it (follow it with `fsops deployments`); ' +
      `go back to the revision it replaces with --to ${activeRef ? activeRef.revision : '<revision>'}; ` +
      'or run rollback again once the history lists the deployment, to let ECS roll it back itself',
  );
}

function lastCompletedBefore(
  facts: RollbackFacts,
  currentRef: TaskDefRef,
  active: TaskDefRef[],
  notes: string[],
): RollbackChoice | null {
  const completed = facts.history.available
    ? facts.history.deployments
        .filter((d) => d.status === 'SUCCESSFUL' && d.targetTaskDefinition)
        .sort((a, b) => time(b.finishedAt ?? b.createdAt) - time(a.finishedAt ?? a.createdAt))
    : [];
  for (const deployment of completed) {
    const ref = parseTaskDef(deployment.targetTaskDefinition);
    if (!ref || (ref.family === currentRef.family && ref.revision === currentRef.revision)) continue;
    const label = `${ref.family}:${ref.revision}`;
    if (ref.family !== facts.family) {
      notes.push(`skipped ${label}: another family`);
      continue;
    }
    if (!active.some((a) => a.revision === ref.revision)) {
      notes.push(`skipped ${label}: no longer ACTIVE (deregistered)`);
      continue;
    }
    if (ref.revision > currentRef.revision) {
      // The service only runs an older revision after a newer one completed if someone went back from
      // it: "rolling back" to it would redeploy the version that was rolled back.
      notes.push(
        `skipped ${label}: newer than the running revision ${currentRef.revision} (the service was rolled back from it; --to ${ref.revision} returns to it)`,
      );
      continue;
    }
    const when = deployment.finishedAt ? ` on ${deployment.finishedAt.toISOString()}` : '';
    return {
      kind: 'update-service',
      from: facts.service.taskDefinition!,
      to: deployment.targetTaskDefinition!,
      reason: `last deployment that completed before the current one${when}`,
      notes,
    };
  }
  if (
    completed.length === 0 ||
    completed.every((d) => sameTaskDef(d.targetTaskDefinition, facts.service.taskDefinition))
  ) {
    notes.push("no earlier completed deployment in the history; chose from the family's revisions");
  }
  return null;
}

function activeRefs(facts: RollbackFacts): TaskDefRef[] {
  return facts.activeRevisions
    .map((arn) => parseTaskDef(arn))
    .filter((ref): ref is TaskDefRef => ref !== null && ref.family === facts.family);
}

/** The ACTIVE list's ARN for a revision (keeps region and account), or family:revision. */
function arnOf(facts: RollbackFacts, ref: TaskDefRef): string {
  return (
    facts.activeRevisions.find((arn) => {
      const parsed = parseTaskDef(arn);
      return parsed?.family === ref.family && parsed.revision === ref.revision;
    }) ?? `${ref.family}:${ref.revision}`
  );
}

function time(date: Date | undefined): number {
  return date ? date.getTime() : 0;
}
