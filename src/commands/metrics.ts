import { CHECKS } from '../checks/index.js';
import { runCheckCommand, type TroubleshootOptions } from '../engine/check-command.js';
import { UsageError } from '../engine/model/errors.js';
import { openEnvSession } from '../engine/session.js';
import { METRIC_GROUPS } from '../metrics/definitions.js';

/**
 * `fsops metrics <rds|ecs|alb|payments|dynamodb>` (ops guide §6.1.1, §8.1.1; deployment guide §12.2.1): the
 * guide's metrics over the window, latest/average/peak against the thresholds, with a trend line.
 */
export async function metrics(group: string | undefined, options: TroubleshootOptions): Promise<number> {
  if (!group || !(METRIC_GROUPS as readonly string[]).includes(group)) {
    throw new UsageError(
      `${group ? `unknown metric group '${group}'` : 'no metric group given'}: valid groups are ${METRIC_GROUPS.join(', ')}`,
    );
  }
  const session = openEnvSession(options);
  return runCheckCommand(
    {
      checks: CHECKS,
      label: `metrics ${group}`,
      steps: [{ check: `metrics.${group}` }],
      defaultSince: session.config.troubleshoot.since,
    },
    options,
    session,
  );
}
