import { UsageError } from '../base/model/errors.js';
import { ALARM_STATES } from '../catalogue/checks/troubleshoot/alarms.js';
import type { Runtime } from '../engine/runtime.js';
import { type ReadCommandOptions, runReadCommand } from './kit/read.js';

export interface AlarmsOptions extends ReadCommandOptions {
  state?: string;
}

/** `fsops alarms [--state ALARM]` (ops guide §13.2.1): the account's CloudWatch alarms, firing ones first. */
export async function alarms(options: AlarmsOptions, runtime: Runtime): Promise<number> {
  const state = options.state?.toUpperCase();
  if (state && !(ALARM_STATES as readonly string[]).includes(state)) {
    throw new UsageError(`unknown --state '${options.state}': valid states are ${ALARM_STATES.join(', ')}`);
  }
  return runReadCommand(
    {
      label: state ? `alarms --state ${state}` : 'alarms',
      procedure: { steps: [{ check: 'cloudwatch.alarm-list', params: state ? { state } : {} }] },
      defaultSince: '1h',
    },
    options,
    runtime,
  );
}
