import type { Config } from '../../base/config/schema.js';
import type { CheckContext, RedisEndpoint } from '../../base/model/check.js';
import { parseDuration } from '../../base/model/duration.js';
import type { Finding, Interruption, Report } from '../../base/model/finding.js';
import { buildReport } from '../../base/model/finding.js';
import { CHECKS } from '../../catalogue/checks/index.js';
import { targetLabel } from '../../domain/db/target.js';
import { type DbCommandSession, lazyDatabase } from '../../engine/database.js';
import { onInterrupt } from '../../engine/interrupt.js';
import { printerFor } from '../../engine/printer.js';
import { createProgress, type Progress } from '../../engine/progress.js';
import { executeRunbookUntilStopped, notChecked, resolveSteps } from '../../engine/run-runbook.js';
import { loadRunbook, type Runbook } from '../../engine/runbook.js';
import { runChecks, type Step, stepsFor } from '../../engine/runner.js';
import { canAsk, type Runtime } from '../../engine/runtime.js';
import { type EnvSession, type GlobalOptions, openEnvSession, verifyAccount } from '../../engine/session.js';

/**
 * The kit of read-only commands (docs/architecture.md, "Adding a command"): a read command declares
 * what it runs — a runbook, or a few check steps — its label and notes, and the kit does the rest the
 * same way for all of them: --output parsed once, the environment's session, the account guard, the
 * look-back window, progress on stderr, the lazy database, manual steps on a terminal, the report and
 * its exit code, and closing what was opened.
 */

/** Flags of read commands: the look-back window and, for checks that read PostgreSQL or Redis, where they are. */
export interface ReadCommandOptions extends GlobalOptions, RedisOptions {
  since?: string;
  dbUrl?: string;
  dbHost?: string;
  dbPort?: string;
}

/** --redis-url, --redis-host/--redis-port of the commands that read Redis (src/commands/cli/shared.ts withRedisOptions). */
export interface RedisOptions {
  redisUrl?: string;
  redisHost?: string;
  redisPort?: string;
}

/** The run's Redis endpoint from the flags (src/domain/redis/target.ts resolves it; empty: the SSM redis_url). */
export function redisEndpoint(options: RedisOptions): RedisEndpoint {
  return {
    ...(options.redisUrl ? { url: options.redisUrl } : {}),
    ...(options.redisHost ? { host: options.redisHost } : {}),
    ...(options.redisPort !== undefined ? { port: options.redisPort } : {}),
  };
}

/** A check id with its parameters, as a runbook step names it. */
export interface StepSpec {
  check: string;
  params?: Record<string, unknown>;
}

/** What a read command runs: a runbook (with its manual and change steps) or a list of check steps. */
export type Procedure = { runbook: string | Runbook } | { steps: readonly StepSpec[] };

/** The outcome of a read run, handed to a command's notes. */
export interface ReadRun {
  findings: Finding[];
  /**
   * Set when the run was stopped (Ctrl-C, SIGTERM, SIGHUP: `GatherOptions.signal` aborted): what was
   * not done — the checks that did not finish, the manual and change steps not reached.
   */
  notDone?: string[];
  /** A context sharing the run's fact cache (step runs only), to list gathered facts afterwards. */
  context?: CheckContext;
  runbook?: Runbook;
}

export interface ReadCommand {
  /** The report's command label, e.g. `ecs tasks internal-pe`. */
  label: string;
  procedure: Procedure;
  /** The look-back window when --since is not given (default: the config's logs.since). */
  defaultSince?: string | ((config: Config) => string);
  /** Ask the runbook's manual steps on a terminal under text output (validate, runbook run); else skipped. */
  askManual?: boolean;
  /** Extra sections after the findings. */
  notes?(run: ReadRun): string[] | Promise<string[]>;
  /** An environment session the command opened already (to read its config before declaring steps). */
  session?: EnvSession;
  /** The environment when it is positional (`fsops validate prod`); default --env or FSOPS_ENV. */
  envName?: string;
}

/** A procedure with its runbook loaded or its check ids resolved: a typo fails before anything opens. */
type Resolved = { runbook: Runbook } | { steps: Step[] };

function resolve(procedure: Procedure): Resolved {
  if ('steps' in procedure) return { steps: stepsFor(CHECKS, procedure.steps) };
  const runbook = typeof procedure.runbook === 'string' ? loadRunbook(procedure.runbook) : procedure.runbook;
  resolveSteps(runbook, CHECKS);
  return { runbook };
}

