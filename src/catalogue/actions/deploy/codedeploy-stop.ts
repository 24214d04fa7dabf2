import { z } from 'zod';
import type { ServiceNames } from '../../../domain/ecs/service-facts.js';
import {
  describeCodeDeployState,
  getDeployment,
  IN_FLIGHT_STATUSES,
} from '../../../domain/release/codedeploy.js';
import { built, defineAction } from '../../action.js';

const codeDeployStopParams = z
  .object({
    component: z.string(),
    names: built<ServiceNames>('the service names'),
    /** The CodeDeploy deployment in flight (ListDeployments of the service's deployment group). */
    deploymentId: z.string().min(1),
  })
  .strict();

/**
 * Runbook 004 "Rollback if Needed" for a service on the CODE_DEPLOY controller: StopDeployment with
 * auto-rollback, so CodeDeploy returns production traffic to the original task set (at once while it
 * is kept). `fsops rollback` of such a service with a deployment in flight, and the way back offered
 * after Ctrl-C during `fsops deploy`.
 */
export const codeDeployStopAction = defineAction({
  id: 'deploy.codedeploy-stop',
  title: 'Stop the CodeDeploy deployment with rollback',
  severity: 'critical',
  source: 'runbook 004 "Rollback if Needed"; runbook 002 "Rollback Procedure"',
  remediation: 'Follow it with `fsops deployments <component>`.',
  params: codeDeployStopParams,
  async plan(ctx, params) {
    const client = await ctx.aws.codedeploy();
    const state = await getDeployment(client, params.deploymentId, ctx.signal);
    if (!state || !(IN_FLIGHT_STATUSES as readonly string[]).includes(state.status)) {
      return {
        lines: [],
        preview: [
          {
            status: 'pass',
            resource: params.names.service,
            expected: `CodeDeploy ${params.deploymentId} stopped`,
            observed: `${state ? describeCodeDeployState(state) : `${params.deploymentId} not found`}; nothing to stop`,
          },
        ],
        apply: async () => [],
      };
    }
    const line = `CodeDeploy StopDeployment ${params.deploymentId} --auto-rollback-enabled (${describeCodeDeployState(state)}): production traffic back to the original task set`;
    return {
      lines: [line],
      verb: `stop CodeDeploy deployment ${params.deploymentId} with rollback`,
      audit: { command: 'rollback', component: params.component, from: params.deploymentId },
      preview: [
        {
          status: 'skip',
          resource: params.names.service,
          expected: `CodeDeploy ${params.deploymentId} stopped with rollback`,
          observed: 'dry run: nothing was stopped',
          detail: line,
        },
      ],
      async apply(run) {
        const { StopDeploymentCommand } = await import('@aws-sdk/client-codedeploy');
        // The mutating call takes no abort signal: once sent, CodeDeploy may have accepted it.
        const out = await client.send(
          new StopDeploymentCommand({ deploymentId: params.deploymentId, autoRollbackEnabled: true }),
        );
        const after = await getDeployment(client, params.deploymentId, run.signal).catch(() => null);
        run.auditOutcome({ result: 'accepted', detail: `StopDeployment ${out.status ?? ''}`.trim() });
        return [
          {
            status: 'pass',
            resource: params.names.service,
            expected: `CodeDeploy ${params.deploymentId} stopped with rollback`,
            observed: `StopDeployment --auto-rollback-enabled accepted (${out.status ?? 'no status'})${after ? `; ${describeCodeDeployState(after)}` : ''}; follow it with \`fsops deployments ${params.component}\``,
          },
        ];
      },
    };
  },
});
