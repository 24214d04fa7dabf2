import { loadAlarmCatalogue } from '../domain/monitoring/alarm-catalogue.js';
import type { Runtime } from '../engine/runtime.js';
import { type ReadCommandOptions, runReadCommand } from './kit/read.js';

export interface AlarmsAuditOptions extends ReadCommandOptions {
  /** Another catalogue file than monitoring/alarms.yaml. */
  catalogue?: string;
}

/**
 * `fsops alarms audit --env E` (ops guide §3.2.1, §5.1.1, §5.2.1, §8.1.1, §8.2.1): the alarm catalogue
 * against CloudWatch and SNS — missing and drifted alarms, actions to nobody, alarms without data.
 */
export async function alarmsAudit(options: AlarmsAuditOptions, runtime: Runtime): Promise<number> {
  // A bad catalogue is the person's to fix: exit 2 with every problem's path, before any AWS call.
  loadAlarmCatalogue(options.catalogue);
  return runReadCommand(
    {
      label: 'alarms audit',
      procedure: {
        steps: [{ check: 'alarms.audit', params: options.catalogue ? { catalogue: options.catalogue } : {} }],
      },
      defaultSince: '1h',
    },
    options,
    runtime,
  );
}
