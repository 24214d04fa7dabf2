import { createInterface } from 'node:readline/promises';
import { CHECKS } from '../checks/index.js';
import type { CheckContext, CheckDefinition, DbQuery } from './check.js';
import { UnreachableError, UsageError } from './errors.js';
import type { Finding } from './finding.js';
import { httpFetch } from './http-fetch.js';
import type { ActionStep, Runbook } from './runbook.js';
import { createFactCache, type RunnerHooks, runSteps, type Step } from './runner.js';
import type { EnvSession } from './session.js';

export interface RunbookRunOptions extends RunnerHooks {
  since: Date;
  /** Ask a person to confirm manual steps (only on a terminal); otherwise they are reported as skipped. */
  askManual?: boolean;
  /** Called before the first manual question, e.g. to stop a spinner that would draw over the prompt. */
  beforeManual?: () => void;
  fetch?: typeof fetch;
  /** Opens the diagnostic database session for checks that need it (called at most once). */
  db?: () => Promise<DbQuery>;
  /**
   * Runs the runbook's mutating `action` steps, after its checks and manual steps (see
   * src/actions/run-actions.ts). Without it a run is read-only and action steps are reported as skipped.
   */
  runActions?: (steps: ActionStep[]) => Promise<Finding[]>;
}

export function checkFor(id: string): CheckDefinition<never> {
  const check = CHECKS[id];
  if (!check)
    throw new UsageError(`unknown check '${id}': valid checks are ${Object.keys(CHECKS).sort().join(', ')}`);
  return check;
}

/** Every check id a runbook names exists: a runbook with a typo fails before anything runs. */
export function resolveSteps(runbook: Runbook): Step[] {
  return runbook.steps.flatMap((step) =>
    'check' in step ? [{ check: checkFor(step.check), params: step.params }] : [],
  );
}

export async function executeRunbook(
  runbook: Runbook,
  session: EnvSession,
  options: RunbookRunOptions,
): Promise<Finding[]> {
  const steps = resolveSteps(runbook);
  const once = createFactCache();
  const now = new Date();
  const openDb =
    options.db ?? (() => Promise.reject(new UnreachableError('this run has no database connection')));
  const db = () => once('db.session', openDb);
  const makeContext = (signal: AbortSignal): CheckContext => ({
    env: session.env,
    aws: session.aws,
    signal,
    since: options.since,
    now,
    once,
    fetch: options.fetch ?? httpFetch,
    db,
  });
  const automated = await runSteps(steps, makeContext, {
    concurrency: session.config.runner.concurrency,
    timeoutMs: session.config.runner.checkTimeoutMs,
    onCheckStart: options.onCheckStart,
    onCheckDone: options.onCheckDone,
  });
  if (options.askManual && runbook.steps.some((step) => 'manual' in step)) options.beforeManual?.();
  const manual = await confirmManualSteps(runbook, options.askManual ?? false);
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

async function confirmManualSteps(runbook: Runbook, ask: boolean): Promise<Finding[]> {
  const findings: Finding[] = [];
  const rl = ask ? createInterface({ input: process.stdin, output: process.stderr }) : null;
  try {
    for (const step of runbook.steps) {
      if (!('manual' in step)) continue;
      const base = {
        id: `manual.${step.id}`,
        title: step.manual,
        severity: 'medium' as const,
        resource: runbook.name,
        detail: '',
        expected: 'confirmed by the person running the procedure',
        source: runbook.source,
      };
      if (!rl) {
        findings.push({
          ...base,
          status: 'skip',
          observed: 'needs a person: run on a terminal to confirm',
          remediation: 'Confirm this item by hand and record it with the report.',
        });
        continue;
      }
      const answer = (await rl.question(`${step.manual} [y/n] `)).trim().toLowerCase();
      const confirmed = answer === 'y' || answer === 'yes';
      findings.push({
        ...base,
        status: confirmed ? 'pass' : 'fail',
        observed: confirmed ? 'confirmed' : 'not confirmed',
        remediation: confirmed ? '' : 'Resolve this item before going ahead.',
      });
    }
  } finally {
    rl?.close();
  }
  return findings;
}
