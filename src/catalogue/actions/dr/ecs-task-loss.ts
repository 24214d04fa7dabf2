import type { ECSClient } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { healthPaths, requireComponent } from '../../../base/config/load.js';
import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { UsageError } from '../../../base/model/errors.js';
import { evaluateTaskRecovery } from '../../../domain/backup/drill.js';
import { formatMinutes } from '../../../domain/backup/evaluate.js';
import {
  describeService,
  listTaskArns,
  type ServiceNames,
  serviceNames,
} from '../../../domain/ecs/service-facts.js';
import type { ActionContext } from '../../action.js';
import { defineAction } from '../../action.js';
import { baseUrl, probe } from '../../checks/health-endpoints.js';
import { drillRefusalNow, overrideWindowLines } from './guard.js';

const taskLossParams = z
  .object({
    component: z.string().optional(),
    overrideWindow: z.boolean().optional(),
  })
  .strict();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const shortTask = (arn: string) => arn.split('/').pop() ?? arn;

/**
 * `fsops dr drill ecs-task-loss` (runbook 003 Monthly Tasks "Disaster recovery drill"; runbook 002
 * Failover Testing): StopTask on one task of the service, then measure until running = desired with a
 * replacement task and the component's health endpoint answering 2xx.
 */
export const ecsTaskLossAction = defineAction({
  id: 'dr.ecs-task-loss',
  title: 'ECS task loss drill',
  severity: 'high',
  source:
    'runbook 003 Monthly Tasks (disaster recovery drill); runbook 002 Failover Testing; deployment guide §4.1',
  remediation: 'Find out why the service recovers slowly before relying on it.',
  refuse: (ctx, params) => drillRefusalNow(ctx, params.overrideWindow ?? false),
  params: taskLossParams,
  async plan(ctx, params) {
    const env = ctx.env;
    if (!env || !ctx.aws) throw new UsageError('dr drill needs an environment (--env)');
    const component = requireComponent(env, params.component ?? env.components[0]);
    const ecs = await ctx.aws.ecs();
    const names = serviceNames(env, component);
    const service = await describeService(ecs, names);
    if (!service) throw new UsageError(`ECS service ${names.service} not found in ${names.cluster}`);
    const tasks = await listTaskArns(ecs, names, 'RUNNING');
    const desired = service.desiredCount ?? 0;
    if (desired < 2 || tasks.length < 2) {
      throw new UsageError(
        `refusing a task-loss drill on ${names.service}: it runs ${tasks.length} task(s) (desired ${desired}); stopping one would take the component down`,
      );
    }
    if ((service.runningCount ?? 0) < desired) {
      throw new UsageError(
        `refusing a task-loss drill on ${names.service}: it is not steady (running ${service.runningCount}, desired ${desired})`,
      );
    }
    const victim = tasks[0]!;
    const checkCtx = checkContextOf(ctx);
    const base = await baseUrl(checkCtx, component);
    // Recovery is judged by the health endpoint answering 2xx: without one the drill could only stop a
    // task and then time out, so refuse before stopping anything.
    if (typeof base !== 'string') {
      throw new UsageError(
        `refusing a task-loss drill on ${names.service}: no health endpoint to judge the recovery (load balancer ${base.missing} not found); set environments.${env.name}.healthUrls.${component}`,
      );
    }
    const healthUrl = `${base}${healthPaths(ctx.config, component)[0]}`;
    const targetSeconds = ctx.config.backup.drill.ecsRecoverySeconds;
    return {
      lines: [
        `stop task ${shortTask(victim)} of ${names.service} (StopTask; ${tasks.length} running, desired ${desired})`,
        `wait until running = desired with a replacement task and ${healthUrl} answers 2xx; target ${targetSeconds} s`,
        ...overrideWindowLines(ctx, params.overrideWindow ?? false),
      ],
      preview: [
        {
          status: 'skip',
          resource: names.service,
          expected: 'task stopped',
          observed: 'not stopped (dry run)',
        },
      ],
      apply: () =>
        runTaskLoss(ctx, { ecs, names, victim, before: tasks, healthUrl, targetSeconds, checkCtx }),
    };
  },
});

async function runTaskLoss(
  ctx: ActionContext,
  run: {
    ecs: ECSClient;
    names: ServiceNames;
    victim: string;
    before: string[];
    healthUrl: string;
    targetSeconds: number;
    checkCtx: CheckContext;
  },
): Promise<CheckResult[]> {
  const { StopTaskCommand } = await import('@aws-sdk/client-ecs');
  const pollMs = ctx.config.backup.pollSeconds * 1000;
  const deadline = Date.now() + ctx.config.backup.drill.timeoutMinutes * 60_000;
  const { checkCtx } = run;
  const stoppedAt = Date.now();
  await run.ecs.send(
    new StopTaskCommand({
      cluster: run.names.cluster,
      task: run.victim,
      reason: 'fsops dr drill ecs-task-loss',
    }),
  );
  ctx.log(`Stopped ${shortTask(run.victim)}; waiting for the replacement ...`);
  let detail = 'no observation yet';
  for (;;) {
    const service = await describeService(run.ecs, run.names).catch(() => null);
    const tasks = await listTaskArns(run.ecs, run.names, 'RUNNING').catch(() => [] as string[]);
    const replacement = tasks.find((t) => !run.before.includes(t));
    const health = await probe(checkCtx, run.healthUrl, ctx.config.health.timeoutMs);
    const healthy = health.status !== null && health.status < 300;
    const running = service?.runningCount ?? 0;
    const desired = service?.desiredCount ?? 0;
    detail = `running ${running}/${desired}, replacement ${replacement ? shortTask(replacement) : 'none yet'}, health ${health.status ?? health.error}`;
    ctx.log(`${formatMinutes(Date.now() - stoppedAt)}: ${detail}`);
    if (replacement && running >= desired && desired > 0 && healthy && !tasks.includes(run.victim)) {
      return [
        evaluateTaskRecovery({
          resource: run.names.service,
          recoveredMs: Date.now() - stoppedAt,
          targetSeconds: run.targetSeconds,
          detail,
        }),
      ];
    }
    if (ctx.stopRequested?.()) {
      return [
        {
          id: 'dr.ecs.recovery',
          status: 'skip',
          resource: run.names.service,
          expected: 'measured until recovered',
          observed: `interrupted (Ctrl-C) after ${formatMinutes(Date.now() - stoppedAt)}: ECS carries on replacing the task (${detail})`,
        },
      ];
    }
    if (Date.now() >= deadline) {
      return [
        evaluateTaskRecovery({
          resource: run.names.service,
          recoveredMs: null,
          targetSeconds: run.targetSeconds,
          detail,
        }),
      ];
    }
    const until = Math.min(deadline, Date.now() + pollMs);
    while (Date.now() < until && !ctx.stopRequested?.()) await sleep(Math.min(200, until - Date.now()));
  }
}

function checkContextOf(ctx: ActionContext): CheckContext {
  if (!ctx.checkContext)
    throw new UsageError('the task-loss drill runs through fsops dr drill (it needs a check context)');
  return ctx.checkContext();
}
