import { z } from 'zod';
import { UsageError } from '../../../base/model/errors.js';
import { describeService, type ServiceNames } from '../../../domain/ecs/service-facts.js';
import { sameTaskDef, shortTaskDef } from '../../../domain/ecs/taskdef.js';
import { built, defineAction } from '../../action.js';

const stopParams = z
  .object({
    component: z.string(),
    names: built<ServiceNames>('the service names'),
    /** The revision the deploy replaced: where the service goes back to. */
    previous: z.string(),
    /** The revision the deploy registered. */
    released: z.string(),
  })
  .strict();

/**
 * The way back offered after Ctrl-C during `fsops deploy` (runbook 004 "Rollback if Needed"; runbook 002
 * "quick rollback"): a deployment still in flight is stopped with ECS's rollback (blue/green: production
 * traffic back to blue at once); a finished one is replaced by the previous revision.
 */
export const stopReleaseAction = defineAction({
  id: 'deploy.stop',
  title: 'Stop the deploy and roll back',
  severity: 'critical',
  source: 'runbook 004 "Rollback if Needed"; runbook 002 "Rollback Procedure"',
  remediation: `Follow it with \`fsops deployments <component>\`.`,
  params: stopParams,
  async plan(ctx, params) {
    const ecs = await ctx.aws.ecs();
    const { ListServiceDeploymentsCommand } = await import('@aws-sdk/client-ecs');
    const [service, listed] = await Promise.all([
      describeService(ecs, params.names, ctx.signal),
      ecs.send(
        new ListServiceDeploymentsCommand({
          cluster: params.names.cluster,
          service: params.names.service,
          status: ['PENDING', 'IN_PROGRESS'],
        }),
        { abortSignal: ctx.signal },
      ),
    ]);
    if (!service) throw new UsageError(`service ${params.names.service} not found`);
    const inFlight = listed.serviceDeployments?.find((d) => d.serviceDeploymentArn)?.serviceDeploymentArn;
    const runsRelease = sameTaskDef(service.taskDefinition, params.released);
    if (!inFlight && !runsRelease) {
      return {
        lines: [],
        preview: [
          {
            status: 'pass',
            resource: params.names.service,
            expected: `not on ${shortTaskDef(params.released)}`,
            observed: `runs ${shortTaskDef(service.taskDefinition)}; nothing to stop`,
          },
        ],
        apply: async () => [],
      };
    }
    const lines = inFlight
      ? [
          `ECS StopServiceDeployment ${inFlight.split('/').pop()} --stop-type ROLLBACK (back to ${shortTaskDef(params.previous)})`,
        ]
      : [`ECS UpdateService ${params.names.service} --task-definition ${shortTaskDef(params.previous)}`];
    return {
      lines,
      preview: [],
      async apply() {
        const { StopServiceDeploymentCommand, UpdateServiceCommand } = await import('@aws-sdk/client-ecs');
        if (inFlight) {
          await ecs.send(
            new StopServiceDeploymentCommand({ serviceDeploymentArn: inFlight, stopType: 'ROLLBACK' }),
          );
        } else {
          await ecs.send(
            new UpdateServiceCommand({
              cluster: params.names.cluster,
              service: params.names.service,
              taskDefinition: params.previous,
            }),
          );
        }
        return [
          {
            status: 'pass',
            resource: params.names.service,
            expected: `back to ${shortTaskDef(params.previous)}`,
            observed: `${lines[0]} accepted; follow it with \`fsops deployments ${params.component}\``,
          },
        ];
      },
    };
  },
});
