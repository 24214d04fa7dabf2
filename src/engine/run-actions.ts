import {
  type ActionContext,
  type ActionDefinition,
  type ActionPlan,
  interruptedResult,
} from '../actions/types.js';
import type { AwsClients } from '../aws/clients.js';
import { describeAwsError } from '../aws/errors.js';
import type { AuditTarget } from './audit.js';
import { applyChange, type ChangeAudit, changeAuditor, decideChange } from './change.js';
import { commandContext } from './context.js';
import type { StepTiming } from './evidence.js';
import { onInterrupt } from './interrupt.js';
import type { CheckDefinition } from './model/check.js';
import { toFinding } from './model/check.js';
import { ExitCode, ExitError, UsageError } from './model/errors.js';
import { type Finding, overallStatus } from './model/finding.js';
import type { ActionStep } from './runbook.js';
import { type CheckRegistry, runChecks, stepsFor } from './runner.js';
import type { PromptIO } from './safety.js';

/** The action catalogue a run resolves ids against (src/actions/index.ts's ACTIONS, passed in by the command). */
export type ActionRegistry = Readonly<Record<string, ActionDefinition<never>>>;

export function actionFor(registry: ActionRegistry, id: string): ActionDefinition<never> {
  const action = registry[id];
  if (!action) {
    throw new UsageError(
      `unknown action '${id}': valid actions are ${Object.keys(registry).sort().join(', ')}`,
    );
  }
  return action;
}

/** Every action a runbook names exists: checked before anything runs. */
export function resolveActions(
  steps: readonly ActionStep[],
  registry: ActionRegistry,
): ActionDefinition<never>[] {
  return steps.map((step) => actionFor(registry, step.action));
}

export interface RunActionsOptions {
  /** Where audit lines go: the environment (or database) name, the config's audit target, AWS for CloudWatch Logs. */
  audit: { env: string; target: AuditTarget; aws?: AwsClients };
  identity: string | null;
  /** The audit record's command, e.g. "maintenance run weekly". */
  command: string;
  /** Label for the plan, e.g. "prod" or the database name. */
  target: string;
  protectedEnv: boolean;
  yes?: boolean;
  dryRun?: boolean;
  io: PromptIO;
  /** The check catalogue actions may judge their change with (`ActionContext.runChecks`). */
  checks?: CheckRegistry;
  /** HTTP for those checks (tests replace it). */
  fetch?: typeof fetch;
  /** The context actions plan and apply with; `signal` and `stopRequested` are the run's (Ctrl-C). */
  context: Omit<ActionContext, 'signal' | 'stopRequested'>;
  onTiming?(timing: StepTiming): void;
  /** Called for each action whose changes were applied (not planned only, declined or dry-run). */
  onApplied?(action: ActionDefinition<never>): void;
  /** Set to true when Ctrl-C stopped the changes part-way (the caller exits 130 after its report). */
  interruption?: { interrupted: boolean };
  /**
   * Set to true when the person declined at the prompt: the caller exits 2 after its report, as every
   * refusal does (docs/architecture.md); without it the refusal goes on up (exit 2, no report).
   */
  refusal?: { declined: boolean };
}

export const DRY_RUN_NEXT =
  'Nothing was changed (dry run). To apply: the same command without --dry-run (with --yes when there is no terminal).';

const asCheck = (action: ActionDefinition<never>) => action as unknown as CheckDefinition<never>;

/**
 * Plans every action (read-only), shows ONE combined plan and asks once, then applies the actions in
 * order, each with its own audit line. A dry run reports what would change; a step that fails to plan
 * or apply becomes an `error` finding and the others still run.
 */
export function runActionSteps(
  steps: readonly ActionStep[],
  registry: ActionRegistry,
  options: RunActionsOptions,
): Promise<Finding[]> {
  const actions = resolveActions(steps, registry);
  return runActions(
    actions.map((action, i) => ({ action, params: steps[i]!.params })),
    options,
  );
}

interface Planned {
  action: ActionDefinition<never>;
  plan: ActionPlan | null;
  error?: unknown;
  ms: number;
  at: Date;
}

