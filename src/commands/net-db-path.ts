import type { Runtime } from '../engine/runtime.js';
import { type ReadCommandOptions, runReadCommand } from './kit/read.js';

/** `fsops net db-path` (deployment guide §3.1.2, §12.1.2): can the ECS tasks reach RDS through the security groups? */
export async function netDbPath(options: ReadCommandOptions, runtime: Runtime): Promise<number> {
  return runReadCommand(
    { label: 'net db-path', procedure: { steps: [{ check: 'net.db-path' }] }, defaultSince: '1h' },
    options,
    runtime,
  );
}
