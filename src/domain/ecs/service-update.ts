import {
  type ECSClient,
  type Service,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { shortTaskDef } from './taskdef.js';

/** The mutating ECS calls the service commands make, as data: printed in plans, applied after confirmation. */
export type ServiceAction =
  | { kind: 'update-task-definition'; cluster: string; service: string; taskDefinition: string }
  | { kind: 'stop-deployment'; deploymentArn: string }
  | { kind: 'force-new-deployment'; cluster: string; service: string }
  | { kind: 'set-desired-count'; cluster: string; service: string; desiredCount: number };

export function describeAction(action: ServiceAction): string {
  switch (action.kind) {
    case 'update-task-definition':
      return `ECS UpdateService ${action.service} --task-definition ${shortTaskDef(action.taskDefinition)}`;
    case 'stop-deployment':
      return `ECS StopServiceDeployment ${action.deploymentArn.split('/').pop()} --stop-type ROLLBACK`;
    case 'force-new-deployment':
      return `ECS UpdateService ${action.service} --force-new-deployment`;
    case 'set-desired-count':
      return `ECS UpdateService ${action.service} --desired-count ${action.desiredCount}`;
  }
}

export interface ActionResult {
  applied: boolean;
  /** The service as UpdateService returned it (absent for StopServiceDeployment and dry runs). */
  service?: Service;
  /** The id of the PRIMARY deployment right after the change, when ECS returned it. */
  primaryDeploymentId?: string;
}

/**
 * Applies one action; with `dryRun` it makes no call at all. The mutating call takes no abort signal,
 * on purpose: once sent, ECS may have accepted the change, and aborting the request would not undo it,
 * only lose its answer. Ctrl-C/SIGTERM/SIGHUP stop the wait after it (the audit says `interrupted`);
 * the SDK's request timeout bounds the call itself.
 */
export async function applyServiceAction(
  ecs: ECSClient,
  action: ServiceAction,
  options: { dryRun?: boolean },
): Promise<ActionResult> {
  if (options.dryRun) return { applied: false };
  if (action.kind === 'stop-deployment') {
    await ecs.send(
      new StopServiceDeploymentCommand({ serviceDeploymentArn: action.deploymentArn, stopType: 'ROLLBACK' }),
    );
    return { applied: true };
  }
  const input =
    action.kind === 'update-task-definition'
      ? { taskDefinition: action.taskDefinition }
      : action.kind === 'force-new-deployment'
        ? { forceNewDeployment: true }
        : { desiredCount: action.desiredCount };
  const out = await ecs.send(
    new UpdateServiceCommand({ cluster: action.cluster, service: action.service, ...input }),
  );
  const primary = out.service?.deployments?.find((d) => d.status === 'PRIMARY');
  return { applied: true, service: out.service, primaryDeploymentId: primary?.id };
}
