import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  type Service,
  type ServiceDeploymentBrief,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { describeAwsError } from '../../base/aws/errors.js';
import type { EnvContext } from '../../base/config/load.js';
import { UsageError } from '../../base/model/errors.js';
import type { DeploymentHistory, HistoryDeployment, RollbackFacts } from './target.js';
import { parseTaskDef } from './taskdef.js';

/** Per-call limits of the ECS API. */
const DESCRIBE_DEPLOYMENTS_MAX = 20;
const DESCRIBE_REVISIONS_MAX = 20;
const DESCRIBE_TASKS_MAX = 100;
/** How many recent deployments the history keeps in view (one DescribeServiceDeployments call). */
export const HISTORY_DEPTH = 20;

export interface ServiceNames {
  cluster: string;
  service: string;
  /** The family the config names; the service's own task definition wins when they differ. */
  family: string;
}

export function serviceNames(env: EnvContext, component: string): ServiceNames {
  return {
    cluster: env.nameOf('cluster'),
    service: env.nameOf('service', component),
    family: env.nameOf('taskFamily', component),
  };
}

export async function describeService(
  ecs: ECSClient,
  names: ServiceNames,
  signal?: AbortSignal,
): Promise<Service | null> {
  const out = await ecs.send(
    new DescribeServicesCommand({ cluster: names.cluster, services: [names.service] }),
    {
      abortSignal: signal,
    },
  );
  const service = out.services?.find((s) => s.serviceName === names.service);
  return service && service.status !== 'INACTIVE' ? service : null;
}

export async function requireService(
  ecs: ECSClient,
  names: ServiceNames,
  signal?: AbortSignal,
): Promise<Service> {
  const service = await describeService(ecs, names, signal);
  if (!service) {
    throw new UsageError(
      `service ${names.service} not found in cluster ${names.cluster} (check names.service and names.cluster in the config)`,
    );
  }
  return service;
}

/**
 * Every ACTIVE revision of exactly `family`, newest first (familyPrefix also matches longer names).
 * With `stopBelowRevision`, paging stops at the first page that reaches below that revision.
 */
export async function listActiveRevisions(
  ecs: ECSClient,
  family: string,
  options: { stopBelowRevision?: number; signal?: AbortSignal } = {},
): Promise<string[]> {
  const arns: string[] = [];
  const revision = (arn: string) => parseTaskDef(arn)?.revision ?? 0;
  let nextToken: string | undefined;
  do {
    const out = await ecs.send(
      new ListTaskDefinitionsCommand({
        familyPrefix: family,
        status: 'ACTIVE',
        sort: 'DESC',
        nextToken,
        maxResults: 100,
      }),
      { abortSignal: options.signal },
    );
    arns.push(...(out.taskDefinitionArns ?? []).filter((arn) => parseTaskDef(arn)?.family === family));
    nextToken = out.nextToken;
  } while (
    nextToken &&
    !(
      options.stopBelowRevision !== undefined &&
      arns.some((arn) => revision(arn) < options.stopBelowRevision!)
    )
  );
  return arns.sort((a, b) => revision(b) - revision(a));
}

/**
 * The service's recent deployments with the task definitions they moved between. ECS keeps this history
 * for services on the ECS deployment controller; elsewhere (or without the permission) it is unavailable
 * and the caller falls back to the family's revisions.
 */
export async function deploymentHistory(
  ecs: ECSClient,
  names: ServiceNames,
  depth = HISTORY_DEPTH,
  signal?: AbortSignal,
): Promise<DeploymentHistory> {
  const sent = { abortSignal: signal };
  try {
    const briefs: ServiceDeploymentBrief[] = [];
    let nextToken: string | undefined;
    do {
      const out = await ecs.send(
        new ListServiceDeploymentsCommand({
          cluster: names.cluster,
          service: names.service,
          nextToken,
          maxResults: 100,
        }),
        sent,
      );
      briefs.push(...(out.serviceDeployments ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    const recent = briefs
      .filter((b) => b.serviceDeploymentArn)
      .sort((a, b) => time(b.createdAt) - time(a.createdAt))
      .slice(0, depth);
    const described = (
      await Promise.all(
        chunks(
          recent.map((b) => b.serviceDeploymentArn!),
          DESCRIBE_DEPLOYMENTS_MAX,
        ).map((arns) =>
          ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns }), sent),
        ),
      )
    ).flatMap((out) => out.serviceDeployments ?? []);
    const revisionArns = [
      ...new Set(
        described.flatMap((d) => [
          d.targetServiceRevision?.arn,
          ...(d.sourceServiceRevisions ?? []).map((s) => s.arn),
        ]),
      ),
    ].filter((arn): arn is string => Boolean(arn));
    const revisions = (
      await Promise.all(
        chunks(revisionArns, DESCRIBE_REVISIONS_MAX).map((arns) =>
          ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: arns }), sent),
        ),
      )
    ).flatMap((out) => out.serviceRevisions ?? []);
    const revisionByArn = new Map(revisions.map((r) => [r.serviceRevisionArn, r]));
    const deployments: HistoryDeployment[] = recent.map((brief) => {
      const detail = described.find((d) => d.serviceDeploymentArn === brief.serviceDeploymentArn);
      const target = revisionByArn.get(detail?.targetServiceRevision?.arn ?? brief.targetServiceRevisionArn);
      return {
        arn: brief.serviceDeploymentArn!,
        status: detail?.status ?? brief.status ?? 'UNKNOWN',
        statusReason: detail?.statusReason ?? brief.statusReason,
        createdAt: brief.createdAt,
        finishedAt: detail?.finishedAt ?? brief.finishedAt,
        targetTaskDefinition: target?.taskDefinition,
        sourceTaskDefinitions: (detail?.sourceServiceRevisions ?? [])
          .map((s) => revisionByArn.get(s.arn)?.taskDefinition)
          .filter((t): t is string => Boolean(t)),
        targetImages: (target?.containerImages ?? []).map((i) => ({
          container: i.containerName ?? '?',
          image: i.image ?? i.imageDigest ?? 'unknown',
        })),
        ...(detail?.lifecycleStage ? { lifecycleStage: detail.lifecycleStage } : {}),
        ...(detail?.deploymentConfiguration?.strategy
          ? { strategy: detail.deploymentConfiguration.strategy }
          : {}),
        ...(detail?.deploymentConfiguration?.bakeTimeInMinutes !== undefined
          ? { bakeTimeInMinutes: detail.deploymentConfiguration.bakeTimeInMinutes }
          : {}),
        ...(detail?.updatedAt ? { updatedAt: detail.updatedAt } : {}),
        ...(detail?.alarms?.triggeredAlarmNames?.length
          ? { triggeredAlarms: detail.alarms.triggeredAlarmNames }
          : {}),
      };
    });
    return { available: true, deployments };
  } catch (error) {
    // Stopped by the run (Ctrl-C, SIGTERM) is not "history unavailable": the caller stops too.
    if (signal?.aborted) throw error;
    return { available: false, reason: describeAwsError(error) };
  }
}

