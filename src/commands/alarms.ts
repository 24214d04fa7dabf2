import { CHECKS } from '../checks/index.js';
import { ALARM_STATES } from '../checks/troubleshoot/alarms.js';
import { runCheckCommand, type TroubleshootOptions } from '../engine/check-command.js';
import { UsageError } from '../engine/model/errors.js';

export interface AlarmsOptions extends TroubleshootOptions {
  state?: string;
}

/** `fsops alarms [--state ALARM]` (ops guide §13.2.1): the account's CloudWatch alarms, firing ones first. */
export async function alarms(options: AlarmsOptions): Promise<number> {
  const state = options.state?.toUpperCase();
  if (state && !(ALARM_STATES as readonly string[]).includes(state)) {
    throw new UsageError(`unknown --state '${options.state}': valid states are ${ALARM_STATES.join(', ')}`);
  }
  return runCheckCommand(
    {
      checks: CHECKS,
      label: state ? `alarms --state ${state}` : 'alarms',
      steps: [{ check: 'cloudwatch.alarm-list', params: state ? { state } : {} }],
      defaultSince: '1h',
    },
    options,
  );
}
