import type { RunbookCommandOptions } from './validate.js';
import { runRunbookCommand } from './validate.js';

/** `fsops backup status` is the backup-status runbook (runbooks/backup-status.yaml). */
export async function backupStatus(options: RunbookCommandOptions): Promise<number> {
  return runRunbookCommand('backup-status', options.env, options, 'backup status');
}
