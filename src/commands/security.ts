import type { Runtime } from '../engine/runtime.js';
import { type ReadCommandOptions, runReadCommand } from './kit/read.js';

export type SecurityOptions = ReadCommandOptions;

/** `fsops security --env E` is the `security` runbook (runbooks/security.yaml). */
export async function security(options: SecurityOptions, runtime: Runtime): Promise<number> {
  return runReadCommand(
    { label: 'security', procedure: { runbook: 'security' }, askManual: true },
    options,
    runtime,
  );
}
