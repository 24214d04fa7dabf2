import { promptIO } from '../change.js';
import { type ChangeStep, changeReport, envChangeSession, runChanges } from '../changes.js';
import { evidenceFormat, finishChangeRun } from '../evidence.js';
import { readsUntilInterrupted } from '../interrupt.js';
import { printerFor } from '../printer.js';
import { createProgress } from '../progress.js';
import type { Step } from '../runner.js';
import type { Runtime } from '../runtime.js';
import { type GlobalOptions, openEnvSession, requireExplicitEnv, verifyAccount } from '../session.js';

export interface EnvActionOptions extends GlobalOptions {
  dryRun?: boolean;
  yes?: boolean;
  report?: string;
}

export interface EnvActionRun {
  /** The report's and audit record's command, e.g. "backup verify". */
  command: string;
  /** Why --env must be explicit, e.g. "backup verify creates an RDS instance". */
  why: string;
  steps: ChangeStep[];
  /**
   * Checks an applied action may name in `Action.recheck`, with their parameters (e.g.
   * `stepsFor(CHECKS, [{ check: 'alarms.audit', params }])`): they run again after the changes.
   */
  recheck?: Step[];
}

/**
 * An environment-level change (`fsops backup snapshot|verify`, `fsops dr drill ...`, `fsops alarms
 * apply`, and any new one): opens the environment (explicit --env, the wrong-account guard), hands the
 * steps to the one driver (src/engine/changes.ts runChanges), prints the report and the `--report`
 * evidence. Ctrl-C/SIGTERM let the action stop cleanly: the report is INTERRUPTED, exit 130.
 */
export async function runEnvActions(
  run: EnvActionRun,
  options: EnvActionOptions,
  runtime: Runtime,
): Promise<number> {
  const printer = printerFor(options, run.command, undefined, runtime);
  const evidence = evidenceFormat(options.report);
  const envName = requireExplicitEnv(options, run.why);
  const session = openEnvSession(options, envName);
  const startedAt = new Date(runtime.clock.now());
  try {
    const identity =
      (await readsUntilInterrupted((signal) => verifyAccount(session, true, signal)))?.arn ?? null;
    const progress = await createProgress(
      `${run.command} (${session.env.name})`,
      printer.format,
      runtime.stderr,
    );
    const result = await runChanges(envChangeSession(session, identity, runtime), run.steps, {
      command: run.command,
      yes: options.yes,
      dryRun: options.dryRun,
      io: promptIO(printer.format, runtime.io, runtime.stderr),
      log: progress.log,
      ...(run.recheck ? { recheck: { steps: run.recheck } } : {}),
    }).finally(() => progress.stop());
    const report = changeReport(
      run.command,
      session.env.name,
      startedAt,
      () => runtime.clock.now(),
      result.findings,
      result,
    );
    return finishChangeRun(printer, report, {
      declined: result.declined,
      reportFile: options.report,
      evidence,
      timings: result.timings,
      identity,
      runtime,
    });
  } finally {
    session.aws.destroy();
  }
}
