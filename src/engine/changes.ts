import type { AwsClients } from '../base/aws/clients.js';
import { describeAwsError } from '../base/aws/errors.js';
import { type CheckResult, type DbQuery, paramsProblem, toFinding } from '../base/model/check.js';
import { ExitCode, ExitError, UsageError } from '../base/model/errors.js';
import {
  buildReport,
  type Finding,
  type Interruption,
  overallStatus,
  type Report,
} from '../base/model/finding.js';
import {
  type Action,
  type ActionContext,
  type ActionPlan,
  type ApplyOutcome,
  interruptedResult,
} from '../catalogue/action.js';
import type { AuditTarget } from './audit.js';
import { applyChange, type ChangeAudit, changeAuditor, decideChange } from './change.js';
import { commandContext } from './context.js';
import type { DatabaseHandles } from './database.js';
import type { StepTiming } from './evidence.js';
import { stepTimer } from './evidence.js';
import { onInterrupt } from './interrupt.js';
import { createProgress, type ProgressStream } from './progress.js';
import { mergeRechecked } from './recheck.js';
import type { ActionStep } from './runbook.js';
import { runChecks, type Step } from './runner.js';
import type { Runtime } from './runtime.js';
import { type MutationPlan, type PromptIO, planText, type SafetyOptions } from './safety.js';
import type { EnvSession } from './session.js';

/**
 * The one driver of a run of changes (docs/architecture.md, "Changing something"). Every command
 * that changes something — maintenance run, db retention/partitions/reindex, db cancel/terminate,
 * maintenance mode, backup snapshot/verify, dr drill, alarms apply, rollback/restart/scale — hands its
 * catalogue actions to `runChanges`, which:
 *
 * 1. refuses early, read-only (`Action.refuse`: outside the window, an open incident),
 *    audited `refused`, exit 2, before any plan;
 * 2. plans every action (read-only; bad input in a plan is exit 2 before anything changed);
 * 3. shows ONE plan and decides once (decideChange: --dry-run, --yes, the prompt; refusals audited);
 * 4. applies each action in order (applyChange: audit `started` before, the outcome after) under the
 *    run's abort signal, which Ctrl-C/SIGTERM/SIGHUP abort: the step in flight stops at its next safe
 *    point, no new step starts;
 * 5. checks again what the applied actions changed (`Action.recheck`), unless interrupted.
 *
 * It returns what happened; `changeReport` turns that into the report (the one merge rule of the
 * recheck, the INTERRUPTED status) and `finishChangeRun` (src/engine/evidence.ts) prints it.
 */

/** The action catalogue a run resolves ids against (src/catalogue/actions/index.ts's ACTIONS, passed in by the command). */
export type ActionRegistry = Readonly<Record<string, Action>>;

export function actionFor(registry: ActionRegistry, id: string): Action {
  const action = registry[id];
  if (!action) {
    throw new UsageError(
      `unknown action '${id}': valid actions are ${Object.keys(registry).sort().join(', ')}`,
    );
  }
  return action;
}

/** One action of a run with its parameters (they must pass the action's schema: `checkParams`). */
export interface ChangeStep {
  action: Action;
  params: unknown;
}

/**
 * Runbook action steps as change steps: every action named exists and takes the parameters given
 * (its schema), or a usage error — one line naming where (`where(index)`: the runbook and step), the
 * action, the parameter and what is valid — before anything runs, is refused or planned.
 */
export function changeSteps(
  steps: readonly ActionStep[],
  registry: ActionRegistry,
  where?: (index: number) => string,
): ChangeStep[] {
  const resolved = steps.map((step) => ({ action: actionFor(registry, step.action), params: step.params }));
  checkParams(resolved, where);
  return resolved;
}

/**
 * Every step's parameters pass its action's schema, or a usage error naming the step (`where`, else
 * the action), the parameter and the valid ones: a command's own steps and a runbook's alike.
 */
export function checkParams(steps: readonly ChangeStep[], where?: (index: number) => string): void {
  steps.forEach(({ action, params }, index) => {
    const problem = paramsProblem(action.params, params);
    if (problem) {
      throw new UsageError(`${where ? `${where(index)} (${action.id})` : `action ${action.id}`}: ${problem}`);
    }
  });
}

