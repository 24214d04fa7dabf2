import type { Runtime } from '../engine/runtime.js';
import { type ReadCommandOptions, runReadCommand } from './kit/read.js';

/** `fsops cert` (runbook 003 weekly tasks): days until the public endpoints' TLS certificates expire. */
export async function cert(options: ReadCommandOptions, runtime: Runtime): Promise<number> {
  return runReadCommand(
    { label: 'cert', procedure: { steps: [{ check: 'tls.cert' }] }, defaultSince: '1h' },
    options,
    runtime,
  );
}
