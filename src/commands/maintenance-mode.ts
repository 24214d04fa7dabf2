import { writeMaintenanceMode } from '../actions/maintenance/maintenance-mode.js';
import { describeAwsError, isCredentialsError } from '../aws/errors.js';
import { interpretMaintenanceMode, readMaintenanceMode } from '../checks/maintenance-mode.js';
import { promptIO, runGuardedChange } from '../engine/change.js';
import { commandContext } from '../engine/context.js';
import { readsUntilInterrupted } from '../engine/interrupt.js';
import { ExitError, UnreachableError, UsageError } from '../engine/model/errors.js';
import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import { clean } from '../engine/render.js';
import type { PromptIO } from '../engine/safety.js';
import {
  classifyPreflightError,
  type GlobalOptions,
  openEnvSession,
  requireExplicitEnv,
  verifyAccount,
} from '../engine/session.js';

export interface MaintenanceModeOptions extends GlobalOptions {
  dryRun?: boolean;
  yes?: boolean;
  /** Tests pass a scripted prompt. */
  io?: PromptIO;
}

export const STATES = ['on', 'off', 'status'] as const;

function awsFailure(error: unknown, env: string, doing: string): Error {
  if (error instanceof ExitError) return error;
  if (isCredentialsError(error)) return classifyPreflightError(error, env);
  return new UnreachableError(`cannot ${doing}: ${describeAwsError(error)}`);
}

/** `fsops maintenance mode on|off|status` (deployment guide §4.2.1): the SSM maintenance_mode parameter. */
export async function maintenanceMode(state: string, options: MaintenanceModeOptions): Promise<number> {
  if (!(STATES as readonly string[]).includes(state)) {
    throw new UsageError(`unknown maintenance mode '${state}': valid are ${STATES.join(', ')}`);
  }
  const printer = printerFor(options, `maintenance mode ${state}`, VIEW_FORMATS);
  const format = printer.format;
  const envName =
    state === 'status'
      ? undefined
      : requireExplicitEnv(options, `maintenance mode ${state} changes the application`);
  const session = openEnvSession(options, envName);
  const ctx = commandContext(session);
  const parameter = session.env.nameOf('maintenanceModeParameter');
  const c = printer.chalk;
  // The text is built from the parameter's value (not fsops's text): `clean` it where it is shown.
  const print = (json: Record<string, unknown>, text: string) =>
    printer.view({ data: json, text: () => text });
  try {
    if (state === 'status') {
      await verifyAccount(session);
      const value = await readMaintenanceMode(ctx).catch((error) => {
        throw awsFailure(error, session.env.name, `read ${parameter}`);
      });
      const mode = interpretMaintenanceMode(value);
      print(
        { command: 'maintenance mode status', env: session.env.name, parameter, value: value ?? null, mode },
        `maintenance mode ${mode === 'on' ? c.yellow.bold('ON') : mode === 'off' ? c.green('off') : c.yellow(clean(mode))} in ${session.env.name} ${c.dim(`(${parameter} = ${clean(value ?? 'not set')}; deployment guide §4.2.1)`)}`,
      );
      return 0;
    }

    const identity = await readsUntilInterrupted((signal) => verifyAccount(session, true, signal));
    const current = await readMaintenanceMode(ctx).catch((error) => {
      throw awsFailure(error, session.env.name, `read ${parameter}`);
    });
    const currentMode = interpretMaintenanceMode(current);
    const wanted = state === 'on';
    const command = `maintenance mode ${state}`;
    if (currentMode === state) {
      print(
        { command, env: session.env.name, parameter, from: current, to: current, result: 'unchanged' },
        `maintenance mode is already ${state} in ${session.env.name} (${parameter} = ${clean(current ?? '')}); nothing changed`,
      );
      return 0;
    }
    const to = wanted ? 'true' : 'false';
    const outcome = await runGuardedChange({
      session,
      identity: identity?.arn ?? null,
      command,
      from: current ?? '(not set)',
      to,
      options,
      io: options.io ?? promptIO(format),
      plan: {
        action: `turn maintenance mode ${state}`,
        env: session.env.name,
        lines: [
          `SSM PutParameter ${parameter}: ${clean(current ?? '(not set)')} -> ${to}`,
          wanted
            ? 'the application shows its maintenance page and stops taking payments until it is turned off'
            : 'the application takes traffic again',
        ],
      },
      apply: () =>
        writeMaintenanceMode(ctx, wanted, current !== undefined).catch((error) => {
          throw awsFailure(error, session.env.name, `write ${parameter}`);
        }),
      describe: (r) => `${parameter} = ${r.value} (version ${r.version ?? '?'})`,
    });
    if (outcome.decision === 'dry-run') {
      if (format === 'json')
        print(
          { command, env: session.env.name, parameter, from: current ?? null, to, result: 'dry-run' },
          '',
        );
      return 0;
    }
    print(
      {
        command,
        env: session.env.name,
        parameter,
        from: current ?? null,
        to,
        version: outcome.result.version ?? null,
        result: 'changed',
      },
      `maintenance mode turned ${wanted ? c.yellow.bold('ON') : c.green('off')} in ${session.env.name}: ${parameter} ${clean(current ?? '(not set)')} -> ${to} (version ${outcome.result.version ?? '?'}); audit recorded`,
    );
    return 0;
  } finally {
    session.aws.destroy();
  }
}
