import type { Service } from '@aws-sdk/client-ecs';
import type { EnvironmentConfig } from '../../base/config/schema.js';
import type { CheckResult } from '../../base/model/check.js';
import { componentsParams, defineCheck } from '../../base/model/check.js';
import { shortTaskDef } from '../../domain/ecs/taskdef.js';
import { ecsServices } from './service-facts.js';

/** Judges one ECS service against the environment profile (pure: facts in, results out). */
export function evaluateService(
  name: string,
  service: Service | null,
  profile: EnvironmentConfig['ecs'],
  where: { component: string; env: string },
): CheckResult[] {
  const { component, env } = where;
  if (service?.status !== 'ACTIVE') {
    return [
      {
        id: 'ecs.service.active',
        title: 'ECS service exists and is ACTIVE',
        status: 'fail',
        severity: 'critical',
        resource: name,
        expected: 'status ACTIVE',
        observed: service ? `status ${service.status}` : 'service not found in the cluster',
        remediation:
          'Check the cluster and service names in the config, and the deployment pipeline that creates the service.',
      },
    ];
  }
  const running = service.runningCount ?? 0;
  const desired = service.desiredCount ?? 0;
  const pending = service.pendingCount ?? 0;
  const deployments = service.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  const failedTasks = deployments.reduce((sum, d) => sum + (d.failedTasks ?? 0), 0);
  const results: CheckResult[] = [
    {
      id: 'ecs.service.active',
      title: 'ECS service exists and is ACTIVE',
      status: 'pass',
      resource: name,
      expected: 'status ACTIVE',
      observed: 'ACTIVE',
    },
    {
      id: 'ecs.service.running',
      title: 'ECS running tasks match desired count',
      status: running === desired && desired > 0 ? 'pass' : 'fail',
      severity: 'critical',
      resource: name,
      expected: `running = desired (${desired})${desired === 0 ? ' and desired > 0' : ''}`,
      observed: `${running} running, ${pending} pending, ${desired} desired`,
      value: running,
      unit: 'tasks',
      remediation: `Run \`fsops ecs tasks ${component} --env ${env}\` for stopped-task reasons, or look at the service events (deployment guide §12.1.1).`,
    },
  ];
  const rollout =
    deployments.length === 1 && primary?.rolloutState === 'COMPLETED'
      ? 'pass'
      : primary?.rolloutState === 'FAILED'
        ? 'fail'
        : 'warn';
  results.push({
    id: 'ecs.service.deployment',
    title: 'ECS deployment completed',
    status: rollout,
    severity: 'high',
    resource: name,
    expected: 'one PRIMARY deployment with rolloutState COMPLETED',
    observed:
      deployments
        .map(
          (d) =>
            `${d.status} ${d.rolloutState ?? 'unknown'} ${shortTaskDef(d.taskDefinition)} (${d.runningCount ?? 0}/${d.desiredCount ?? 0})`,
        )
        .join('; ') || 'no deployments',
    detail: primary?.rolloutStateReason ?? '',
    remediation:
      rollout === 'fail'
        ? `The deployment failed: roll back with \`fsops rollback ${component} --env ${env}\` and read the stopped tasks.`
        : 'A deployment is still in progress: wait for it, then validate again.',
  });
  results.push({
    id: 'ecs.service.failed-tasks',
    title: 'No failed tasks in the current deployments',
    status: failedTasks === 0 ? 'pass' : 'fail',
    severity: 'high',
    resource: name,
    expected: '0 failed tasks',
    observed: `${failedTasks} failed task${failedTasks === 1 ? '' : 's'}`,
    remediation: `Run \`fsops ecs tasks ${component} --env ${env}\` to see why tasks stopped (deployment guide §12.1.1).`,
  });
  results.push({
    id: 'ecs.service.desired-count',
    title: 'Desired count matches the environment profile',
    status: desired === profile.desiredCount ? 'pass' : 'warn',
    severity: 'medium',
    resource: name,
    expected: `${profile.desiredCount} (deployment guide §4.1)`,
    observed: String(desired),
    remediation: `If autoscaling did not set this on purpose, scale back with \`fsops scale ${component} ${profile.desiredCount} --env ${env}\`.`,
  });
  return results;
}

export const ecsServiceCheck = defineCheck({
  id: 'ecs.service',
  title: 'ECS service health',
  severity: 'critical',
  source: 'deployment guide §11.1, §12.1.1',
  remediation: 'Inspect service events and stopped tasks (deployment guide §12.1.1).',
  params: componentsParams,
  async run(ctx, params) {
    const facts = await ecsServices(ctx);
    return facts
      .filter((f) => !params.components || params.components.includes(f.component))
      .flatMap((f) =>
        evaluateService(f.name, f.service, ctx.env.settings.ecs, {
          component: f.component,
          env: ctx.env.name,
        }),
      );
  },
});
