import type { Service } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import type { CheckResult } from '../../../base/model/check.js';
import { formatDuration } from '../../../base/model/duration.js';
import {
  describeService,
  describeTasks,
  listStoppedTaskArns,
  type ServiceNames,
} from '../../../domain/ecs/service-facts.js';
import {
  type ActionResult,
  applyServiceAction,
  describeAction,
  type ServiceAction,
} from '../../../domain/ecs/service-update.js';
import { shortTaskDef } from '../../../domain/ecs/taskdef.js';
import {
  type Clock,
  type ServiceObserver,
  type WaitOutcome,
  type WaitTarget,
  waitForService,
} from '../../../domain/ecs/wait.js';
import type { ApplyRun } from '../../action.js';
import { built, defineAction } from '../../action.js';

export const serviceChangeParams = z
  .object({
    command: z.enum(['rollback', 'restart', 'scale']),
    /** Words for the report: "Rollback", "Restart", "Scale". */
    title: z.string(),
    component: z.string(),
    names: built<ServiceNames>('the service names'),
    /** The prompt's verb phrase, e.g. "roll back prod-internal-pe-service". */
    verb: z.string(),
    /** The plan lines the command built from its facts (from/to, why, what differs). */
    lines: z.array(z.string()),
    change: built<ServiceAction>('the service change'),
    /** For the audit record: what the service ran and what it runs after the change. */
    from: z.string(),
    to: z.string(),
    /** What the wait waits for, from ECS's answer to the change. */
    waitTarget: built<(applied: ActionResult) => WaitTarget>('the wait target'),
    /** The service before the change: its events and stopped tasks are not news. */
    before: built<Service>('the service before the change'),
    knownStoppedTasks: z.array(z.string()),
    /** Check the component afterwards (not after scaling to zero). */
    verify: z.boolean(),
    /** A word to type (and a flag to pass without a terminal) for a dangerous variant. */
    danger: z.object({ word: z.string(), flag: z.string(), flagGiven: z.boolean() }).strict().optional(),
    /** Guide sections this operation implements. */
    source: z.string(),
    /** false: --no-wait (the change is `accepted`, not followed). */
    wait: z.boolean(),
    timeoutMs: z.number(),
    pollIntervalMs: z.number(),
    clock: built<Clock>('a clock').optional(),
  })
  .strict();
/** One ECS change a service command planned (rollback, restart, scale), with what its wait needs. */
export type ServiceChangeParams = z.infer<typeof serviceChangeParams>;

/**
 * An ECS service change and its wait (deployment guide §11.1, runbook 002 rollback; ops guide §9):
 * UpdateService / StopServiceDeployment, then follow the rollout until it completes, fails, is rolled
 * back by ECS's circuit breaker or times out. The mutating call takes no abort signal (once sent, ECS
 * may have accepted it); Ctrl-C/SIGTERM/SIGHUP stop the wait, not the change, which carries on in ECS.
 * The audit outcome is the rollout's: succeeded, failed, rolled-back, timed-out (or accepted with
 * --no-wait). After success the component's checks run again (`recheck`).
 */
export const serviceChangeAction = defineAction({
  id: 'ecs.service-change',
  title: 'ECS service change',
  severity: 'critical',
  source: 'deployment guide §11.1; runbook 002 (rollback); ops guide §9',
  remediation: 'Follow the deployment with `fsops deployments <component> --env <env>`.',
  params: serviceChangeParams,
  recheck: ['ecs.service', 'health.endpoints'],
  async plan(ctx, p) {
    const lines = [...p.lines, `call: ${describeAction(p.change)}`];
    return {
      lines,
      preview: [
        {
          id: `${p.command}.plan`,
          title: `${p.title} plan`,
          status: 'skip',
          severity: 'info',
          resource: p.names.service,
          detail: lines.join('\n'),
          expected: shortTaskDef(p.to),
          observed: 'dry run: nothing was changed',
          remediation: 'Run again without --dry-run to apply the plan.',
          source: p.source,
        },
      ],
      verb: p.verb,
      audit: { command: p.command, component: p.component, from: p.from, to: p.to, summary: '' },
      ...(p.danger ? { danger: p.danger } : {}),
      ...(p.verify ? {} : { recheck: [] }),
      async apply(run) {
        const ecs = await ctx.aws.ecs();
        const applied = await applyServiceAction(ecs, p.change, { dryRun: false });
        if (!p.wait) {
          run.auditOutcome({ result: 'accepted', detail: 'not waited for (--no-wait)' });
          return [acceptedResult(p, ctx.env?.name ?? '')];
        }
        const target = p.waitTarget(applied);
        const outcome = await follow(p, ecs, target, run);
        run.auditOutcome({
          result: outcome.result,
          detail: outcome.result === 'interrupted' ? outcome.state : (outcome.reason ?? outcome.state),
        });
        return [rolloutResult(p, ctx.env?.name ?? '', target, outcome)];
      },
    };
  },
});

