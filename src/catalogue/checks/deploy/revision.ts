import type { Service } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import type { CheckResult } from '../../../base/model/check.js';
import { defineCheck } from '../../../base/model/check.js';
import { sameTaskDef, shortTaskDef } from '../../../domain/ecs/taskdef.js';

/** The service runs the new revision, and only it, with running = desired (pure). */
export function evaluateRevision(service: Service, taskDefinition: string, blueKept = false): CheckResult {
  if (service.deploymentController?.type === 'CODE_DEPLOY')
    return evaluateTaskSets(service, taskDefinition, blueKept);
  const expected = `${shortTaskDef(taskDefinition)} PRIMARY${blueKept ? ' (blue kept for the bake)' : ' and alone'}, running = desired`;
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  const others = (service.deployments ?? []).filter((d) => d !== primary);
  // During a bake blue's tasks count in the service's total: green's own deployment is what is judged.
  const running = blueKept ? (primary?.runningCount ?? 0) : (service.runningCount ?? 0);
  const desired = service.desiredCount ?? 0;
  const observed = `${shortTaskDef(primary?.taskDefinition)} PRIMARY, ${running}/${desired} running${others.length ? `; also ${others.map((d) => `${d.status} ${shortTaskDef(d.taskDefinition)} (${d.runningCount ?? 0} running)`).join(', ')}` : ''}`;
  const ok =
    sameTaskDef(primary?.taskDefinition, taskDefinition) &&
    running === desired &&
    desired > 0 &&
    (blueKept || others.length === 0);
  return {
    status: ok ? 'pass' : 'fail',
    resource: service.serviceName ?? 'service',
    expected,
    observed,
    value: running,
    unit: 'tasks',
  };
}

/**
 * A CODE_DEPLOY service (pure): its deployments are task sets. The PRIMARY task set (the one production
 * traffic goes to) runs the new revision with running = its computed desired count; while the original
 * task set is kept (the termination wait) it may stay ACTIVE beside it.
 */
function evaluateTaskSets(service: Service, taskDefinition: string, blueKept: boolean): CheckResult {
  const sets = service.taskSets ?? [];
  const primary = sets.find((t) => t.status === 'PRIMARY');
  const others = sets.filter((t) => t !== primary);
  const running = primary?.runningCount ?? 0;
  const desired = primary?.computedDesiredCount ?? service.desiredCount ?? 0;
  const ok =
    sameTaskDef(primary?.taskDefinition, taskDefinition) &&
    running === desired &&
    desired > 0 &&
    (blueKept || others.length === 0);
  return {
    status: ok ? 'pass' : 'fail',
    resource: service.serviceName ?? 'service',
    expected: `task set of ${shortTaskDef(taskDefinition)} PRIMARY${blueKept ? ' (the original kept for the termination wait)' : ' and alone'}, running = desired`,
    observed: primary
      ? `${shortTaskDef(primary.taskDefinition)} task set PRIMARY, ${running}/${desired} running${others.length ? `; also ${others.map((t) => `${t.status} ${shortTaskDef(t.taskDefinition)} (${t.runningCount ?? 0} running)`).join(', ')}` : ''}`
      : 'no PRIMARY task set',
    value: running,
    unit: 'tasks',
  };
}

export const deployRevisionCheck = defineCheck({
  id: 'deploy.revision',
  title: 'The service runs the new revision, running = desired',
  severity: 'critical',
  source: 'runbook 002 "Rolling Updates" (monitor rollout, verify health); deployment guide §11.1',
  remediation: 'Read the stopped tasks: fsops ecs tasks <component> --env <env>.',
  params: z
    .object({
      component: z.string().min(1),
      /** The task definition the deploy registered. */
      taskDefinition: z.string().min(1),
      /** Blue/green during the bake: blue's deployment is still there on purpose (the instant way back). */
      blueKept: z.boolean().optional(),
    })
    .strict(),
  async run(ctx, params) {
    // Loaded on use: the check catalogue is imported by commands that never call AWS (`runbook list`).
    const { requireService, serviceNames } = await import('../../../domain/ecs/service-facts.js');
    const service = await requireService(
      await ctx.aws.ecs(),
      serviceNames(ctx.env, params.component),
      ctx.signal,
    );
    return [evaluateRevision(service, params.taskDefinition, params.blueKept ?? false)];
  },
});
