import { requireComponent } from '../base/config/load.js';
import { ecsTaskFacts, taskListing } from '../catalogue/checks/troubleshoot/ecs-tasks.js';
import type { Runtime } from '../engine/runtime.js';
import { openEnvSession } from '../engine/session.js';
import { type ReadCommandOptions, runReadCommand } from './kit/read.js';

/**
 * `fsops ecs tasks <component>` (deployment guide §12.1.1): running, pending and recently stopped
 * tasks grouped by why they stopped, the service events and the task definition in use.
 */
export async function ecsTasks(
  component: string | undefined,
  options: ReadCommandOptions,
  runtime: Runtime,
): Promise<number> {
  const session = openEnvSession(options);
  const name = requireComponent(session.env, component);
  return runReadCommand(
    {
      label: `ecs tasks ${name}`,
      procedure: { steps: [{ check: 'ecs.tasks', params: { components: [name] } }] },
      defaultSince: '1h',
      session,
      async notes({ context }) {
        if (!context) return [];
        try {
          return [taskListing(await ecsTaskFacts(context, name), context.since)];
        } catch {
          return []; // the facts failed: the error finding already says why
        }
      },
    },
    options,
    runtime,
  );
}