/** Follows the rollout with live progress until it settles, fails, times out or the run is interrupted. */
async function follow(
  p: ServiceChangeParams,
  ecs: Parameters<typeof describeService>[0],
  target: WaitTarget,
  run: ApplyRun,
): Promise<WaitOutcome> {
  const observer: ServiceObserver = {
    service: (signal) => describeService(ecs, p.names, signal),
    stoppedTaskArns: (signal) => listStoppedTaskArns(ecs, p.names, signal),
    describeTasks: (arns, signal) => describeTasks(ecs, p.names.cluster, arns, signal),
  };
  run.log(
    `Waiting for ${p.names.service} to settle (up to ${formatDuration(p.timeoutMs)}; Ctrl-C stops waiting, not the ${p.command})`,
  );
  return waitForService(observer, target, {
    timeoutMs: p.timeoutMs,
    intervalMs: p.pollIntervalMs,
    clock: p.clock,
    signal: run.signal,
    knownEventIds: (p.before.events ?? []).map((e) => e.id ?? ''),
    knownStoppedTasks: p.knownStoppedTasks,
    onEvent(event) {
      if (event.kind === 'state') {
        run.status?.(`${p.names.service}: ${event.text}`);
        if (event.changed) run.log(`  ${event.text}`);
      } else if (event.kind === 'service-event') {
        run.log(`  event: ${event.text}`);
      } else {
        run.log(`  ${event.text}`);
      }
    },
  });
}

const followUp = (p: ServiceChangeParams, env: string) => `fsops deployments ${p.component} --env ${env}`;

function acceptedResult(p: ServiceChangeParams, env: string): CheckResult {
  return {
    id: `${p.command}.deployment`,
    title: `${p.title} started (not waited for)`,
    status: 'skip',
    severity: 'info',
    resource: p.names.service,
    expected: `${shortTaskDef(p.to)} deployed and stable`,
    observed: `${describeAction(p.change)} accepted by ECS (--no-wait)`,
    remediation: `Follow it with \`${followUp(p, env)}\`.`,
    source: p.source,
  };
}

function rolloutResult(
  p: ServiceChangeParams,
  env: string,
  waitTarget: WaitTarget,
  outcome: WaitOutcome,
): CheckResult {
  const target = shortTaskDef(waitTarget.taskDefinition);
  const next = followUp(p, env);
  const detail = [
    outcome.reason ? `reason: ${outcome.reason}` : '',
    ...outcome.stoppedTasks.slice(-10),
  ].filter(Boolean);
  const remediation: Record<WaitOutcome['result'], string> = {
    succeeded: '',
    failed:
      p.command === 'rollback'
        ? `The deployment failed: read the stopped tasks above, then \`${next}\`; pick another revision with \`fsops rollback ${p.component} --env ${env} --to <revision>\`.`
        : `The ${p.command} did not complete: read the reason and any stopped tasks above, then \`${next}\`.`,
    'rolled-back': `ECS rolled the deployment back (circuit breaker): the service returns to the revision under "observed". ${target} did not start: read the stopped tasks above and \`${next}\` ${p.command === 'rollback' ? 'before picking another revision with --to' : 'before trying again'}.`,
    'timed-out': `The deployment is still running in ECS: follow it with \`${next}\`; if it does not settle, \`fsops rollback ${p.component} --env ${env}\` rolls an in-progress deployment back.`,
    interrupted: `Not followed to the end (interrupted): the ${p.command} continues in ECS. Check it with \`${next}\`.`,
  };
  const verb: Record<WaitOutcome['result'], string> = {
    succeeded: 'completed',
    failed: 'failed',
    'rolled-back': 'was rolled back by ECS',
    'timed-out': `did not settle within ${Math.round(outcome.elapsedMs / 1000)}s`,
    interrupted: 'was not followed to the end',
  };
  return {
    id: `${p.command}.deployment`,
    title: `${p.title} deployment ${verb[outcome.result]}`,
    // Interrupted, nothing was judged: not a pass, not a fail (the report is INTERRUPTED).
    status: outcome.result === 'succeeded' ? 'pass' : outcome.result === 'interrupted' ? 'skip' : 'fail',
    severity: 'critical',
    resource: p.names.service,
    detail: detail.join('\n'),
    expected: `PRIMARY deployment on ${target} COMPLETED, running = desired${waitTarget.desiredCount !== undefined ? ` = ${waitTarget.desiredCount}` : ''}`,
    observed:
      outcome.result === 'interrupted'
        ? `${describeAction(p.change)} made; the rollout was not followed to the end: ${outcome.state}`
        : outcome.state,
    remediation: remediation[outcome.result],
    source: p.source,
  };
}
