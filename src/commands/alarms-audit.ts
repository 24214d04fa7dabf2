import { CHECKS } from '../checks/index.js';
import { runCheckCommand, type TroubleshootOptions } from '../engine/check-command.js';
import { loadAlarmCatalogue } from '../monitoring/alarm-catalogue.js';

export interface AlarmsAuditOptions extends TroubleshootOptions {
  /** Another catalogue file than monitoring/alarms.yaml. */
  catalogue?: string;
}

/**
 * `fsops alarms audit --env E` (ops guide §3.2.1, §5.1.1, §5.2.1, §8.1.1, §8.2.1): the alarm catalogue
 * against CloudWatch and SNS — missing and drifted alarms, actions to nobody, alarms without data.
 */
export async function alarmsAudit(options: AlarmsAuditOptions): Promise<number> {
  // A bad catalogue is the person's to fix: exit 2 with every problem's path, before any AWS call.
  loadAlarmCatalogue(options.catalogue);
  return runCheckCommand(
    {
      checks: CHECKS,
      label: 'alarms audit',
      steps: [{ check: 'alarms.audit', params: options.catalogue ? { catalogue: options.catalogue } : {} }],
      defaultSince: '1h',
    },
    options,
  );
}
