import { awsExitError } from '../base/aws/errors.js';
import { UsageError } from '../base/model/errors.js';
import { CHECKS } from '../catalogue/checks/index.js';
import { judgeScale, readScalingLimits } from '../domain/ecs/scale-limits.js';
import { gatherServiceChangeFacts } from '../domain/ecs/service-facts.js';
import { shortTaskDef } from '../domain/ecs/taskdef.js';
import {
  prepareServiceCommand,
  runServiceOperation,
  type ServiceCommandOptions,
} from '../engine/commands/service-operation.js';
import { readsUntilInterrupted } from '../engine/interrupt.js';
import type { Runtime } from '../engine/runtime.js';

export interface ScaleOptions extends ServiceCommandOptions {
  /** The explicit confirmation that scaling a protected environment to 0 is meant (no terminal). */
  allowZero?: boolean;
  /** The explicit confirmation of a large jump (no terminal). */
  allowLarge?: boolean;
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
  runtime: Runtime,
): Promise<number> {
  const count = parseCount(countText);
  const { printer, session, identity, ecs, names } = await prepareServiceCommand(
    component,
    options,
    'scale',
    true,
    runtime,
  );
  try {
    const { service, stoppedTaskArns } = await readsUntilInterrupted((signal) =>
      gatherServiceChangeFacts(ecs, names, signal).catch((error) => {
        throw awsExitError(error, `cannot read ${names.service}`);
      }),
    );
    const desired = service.desiredCount ?? 0;
    if (desired === count) {
      throw new UsageError(
        `${names.service} already wants ${count} task${count === 1 ? '' : 's'}: nothing to change`,
      );
    }
    const current = service.taskDefinition ?? 'unknown';
    const profile = session.env.settings.ecs.desiredCount;
    // Bounded by the service's auto scaling limits or the config: over them is refused, nothing changed.
    const limits = await readsUntilInterrupted((signal) =>
      readScalingLimits(
        () => session.aws.autoScaling(),
        names,
        session.env.name,
        session.env.settings.limits?.maxDesiredCount,
        signal,
      ),
    );
    const judgement = judgeScale(count, desired, profile, limits);
    if (judgement.verdict === 'over-limit')
      throw new UsageError(`scale ${names.service}: ${judgement.message}`);
    const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
    const protectedZero = count === 0 && session.env.settings.protected;
    const lines = [
      `cluster: ${names.cluster}`,
      `desired count: ${desired} -> ${count} (now ${service.runningCount ?? 0} running)`,
      `revision: ${shortTaskDef(current)} (unchanged)`,
      `profile: ${session.env.name} expects ${profile} (deployment guide §4.1)`,
      `limit: at most ${limits.max} tasks (${limits.source})${limits.unknown ? `; auto scaling limits unknown: ${limits.unknown}` : ''}`,
    ];
    if (limits.min !== null && count < limits.min) {
      lines.push(
        `note: below the auto scaling minimum ${limits.min}: Application Auto Scaling will scale it back up`,
      );
    }
    if (judgement.verdict === 'large') {
      lines.push(`LARGE: ${judgement.message}; type the count to confirm (--allow-large without a terminal)`);
    }
    if (count === 0) {
      lines.push(
        `DANGER: every task of ${names.service} stops; ${component} serves nothing until scaled up again (runbook 003 "Stop writes immediately")`,
      );
    }
    lines.push('note: if Application Auto Scaling manages this service, it may change the count again');
    return await runServiceOperation(
      {
        command: 'scale',
        printer,
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
          : judgement.verdict === 'large'
            ? {
                danger: {
                  word: String(count),
                  flag: '--allow-large',
                  flagGiven: Boolean(options.allowLarge),
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
      runtime,
    );
  } finally {
    session.aws.destroy();
  }
}
