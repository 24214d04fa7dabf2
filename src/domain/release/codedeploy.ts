import type { CodeDeployClient, DeploymentGroupInfo, DeploymentInfo } from '@aws-sdk/client-codedeploy';
import type { LoadBalancer } from '@aws-sdk/client-ecs';
import { type Followed, type FollowStateOptions, followState } from './follow.js';

/**
 * A service on the CODE_DEPLOY deployment controller is deployed by CodeDeploy (ECS rejects an
 * UpdateService that changes its task definition): a deployment of its deployment group whose AppSpec
 * names the new task definition, the container and the port behind the load balancer. CodeDeploy starts
 * the replacement task set (green), moves production traffic to it and keeps the original (blue) for the
 * group's termination wait, when StopDeployment with auto-rollback sends traffic back at once.
 */
export interface CodeDeployGroup {
  application: string;
  group: string;
  deploymentConfig: string | null;
  /** Minutes the original task set is kept after traffic moved (null: the group does not say). */
  terminationWaitMinutes: number | null;
  /** The group rolls back by itself on a failed deployment (or an alarm). */
  autoRollback: boolean;
  /** The group waits for ContinueDeployment before moving production traffic (deploymentReadyOption STOP_DEPLOYMENT). */
  waitsForContinue: boolean;
}

export function groupOf(info: DeploymentGroupInfo): CodeDeployGroup {
  const blueGreen = info.blueGreenDeploymentConfiguration;
  return {
    application: info.applicationName ?? '',
    group: info.deploymentGroupName ?? '',
    deploymentConfig: info.deploymentConfigName ?? null,
    terminationWaitMinutes:
      blueGreen?.terminateBlueInstancesOnDeploymentSuccess?.terminationWaitTimeInMinutes ?? null,
    autoRollback: info.autoRollbackConfiguration?.enabled ?? false,
    waitsForContinue: blueGreen?.deploymentReadyOption?.actionOnTimeout === 'STOP_DEPLOYMENT',
  };
}

const nameOf = (arnOrName: string | undefined) => (arnOrName ?? '').split('/').pop() ?? '';

/** Whether a deployment group deploys this ECS service (its ecsServices, by name or ARN). */
export function groupDeploysService(info: DeploymentGroupInfo, cluster: string, service: string): boolean {
  return (info.ecsServices ?? []).some(
    (s) => nameOf(s.clusterName) === nameOf(cluster) && nameOf(s.serviceName) === nameOf(service),
  );
}

/**
 * The deployment group of an ECS service: the configured one (deploy.codeDeploy.<component>), else the
 * group of any application whose ecsServices name the cluster and service. ListApplications, then each
 * application's ListDeploymentGroups and BatchGetDeploymentGroups concurrently: three round trips.
 */
export async function findDeploymentGroup(
  cd: CodeDeployClient,
  target: { cluster: string; service: string },
  configured: { application: string; deploymentGroup: string } | undefined,
  signal?: AbortSignal,
): Promise<CodeDeployGroup | null> {
  const { BatchGetDeploymentGroupsCommand, ListApplicationsCommand, ListDeploymentGroupsCommand } =
    await import('@aws-sdk/client-codedeploy');
  const groupsOf = async (application: string, names: string[]): Promise<DeploymentGroupInfo[]> => {
    const chunks: string[][] = [];
    for (let i = 0; i < names.length; i += 25) chunks.push(names.slice(i, i + 25));
    const answers = await Promise.all(
      chunks.map((chunk) =>
        cd.send(
          new BatchGetDeploymentGroupsCommand({ applicationName: application, deploymentGroupNames: chunk }),
          { abortSignal: signal },
        ),
      ),
    );
    return answers.flatMap((a) => a.deploymentGroupsInfo ?? []);
  };
  if (configured) {
    const [info] = await groupsOf(configured.application, [configured.deploymentGroup]);
    return info ? groupOf(info) : null;
  }
  const applications: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await cd.send(new ListApplicationsCommand({ nextToken }), { abortSignal: signal });
    applications.push(...(page.applications ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const found = await Promise.all(
    applications.map(async (application) => {
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await cd.send(
          new ListDeploymentGroupsCommand({ applicationName: application, nextToken: token }),
          { abortSignal: signal },
        );
        names.push(...(page.deploymentGroups ?? []));
        token = page.nextToken;
      } while (token);
      const infos = names.length ? await groupsOf(application, names) : [];
      return infos.filter((info) => groupDeploysService(info, target.cluster, target.service));
    }),
  );
  const match = found.flat()[0];
  return match ? groupOf(match) : null;
}

/** The container and port CodeDeploy routes traffic to: the service's load balancer (the AppSpec's LoadBalancerInfo). */
export function appSpecTarget(
  loadBalancers: readonly LoadBalancer[],
): { containerName: string; containerPort: number } | null {
  const lb = loadBalancers.find((l) => l.containerName && l.containerPort);
  return lb ? { containerName: lb.containerName!, containerPort: lb.containerPort! } : null;
}

/** The AppSpec of an ECS deployment (CodeDeploy's `AppSpecContent`), as JSON. */
export function appSpecContent(taskDefinition: string, containerName: string, containerPort: number): string {
  return JSON.stringify({
    version: 0.0,
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: taskDefinition,
            LoadBalancerInfo: { ContainerName: containerName, ContainerPort: containerPort },
          },
        },
      },
    ],
  });
}

