import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { describeAwsError } from '../../base/aws/errors.js';
import type { ServiceNames } from './service-facts.js';

/** When the config names no maximum (environments.<env>.limits.maxDesiredCount). */
export const DEFAULT_MAX_DESIRED_COUNT = 20;

export interface ScalingLimits {
  /** The most tasks `fsops scale` will set. */
  max: number;
  /** Application Auto Scaling's floor, when it manages the service (it scales back up to it). */
  min: number | null;
  /** Where `max` comes from, for the plan and the refusal. */
  source: string;
  /** Why the auto scaling limits are unknown (access denied...), when they are. */
  unknown?: string;
}

/**
 * The service's scaling limits: its Application Auto Scaling target's MinCapacity/MaxCapacity when
 * one is registered (service/<cluster>/<service>, ecs:service:DesiredCount), else the config maximum.
 * A failure to ask falls back to the config maximum and says so.
 */
export async function readScalingLimits(
  client: () => Promise<ApplicationAutoScalingClient>,
  names: ServiceNames,
  envName: string,
  configMax: number | undefined,
  signal?: AbortSignal,
): Promise<ScalingLimits> {
  const fromConfig = (unknown?: string): ScalingLimits => ({
    max: configMax ?? DEFAULT_MAX_DESIRED_COUNT,
    min: null,
    source:
      configMax === undefined
        ? `the default maximum (set environments.${envName}.limits.maxDesiredCount to change it)`
        : `environments.${envName}.limits.maxDesiredCount`,
    ...(unknown ? { unknown } : {}),
  });
  try {
    const { DescribeScalableTargetsCommand } = await import('@aws-sdk/client-application-auto-scaling');
    const out = await (await client()).send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: 'ecs',
        ResourceIds: [`service/${names.cluster}/${names.service}`],
        ScalableDimension: 'ecs:service:DesiredCount',
      }),
      { abortSignal: signal },
    );
    const target = out.ScalableTargets?.[0];
    if (!target || target.MaxCapacity === undefined) return fromConfig();
    return {
      max: target.MaxCapacity,
      min: target.MinCapacity ?? null,
      source: `Application Auto Scaling (min ${target.MinCapacity ?? '?'}, max ${target.MaxCapacity})`,
    };
  } catch (error) {
    if (signal?.aborted) throw error;
    return fromConfig(describeAwsError(error));
  }
}

/** What `fsops scale` makes of a requested count. */
export type ScaleJudgement =
  | { verdict: 'over-limit'; message: string }
  | { verdict: 'large'; message: string }
  | { verdict: 'ok' };

/**
 * Over the limit: refused. A large jump (more than twice the larger of the current and the expected
 * count, or more than 10 tasks at once) needs its own confirmation.
 */
export function judgeScale(
  count: number,
  desired: number,
  expected: number,
  limits: ScalingLimits,
): ScaleJudgement {
  if (count > limits.max) {
    return {
      verdict: 'over-limit',
      message: `${count} tasks is over the limit of ${limits.max} (${limits.source}): give a count from 0 to ${limits.max}`,
    };
  }
  const base = Math.max(desired, expected);
  if (count > 2 * base || count - desired > 10) {
    return {
      verdict: 'large',
      message: `${desired} -> ${count} is a large jump (more than twice ${base}, or more than 10 tasks at once)`,
    };
  }
  return { verdict: 'ok' };
}