/** What the context of every action of the run holds; the driver adds the signal, the log and stopRequested. */
export type ActionBase = Omit<ActionContext, 'signal' | 'stopRequested' | 'log' | 'checkContext'>;

/** Where a run of changes happens: what the plan and the audit name, and what the actions get. */
export interface ChangeSession {
  /** The environment's name, or the database's for a bare --db-url: the plan's label and the audit's env. */
  label: string;
  /** Protected targets (prod, a database given only by URL) need their name typed at the prompt. */
  protectedEnv: boolean;
  /** The caller's AWS identity, for the audit. */
  identity: string | null;
  audit: { target: AuditTarget; aws?: AwsClients };
  context: ActionBase;
  /** The environment session checks run on (the recheck); absent for a bare database URL. */
  checkSession?: EnvSession;
  /**
   * What the run takes from the command's runtime (src/engine/runtime.ts): where the driver's notices
   * and a failed audit write are said, and the clock of its timings.
   */
  runtime: Pick<Runtime, 'stderr' | 'clock'>;
}

/** The change session of an environment (its database through `db`, when the run has one). */
export function envChangeSession(
  session: EnvSession,
  identity: string | null,
  runtime: Pick<Runtime, 'stderr' | 'clock'>,
  db?: Pick<DatabaseHandles, 'read' | 'write' | 'resolveTarget'>,
): ChangeSession {
  return {
    runtime,
    label: session.env.name,
    protectedEnv: session.env.settings.protected,
    identity,
    audit: { target: session.config.audit, aws: session.aws },
    checkSession: session,
    context: {
      env: session.env,
      config: session.config,
      aws: session.aws,
      now: new Date(runtime.clock.now()),
      db: db
        ? (options) => db.write(options)
        : () => Promise.reject(new UsageError('this change uses no database session of the run')),
      ...(db ? { readDb: () => db.read(), dbTarget: () => db.resolveTarget() } : {}),
    },
  };
}

/** What `runChanges` reports of one step. */
export interface StepOutcome {
  action: Action;
  /** Null when the step could not plan (its error is a finding). */
  plan: ActionPlan | null;
  state: 'nothing-to-do' | 'plan-failed' | 'dry-run' | 'declined' | 'not-started' | 'applied' | 'failed';
  findings: Finding[];
  /** What stopped a step that could not plan or apply (its finding says it too), for a command that ends with it. */
  error?: unknown;
  /** The audit outcome the action named for its change (an ECS rollout's), if it named one. */
  told?: ApplyOutcome | null;
}

export interface ChangesResult {
  /** Every step's findings in order: previews, results, errors; then nothing of the recheck (see `rechecked`). */
  findings: Finding[];
  steps: StepOutcome[];
  /** Actions whose changes were applied (apply ran; not planned only, declined or dry run). */
  applied: Action[];
  /** Declined at the prompt (audited `refused`): the command exits 2 after its report. */
  declined: boolean;
  /** Ctrl-C/SIGTERM at the prompt or during the changes: the report is INTERRUPTED, exit 130. */
  interrupted: boolean;
  /** The refusal or interruption at the prompt as thrown, for a command that ends with it instead of a report. */
  stop: ExitError | null;
  /** Where an interruption came: at the prompt, during the changes, or during the recheck after them. */
  interruptedAt: 'prompt' | 'changes' | 'recheck' | null;
  /** The checks run again after the changes, and their findings. */
  rechecked: { ids: string[]; findings: Finding[] };
  timings: StepTiming[];
}

export interface RunChangesOptions {
  /** The report's and audit record's command, e.g. "maintenance run weekly". */
  command: string;
  yes?: boolean;
  dryRun?: boolean;
  io: PromptIO;
  /** Progress lines (stderr). */
  log?(text: string): void;
  /**
   * A progress shown while the changes apply (a spinner on a terminal, lines elsewhere, nothing under
   * machine output), started after the prompt: for a long wait (a rollout). Without it, `log`.
   */
  progress?: { label: string; format: string; stream: ProgressStream };
  /**
   * The checks an applied action may name in `recheck`, with their parameters (a runbook's check
   * steps, or `stepsFor(CHECKS, …)`): those named by an applied action run again after the changes.
   */
  recheck?: { steps: readonly Step[]; since?: Date; db?: () => Promise<DbQuery>; fetch?: typeof fetch };
}

