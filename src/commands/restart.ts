import { awsExitError } from '../base/aws/errors.js';
import { UsageError } from '../base/model/errors.js';
import { CHECKS } from '../catalogue/checks/index.js';
import { gatherServiceChangeFacts } from '../domain/ecs/service-facts.js';
import { shortTaskDef } from '../domain/ecs/taskdef.js';
import {
  prepareServiceCommand,
  runServiceOperation,
  type ServiceCommandOptions,
} from '../engine/commands/service-operation.js';
import { readsUntilInterrupted } from '../engine/interrupt.js';
import type { Runtime } from '../engine/runtime.js';

export const RESTART_SOURCE =
  "runbook 004 (Service Won't Start: restart service); ops guide §13.1.1 (restart failing services)";

/** `fsops restart <component> --env E`: a new deployment of the same revision (fresh tasks), then verify. */
export async function restart(
  component: string,
  options: ServiceCommandOptions,
  runtime: Runtime,
): Promise<number> {
  const { printer, session, identity, ecs, names } = await prepareServiceCommand(
    component,
    options,
    'restart',
    true,
    runtime,
  );
  try {
    const { service, stoppedTaskArns } = await readsUntilInterrupted((signal) =>
      gatherServiceChangeFacts(ecs, names, signal).catch((error) => {
        throw awsExitError(error, `cannot read ${names.service}`);
      }),
    );
    const current = service.taskDefinition ?? 'unknown';
    if ((service.desiredCount ?? 0) === 0) {
      throw new UsageError(
        `${names.service} wants 0 tasks: nothing to restart; start it with \`fsops scale ${component} <count> --env ${session.env.name}\``,
      );
    }
    const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
    const config = service.deploymentConfiguration;
    const lines = [
      `cluster: ${names.cluster}`,
      `revision: ${shortTaskDef(current)} (unchanged)`,
      `tasks:   ${service.runningCount ?? 0} running of ${service.desiredCount ?? 0} desired; each is replaced by a fresh one`,
      `pace:    ECS keeps ${config?.minimumHealthyPercent ?? 100}%..${config?.maximumPercent ?? 200}% of desired running while replacing`,
    ];
    if (primary?.rolloutState === 'IN_PROGRESS' || (service.deployments?.length ?? 0) > 1) {
      lines.push(
        'note: a deployment is in progress; the restart replaces it with a new one of the same revision',
      );
    }
    return await runServiceOperation(
      {
        command: 'restart',
        printer,
        title: 'Restart',
        component,
        session,
        ecs,
        names,
        identity,
        plan: { action: `restart ${names.service}`, env: session.env.name, lines },
        action: { kind: 'force-new-deployment', cluster: names.cluster, service: names.service },
        from: current,
        to: current,
        waitTarget: (applied) => ({
          taskDefinition: current,
          ...(applied.primaryDeploymentId ? { deploymentId: applied.primaryDeploymentId } : {}),
          ...(primary?.id ? { replacesDeploymentId: primary.id } : {}),
        }),
        before: service,
        knownStoppedTasks: stoppedTaskArns,
        verify: true,
        checks: CHECKS,
        source: RESTART_SOURCE,
      },
      options,
      runtime,
    );
  } finally {
    session.aws.destroy();
  }
}
