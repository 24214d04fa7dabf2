import { CHECKS } from '../checks/index.js';
import { ecsTaskFacts, taskListing } from '../checks/troubleshoot/ecs-tasks.js';
import { requireComponent } from '../config/load.js';
import { runCheckCommand, type TroubleshootOptions } from '../engine/check-command.js';
import { openEnvSession } from '../engine/session.js';

/**
 * `fsops ecs tasks <component>` (deployment guide §12.1.1): running, pending and recently stopped
 * tasks grouped by why they stopped, the service events and the task definition in use.
 */
export async function ecsTasks(component: string | undefined, options: TroubleshootOptions): Promise<number> {
  const session = openEnvSession(options);
  const name = requireComponent(session.env, component);
  return runCheckCommand(
    {
      checks: CHECKS,
      label: `ecs tasks ${name}`,
      steps: [{ check: 'ecs.tasks', params: { components: [name] } }],
      defaultSince: '1h',
      async notes({ context }) {
        try {
          return [taskListing(await ecsTaskFacts(context, name), context.since)];
        } catch {
          return []; // the facts failed: the error finding already says why
        }
      },
    },
    options,
    session,
  );
}