/** Plans every action, read-only; a plan that fails is kept as an error (bad input stops everything). */
async function planAll(
  steps: readonly { action: ActionDefinition<never>; params: unknown }[],
  context: ActionContext,
): Promise<Planned[]> {
  const planned: Planned[] = [];
  for (const { action, params } of steps) {
    const at = new Date();
    try {
      const plan = await (action.plan as (ctx: ActionContext, params: unknown) => Promise<ActionPlan>)(
        context,
        params,
      );
      planned.push({ action, plan, ms: Date.now() - at.getTime(), at });
    } catch (error) {
      // Bad input (an unknown table or index) is the person's to fix: exit 2 before anything changed.
      if (error instanceof UsageError) throw error;
      planned.push({ action, plan: null, error, ms: Date.now() - at.getTime(), at });
    }
  }
  return planned;
}

type RunDecision = 'dry-run' | 'confirmed' | 'declined';

/** One combined plan, one question (decideChange); declining reports the steps as not done. */
async function decideAll(
  work: Planned[],
  options: RunActionsOptions,
  audit: ChangeAudit,
): Promise<RunDecision> {
  if (work.length === 0) return 'confirmed';
  try {
    return await decideChange(
      {
        action: `${options.command}: ${work.map((p) => p.action.id).join(', ')}`,
        env: options.target,
        lines: work.flatMap((p) => p.plan!.lines),
      },
      { yes: options.yes, dryRun: options.dryRun, protectedEnv: options.protectedEnv },
      options.io,
      audit,
      // A dry run is audited per step, with each step's plan.
      { dryRunDetail: false },
    );
  } catch (error) {
    // Declined at the prompt (audited as refused): report the planned steps as not done.
    if (!(error instanceof ExitError) || error instanceof UsageError) throw error;
    // Ctrl-C at the prompt is an interruption (exit 130), not a decline that exits 0: the caller
    // reports the steps as not done and exits 130; without a way to say so, it goes on up.
    if (error.code === ExitCode.interrupted) {
      if (!options.interruption) throw error;
      options.interruption.interrupted = true;
    } else {
      if (!options.refusal) throw error;
      options.refusal.declined = true;
    }
    return 'declined';
  }
}

function errorFinding(action: ActionDefinition<never>, error: unknown, doing: string): Finding {
  return toFinding(asCheck(action), {
    status: 'error',
    resource: action.id,
    expected: `the step can ${doing}`,
    observed: `could not ${doing}: ${describeAwsError(error)}`,
    // A step that could not plan changed nothing: the action's own advice (about what its change found)
    // does not apply yet.
    ...(doing === PLAN ? { remediation: PLAN_FAILED_NEXT } : {}),
  });
}

const PLAN = 'plan its changes';
export const PLAN_FAILED_NEXT =
  'Nothing was changed by this step. Fix what stopped it (AWS credentials, network access, permissions, the database secret), then run again.';

