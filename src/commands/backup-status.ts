import type { Runtime } from '../engine/runtime.js';
import { type ReadCommandOptions, runReadCommand } from './kit/read.js';

/** `fsops backup status` is the backup-status runbook (runbooks/backup-status.yaml). */
export async function backupStatus(options: ReadCommandOptions, runtime: Runtime): Promise<number> {
  return runReadCommand(
    { label: 'backup status', procedure: { runbook: 'backup-status' }, askManual: true },
    options,
    runtime,
  );
}
