import { UsageError } from '../base/model/errors.js';
import { METRIC_GROUPS } from '../domain/metrics/definitions.js';
import type { Runtime } from '../engine/runtime.js';
import { type ReadCommandOptions, runReadCommand } from './kit/read.js';

/**
 * `fsops metrics <rds|ecs|alb|payments|dynamodb>` (ops guide §6.1.1, §8.1.1; deployment guide §12.2.1): the
 * guide's metrics over the window, latest/average/peak against the thresholds, with a trend line.
 */
export async function metrics(
  group: string | undefined,
  options: ReadCommandOptions,
  runtime: Runtime,
): Promise<number> {
  if (!group || !(METRIC_GROUPS as readonly string[]).includes(group)) {
    throw new UsageError(
      `${group ? `unknown metric group '${group}'` : 'no metric group given'}: valid groups are ${METRIC_GROUPS.join(', ')}`,
    );
  }
  return runReadCommand(
    {
      label: `metrics ${group}`,
      procedure: { steps: [{ check: `metrics.${group}` }] },
      defaultSince: (config) => config.troubleshoot.since,
    },
    options,
    runtime,
  );
}