export const DRY_RUN_NEXT =
  'Nothing was changed (dry run). To apply: the same command without --dry-run (with --yes when there is no terminal).';

const PLAN = 'plan its changes';
export const PLAN_FAILED_NEXT =
  'Nothing was changed by this step. Fix what stopped it (AWS credentials, network access, permissions, the database secret), then run again.';

function auditorFor(session: ChangeSession, command: string, plan?: ActionPlan | null): ChangeAudit {
  const fields = plan?.audit ?? {};
  return changeAuditor({
    env: session.label,
    identity: session.identity,
    command: fields.command ?? command,
    ...(fields.component !== undefined ? { component: fields.component } : {}),
    ...(fields.from !== undefined ? { from: fields.from } : {}),
    ...(fields.to !== undefined ? { to: fields.to } : {}),
    target: session.audit.target,
    aws: session.audit.aws,
    stderr: session.runtime.stderr,
  });
}

/**
 * The one early refusal: a read-only reason not to start (no terminal to confirm on, outside the
 * maintenance window, an open incident) is audited `refused` like every other refusal and ends the run
 * with exit 2, before anything is planned or changed.
 */
export async function refuseChange(session: ChangeSession, command: string, reason: string): Promise<never> {
  await auditorFor(session, command)('refused', reason);
  throw new UsageError(reason);
}

type RunDecision = 'dry-run' | 'confirmed' | 'declined' | 'interrupted';

interface Planned {
  action: Action;
  plan: ActionPlan | null;
  error?: unknown;
  ms: number;
  at: Date;
}

/** Runs a run of changes: early refusal, plan, one decision, apply (audited), recheck. */
export async function runChanges(
  session: ChangeSession,
  steps: readonly ChangeStep[],
  options: RunChangesOptions,
): Promise<ChangesResult> {
  const log = options.log ?? (() => {});
  // Ctrl-C while changing aborts the run's signal: the statement in flight finishes, no new one starts.
  const stopper = new AbortController();
  const context: ActionContext = {
    ...session.context,
    signal: stopper.signal,
    stopRequested: () => stopper.signal.aborted,
    log,
    checkContext: () => {
      const { env, config, aws } = session.context;
      if (!env) throw new UsageError('this change needs an environment (--env), not a bare database URL');
      return commandContext({ env, config, aws }, { signal: stopper.signal });
    },
  };
  const timings: StepTiming[] = [];

  // Parameters a step's action does not take are the caller's to fix: exit 2 before anything is asked.
  checkParams(steps);
  for (const { action, params } of steps) {
    const reason = await action.refuse?.(context, params);
    if (reason) await refuseChange(session, options.command, reason);
  }

  const planned = await planAll(steps, context, session.runtime.clock);
  const work = planned.filter((p) => p.plan && p.plan.lines.length > 0);
  const single = work.length === 1 ? work[0]!.plan : null;
  const decided = await decideAll(work, session, options, auditorFor(session, options.command, single));
  const progress =
    decided.decision === 'confirmed' && work.length > 0 && options.progress
      ? await createProgress(options.progress.label, options.progress.format, options.progress.stream)
      : null;
  const applyRun = {
    log: progress?.log ?? log,
    status: progress ? (text: string) => progress.update(text) : () => {},
  };

  const removeHandler =
    decided.decision === 'confirmed' && work.length > 0
      ? onInterrupt(() => {
          stopper.abort();
          session.runtime.stderr.write(
            '\nfsops: stopping after the current statement (Ctrl-C again to quit at once)\n',
          );
        })
      : () => {};
  const outcomes: StepOutcome[] = [];
  try {
    for (const p of planned) {
      outcomes.push(
        await settleStep(p, decided.decision, session, options, stopper.signal, applyRun, timings),
      );
    }
  } finally {
    removeHandler();
    progress?.stop();
  }
  const interruptedAt =
    decided.decision === 'interrupted' ? 'prompt' : stopper.signal.aborted ? 'changes' : null;
  const applied = outcomes.filter((o) => o.state === 'applied').map((o) => o.action);
  // After Ctrl-C the person wants out: report what was done, check nothing more.
  const rechecked = interruptedAt
    ? { ids: [], findings: [] }
    : await recheckAfter(outcomes, session, options, timings, log);
  const stoppedRecheck = rechecked === 'interrupted';
  return {
    findings: outcomes.flatMap((o) => o.findings),
    steps: outcomes,
    applied,
    declined: decided.decision === 'declined',
    interrupted: interruptedAt !== null || stoppedRecheck,
    interruptedAt: stoppedRecheck ? 'recheck' : interruptedAt,
    stop: decided.stop,
    rechecked: stoppedRecheck ? { ids: [], findings: [] } : rechecked,
    timings,
  };
}