export type CodeDeployOutcome = 'succeeded' | 'failed' | 'stopped';
const ENDED: Record<string, CodeDeployOutcome> = {
  Succeeded: 'succeeded',
  Failed: 'failed',
  Stopped: 'stopped',
};
/** The statuses of a deployment still going (ListDeployments' includeOnlyStatuses). */
export const IN_FLIGHT_STATUSES = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'] as const;

export interface CodeDeployState {
  id: string;
  status: string;
  outcome: CodeDeployOutcome | null;
  /** Where production traffic is: on blue until CodeDeploy moved it; on green while blue waits to be terminated. */
  traffic: 'blue' | 'green' | 'unknown';
  /** The original task set is kept (the termination wait): StopDeployment with rollback returns traffic to it at once. */
  blueKept: boolean;
  /** The deployment CodeDeploy started to roll this one back, when it did. */
  rollbackDeploymentId: string | null;
  reason: string | null;
}

/** One GetDeployment answer, judged (pure). */
export function codeDeployState(info: DeploymentInfo): CodeDeployState {
  const status = info.status ?? 'Unknown';
  const outcome = ENDED[status] ?? null;
  const blueKept = !outcome && (info.instanceTerminationWaitTimeStarted ?? false);
  const rolledBack = Boolean(info.rollbackInfo?.rollbackDeploymentId);
  const traffic =
    status === 'Succeeded'
      ? 'green'
      : blueKept || status === 'Baking'
        ? 'green'
        : outcome && rolledBack
          ? 'blue'
          : outcome || ['Created', 'Queued', 'Ready', 'InProgress'].includes(status)
            ? 'blue'
            : 'unknown';
  return {
    id: info.deploymentId ?? 'unknown',
    status,
    outcome,
    traffic,
    blueKept,
    rollbackDeploymentId: info.rollbackInfo?.rollbackDeploymentId ?? null,
    reason:
      info.errorInformation?.message ??
      info.rollbackInfo?.rollbackMessage ??
      info.deploymentStatusMessages?.[0] ??
      null,
  };
}

export function describeCodeDeployState(s: CodeDeployState): string {
  const parts = [`CodeDeploy ${s.id} ${s.status}`, `production traffic on ${s.traffic}`];
  if (s.blueKept) parts.push('original task set kept (termination wait)');
  if (s.rollbackDeploymentId) parts.push(`rollback deployment ${s.rollbackDeploymentId}`);
  if (s.reason && s.outcome && s.outcome !== 'succeeded') parts.push(s.reason);
  return parts.join(', ');
}

export async function getDeployment(
  cd: CodeDeployClient,
  id: string,
  signal?: AbortSignal,
): Promise<CodeDeployState | null> {
  const { GetDeploymentCommand } = await import('@aws-sdk/client-codedeploy');
  const out = await cd.send(new GetDeploymentCommand({ deploymentId: id }), { abortSignal: signal });
  return out.deploymentInfo ? codeDeployState(out.deploymentInfo) : null;
}

/** The deployment of a group still in flight (the newest), or null. */
export async function inFlightDeployment(
  cd: CodeDeployClient,
  group: { application: string; group: string },
  signal?: AbortSignal,
): Promise<string | null> {
  const { ListDeploymentsCommand } = await import('@aws-sdk/client-codedeploy');
  const out = await cd.send(
    new ListDeploymentsCommand({
      applicationName: group.application,
      deploymentGroupName: group.group,
      includeOnlyStatuses: [...IN_FLIGHT_STATUSES],
    }),
    { abortSignal: signal },
  );
  return out.deployments?.[0] ?? null;
}

export type CodeDeployFollow = Followed<CodeDeployState>;

/**
 * Polls GetDeployment until `until(state)` holds, the deployment ends, the time runs out or the signal
 * aborts (the one wait of a release, src/domain/release/follow.ts).
 */
export function followCodeDeploy(
  read: (signal: AbortSignal) => Promise<CodeDeployState | null>,
  until: (state: CodeDeployState) => boolean,
  options: FollowStateOptions<CodeDeployState> & { signal: AbortSignal },
): Promise<CodeDeployFollow> {
  return followState(read, describeCodeDeployState, until, options);
}
