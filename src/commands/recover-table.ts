import { type RecoverTableParams, recoverTableAction } from '../catalogue/actions/recover/table.js';
import { type EnvActionOptions, runEnvActions } from '../engine/commands/env-command.js';
import type { Runtime } from '../engine/runtime.js';

export interface RecoverTableOptions extends EnvActionOptions {
  toTime?: string;
  snapshot?: string;
  dbHost?: string;
  dbPort?: string;
}

/** `fsops recover table <schema.table>` (runbook 002 Partial Recovery; runbook 003 Data Corruption). */
export async function recoverTable(
  table: string,
  options: RecoverTableOptions,
  runtime: Runtime,
): Promise<number> {
  const params: RecoverTableParams = {
    table,
    toTime: options.toTime,
    snapshot: options.snapshot,
    dbHost: options.dbHost,
    dbPort: options.dbPort,
  };
  return runEnvActions(
    {
      command: 'recover table',
      why: 'recover table creates an RDS instance and a schema in the live database',
      steps: [{ action: recoverTableAction, params }],
    },
    options,
    runtime,
  );
}
