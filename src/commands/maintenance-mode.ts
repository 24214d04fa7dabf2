import { awsExitError } from '../base/aws/errors.js';
import { UsageError } from '../base/model/errors.js';
import { maintenanceModeAction } from '../catalogue/actions/maintenance/maintenance-mode.js';
import { interpretMaintenanceMode, readMaintenanceMode } from '../catalogue/checks/maintenance-mode.js';
import { promptIO } from '../engine/change.js';
import { envChangeSession, runChanges } from '../engine/changes.js';
import { commandContext } from '../engine/context.js';
import { readsUntilInterrupted } from '../engine/interrupt.js';
import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import { clean } from '../engine/render.js';
import type { Runtime } from '../engine/runtime.js';
import { type GlobalOptions, openEnvSession, requireExplicitEnv, verifyAccount } from '../engine/session.js';

export interface MaintenanceModeOptions extends GlobalOptions {
  dryRun?: boolean;
  yes?: boolean;
}

export const STATES = ['on', 'off', 'status'] as const;

const awsFailure = (error: unknown, env: string, doing: string): Error =>
  awsExitError(error, `cannot ${doing}`, { env });

/**
 * `fsops maintenance mode on|off|status` (deployment guide §4.2.1): the SSM maintenance_mode parameter.
 * on/off is the catalogue action `maintenance.mode` run by the one driver (plan, confirm, audit).
 */
export async function maintenanceMode(
  state: string,
  options: MaintenanceModeOptions,
  runtime: Runtime,
): Promise<number> {
  if (!(STATES as readonly string[]).includes(state)) {
    throw new UsageError(`unknown maintenance mode '${state}': valid are ${STATES.join(', ')}`);
  }
  const printer = printerFor(options, `maintenance mode ${state}`, VIEW_FORMATS, runtime);
  const envName =
    state === 'status'
      ? undefined
      : requireExplicitEnv(options, `maintenance mode ${state} changes the application`);
  const session = openEnvSession(options, envName);
  const parameter = session.env.nameOf('maintenanceModeParameter');
  const env = session.env.name;
  const c = printer.chalk;
  // The text is built from the parameter's value (not fsops's text): `clean` it where it is shown.
  const print = (json: Record<string, unknown>, text: string) =>
    printer.view({ data: json, text: () => text });
  try {
    if (state === 'status') {
      await verifyAccount(session);
      const value = await readMaintenanceMode(commandContext(session)).catch((error) => {
        throw awsFailure(error, env, `read ${parameter}`);
      });
      const mode = interpretMaintenanceMode(value);
      print(
        { command: 'maintenance mode status', env, parameter, value: value ?? null, mode },
        `maintenance mode ${mode === 'on' ? c.yellow.bold('ON') : mode === 'off' ? c.green('off') : c.yellow(clean(mode))} in ${env} ${c.dim(`(${parameter} = ${clean(value ?? 'not set')}; deployment guide §4.2.1)`)}`,
      );
      return 0;
    }

    const identity = await readsUntilInterrupted((signal) => verifyAccount(session, true, signal));
    const command = `maintenance mode ${state}`;
    const result = await runChanges(
      envChangeSession(session, identity?.arn ?? null, runtime),
      [{ action: maintenanceModeAction, params: { on: state === 'on' } }],
      {
        command,
        yes: options.yes,
        dryRun: options.dryRun,
        io: promptIO(printer.format, runtime.io, runtime.stderr),
      },
    );
    const [step] = result.steps;
    if (step!.state === 'plan-failed') throw awsFailure(step!.error, env, `read ${parameter}`);
    if (result.stop) throw result.stop;
    const { from = null, to = null } = step!.plan?.audit ?? {};
    if (step!.state === 'nothing-to-do') {
      print(
        { command, env, parameter, from, to: from, result: 'unchanged' },
        `maintenance mode is already ${state} in ${env} (${parameter} = ${clean(from ?? '')}); nothing changed`,
      );
      return 0;
    }
    if (step!.state === 'dry-run') {
      if (printer.format === 'json')
        print(
          { command, env, parameter, from: from === '(not set)' ? null : from, to, result: 'dry-run' },
          '',
        );
      return 0;
    }
    if (step!.state === 'failed') throw awsFailure(step!.error, env, `write ${parameter}`);
    const version = step!.findings[0]?.value ?? null;
    print(
      { command, env, parameter, from: from === '(not set)' ? null : from, to, version, result: 'changed' },
      `maintenance mode turned ${state === 'on' ? c.yellow.bold('ON') : c.green('off')} in ${env}: ${parameter} ${clean(from ?? '(not set)')} -> ${to} (version ${version ?? '?'}); audit recorded`,
    );
    return 0;
  } finally {
    session.aws.destroy();
  }
}