function isResolved(procedure: Procedure | Resolved): procedure is Resolved {
  return 'runbook' in procedure
    ? typeof procedure.runbook !== 'string'
    : procedure.steps.every((step) => typeof step.check !== 'string');
}

/** Runs a read command against an environment and prints its report; returns the exit code. */
export async function runReadCommand(
  command: ReadCommand,
  options: ReadCommandOptions,
  runtime: Runtime,
): Promise<number> {
  const printer = printerFor(options, command.label, undefined, runtime);
  const procedure = resolve(command.procedure);
  const session =
    command.session ?? openEnvSession(options, command.envName ?? options.env ?? process.env.FSOPS_ENV);
  try {
    const defaultSince =
      typeof command.defaultSince === 'function'
        ? command.defaultSince(session.config)
        : (command.defaultSince ?? session.config.logs.since);
    const sinceMs = parseDuration(options.since ?? defaultSince, '--since');
    const title = `${'runbook' in procedure ? procedure.runbook.title : command.label} (${session.env.name})`;
    const progress = await createProgress(title, printer.format, runtime.stderr);
    const startedAt = runtime.clock.now();
    // Ctrl-C, SIGTERM (an ECS task stop, a cancelled CI job) and SIGHUP (a dropped SSH session) stop
    // the run alike: the calls in flight are aborted, and the report is INTERRUPTED (exit 130) with
    // what was checked and what was not — never a verdict on half the checks.
    const stop = new AbortController();
    const release = onInterrupt(() => stop.abort());
    try {
      progress.update(`${title}: verifying the AWS account`);
      const verified = await verifyAccount(session, false, stop.signal).then(
        () => true,
        (error: unknown) => {
          if (stop.signal.aborted) return false;
          throw error;
        },
      );
      const run: ReadRun = verified
        ? await gather(session, procedure, {
            since: new Date(startedAt - sinceMs),
            now: new Date(startedAt),
            options,
            runtime,
            progress,
            askManual: Boolean(command.askManual) && printer.format === 'text' && canAsk(runtime),
            signal: stop.signal,
          })
        : { findings: [], notDone: ['the AWS account check (nothing was checked)', ...allSteps(procedure)] };
      if (stop.signal.aborted) {
        progress.stop();
        return printer.report(
          buildReport(
            command.label,
            session.env.name,
            new Date(startedAt),
            run.findings,
            undefined,
            () => runtime.clock.now(),
            interruptionOf(run.findings, run.notDone ?? []),
          ),
        );
      }
      const notes = command.notes ? await command.notes(run) : undefined;
      progress.stop();
      return printer.report(
        buildReport(command.label, session.env.name, new Date(startedAt), run.findings, notes, () =>
          runtime.clock.now(),
        ),
      );
    } finally {
      release();
      progress.stop();
    }
  } finally {
    session.aws.destroy();
  }
}

export interface GatherOptions {
  since: Date;
  now?: Date;
  /**
   * --db-url/--db-host/--db-port for checks that read PostgreSQL (default: the environment's secret);
   * --redis-url/--redis-host/--redis-port for Redis checks (default: the SSM redis_url).
   */
  options?: Pick<ReadCommandOptions, 'dbUrl' | 'dbHost' | 'dbPort' | 'redisUrl' | 'redisHost' | 'redisPort'>;
  runtime: Runtime;
  progress?: Progress;
  askManual?: boolean;
  /** The run's signal: when it aborts, the run stops and `ReadRun.notDone` says what was not done. */
  signal?: AbortSignal;
}

/** Every step of a procedure, as "not checked" lines (a run stopped before its checks began). */
function allSteps(procedure: Resolved): string[] {
  if ('steps' in procedure) return procedure.steps.map(notChecked);
  return procedure.runbook.steps.map((step) =>
    'check' in step
      ? `not checked: ${step.check}`
      : 'manual' in step
        ? `manual step not asked: ${step.manual}`
        : `change step not run: ${step.action}`,
  );
}

/** What a stopped read run did (each check that finished, by its findings) and did not. */
export function interruptionOf(findings: readonly Finding[], notDone: string[]): Interruption {
  const byCheck = new Map<string, number>();
  for (const f of findings) {
    const id = f.checkId ?? f.id;
    byCheck.set(id, (byCheck.get(id) ?? 0) + 1);
  }
  const done = [...byCheck].map(([id, n]) => `checked: ${id} (${n} finding${n === 1 ? '' : 's'})`);
  return { done: done.length ? done : ['(nothing finished)'], notDone };
}

