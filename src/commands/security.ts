import { type RunbookCommandOptions, runRunbookCommand } from './validate.js';

export type SecurityOptions = RunbookCommandOptions;

/** `fsops security --env E` is the `security` runbook (runbooks/security.yaml) through the runbook runner. */
export async function security(options: SecurityOptions): Promise<number> {
  return runRunbookCommand('security', options.env, options, 'security');
}