/** Plans every action, read-only; a plan that fails is kept as an error (bad input stops everything). */
async function planAll(
  steps: readonly ChangeStep[],
  context: ActionContext,
  clock: Pick<Runtime['clock'], 'now'>,
): Promise<Planned[]> {
  const planned: Planned[] = [];
  for (const { action, params } of steps) {
    const at = new Date(clock.now());
    try {
      const plan = await action.plan(context, params);
      planned.push({ action, plan, ms: clock.now() - at.getTime(), at });
    } catch (error) {
      // Bad input (an unknown table or index) is the person's to fix: exit 2 before anything changed.
      if (error instanceof UsageError) throw error;
      planned.push({ action, plan: null, error, ms: clock.now() - at.getTime(), at });
    }
  }
  return planned;
}

/**
 * One combined plan, one question (decideChange). No terminal without --yes goes on up (exit 2, no
 * report); declining at the prompt (exit 2) and Ctrl-C there (130) are reported: the steps as not done.
 */
async function decideAll(
  work: Planned[],
  session: ChangeSession,
  options: RunChangesOptions,
  audit: ChangeAudit,
): Promise<{ decision: RunDecision; stop: ExitError | null }> {
  if (work.length === 0) return { decision: 'confirmed', stop: null };
  const single = work.length === 1 ? work[0]!.plan!.audit?.summary : undefined;
  const danger = work.map((p) => p.plan!.danger).find(Boolean);
  const plan = {
    action:
      (work.length === 1 ? work[0]!.plan!.verb : undefined) ??
      `${options.command}: ${work.map((p) => p.action.id).join(', ')}`,
    env: session.label,
    lines: work.flatMap((p) => p.plan!.lines),
  };
  try {
    const decision = await decideChange(plan, safetyOf(danger, session, options), options.io, audit, {
      // A dry run is audited per step, with each step's plan.
      dryRunDetail: false,
      ...(single ? { refusedDetail: single } : {}),
      precheck: () => refuseDangerWithoutFlag(danger, plan, options),
    });
    return { decision, stop: null };
  } catch (error) {
    if (!(error instanceof ExitError) || error instanceof UsageError) throw error;
    return { decision: error.code === ExitCode.interrupted ? 'interrupted' : 'declined', stop: error };
  }
}

type Danger = ActionPlan['danger'];

/**
 * The confirmation a run needs. A dangerous variant needs more: on a terminal the danger word must be
 * typed even with --yes; without one, --yes and the flag that names the danger (refuseDangerWithoutFlag).
 */
function safetyOf(danger: Danger, session: ChangeSession, options: RunChangesOptions): SafetyOptions {
  const protectedEnv = session.protectedEnv;
  if (!danger || options.dryRun) return { yes: options.yes, dryRun: options.dryRun, protectedEnv };
  if (options.io.isTTY) return { yes: false, protectedEnv, dangerWord: danger.word };
  return { yes: options.yes, protectedEnv };
}

function refuseDangerWithoutFlag(danger: Danger, plan: MutationPlan, options: RunChangesOptions): void {
  if (!danger || options.dryRun || options.io.isTTY || danger.flagGiven) return;
  options.io.print(planText(plan));
  throw new UsageError(
    `refusing to ${plan.action} without ${danger.flag}: there is no terminal to type '${danger.word}' on; pass ${danger.flag} --yes to confirm. Nothing was changed.`,
  );
}

function errorFinding(action: Action, error: unknown, doing: string): Finding {
  return toFinding(action, {
    status: 'error',
    resource: action.id,
    expected: `the step can ${doing}`,
    observed: `could not ${doing}: ${describeAwsError(error)}`,
    // A step that could not plan changed nothing: the action's own advice (about what its change found)
    // does not apply yet.
    ...(doing === PLAN ? { remediation: PLAN_FAILED_NEXT } : {}),
  });
}

