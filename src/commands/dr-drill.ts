import { UsageError } from '../base/model/errors.js';
import { ecsTaskLossAction } from '../catalogue/actions/dr/ecs-task-loss.js';
import { rdsFailoverAction } from '../catalogue/actions/dr/rds-failover.js';
import { type EnvActionOptions, runEnvActions } from '../engine/commands/env-command.js';
import type { Runtime } from '../engine/runtime.js';

export interface DrDrillOptions extends EnvActionOptions {
  component?: string;
  overrideWindow?: boolean;
  dbHost?: string;
  dbPort?: string;
}

export const DRILLS = ['rds-failover', 'ecs-task-loss'] as const;

/** `fsops dr drill rds-failover|ecs-task-loss` (runbook 002 Failover Testing; runbook 003 Monthly Tasks). */
export async function drDrill(kind: string, options: DrDrillOptions, runtime: Runtime): Promise<number> {
  if (!(DRILLS as readonly string[]).includes(kind)) {
    throw new UsageError(`unknown drill '${kind}': valid drills are ${DRILLS.join(', ')}`);
  }
  if (kind === 'rds-failover' && options.component) {
    throw new UsageError('--component is for ecs-task-loss only');
  }
  const step =
    kind === 'rds-failover'
      ? {
          action: rdsFailoverAction,
          params: { overrideWindow: options.overrideWindow, dbHost: options.dbHost, dbPort: options.dbPort },
        }
      : {
          action: ecsTaskLossAction,
          params: { component: options.component, overrideWindow: options.overrideWindow },
        };
  return runEnvActions(
    {
      command: `dr drill ${kind}`,
      why: `dr drill ${kind} disrupts the environment on purpose`,
      steps: [step],
    },
    options,
    runtime,
  );
}
