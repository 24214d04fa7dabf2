import type { DbQuery, RedisEndpoint } from '../base/model/check.js';
import type { Finding } from '../base/model/finding.js';
import { type ActionRegistry, type ChangeStep, changeSteps } from './changes.js';
import type { ActionStep, Runbook } from './runbook.js';
import {
  type CheckRegistry,
  type CheckSession,
  type RunnerHooks,
  runChecks,
  type Step,
  stepsFor,
} from './runner.js';

export interface RunbookRunOptions extends RunnerHooks {
  /** The check catalogue the runbook's ids resolve against (src/catalogue/checks/index.ts's CHECKS). */
  checks: CheckRegistry;
  since: Date;
  /**
   * Asks a person to confirm each manual step, one question on the command's terminal (runtime.io.ask:
   * Ctrl-C there is exit 130); without it (no terminal) they are reported as skipped.
   */
  askManual?: ((question: string) => Promise<string>) | null;
  /** Called before the first manual question, e.g. to stop a spinner that would draw over the prompt. */
  beforeManual?: () => void;
  fetch?: typeof fetch;
  /** Opens the diagnostic database session for checks that need it (called at most once). */
  db?: () => Promise<DbQuery>;
  /** Where Redis checks connect (--redis-url, --redis-host/--redis-port); default: the SSM redis_url. */
  redis?: RedisEndpoint;
  /**
   * Runs the runbook's mutating `action` steps, after its checks and manual steps (see
   * src/engine/changes.ts runChanges). Without it a run is read-only and action steps are reported as skipped.
   */
  runActions?: (steps: ActionStep[]) => Promise<Finding[]>;
}

/**
 * Every check id a runbook names exists and takes the parameters given: a runbook with a typo fails
 * before anything runs, one line naming the runbook, the step and the parameter.
 */
export function resolveSteps(runbook: Runbook, checks: CheckRegistry): Step[] {
  const numbered = runbook.steps.flatMap((step, index) => ('check' in step ? [{ step, n: index + 1 }] : []));
  return stepsFor(
    checks,
    numbered.map(({ step }) => step),
    (i) => `runbook ${runbook.name}, step ${numbered[i]!.n}`,
  );
}

/**
 * Every action a runbook names exists and takes the parameters given (its schema): a typo in an
 * action step's parameters fails when the runbook loads, one line naming the runbook, the step, the
 * action, the parameter and the valid ones.
 */
export function resolveActionSteps(runbook: Runbook, actions: ActionRegistry): ChangeStep[] {
  const numbered = runbook.steps.flatMap((step, index) => ('action' in step ? [{ step, n: index + 1 }] : []));
  return changeSteps(
    numbered.map(({ step }) => step),
    actions,
    (i) => `runbook ${runbook.name}, step ${numbered[i]!.n}`,
  );
}

export async function executeRunbook(
  runbook: Runbook,
  session: CheckSession,
  options: RunbookRunOptions,
): Promise<Finding[]> {
  return (await executeRunbookUntilStopped(runbook, session, options)).findings;
}

/**
 * `executeRunbook`, stopped by `options.signal` (Ctrl-C, SIGTERM, SIGHUP): the checks that finished
 * are findings; `notDone` names the checks, manual steps and actions that were not (empty when the run
 * was not stopped).
 */
export async function executeRunbookUntilStopped(
  runbook: Runbook,
  session: CheckSession,
  options: RunbookRunOptions & { signal?: AbortSignal },
): Promise<{ findings: Finding[]; notDone: string[] }> {
  const steps = resolveSteps(runbook, options.checks);
  const { findings: automated, unfinished } = await runChecks(session, steps, options);
  if (options.signal?.aborted) {
    const rest = runbook.steps.flatMap((step) =>
      'manual' in step
        ? [`manual step not asked: ${step.manual}`]
        : 'action' in step
          ? [`change step not run: ${step.action}`]
          : [],
    );
    return { findings: automated, notDone: [...unfinished.map(notChecked), ...rest] };
  }
  return { findings: await afterChecks(runbook, automated, options), notDone: [] };
}

/** "not checked: ecs.service": a step the run did not finish. */
export function notChecked(step: Step): string {
  return `not checked: ${step.check.id}`;
}

async function afterChecks(
  runbook: Runbook,
  automated: Finding[],
  options: RunbookRunOptions,
): Promise<Finding[]> {
  if (options.askManual && runbook.steps.some((step) => 'manual' in step)) options.beforeManual?.();
  const manual = await confirmManualSteps(runbook, options.askManual ?? null);
  const actionSteps = runbook.steps.filter((step): step is ActionStep => 'action' in step);
  if (actionSteps.length === 0) return [...automated, ...manual];
  const acted = options.runActions
    ? await options.runActions(actionSteps)
    : actionSteps.map((step) => skippedAction(runbook, step));
  return [...automated, ...manual, ...acted];
}

function skippedAction(runbook: Runbook, step: ActionStep): Finding {
  return {
    id: `action.${step.action}`,
    // Not run, but this step's finding all the same: what "came from this action" asks (recheck).
    checkId: step.action,
    title: `Change step ${step.action}`,
    status: 'skip',
    severity: 'info',
    resource: runbook.name,
    detail: '',
    expected: 'run by the command that owns this runbook',
    observed: 'not run: this is a read-only run',
    remediation:
      'Run the procedure with its own command (e.g. `fsops maintenance run weekly`) to make changes.',
    source: runbook.source,
  };
}

/**
 * Each manual step asked once through the one terminal prompt (src/engine/safety.ts askOnTerminal), so
 * Ctrl-C there is an interruption (exit 130), not readline's AbortError reported as an unexpected error.
 */
async function confirmManualSteps(
  runbook: Runbook,
  ask: ((question: string) => Promise<string>) | null,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const step of runbook.steps) {
    if (!('manual' in step)) continue;
    const base = {
      id: `manual.${step.id}`,
      // A manual step is no catalogue entry: its finding is its own.
      checkId: `manual.${step.id}`,
      title: step.manual,
      severity: 'medium' as const,
      resource: runbook.name,
      detail: '',
      expected: 'confirmed by the person running the procedure',
      source: runbook.source,
    };
    if (!ask) {
      findings.push({
        ...base,
        status: 'skip',
        observed: 'needs a person: run on a terminal to confirm',
        remediation: 'Confirm this item by hand and record it with the report.',
      });
      continue;
    }
    const answer = (await ask(`${step.manual} [y/n] `)).trim().toLowerCase();
    const confirmed = answer === 'y' || answer === 'yes';
    findings.push({
      ...base,
      status: confirmed ? 'pass' : 'fail',
      observed: confirmed ? 'confirmed' : 'not confirmed',
      remediation: confirmed ? '' : 'Resolve this item before going ahead.',
    });
  }
  return findings;
}
