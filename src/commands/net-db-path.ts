import { CHECKS } from '../checks/index.js';
import { runCheckCommand, type TroubleshootOptions } from '../engine/check-command.js';

/** `fsops net db-path` (deployment guide §3.1.2, §12.1.2): can the ECS tasks reach RDS through the security groups? */
export async function netDbPath(options: TroubleshootOptions): Promise<number> {
  return runCheckCommand(
    { checks: CHECKS, label: 'net db-path', steps: [{ check: 'net.db-path' }], defaultSince: '1h' },
    options,
  );
}
