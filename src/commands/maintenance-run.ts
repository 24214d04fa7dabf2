import { ACTIONS } from '../actions/index.js';
import { CHECKS } from '../checks/index.js';
import { CHANGE_REF_ENV } from '../checks/maintenance/window.js';
import type { DbConnectionOptions, DbSession } from '../db/connection.js';
import { appendAudit } from '../engine/audit.js';
import { promptIO } from '../engine/change.js';
import { lazyDatabase } from '../engine/database.js';
import { evidenceFormat, finishChangeRun, type StepTiming, stepTimer } from '../engine/evidence.js';
import { readsUntilInterrupted } from '../engine/interrupt.js';
import { parseDuration } from '../engine/model/duration.js';
import { UsageError } from '../engine/model/errors.js';
import type { Finding } from '../engine/model/finding.js';
import { buildReport } from '../engine/model/finding.js';
import { printerFor } from '../engine/printer.js';
import { createProgress } from '../engine/progress.js';
import { mergeRechecked } from '../engine/recheck.js';
import { resolveActions, runActionSteps } from '../engine/run-actions.js';
import { executeRunbook } from '../engine/run-runbook.js';
import { type ActionStep, loadRunbook, type Runbook } from '../engine/runbook.js';
import type { PromptIO } from '../engine/safety.js';
import {
  type EnvSession,
  type GlobalOptions,
  openEnvSession,
  requireExplicitEnv,
  verifyAccount,
} from '../engine/session.js';

export interface MaintenanceRunOptions extends GlobalOptions, DbConnectionOptions {
  dryRun?: boolean;
  yes?: boolean;
  report?: string;
  changeRef?: string;
  since?: string;
  /** Tests pass a scripted prompt. */
  io?: PromptIO;
}

const CADENCES = ['weekly', 'monthly', 'quarterly'] as const;
const PHASES = ['pre'] as const;

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
): Promise<number> {
  const printer = printerFor(options, label);
  const format = printer.format;
  const evidence = evidenceFormat(options.report);
  const changeRef = options.changeRef ?? process.env[CHANGE_REF_ENV];
  const runbook = withChangeRef(loadRunbook(name), changeRef);
  const actionSteps = runbook.steps.filter((s): s is ActionStep => 'action' in s);
  resolveActions(actionSteps, ACTIONS);
  const envName = actionSteps.length
    ? requireExplicitEnv(options, `${label} changes the database`)
    : undefined;
  const session = openEnvSession(options, envName);
  const interactive = Boolean(process.stdin.isTTY);
  const io = options.io ?? promptIO(format);
  try {
    if (actionSteps.length && !options.dryRun && !options.yes && !(options.io ? io.isTTY : interactive)) {
      const message = `refusing to run ${label} without confirmation: no terminal to ask on; pass --yes to confirm or --dry-run to see the plan only. Nothing was checked or changed.`;
      await appendAudit(
        { env: session.env.name, identity: null, command: label, result: 'refused', detail: message },
        session.config.audit,
        session.aws,
      );
      throw new UsageError(message);
    }
    const identity = await readsUntilInterrupted((signal) =>
      verifyAccount(session, actionSteps.length > 0 || evidence !== null, signal),
    );
    const sinceMs = parseDuration(options.since ?? session.config.logs.since, '--since');
    const startedAt = new Date();
    const progress = await createProgress(`${runbook.title} (${session.env.name})`, format);
    const timer = stepTimer({ onCheckStart: progress.onCheckStart, onCheckDone: progress.onCheckDone });
    const timings: StepTiming[] = timer.timings;
    // Both sessions open lazily: a read-only one for the checks, the writable one only when an action runs.
    const db = lazyDatabase(session, options);
    const interruption = { interrupted: false };
    const refusal = { declined: false };
    const since = new Date(startedAt.getTime() - sinceMs);
    const recheck = new Set<string>();
    try {
      const checked = await executeRunbook(runbook, session, {
        checks: CHECKS,
        since,
        askManual: interactive && Boolean(process.stderr.isTTY) && format === 'text',
        ...timer.hooks,
        db: db.read,
        runActions: (steps) => {
          progress.stop();
          return runActionSteps(steps, ACTIONS, {
            audit: { env: session.env.name, target: session.config.audit, aws: session.aws },
            identity: identity?.arn ?? null,
            command: label,
            target: session.env.name,
            protectedEnv: session.env.settings.protected,
            yes: options.yes,
            dryRun: options.dryRun,
            io,
            context: {
              env: session.env,
              config: session.config,
              aws: session.aws,
              now: new Date(),
              db: db.write,
              // --db-url/--db-host reach the actions that open a database of their own (backup.restore-test).
              dbTarget: db.resolveTarget,
              // Progress lines on stderr (text output only), neutralised: they quote table and index names.
              log: progress.log,
            },
            onTiming: (t) => timings.push(t),
            onApplied: (action) => {
              for (const id of action.recheck ?? []) recheck.add(id);
            },
            interruption,
            refusal,
          });
        },
      });
      progress.stop();
      const { findings, note } = await checkAgainAfterChanges(runbook, session, {
        // After Ctrl-C the person wants out: report what was done, check nothing more.
        ids: interruption.interrupted ? [] : [...recheck],
        since,
        db: db.read,
        timings,
        log: progress.log,
      }).then((after) => mergeRechecked(checked, after.findings, after.ids));
      const report = buildReport(label, session.env.name, startedAt, findings, note ? [note] : []);
      return finishChangeRun(printer, report, {
        interruption,
        refusal,
        reportFile: options.report,
        evidence,
        timings,
        identity: identity?.arn ?? null,
        changeRef: changeRef ?? null,
      });
    } finally {
      progress.stop();
      await db.close();
    }
  } finally {
    session.aws.destroy();
  }
}