/** The findings of one planned step under the run's decision; applies it (audited) when confirmed. */
async function settleStep(
  p: Planned,
  decision: RunDecision,
  session: ChangeSession,
  options: RunChangesOptions,
  signal: AbortSignal,
  applyRun: { log(text: string): void; status(text: string): void },
  timings: StepTiming[],
): Promise<StepOutcome> {
  const record = (status: Finding['status'], at: Date, ms: number) =>
    timings.push({ step: `action:${p.action.id}`, startedAt: at.toISOString(), durationMs: ms, status });
  const outcome = (state: StepOutcome['state'], results: CheckResult[]): StepOutcome => ({
    action: p.action,
    plan: p.plan,
    state,
    findings: results.map((r) => toFinding(p.action, r)),
  });
  if (!p.plan) {
    record('error', p.at, p.ms);
    return {
      action: p.action,
      plan: null,
      state: 'plan-failed',
      findings: [errorFinding(p.action, p.error, PLAN)],
      error: p.error,
    };
  }
  const plan = p.plan;
  const stepCommand = plan.audit?.command ?? `${options.command}: ${p.action.id}`;
  const audit = auditorFor(session, stepCommand, plan);
  const summary = plan.audit?.summary;
  if (plan.lines.length === 0) {
    record(overallStatus(plan.preview), p.at, p.ms);
    return outcome('nothing-to-do', plan.preview);
  }
  if (decision === 'dry-run') {
    // In a dry run the next step for planned work is to apply it, not the action's error advice.
    record(overallStatus(plan.preview), p.at, p.ms);
    await audit('dry-run', summary ?? plan.lines.join('; '));
    return outcome(
      'dry-run',
      plan.preview.map((r) => ({ ...r, remediation: r.remediation ?? DRY_RUN_NEXT })),
    );
  }
  if (decision === 'declined' || decision === 'interrupted') {
    record('skip', p.at, p.ms);
    return outcome('declined', [
      {
        status: 'skip',
        resource: p.action.id,
        expected: 'confirmed by the person running it',
        observed:
          decision === 'declined'
            ? `not confirmed: nothing was changed (${plan.lines.length} change(s) planned)`
            : `not started: interrupted at the confirmation prompt; nothing was changed (${plan.lines.length} change(s) planned)`,
      },
    ]);
  }
  if (signal.aborted) {
    // Ctrl-C during an earlier step: the statement in flight finished, no new step starts (an action's
    // first call may be a failover or a task stop it does not check for Ctrl-C before making).
    record('skip', p.at, p.ms);
    return outcome('not-started', [
      {
        ...interruptedResult(p.action.id),
        observed: `not started: interrupted (Ctrl-C) before this step; nothing was changed by it (${plan.lines.length} change(s) planned)`,
      },
    ]);
  }
  const { clock } = session.runtime;
  const at = new Date(clock.now());
  try {
    // "started" is audited before the action's first statement (applyChange).
    let told: ApplyOutcome | null = null;
    const run = { signal, ...applyRun, auditOutcome: (o: ApplyOutcome) => (told = o) };
    const results = await applyChange(audit, () => plan.apply(run), {
      startedDetail: summary ?? plan.lines.join('; '),
      signal,
      outcome: (results, interrupted) => {
        const described = results.map((r) => `${r.resource}: ${r.observed}`).join('; ');
        const detail = summary ? `${summary}: ${described}` : described;
        const named = told as ApplyOutcome | null;
        if (named && !interrupted) return { result: named.result, detail: named.detail ?? detail };
        const status = overallStatus(results);
        const failed = status === 'error' || status === 'fail';
        return { result: interrupted ? 'interrupted' : failed ? 'failed' : 'succeeded', detail };
      },
      failedDetail: (error) =>
        summary ? `${summary}: ${(error as Error).message}` : (error as Error).message,
    });
    record(overallStatus(results), at, clock.now() - at.getTime());
    return { ...outcome('applied', results), told: told as ApplyOutcome | null };
  } catch (error) {
    record('error', at, clock.now() - at.getTime());
    return {
      ...outcome('failed', []),
      findings: [errorFinding(p.action, error, 'apply its changes')],
      error,
    };
  }
}

/**
 * Runs again, with fresh facts, the candidate checks the applied actions name in `recheck`, so the
 * report shows the state after the changes. Their timings are `recheck:<id>`.
 */
