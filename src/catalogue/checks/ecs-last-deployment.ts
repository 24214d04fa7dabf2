import type { Service } from '@aws-sdk/client-ecs';
import type { CheckResult } from '../../base/model/check.js';
import { componentsParams, defineCheck } from '../../base/model/check.js';
import { formatDuration } from '../../base/model/duration.js';
import { shortTaskDef } from '../../domain/ecs/taskdef.js';
import { ecsServices } from './service-facts.js';

/**
 * The service's latest deployment and how long ago it started (pure). Informational: a deployment
 * minutes before an incident is evidence (ops guide §11.2.1), not a failure; the rollout itself is
 * judged by `ecs.service`.
 */
export function evaluateLastDeployment(name: string, service: Service | null, now: Date): CheckResult {
  const deployments = [...(service?.deployments ?? [])].sort(
    (a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0),
  );
  const latest = deployments[0];
  if (!service || !latest?.createdAt) {
    return {
      status: 'skip',
      resource: name,
      observed: service ? 'ECS reports no deployment with a start time' : 'service not found',
    };
  }
  const age = formatDuration(now.getTime() - latest.createdAt.getTime());
  return {
    status: 'pass',
    resource: name,
    expected: 'informational',
    observed:
      `${shortTaskDef(latest.taskDefinition)} ${latest.status ?? ''} ${latest.rolloutState ?? ''}, started ${age} ago (${latest.createdAt.toISOString()})`.replace(
        / {2,}/g,
        ' ',
      ),
  };
}

export const ecsLastDeploymentCheck = defineCheck({
  id: 'ecs.deployment.last',
  title: 'Last ECS deployment',
  severity: 'info',
  source: 'ops guide §10.2.1, §11.2.1; deployment guide §10.1',
  remediation: 'If the incident started after this deployment, compare with `fsops deployments <component>`.',
  params: componentsParams,
  async run(ctx, params) {
    const facts = await ecsServices(ctx);
    return facts
      .filter((f) => !params.components || params.components.includes(f.component))
      .map((f) => evaluateLastDeployment(f.name, f.service, ctx.now));
  },
});