/**
 * Runs again the runbook's checks that the applied changes affect (ActionDefinition.recheck), with a
 * fresh fact cache, so the report shows the state after the changes. Their timings are `recheck:<id>`.
 */
async function checkAgainAfterChanges(
  runbook: Runbook,
  session: EnvSession,
  options: {
    ids: string[];
    since: Date;
    db: () => Promise<DbSession>;
    timings: StepTiming[];
    log(text: string): void;
  },
): Promise<{ findings: Finding[]; ids: string[] }> {
  const ids = options.ids.filter((id) => runbook.steps.some((s) => 'check' in s && s.check === id));
  if (ids.length === 0) return { findings: [], ids };
  options.log(`Checking ${ids.join(', ')} again after the changes ...`);
  const timer = stepTimer();
  const findings = await executeRunbook(
    { ...runbook, steps: runbook.steps.filter((s) => 'check' in s && ids.includes(s.check)) },
    session,
    { checks: CHECKS, since: options.since, db: options.db, ...timer.hooks },
  );
  options.timings.push(...timer.timings.map((t) => ({ ...t, step: t.step.replace(/^check:/, 'recheck:') })));
  return { findings, ids };
}

/** `fsops maintenance run weekly|monthly|quarterly` (ops guide §12.3.1; runbooks 002/003). */
export async function maintenanceRun(cadence: string, options: MaintenanceRunOptions): Promise<number> {
  if (!(CADENCES as readonly string[]).includes(cadence)) {
    throw new UsageError(`unknown maintenance run '${cadence}': valid are ${CADENCES.join(', ')}`);
  }
  return runMaintenanceRunbook(`maintenance/${cadence}`, `maintenance run ${cadence}`, options);
}

/** `fsops maintenance checklist pre` (ops guide §12.1.2). */
export async function maintenanceChecklist(phase: string, options: MaintenanceRunOptions): Promise<number> {
  if (!(PHASES as readonly string[]).includes(phase)) {
    throw new UsageError(`unknown checklist '${phase}': valid are ${PHASES.join(', ')}`);
  }
  return runMaintenanceRunbook(`maintenance/${phase}-checklist`, `maintenance checklist ${phase}`, options);
}
