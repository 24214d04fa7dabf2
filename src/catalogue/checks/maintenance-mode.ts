import type { CheckContext, CheckResult } from '../../base/model/check.js';
import { defineCheck, noParams } from '../../base/model/check.js';

const ON = new Set(['true', 'on', '1', 'yes', 'enabled']);
const OFF = new Set(['false', 'off', '0', 'no', 'disabled']);

export type MaintenanceMode = 'on' | 'off' | 'unknown' | 'missing';

export function interpretMaintenanceMode(value: string | undefined | null): MaintenanceMode {
  if (value === undefined || value === null) return 'missing';
  const normalized = value.trim().toLowerCase();
  if (ON.has(normalized)) return 'on';
  if (OFF.has(normalized)) return 'off';
  return 'unknown';
}

/** Reads the maintenance_mode parameter (deployment guide §4.2.1); undefined when it does not exist. */
export async function readMaintenanceMode(
  ctx: Pick<CheckContext, 'aws' | 'env' | 'signal'>,
): Promise<string | undefined> {
  const { GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const ssm = await ctx.aws.ssm();
  try {
    const out = await ssm.send(
      new GetParameterCommand({ Name: ctx.env.nameOf('maintenanceModeParameter') }),
      {
        abortSignal: ctx.signal,
      },
    );
    return out.Parameter?.Value;
  } catch (error) {
    if (error instanceof Error && error.name === 'ParameterNotFound') return undefined;
    throw error;
  }
}

export function evaluateMaintenanceMode(
  parameter: string,
  value: string | undefined,
  env: string,
): CheckResult {
  const mode = interpretMaintenanceMode(value);
  return {
    status: mode === 'off' ? 'pass' : mode === 'on' ? 'fail' : 'warn',
    resource: parameter,
    expected: 'off after a deploy',
    observed: mode === 'missing' ? 'parameter not found' : `${value} (${mode})`,
    remediation:
      mode === 'on'
        ? `Turn maintenance mode off once the deploy is verified: \`fsops maintenance mode off --env ${env}\`.`
        : 'Create the parameter with value "false" (deployment guide §4.2.1).',
  };
}

export const maintenanceModeCheck = defineCheck({
  id: 'ssm.maintenance-mode',
  title: 'Maintenance mode is off',
  severity: 'high',
  source: 'deployment guide §4.2.1',
  remediation: 'Turn maintenance mode off once the deploy is verified.',
  params: noParams,
  async run(ctx) {
    const parameter = ctx.env.nameOf('maintenanceModeParameter');
    return [evaluateMaintenanceMode(parameter, await readMaintenanceMode(ctx), ctx.env.name)];
  },
});
