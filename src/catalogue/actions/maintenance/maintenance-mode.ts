import { z } from 'zod';
import type { CheckContext } from '../../../base/model/check.js';
import { UsageError } from '../../../base/model/errors.js';
import { defineAction } from '../../action.js';
import { interpretMaintenanceMode, readMaintenanceMode } from '../../checks/maintenance-mode.js';

/**
 * Writes the maintenance_mode parameter (deployment guide §4.2.1). An existing parameter keeps its type
 * (PutParameter with Overwrite); a missing one is created as a String.
 */
export async function writeMaintenanceMode(
  ctx: Pick<CheckContext, 'aws' | 'env'>,
  on: boolean,
  exists: boolean,
): Promise<{ parameter: string; value: string; version: number | undefined }> {
  const { PutParameterCommand } = await import('@aws-sdk/client-ssm');
  const ssm = await ctx.aws.ssm();
  const parameter = ctx.env.nameOf('maintenanceModeParameter');
  const value = on ? 'true' : 'false';
  // No abort signal on the mutating call: once sent, SSM may have accepted it; aborting only loses the answer.
  const out = await ssm.send(
    new PutParameterCommand({
      Name: parameter,
      Value: value,
      Overwrite: exists,
      ...(exists
        ? {}
        : { Type: 'String', Description: 'fsops: application maintenance mode (deployment guide §4.2.1)' }),
    }),
  );
  return { parameter, value, version: out.Version };
}

const maintenanceModeParams = z.object({ on: z.boolean() }).strict();

/**
 * `fsops maintenance mode on|off` (deployment guide §4.2.1): the SSM maintenance_mode parameter the
 * application reads. Nothing to do when it is already as asked. The result carries the parameter's new
 * version as its `value` (unit `version`).
 */
export const maintenanceModeAction = defineAction({
  id: 'maintenance.mode',
  title: 'Maintenance mode',
  severity: 'high',
  source: 'deployment guide §4.2.1',
  remediation: 'Read the parameter with `fsops maintenance mode status --env <env>` and set it again.',
  params: maintenanceModeParams,
  async plan(ctx, { on }) {
    const env = ctx.env;
    if (!env) throw new UsageError('maintenance mode needs an environment (--env)');
    const parameter = env.nameOf('maintenanceModeParameter');
    const state = on ? 'on' : 'off';
    const current = await readMaintenanceMode({ aws: ctx.aws, env, signal: ctx.signal });
    const from = current ?? '(not set)';
    const to = on ? 'true' : 'false';
    if (interpretMaintenanceMode(current) === state) {
      return {
        lines: [],
        preview: [
          { status: 'pass', resource: parameter, expected: to, observed: `already ${state} (${current})` },
        ],
        audit: { from, to: from },
        apply: async () => [],
      };
    }
    return {
      lines: [
        `SSM PutParameter ${parameter}: ${from} -> ${to}`,
        on
          ? 'the application shows its maintenance page and stops taking payments until it is turned off'
          : 'the application takes traffic again',
      ],
      preview: [
        {
          status: 'skip',
          resource: parameter,
          expected: to,
          observed: `would set ${from} -> ${to} (dry run)`,
        },
      ],
      verb: `turn maintenance mode ${state}`,
      audit: { command: `maintenance mode ${state}`, from, to },
      async apply() {
        const written = await writeMaintenanceMode({ aws: ctx.aws, env }, on, current !== undefined);
        return [
          {
            status: 'pass',
            resource: parameter,
            expected: to,
            observed: `${written.value} (version ${written.version ?? '?'})`,
            ...(written.version !== undefined ? { value: written.version, unit: 'version' } : {}),
          },
        ];
      },
    };
  },
});
