import type {
  DeploymentConfiguration,
  LoadBalancer,
  Service,
  UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import { UsageError } from '../../base/model/errors.js';

/** What `--strategy` may choose on an ECS-controlled service. */
export const STRATEGIES = ['rolling', 'blue-green'] as const;
/** How a deploy goes: the ECS strategies, or through CodeDeploy for a CODE_DEPLOY service (src/domain/release/codedeploy.ts). */
export type Strategy = (typeof STRATEGIES)[number] | 'codedeploy';

/** The deployment controller of a service: ECS (rolling or native blue/green), CODE_DEPLOY or EXTERNAL. */
export function controllerOf(service: Service): string {
  return service.deploymentController?.type ?? 'ECS';
}

/** The strategy a service is set up for now (ECS controller): BLUE_GREEN means blue-green, the rest rolling. */
export function currentStrategy(service: Service): Strategy {
  return service.deploymentConfiguration?.strategy === 'BLUE_GREEN' ? 'blue-green' : 'rolling';
}

/** `--strategy`, or the one the service is set up for ("rolling (default where the service is)"). */
export function chooseStrategy(service: Service, given?: string): Strategy {
  if (controllerOf(service) === 'CODE_DEPLOY') {
    if (given !== undefined) {
      throw new UsageError(
        `${service.serviceName} uses the CODE_DEPLOY deployment controller: CodeDeploy's deployment group decides how traffic moves; drop --strategy`,
      );
    }
    return 'codedeploy';
  }
  if (given === undefined) return currentStrategy(service);
  if (!(STRATEGIES as readonly string[]).includes(given)) {
    throw new UsageError(`invalid --strategy '${given}': valid are ${STRATEGIES.join(', ')}`);
  }
  return given as Strategy;
}

/**
 * The refusal for a service whose deployments CodeDeploy (or a third party) controls: ECS rejects an
 * UpdateService that changes its task definition, so fsops registers nothing and says how to deploy.
 */
export function controllerRefusal(service: Service): string | null {
  const controller = controllerOf(service);
  if (controller === 'ECS' || controller === 'CODE_DEPLOY') return null;
  return `${service.serviceName} uses the ${controller} deployment controller: its deployments are made by that controller (task sets), not by UpdateService. Nothing was changed.`;
}

/**
 * The refusal for a CODE_DEPLOY service fsops cannot drive (no deployment group names it, or the load
 * balancer names no container): the exact way to do it by hand. ECS rejects UpdateService with a new
 * task definition there, so fsops never sends one.
 */
export function codeDeployRefusal(
  service: Service,
  env: string,
  component: string,
  family: string,
  why: string,
): string {
  return (
    `${service.serviceName} uses the CODE_DEPLOY deployment controller and ${why}. ` +
    `Set deploy.codeDeploy.${component} (application, deploymentGroup) in the config, or deploy it by hand: register the new revision (aws ecs register-task-definition, the ${family} copy), then ` +
    `aws deploy create-deployment --application-name <app> --deployment-group-name <group> --revision revisionType=AppSpecContent,appSpecContent={content=<appspec naming the new task definition>}; ` +
    `stop a bad one with aws deploy stop-deployment --deployment-id <id> --auto-rollback-enabled (or \`fsops rollback ${component} --env ${env}\`). Nothing was changed.`
  );
}

/** The load balancers of a blue/green-ready service (each with its alternate target group and listener rules), or what is missing. */
export function blueGreenLoadBalancers(
  service: Service,
): { ok: true; loadBalancers: LoadBalancer[] } | { ok: false; missing: string } {
  const lbs = service.loadBalancers ?? [];
  if (lbs.length === 0) {
    return {
      ok: false,
      missing: 'no load balancer: ECS blue/green needs a target group pair behind an ALB listener',
    };
  }
  const incomplete = lbs.filter(
    (lb) =>
      !lb.advancedConfiguration?.alternateTargetGroupArn ||
      !lb.advancedConfiguration?.productionListenerRule ||
      !lb.advancedConfiguration?.roleArn,
  );
  if (incomplete.length) {
    return {
      ok: false,
      missing:
        'its load balancer has no advancedConfiguration (alternateTargetGroupArn, productionListenerRule, testListenerRule, roleArn): ' +
        'create the alternate target group and the test listener rule, then set them on the service (aws ecs update-service --load-balancers ...)',
    };
  }
  return { ok: true, loadBalancers: lbs };
}

export interface UpdateSettings {
  cluster: string;
  service: string;
  taskDefinition: string;
  strategy: Strategy;
  bakeTimeInMinutes: number;
  /** The component's critical alarms (monitoring/alarms.yaml): ECS rolls back when one fires. */
  alarmNames: string[];
}

/**
 * The one UpdateService a deploy makes. The service's own deployment settings are kept (maximum and
 * minimum healthy percent, lifecycle hooks); what fsops requires is set on top:
 * - rolling: the deployment circuit breaker with its rollback on (runbook 002 "Rolling Updates");
 * - blue-green: strategy BLUE_GREEN, the bake time, and the critical alarms with rollback (runbook 004),
 *   with the load balancers (alternate target group, production and test listener rules) as they are.
 */
export function updateServiceInput(service: Service, settings: UpdateSettings): UpdateServiceCommandInput {
  const current: DeploymentConfiguration = { ...(service.deploymentConfiguration ?? {}) };
  const alarms =
    settings.alarmNames.length > 0
      ? { alarms: { alarmNames: settings.alarmNames, enable: true, rollback: true } }
      : {};
  const base: UpdateServiceCommandInput = {
    cluster: settings.cluster,
    service: settings.service,
    taskDefinition: settings.taskDefinition,
  };
  if (settings.strategy === 'rolling') {
    const { bakeTimeInMinutes: _bake, lifecycleHooks: _hooks, ...rolling } = current;
    return {
      ...base,
      deploymentConfiguration: {
        ...rolling,
        strategy: 'ROLLING',
        deploymentCircuitBreaker: {
          ...(current.deploymentCircuitBreaker ?? {}),
          enable: true,
          rollback: true,
        },
        ...alarms,
      },
    };
  }
  const lbs = blueGreenLoadBalancers(service);
  if (!lbs.ok) throw new UsageError(`${service.serviceName} cannot deploy blue/green: ${lbs.missing}`);
  return {
    ...base,
    deploymentConfiguration: {
      ...current,
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: settings.bakeTimeInMinutes,
      ...alarms,
    },
    loadBalancers: lbs.loadBalancers,
  };
}
