import { restoreTestOrphansAction } from '../catalogue/actions/backup/orphans.js';
import { type RestoreTestParams, restoreTestAction } from '../catalogue/actions/backup/restore-test.js';
import { parseRestoreTime } from '../domain/backup/restore.js';
import { type EnvActionOptions, runEnvActions } from '../engine/commands/env-command.js';
import type { Runtime } from '../engine/runtime.js';

export interface BackupVerifyOptions extends EnvActionOptions {
  from?: string;
  time?: string;
  keep?: boolean;
  dbHost?: string;
  dbPort?: string;
}

/** `fsops backup verify` (runbook 003 Monthly Tasks; runbook 002 Backup Verification; deployment guide §2.2.3). */
export async function backupVerify(options: BackupVerifyOptions, runtime: Runtime): Promise<number> {
  // Bad input is refused before any AWS call.
  if (options.time !== undefined) parseRestoreTime(options.time, '--time');
  const params: RestoreTestParams = {
    from: options.from,
    time: options.time,
    keep: options.keep,
    dbHost: options.dbHost,
    dbPort: options.dbPort,
  };
  return runEnvActions(
    {
      command: 'backup verify',
      why: 'backup verify creates an RDS instance',
      // Instances of an earlier run that was killed are named (and deleted) first, under the same prompt.
      steps: [
        { action: restoreTestOrphansAction, params: {} },
        { action: restoreTestAction, params },
      ],
    },
    options,
    runtime,
  );
}
