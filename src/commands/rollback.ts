import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { awsExitError } from '../base/aws/errors.js';
import { UsageError } from '../base/model/errors.js';
import { codeDeployStopAction } from '../catalogue/actions/deploy/codedeploy-stop.js';
import { CHECKS } from '../catalogue/checks/index.js';
import { describeTaskDefinition, gatherRollbackFacts, requireService } from '../domain/ecs/service-facts.js';
import type { ServiceAction } from '../domain/ecs/service-update.js';
import { chooseRollbackTarget, parseToOption, type RollbackChoice } from '../domain/ecs/target.js';
import { diffTaskDefinitions, imagesOf, sameTaskDef, shortTaskDef } from '../domain/ecs/taskdef.js';
import { findDeploymentGroup, inFlightDeployment } from '../domain/release/codedeploy.js';
import { controllerOf } from '../domain/release/strategy.js';
import { runEnvActions } from '../engine/commands/env-command.js';
import {
  prepareServiceCommand,
  runServiceOperation,
  type ServiceCommandOptions,
  type ServiceOperation,
} from '../engine/commands/service-operation.js';
import { readsUntilInterrupted } from '../engine/interrupt.js';
import type { Runtime } from '../engine/runtime.js';

export interface RollbackOptions extends ServiceCommandOptions {
  /** A revision number, family:revision, or a task definition ARN. */
  to?: string;
}

export const ROLLBACK_SOURCE =
  'deployment guide §10.1 (rollback-application.sh); runbook 002 (Rollback Procedure); runbook 004 (Rollback if Needed)';

/** `fsops rollback <component> --env E`: back to the last good task definition, then verify. */
export async function rollback(
  component: string,
  options: RollbackOptions,
  runtime: Runtime,
): Promise<number> {
  if (options.to !== undefined) parseToOption(options.to);
  const { printer, session, identity, ecs, names } = await prepareServiceCommand(
    component,
    options,
    'rollback',
    true,
    runtime,
  );
  try {
    // Reads only, under the run's signal: Ctrl-C/SIGTERM/SIGHUP end them at once (exit 130, nothing changed).
    const codeDeploy = await readsUntilInterrupted(async (signal) => {
      const service = await requireService(ecs, names, signal).catch((error) => {
        throw awsExitError(error, `cannot read ${names.service}`);
      });
      if (controllerOf(service) !== 'CODE_DEPLOY') return null;
      const cd = await session.aws.codedeploy();
      const group = await findDeploymentGroup(
        cd,
        { cluster: names.cluster, service: names.service },
        session.config.deploy.codeDeploy[component],
        signal,
      ).catch((error) => {
        throw awsExitError(error, `cannot find the CodeDeploy deployment group of ${names.service}`);
      });
      if (!group) {
        throw new UsageError(
          `${names.service} uses the CODE_DEPLOY deployment controller and no CodeDeploy deployment group names it: set deploy.codeDeploy.${component} (application, deploymentGroup), or stop its deployment with aws deploy stop-deployment --deployment-id <id> --auto-rollback-enabled`,
        );
      }
      const inFlight = await inFlightDeployment(cd, group, signal).catch((error) => {
        throw awsExitError(error, `cannot list the deployments of ${group.application}/${group.group}`);
      });
      if (!inFlight) {
        throw new UsageError(
          `${names.service} uses the CODE_DEPLOY deployment controller and ${group.application}/${group.group} has no deployment in flight: to go back to an earlier image, deploy it (fsops deploy ${component} --env ${session.env.name} --image <previous image>), which CodeDeploy rolls out`,
        );
      }
      return inFlight;
    });
    if (codeDeploy) {
      // A deployment in flight: CodeDeploy's own rollback (StopDeployment --auto-rollback-enabled), on the one change driver.
      return await runEnvActions(
        {
          command: 'rollback',
          why: 'rollback stops a CodeDeploy deployment',
          steps: [
            {
              action: codeDeployStopAction,
              params: { component, names, deploymentId: codeDeploy },
            },
          ],
        },
        options,
        runtime,
      );
    }
    const { facts, choice, fromDef, toDef } = await readsUntilInterrupted(async (signal) => {
      const facts = await gatherRollbackFacts(ecs, names, { signal }).catch((error) => {
        throw awsExitError(error, `cannot read ${names.service}`);
      });
      const choice = chooseRollbackTarget(facts, options.to);
      const [fromDef, toDef] = await Promise.all([
        describeTaskDefinition(ecs, choice.from, signal),
        describeTaskDefinition(ecs, choice.to, signal),
      ]).catch((error) => {
        throw awsExitError(error, 'cannot read the task definitions to compare');
      });
      return { facts, choice, fromDef, toDef };
    });
    const action: ServiceAction =
      choice.kind === 'stop-deployment'
        ? { kind: 'stop-deployment', deploymentArn: choice.deploymentArn }
        : {
            kind: 'update-task-definition',
            cluster: names.cluster,
            service: names.service,
            taskDefinition: choice.to,
          };
    const op: ServiceOperation = {
      command: 'rollback',
      printer,
      title: 'Rollback',
      component,
      session,
      ecs,
      names,
      identity,
      plan: {
        action: `roll back ${names.service}`,
        env: session.env.name,
        lines: rollbackPlanLines(choice, fromDef, toDef, facts.service.desiredCount ?? 0, names.cluster),
      },
      action,
      from: choice.from,
      to: choice.to,
      waitTarget: (applied) => {
        const primary = applied.service?.deployments?.find((d) => d.id === applied.primaryDeploymentId);
        const named = primary && sameTaskDef(primary.taskDefinition, choice.to);
        return { taskDefinition: choice.to, ...(named ? { deploymentId: applied.primaryDeploymentId } : {}) };
      },
      before: facts.service,
      knownStoppedTasks: facts.stoppedTaskArns,
      verify: true,
      checks: CHECKS,
      source: ROLLBACK_SOURCE,
    };
    return await runServiceOperation(op, options, runtime);
  } finally {
    session.aws.destroy();
  }
}

/** The plan: from -> to and why, what differs between the two task definitions, the desired count. */
export function rollbackPlanLines(
  choice: RollbackChoice,
  from: TaskDefinition,
  to: TaskDefinition,
  desiredCount: number,
  cluster: string,
): string[] {
  const images = (def: TaskDefinition) =>
    imagesOf(def)
      .map((i) => `${i.container}=${i.image}`)
      .join(', ') || 'no containers';
  const how =
    choice.kind === 'stop-deployment'
      ? "ECS's own rollback of the deployment in progress"
      : 'update the service to the target task definition';
  const differences = diffTaskDefinitions(from, to);
  return [
    `cluster: ${cluster}`,
    `from:    ${shortTaskDef(choice.from)} (${images(from)})`,
    `to:      ${shortTaskDef(choice.to)} (${images(to)})`,
    `why:     ${choice.reason}`,
    `how:     ${how}`,
    `desired count: ${desiredCount} (unchanged)`,
    ...(differences.length
      ? ['changes:', ...differences.map((d) => `  ${d}`)]
      : ['changes: none in images, CPU, memory or environment names']),
    ...choice.notes.map((note) => `note: ${note}`),
  ];
}
