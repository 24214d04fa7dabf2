import { CHECKS } from '../checks/index.js';
import { gatherServiceChangeFacts } from '../ecs/facts.js';
import { shortTaskDef } from '../ecs/taskdef.js';
import {
  asExitError,
  prepareServiceCommand,
  runServiceOperation,
  type ServiceCommandDeps,
  type ServiceCommandOptions,
} from '../engine/commands/service-operation.js';
import { UsageError } from '../engine/model/errors.js';

export interface ScaleOptions extends ServiceCommandOptions {
  /** The explicit confirmation that scaling a protected environment to 0 is meant (no terminal). */
  allowZero?: boolean;
}

export const SCALE_SOURCE =
  'runbook 002 (Infrastructure Scaling: horizontal scaling); runbook 003 (Data Corruption: stop writes immediately); deployment guide §4.1 (desired counts)';

/** Desired counts are non-negative integers; anything else is one clear usage error. */
export function parseCount(text: string): number {
  const trimmed = String(text).trim();
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
    throw new UsageError(`invalid count '${text}': use a whole number of tasks, 0 or more (e.g. 3)`);
  }
  return Number(trimmed);
}

/** `fsops scale <component> <count> --env E`: set the desired count and wait until running == desired. */
export async function scale(
  component: string,
  countText: string,
  options: ScaleOptions,
  deps: ServiceCommandDeps = {},
): Promise<number> {
  const count = parseCount(countText);
  const { session, identity, ecs, names } = await prepareServiceCommand(component, options, 'scale', true);
  try {
    const { service, stoppedTaskArns } = await gatherServiceChangeFacts(ecs, names).catch((error) => {
      throw asExitError(error, `cannot read ${names.service}`);
    });
    const desired = service.desiredCount ?? 0;
    if (desired === count) {
      throw new UsageError(
        `${names.service} already wants ${count} task${count === 1 ? '' : 's'}: nothing to change`,
      );
    }
    const current = service.taskDefinition ?? 'unknown';
    const profile = session.env.settings.ecs.desiredCount;
    const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
    const protectedZero = count === 0 && session.env.settings.protected;
    const lines = [
      `cluster: ${names.cluster}`,
      `desired count: ${desired} -> ${count} (now ${service.runningCount ?? 0} running)`,
      `revision: ${shortTaskDef(current)} (unchanged)`,
      `profile: ${session.env.name} expects ${profile} (deployment guide §4.1)`,
    ];
    if (count === 0) {
      lines.push(
        `DANGER: every task of ${names.service} stops; ${component} serves nothing until scaled up again (runbook 003 "Stop writes immediately")`,
      );
    }
    lines.push('note: if Application Auto Scaling manages this service, it may change the count again');
    return await runServiceOperation(
      {
        command: 'scale',
        title: 'Scale',
        component,
        session,
        ecs,
        names,
        identity,
        plan: { action: `scale ${names.service} to ${count}`, env: session.env.name, lines },
        ...(protectedZero
          ? {
              danger: {
                word: `stop ${component}`,
                flag: '--allow-zero',
                flagGiven: Boolean(options.allowZero),
              },
            }
          : {}),
        action: {
          kind: 'set-desired-count',
          cluster: names.cluster,
          service: names.service,
          desiredCount: count,
        },
        from: `${shortTaskDef(current)} x${desired}`,
        to: `${shortTaskDef(current)} x${count}`,
        waitTarget: () => ({
          taskDefinition: current,
          ...(primary?.id ? { deploymentId: primary.id } : {}),
          desiredCount: count,
        }),
        before: service,
        knownStoppedTasks: stoppedTaskArns,
        verify: count > 0,
        checks: CHECKS,
        source: SCALE_SOURCE,
      },
      options,
      deps,
    );
  } finally {
    session.aws.destroy();
  }
}