/**
 * The findings of a procedure over an environment, without printing: the lazy database opened when a
 * check first asks for it and closed afterwards. The status dashboard polls through it.
 */
export async function gather(
  session: EnvSession,
  procedure: Procedure | Resolved,
  { since, now, options = {}, runtime, progress, askManual, signal }: GatherOptions,
): Promise<ReadRun> {
  const resolved = isResolved(procedure) ? procedure : resolve(procedure);
  const database = lazyDatabase(session, options);
  const hooks = { onCheckStart: progress?.onCheckStart, onCheckDone: progress?.onCheckDone };
  try {
    if ('runbook' in resolved) {
      const { findings, notDone } = await executeRunbookUntilStopped(resolved.runbook, session, {
        checks: CHECKS,
        since,
        ...hooks,
        askManual: askManual ? (question) => runtime.io.ask(question) : null,
        beforeManual: progress?.stop,
        fetch: runtime.fetch,
        db: database.open,
        redis: redisEndpoint(options),
        ...(signal ? { signal } : {}),
      });
      return { findings, runbook: resolved.runbook, ...(signal?.aborted ? { notDone } : {}) };
    }
    const run = await runChecks(session, resolved.steps, {
      since,
      now,
      ...hooks,
      fetch: runtime.fetch,
      db: database.open,
      redis: redisEndpoint(options),
      ...(signal ? { signal } : {}),
    });
    return { ...run, ...(signal?.aborted ? { notDone: run.unfinished.map(notChecked) } : {}) };
  } finally {
    await database.close();
  }
}

/** The environment-independent parameters a database check gets when the database came by URL. */
export interface DatabaseStep {
  check: Step['check'];
  params: Record<string, unknown>;
}

export interface DatabaseReadCommand {
  label: string;
  /** The command whose --output is parsed, when it is not the label (`demo` prints db health's report). */
  command?: string;
  /** The checks with their parameters, given the opened session (an environment or a bare URL). */
  steps(session: DbCommandSession): DatabaseStep[];
  /** Opens the database and its read-only session (connect failures surface here, exit 3). */
  open(): Promise<DbCommandSession>;
  /** The report, before it is printed (the demo compares it with the trouble it planted). */
  onReport?(report: Report): void;
  /** Where Redis checks among the steps connect (the demo's local redis-server). */
  redis?: RedisEndpoint;
}

/**
 * The kit for a read command over one database (db health, db <check>, the demo): its checks run
 * concurrently over one read-only session, the report says which database and how it was reached.
 */
export async function runDatabaseReadCommand(
  command: DatabaseReadCommand,
  options: GlobalOptions,
  runtime: Runtime,
): Promise<number> {
  const printer = printerFor(options, command.command ?? command.label, undefined, runtime);
  const startedAt = new Date(runtime.clock.now());
  const session = await command.open();
  const progress = await createProgress(
    `${command.label} (${session.db.label})`,
    printer.format,
    runtime.stderr,
  );
  // Ctrl-C, SIGTERM and SIGHUP stop the checks alike: the report is INTERRUPTED (exit 130).
  const stop = new AbortController();
  const release = onInterrupt(() => stop.abort());
  try {
    const { findings, unfinished } = await runChecks(session, command.steps(session), {
      db: async () => session.db,
      ...(command.redis ? { redis: command.redis } : {}),
      fetch: runtime.fetch,
      onCheckStart: progress.onCheckStart,
      onCheckDone: progress.onCheckDone,
      signal: stop.signal,
    });
    progress.stop();
    const report = buildReport(
      command.label,
      session.envSession?.env.name ?? null,
      startedAt,
      findings,
      databaseNotes(session),
      () => runtime.clock.now(),
      stop.signal.aborted ? interruptionOf(findings, unfinished.map(notChecked)) : undefined,
    );
    command.onReport?.(report);
    return printer.report(report);
  } finally {
    release();
    progress.stop();
    await session.close();
  }
}

function databaseNotes(session: DbCommandSession): string[] {
  const version = (session.db.serverVersion / 10000).toFixed(0);
  const note = `Database: ${targetLabel(session.target)} (PostgreSQL ${version}, via ${session.target.source}; read-only session)`;
  const degraded = session.db.degraded?.();
  return degraded
    ? [
        note,
        `Ran degraded: the checks shared ${degraded.connections} of ${degraded.of} connections (the server refused the others: ${degraded.reason}); every check still ran, one after another.`,
      ]
    : [note];
}