/**
 * Every fact target selection needs: the service first (it names the family), then the rest concurrently.
 * `signal` is the run's: aborting it (Ctrl-C, SIGTERM, SIGHUP) ends the reads waiting on AWS.
 */
export async function gatherRollbackFacts(
  ecs: ECSClient,
  names: ServiceNames,
  options: { stoppedTasks?: boolean; signal?: AbortSignal } = {},
): Promise<RollbackFacts & { stoppedTaskArns: string[] }> {
  const { signal } = options;
  const service = await requireService(ecs, names, signal);
  const family = parseTaskDef(service.taskDefinition)?.family ?? names.family;
  const [activeRevisions, history, stoppedTaskArns] = await Promise.all([
    listActiveRevisions(ecs, family, { signal }),
    deploymentHistory(ecs, names, HISTORY_DEPTH, signal),
    (options.stoppedTasks ?? true) ? listStoppedTaskArns(ecs, names, signal) : Promise.resolve([]),
  ]);
  return { service, family, activeRevisions, history, stoppedTaskArns };
}

/** What restart and scale read before a change: the service, and the stopped tasks to tell new ones from. */
export async function gatherServiceChangeFacts(
  ecs: ECSClient,
  names: ServiceNames,
  signal?: AbortSignal,
): Promise<{ service: Service; stoppedTaskArns: string[] }> {
  const [service, stoppedTaskArns] = await Promise.all([
    requireService(ecs, names, signal),
    listStoppedTaskArns(ecs, names, signal),
  ]);
  return { service, stoppedTaskArns };
}

/**
 * A service's task ARNs with `desiredStatus`, every page: RUNNING (running and pending tasks) or
 * STOPPED (ECS keeps stopped tasks for about an hour).
 */
export async function listTaskArns(
  ecs: ECSClient,
  names: Pick<ServiceNames, 'cluster' | 'service'>,
  desiredStatus: 'RUNNING' | 'STOPPED',
  signal?: AbortSignal,
): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ecs.send(
      new ListTasksCommand({ cluster: names.cluster, serviceName: names.service, desiredStatus, nextToken }),
      { abortSignal: signal },
    );
    arns.push(...(out.taskArns ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return arns;
}

/** Tasks of the service that ECS reports as stopped (it keeps them for about an hour). */
export function listStoppedTaskArns(
  ecs: ECSClient,
  names: ServiceNames,
  signal?: AbortSignal,
): Promise<string[]> {
  return listTaskArns(ecs, names, 'STOPPED', signal);
}

export async function describeTasks(
  ecs: ECSClient,
  cluster: string,
  arns: string[],
  signal?: AbortSignal,
): Promise<Task[]> {
  const outs = await Promise.all(
    chunks(arns, DESCRIBE_TASKS_MAX).map((tasks) =>
      ecs.send(new DescribeTasksCommand({ cluster, tasks }), { abortSignal: signal }),
    ),
  );
  return outs.flatMap((out) => out.tasks ?? []);
}

export async function describeTaskDefinition(
  ecs: ECSClient,
  arn: string,
  signal?: AbortSignal,
): Promise<TaskDefinition> {
  const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }), {
    abortSignal: signal,
  });
  if (!out.taskDefinition) throw new Error(`ECS returned no task definition for ${arn}`);
  return out.taskDefinition;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function time(date: Date | undefined): number {
  return date ? new Date(date).getTime() : 0;
}
