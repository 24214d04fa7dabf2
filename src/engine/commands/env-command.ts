import type { ActionDefinition } from '../../actions/types.js';
import { promptIO } from '../change.js';
import { evidenceFormat, finishChangeRun, type StepTiming, stepTimer } from '../evidence.js';
import { readsUntilInterrupted } from '../interrupt.js';
import { UnreachableError } from '../model/errors.js';
import type { Finding } from '../model/finding.js';
import { buildReport } from '../model/finding.js';
import { printerFor } from '../printer.js';
import { createProgress } from '../progress.js';
import { runActions } from '../run-actions.js';
import { type CheckRegistry, runChecks, stepsFor } from '../runner.js';
import type { PromptIO } from '../safety.js';
import {
  type EnvSession,
  type GlobalOptions,
  openEnvSession,
  requireExplicitEnv,
  verifyAccount,
} from '../session.js';

export interface EnvActionOptions extends GlobalOptions {
  dryRun?: boolean;
  yes?: boolean;
  report?: string;
  io?: PromptIO;
}

export interface EnvActionRun {
  /** The report's and audit record's command, e.g. "backup verify". */
  command: string;
  /** Why --env must be explicit, e.g. "backup verify creates an RDS instance". */
  why: string;
  steps: { action: ActionDefinition<never>; params: unknown }[];
  /** Read-only refusals before any plan (e.g. an open incident); throw a UsageError. */
  before?: (session: EnvSession) => Promise<void>;
  /**
   * The check catalogue, for the checks an applied action names in `ActionDefinition.recheck`: they
   * run again after the changes (fresh facts), so the report shows the state after the change.
   * `params` gives each such check its parameters (e.g. the same alarm catalogue).
   */
  recheck?: { checks: CheckRegistry; params?: Record<string, Record<string, unknown>> };
}

/**
 * An environment-level change (`fsops backup snapshot|verify`, `fsops dr drill ...`, `fsops alarms apply`)
 * through the one guarded-change path (src/engine/run-actions.ts): plan, confirm, audit, apply, report, `--report`
 * evidence; Ctrl-C/SIGTERM let the action finish cleanly and exit 130.
 */
export async function runEnvActions(run: EnvActionRun, options: EnvActionOptions): Promise<number> {
  const printer = printerFor(options, run.command);
  const format = printer.format;
  const evidence = evidenceFormat(options.report);
  const envName = requireExplicitEnv(options, run.why);
  const session = openEnvSession(options, envName);
  const startedAt = new Date();
  try {
    const identity = await readsUntilInterrupted((signal) => verifyAccount(session, true, signal));
    await run.before?.(session);
    const progress = await createProgress(`${run.command} (${session.env.name})`, format);
    const timings: StepTiming[] = [];
    const interruption = { interrupted: false };
    const refusal = { declined: false };
    const recheckIds = new Set<string>();
    let findings: Finding[];
    try {
      findings = await runActions(run.steps, {
        audit: { env: session.env.name, target: session.config.audit, aws: session.aws },
        identity: identity?.arn ?? null,
        command: run.command,
        target: session.env.name,
        protectedEnv: session.env.settings.protected,
        yes: options.yes,
        dryRun: options.dryRun,
        io: options.io ?? promptIO(format),
        context: {
          env: session.env,
          config: session.config,
          now: startedAt,
          aws: session.aws,
          db: () =>
            Promise.reject(new UnreachableError(`${run.command} uses no database session of the run`)),
          log: progress.log,
        },
        onTiming: (t) => timings.push(t),
        onApplied: (action) => {
          for (const id of action.recheck ?? []) recheckIds.add(id);
        },
        interruption,
        refusal,
      });
    } finally {
      progress.stop();
    }
    const notes: string[] = [];
    // After Ctrl-C the person wants out: report what was done, check nothing more.
    const ids =
      run.recheck && !interruption.interrupted
        ? [...recheckIds].filter((id) => id in run.recheck!.checks)
        : [];
    if (run.recheck && ids.length > 0) {
      const timer = stepTimer();
      const after = await runChecks(
        session,
        stepsFor(
          run.recheck.checks,
          ids.map((check) => ({ check, params: run.recheck!.params?.[check] ?? {} })),
        ),
        { now: new Date(), ...timer.hooks },
      );
      findings = [...findings, ...after.findings];
      timings.push(...timer.timings.map((t) => ({ ...t, step: t.step.replace(/^check:/, 'recheck:') })));
      notes.push(`Checked again after the changes: ${ids.join(', ')} (the findings after the changes' own).`);
    }
    const report = buildReport(run.command, session.env.name, startedAt, findings, notes);
    return finishChangeRun(printer, report, {
      interruption,
      refusal,
      reportFile: options.report,
      evidence,
      timings,
      identity: identity?.arn ?? null,
    });
  } finally {
    session.aws.destroy();
  }
}
