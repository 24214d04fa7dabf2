import { type SnapshotParams, snapshotAction } from '../catalogue/actions/backup/snapshot.js';
import { CHANGE_REF_ENV } from '../catalogue/checks/maintenance/window.js';
import { type EnvActionOptions, runEnvActions } from '../engine/commands/env-command.js';
import type { Runtime } from '../engine/runtime.js';

export interface BackupSnapshotOptions extends EnvActionOptions {
  changeRef?: string;
  wait?: boolean;
}

/** `fsops backup snapshot` (ops guide §12.1.1: full backup before maintenance). */
export async function backupSnapshot(options: BackupSnapshotOptions, runtime: Runtime): Promise<number> {
  const params: SnapshotParams = {
    changeRef: options.changeRef ?? process.env[CHANGE_REF_ENV],
    wait: options.wait ?? false,
  };
  return runEnvActions(
    {
      command: 'backup snapshot',
      why: 'backup snapshot creates an RDS snapshot',
      steps: [{ action: snapshotAction, params }],
    },
    options,
    runtime,
  );
}