async function recheckAfter(
  outcomes: StepOutcome[],
  session: ChangeSession,
  options: RunChangesOptions,
  timings: StepTiming[],
  log: (text: string) => void,
): Promise<{ ids: string[]; findings: Finding[] } | 'interrupted'> {
  const named = new Set(outcomes.flatMap(rechecksOf));
  const steps = (options.recheck?.steps ?? []).filter((s) => named.has(s.check.id));
  if (steps.length === 0 || !session.checkSession) return { ids: [], findings: [] };
  const ids = [...new Set(steps.map((s) => s.check.id))];
  log(`Checking ${ids.join(', ')} again after the changes ...`);
  const timer = stepTimer(session.runtime.clock);
  // Ctrl-C here stops the checks, not the changes (done already): the run ends INTERRUPTED, saying so.
  const stopper = new AbortController();
  let release = () => {};
  const interrupted = new Promise<'interrupted'>((resolve) => {
    release = onInterrupt(() => {
      stopper.abort();
      resolve('interrupted');
    });
  });
  try {
    const run = await Promise.race([
      runChecks(session.checkSession, steps, {
        now: new Date(session.runtime.clock.now()),
        since: options.recheck?.since,
        db: options.recheck?.db,
        fetch: options.recheck?.fetch,
        signal: stopper.signal,
        ...timer.hooks,
      }),
      interrupted,
    ]);
    if (run === 'interrupted') return run;
    timings.push(...timer.timings.map((t) => ({ ...t, step: t.step.replace(/^check:/, 'recheck:') })));
    return { ids, findings: run.findings };
  } finally {
    release();
  }
}

/**
 * The checks a step's change asks to run again: those of an applied step (its plan's own list, else
 * its action's), unless the action said its change did not complete (rolled back, timed out, only
 * accepted): there is nothing to verify then.
 */
function rechecksOf(step: StepOutcome): string[] {
  if (step.state !== 'applied') return [];
  if (step.told && step.told.result !== 'succeeded') return [];
  return step.plan?.recheck ?? step.action.recheck ?? [];
}

/**
 * What an interrupted run did and did not do, for its report: every applied result that is not an
 * "interrupted" skip is done; interrupted skips, steps not started and the checks not run again are not.
 */
export function interruptionOf(result: ChangesResult): Interruption {
  const done: string[] = [];
  const notDone: string[] = [];
  for (const step of result.steps) {
    if (step.state === 'applied') {
      for (const f of step.findings) {
        (f.status === 'skip' ? notDone : done).push(`${step.action.id} [${f.resource}]: ${f.observed}`);
      }
      if (step.findings.every((f) => f.status === 'skip')) {
        done.push(`${step.action.id}: started (audited); stopped before it reported anything finished`);
      }
    } else if (step.state === 'not-started' || step.state === 'declined') {
      notDone.push(`${step.action.id}: not started (${step.plan?.lines.length ?? 0} change(s) planned)`);
    } else if (step.state === 'failed') {
      notDone.push(`${step.action.id}: failed (${step.findings[0]?.observed ?? 'see the findings'})`);
    }
  }
  const named = [...new Set(result.steps.flatMap(rechecksOf))];
  if (named.length) notDone.push(`not checked again after the changes: ${named.join(', ')}`);
  if (done.length === 0) done.push('nothing was changed');
  return { done, notDone };
}

/**
 * The report of a run of changes. `findings` are the run's findings in order, the changes' own
 * (`result.findings`) among them; the one recheck merge rule applies: a check run again after the
 * changes replaces its findings from before the changes where they stood (those that were not a pass
 * stay in a note: why the change was made); a check that did not run before comes last. An
 * interrupted run's report is INTERRUPTED, with what was done and what was not.
 */
export function changeReport(
  command: string,
  label: string | null,
  startedAt: Date,
  /** The command's clock (runtime.clock.now): when the report was made, for its duration. */
  now: () => number,
  findings: Finding[],
  result: ChangesResult | null,
  notes: string[] = [],
): Report {
  const merged = result
    ? mergeRechecked(findings, result.rechecked.findings, result.rechecked.ids)
    : { findings, note: null };
  return buildReport(
    command,
    label,
    startedAt,
    merged.findings,
    [...notes, ...(merged.note ? [merged.note] : [])],
    now,
    result?.interrupted ? interruptionOf(result) : undefined,
  );
}
