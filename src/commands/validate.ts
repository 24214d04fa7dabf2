import { loadConfig } from '../base/config/load.js';
import { UsageError } from '../base/model/errors.js';
import type { Runtime } from '../engine/runtime.js';
import { type ReadCommandOptions, runReadCommand } from './kit/read.js';

export type ValidateOptions = ReadCommandOptions;

/**
 * `fsops validate <env>` is the `validate` runbook (deployment guide §12, checklists); the environment
 * is positional or the global --env, and both must agree.
 */
export async function validate(
  env: string | undefined,
  options: ValidateOptions,
  runtime: Runtime,
): Promise<number> {
  if (env && options.env && env !== options.env) {
    throw new UsageError(
      `validate: two environments given, '${env}' and --env '${options.env}': give one (fsops validate <env>)`,
    );
  }
  if (!env && !options.env && !process.env.FSOPS_ENV) {
    const valid = Object.keys(loadConfig(options.config).config.environments).join(', ');
    throw new UsageError(
      `validate: which environment? fsops validate <env> (valid: ${valid}; or set FSOPS_ENV)`,
    );
  }
  return runReadCommand(
    { label: 'validate', procedure: { runbook: 'validate' }, askManual: true, envName: env ?? options.env },
    options,
    runtime,
  );
}