/** The findings of one planned step under the run's decision; applies it (audited) when confirmed. */
async function settleStep(
  p: Planned,
  decision: RunDecision,
  options: RunActionsOptions,
  audit: ChangeAudit,
  signal: AbortSignal,
): Promise<Finding[]> {
  const record = (status: Finding['status'], at: Date, ms: number) =>
    options.onTiming?.({
      step: `action:${p.action.id}`,
      startedAt: at.toISOString(),
      durationMs: ms,
      status,
    });
  if (!p.plan) {
    record('error', p.at, p.ms);
    return [errorFinding(p.action, p.error, PLAN)];
  }
  const plan = p.plan;
  if (plan.lines.length === 0 || decision === 'dry-run') {
    // In a dry run the next step for planned work is to apply it, not the action's error advice.
    const preview =
      decision === 'dry-run' && plan.lines.length > 0
        ? plan.preview.map((r) => ({ ...r, remediation: r.remediation ?? DRY_RUN_NEXT }))
        : plan.preview;
    record(overallStatus(plan.preview), p.at, p.ms);
    if (decision === 'dry-run' && plan.lines.length > 0) {
      await audit('dry-run', plan.lines.join('; '), `${options.command}: ${p.action.id}`);
    }
    return preview.map((r) => toFinding(asCheck(p.action), r));
  }
  if (decision === 'declined') {
    record('skip', p.at, p.ms);
    return [
      toFinding(asCheck(p.action), {
        status: 'skip',
        resource: p.action.id,
        expected: 'confirmed by the person running it',
        observed: `not confirmed: nothing was changed (${plan.lines.length} change(s) planned)`,
      }),
    ];
  }
  if (signal.aborted) {
    // Ctrl-C during an earlier step: the statement in flight finished, no new step starts (an action's
    // first call may be a failover or a task stop it does not check for Ctrl-C before making).
    record('skip', p.at, p.ms);
    return [
      toFinding(asCheck(p.action), {
        ...interruptedResult(p.action.id),
        observed: `not started: interrupted (Ctrl-C) before this step; nothing was changed by it (${plan.lines.length} change(s) planned)`,
      }),
    ];
  }
  const at = new Date();
  try {
    // "started" is audited before the action's first statement (applyChange).
    const results = await applyChange(audit, () => plan.apply(), {
      command: `${options.command}: ${p.action.id}`,
      startedDetail: plan.lines.join('; '),
      signal,
      outcome: (done, interrupted) => {
        const status = overallStatus(done);
        const failed = status === 'error' || status === 'fail';
        return {
          result: interrupted ? 'interrupted' : failed ? 'failed' : 'succeeded',
          detail: done.map((r) => `${r.resource}: ${r.observed}`).join('; '),
        };
      },
    });
    options.onApplied?.(p.action);
    record(overallStatus(results), at, Date.now() - at.getTime());
    return results.map((r) => toFinding(asCheck(p.action), r));
  } catch (error) {
    record('error', at, Date.now() - at.getTime());
    return [errorFinding(p.action, error, 'apply its changes')];
  }
}

export async function runActions(
  steps: readonly { action: ActionDefinition<never>; params: unknown }[],
  options: RunActionsOptions,
): Promise<Finding[]> {
  // Ctrl-C while changing aborts the run's signal: the statement in flight finishes, no new one starts.
  const stopper = new AbortController();
  const context: ActionContext = {
    ...options.context,
    signal: stopper.signal,
    stopRequested: () => stopper.signal.aborted,
    checkContext: () => {
      const { env, config, aws } = options.context;
      if (!env) throw new UsageError('this change needs an environment (--env), not a bare database URL');
      return commandContext({ env, config, aws }, { signal: stopper.signal });
    },
    ...(options.checks ? { runChecks: checksOf(options, options.checks, stopper.signal) } : {}),
  };
  const planned = await planAll(steps, context);
  const audit = changeAuditor({
    env: options.audit.env,
    identity: options.identity,
    command: options.command,
    target: options.audit.target,
    aws: options.audit.aws,
  });
  const work = planned.filter((p) => p.plan && p.plan.lines.length > 0);
  const decision = await decideAll(work, options, audit);
  const removeHandler =
    decision === 'confirmed' && work.length > 0
      ? onInterrupt(() => {
          stopper.abort();
          if (options.interruption) options.interruption.interrupted = true;
          process.stderr.write(
            '\nfsops: stopping after the current statement (Ctrl-C again to quit at once)\n',
          );
        })
      : () => {};
  const findings: Finding[] = [];
  try {
    for (const p of planned)
      findings.push(...(await settleStep(p, decision, options, audit, stopper.signal)));
  } finally {
    removeHandler();
  }
  return findings;
}

/** `ActionContext.runChecks`: the command's catalogue through the one check runner, under the run's signal. */
function checksOf(
  options: RunActionsOptions,
  registry: CheckRegistry,
  signal: AbortSignal,
): NonNullable<ActionContext['runChecks']> {
  return async (steps, { since }) => {
    const { env, config, aws } = options.context;
    if (!env) throw new UsageError('checks need an environment (--env), not a bare database URL');
    const run = await runChecks({ env, aws, config }, stepsFor(registry, steps), {
      since,
      now: new Date(),
      signal,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    return run.findings;
  };
}
