import { CHECKS } from '../checks/index.js';
import { runCheckCommand, type TroubleshootOptions } from '../engine/check-command.js';

/** `fsops cert` (runbook 003 weekly tasks): days until the public endpoints' TLS certificates expire. */
export async function cert(options: TroubleshootOptions): Promise<number> {
  return runCheckCommand(
    { checks: CHECKS, label: 'cert', steps: [{ check: 'tls.cert' }], defaultSince: '1h' },
    options,
  );
}
