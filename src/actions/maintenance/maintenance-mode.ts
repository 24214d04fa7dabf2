import type { CheckContext } from '../../engine/model/check.js';

/**
 * Writes the maintenance_mode parameter (deployment guide §4.2.1). An existing parameter keeps its type
 * (PutParameter with Overwrite); a missing one is created as a String.
 */
export async function writeMaintenanceMode(
  ctx: Pick<CheckContext, 'aws' | 'env' | 'signal'>,
  on: boolean,
  exists: boolean,
): Promise<{ parameter: string; value: string; version: number | undefined }> {
  const { PutParameterCommand } = await import('@aws-sdk/client-ssm');
  const ssm = await ctx.aws.ssm();
  const parameter = ctx.env.nameOf('maintenanceModeParameter');
  const value = on ? 'true' : 'false';
  const out = await ssm.send(
    new PutParameterCommand({
      Name: parameter,
      Value: value,
      Overwrite: exists,
      ...(exists
        ? {}
        : { Type: 'String', Description: 'fsops: application maintenance mode (deployment guide §4.2.1)' }),
    }),
    { abortSignal: ctx.signal },
  );
  return { parameter, value, version: out.Version };
}
