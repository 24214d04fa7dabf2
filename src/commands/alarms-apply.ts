import { alarmsApplyAction } from '../catalogue/actions/alarms-apply.js';
import { CHECKS } from '../catalogue/checks/index.js';
import { loadAlarmCatalogue } from '../domain/monitoring/alarm-catalogue.js';
import { type EnvActionOptions, runEnvActions } from '../engine/commands/env-command.js';
import { stepsFor } from '../engine/runner.js';
import type { Runtime } from '../engine/runtime.js';

export interface AlarmsApplyOptions extends EnvActionOptions {
  catalogue?: string;
}

/**
 * `fsops alarms apply --env E`: creates or corrects the catalogue's alarms (PutMetricAlarm) through
 * the guarded-change path: plan with each alarm's diff, --dry-run, confirmation (prod: type the name),
 * --yes without a terminal, audit lines before and after. After applying, the audit runs again
 * (alarms.apply's recheck) so the report and exit code show the alarms after the change. A second
 * apply plans nothing.
 */
export async function alarmsApply(options: AlarmsApplyOptions, runtime: Runtime): Promise<number> {
  // A bad catalogue is the person's to fix: exit 2 with every problem's path, before any AWS call.
  loadAlarmCatalogue(options.catalogue);
  return runEnvActions(
    {
      command: 'alarms apply',
      why: 'alarms apply changes CloudWatch alarms',
      steps: [
        {
          action: alarmsApplyAction,
          params: options.catalogue ? { catalogue: options.catalogue } : {},
        },
      ],
      // alarms.apply names alarms.audit in its recheck: the report ends with the audit after the change.
      recheck: stepsFor(CHECKS, [
        { check: 'alarms.audit', params: options.catalogue ? { catalogue: options.catalogue } : {} },
      ]),
    },
    options,
    runtime,
  );
}
