import { parseDuration } from '../base/model/duration.js';
import { UsageError } from '../base/model/errors.js';
import { ACTIONS } from '../catalogue/actions/index.js';
import { CHECKS } from '../catalogue/checks/index.js';
import { CHANGE_REF_ENV } from '../catalogue/checks/maintenance/window.js';
import type { DbConnectionOptions } from '../domain/db/target.js';
import { promptIO } from '../engine/change.js';
import {
  type ChangesResult,
  changeReport,
  changeSteps,
  envChangeSession,
  refuseChange,
  runChanges,
} from '../engine/changes.js';
import { lazyDatabase } from '../engine/database.js';
import { evidenceFormat, finishChangeRun, stepTimer } from '../engine/evidence.js';
import { readsUntilInterrupted } from '../engine/interrupt.js';
import { printerFor } from '../engine/printer.js';
import { createProgress } from '../engine/progress.js';
import { executeRunbook, resolveActionSteps, resolveSteps } from '../engine/run-runbook.js';
import { type ActionStep, loadRunbook, type Runbook } from '../engine/runbook.js';
import { canAsk, type Runtime } from '../engine/runtime.js';
import { type GlobalOptions, openEnvSession, requireExplicitEnv, verifyAccount } from '../engine/session.js';

export interface MaintenanceRunOptions extends GlobalOptions, DbConnectionOptions {
  dryRun?: boolean;
  yes?: boolean;
  report?: string;
  changeRef?: string;
  since?: string;
}

export const CADENCES = ['daily', 'weekly', 'monthly', 'quarterly'] as const;
export const PHASES = ['pre'] as const;
/** runbook 003 Daily Tasks: the error logs of the last 24 hours (`--since=24h`). */
const DEFAULT_SINCE: Record<string, string> = { 'maintenance/daily': '24h' };

/** The runbook with the change reference from --change-ref or FSOPS_CHANGE_REF given to its check. */
function withChangeRef(runbook: Runbook, changeRef: string | undefined): Runbook {
  if (changeRef === undefined) return runbook;
  return {
    ...runbook,
    steps: runbook.steps.map((step) =>
      'check' in step && step.check === 'maintenance.change-ref'
        ? { ...step, params: { ...step.params, changeRef } }
        : step,
    ),
  };
}

async function runMaintenanceRunbook(
  name: string,
  label: string,
  options: MaintenanceRunOptions,
  runtime: Runtime,
): Promise<number> {
  const printer = printerFor(options, label, undefined, runtime);
  const format = printer.format;
  const evidence = evidenceFormat(options.report);
  const changeRef = options.changeRef ?? process.env[CHANGE_REF_ENV];
  const runbook = withChangeRef(loadRunbook(name), changeRef);
  const actionSteps = runbook.steps.filter((s): s is ActionStep => 'action' in s);
  // Every action step exists and takes its parameters: a typo is exit 2 before anything runs.
  resolveActionSteps(runbook, ACTIONS);
  const envName = actionSteps.length
    ? requireExplicitEnv(options, `${label} changes the database`)
    : undefined;
  const session = openEnvSession(options, envName);
  const io = promptIO(format, runtime.io, runtime.stderr);
  try {
    if (actionSteps.length && !options.dryRun && !options.yes && !runtime.io.isTTY) {
      // The one early refusal (audited): nothing is checked before a run that could not be confirmed.
      await refuseChange(
        envChangeSession(session, null, runtime),
        label,
        `refusing to run ${label} without confirmation: no terminal to ask on; pass --yes to confirm or --dry-run to see the plan only. Nothing was checked or changed.`,
      );
    }
    const identity = await readsUntilInterrupted((signal) =>
      verifyAccount(session, actionSteps.length > 0 || evidence !== null, signal),
    );
    const sinceMs = parseDuration(
      options.since ?? DEFAULT_SINCE[name] ?? session.config.logs.since,
      '--since',
    );
    const startedAt = new Date(runtime.clock.now());
    const progress = await createProgress(`${runbook.title} (${session.env.name})`, format, runtime.stderr);
    const timer = stepTimer(runtime.clock, {
      onCheckStart: progress.onCheckStart,
      onCheckDone: progress.onCheckDone,
    });
    // Both sessions open lazily: a read-only one for the checks, the writable one only when an action runs.
    const db = lazyDatabase(session, options);
    const since = new Date(startedAt.getTime() - sinceMs);
    let changes: ChangesResult | null = null;
    try {
      const checked = await executeRunbook(runbook, session, {
        checks: CHECKS,
        since,
        askManual: canAsk(runtime) && format === 'text' ? (question) => runtime.io.ask(question) : null,
        fetch: runtime.fetch,
        ...timer.hooks,
        db: db.read,
        runActions: async (steps) => {
          progress.stop();
          changes = await runChanges(
            envChangeSession(session, identity?.arn ?? null, runtime, db),
            changeSteps(steps, ACTIONS),
            {
              command: label,
              yes: options.yes,
              dryRun: options.dryRun,
              io,
              // Progress lines on stderr (text output only), neutralised: they quote table and index names.
              log: progress.log,
              // What the applied actions changed is checked again, with the runbook's parameters.
              recheck: { steps: resolveSteps(runbook, CHECKS), since, db: db.read },
            },
          );
          return changes.findings;
        },
      });
      progress.stop();
      const result = changes as ChangesResult | null;
      const report = changeReport(
        label,
        session.env.name,
        startedAt,
        () => runtime.clock.now(),
        checked,
        result,
      );
      return finishChangeRun(printer, report, {
        declined: result?.declined ?? false,
        reportFile: options.report,
        evidence,
        timings: [...timer.timings, ...(result?.timings ?? [])],
        identity: identity?.arn ?? null,
        changeRef: changeRef ?? null,
        runtime,
      });
    } finally {
      progress.stop();
      await db.close();
    }
  } finally {
    session.aws.destroy();
  }
}

/** `fsops maintenance run weekly|monthly|quarterly` (ops guide §12.3.1; runbooks 002/003). */
export async function maintenanceRun(
  cadence: string,
  options: MaintenanceRunOptions,
  runtime: Runtime,
): Promise<number> {
  if (!(CADENCES as readonly string[]).includes(cadence)) {
    throw new UsageError(`unknown maintenance run '${cadence}': valid are ${CADENCES.join(', ')}`);
  }
  return runMaintenanceRunbook(`maintenance/${cadence}`, `maintenance run ${cadence}`, options, runtime);
}

/** `fsops maintenance checklist pre` (ops guide §12.1.2). */
export async function maintenanceChecklist(
  phase: string,
  options: MaintenanceRunOptions,
  runtime: Runtime,
): Promise<number> {
  if (!(PHASES as readonly string[]).includes(phase)) {
    throw new UsageError(`unknown checklist '${phase}': valid are ${PHASES.join(', ')}`);
  }
  return runMaintenanceRunbook(
    `maintenance/${phase}-checklist`,
    `maintenance checklist ${phase}`,
    options,
    runtime,
  );
}
