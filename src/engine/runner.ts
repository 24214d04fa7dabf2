import { describeAwsError } from '../base/aws/errors.js';
import {
  type Check,
  type CheckContext,
  couldNotCheck,
  type DbQuery,
  paramsProblem,
  type RedisEndpoint,
  toFinding,
} from '../base/model/check.js';
import { mapWithConcurrency } from '../base/model/concurrency.js';
import { UnreachableError, UsageError } from '../base/model/errors.js';
import type { Finding } from '../base/model/finding.js';
import { httpFetch } from './http-fetch.js';

export interface Step {
  check: Check;
  /** The step's parameters; `check.run` passes them through the check's schema. */
  params: Record<string, unknown>;
}

export interface RunnerHooks {
  onCheckStart?(step: Step): void;
  onCheckDone?(step: Step, findings: Finding[]): void;
}

export interface RunnerOptions extends RunnerHooks {
  concurrency: number;
  timeoutMs: number;
  /**
   * The run's signal: when it aborts (Ctrl-C, SIGTERM, SIGHUP), no further check starts and the
   * checks in flight are aborted and left unfinished — what they were doing is not a finding.
   */
  signal?: AbortSignal;
}

export type ContextFactory = (signal: AbortSignal) => CheckContext;

/** The findings of the checks that finished, and the steps that did not (the run was interrupted). */
export interface StepsRun {
  findings: Finding[];
  /** Steps not started or not finished because the run's signal aborted; empty otherwise. */
  unfinished: Step[];
}

/**
 * Runs every step with bounded concurrency. A check that throws or outlives its timeout becomes an
 * `error` finding; the others still run and report. Findings keep the order of the steps.
 */
export async function runSteps(
  steps: Step[],
  makeContext: ContextFactory,
  options: RunnerOptions,
): Promise<Finding[]> {
  return (await runStepsUntilStopped(steps, makeContext, options)).findings;
}

/**
 * `runSteps`, saying which steps did not finish when the run's signal aborted: those are not
 * findings (an interrupted run is never a pass, and a check cut short is not an error of the system).
 */
export async function runStepsUntilStopped(
  steps: Step[],
  makeContext: ContextFactory,
  options: RunnerOptions,
): Promise<StepsRun> {
  const results: (Finding[] | undefined)[] = new Array(steps.length);
  const stopped = options.signal;
  await mapWithConcurrency(steps, options.concurrency, async (step, index) => {
    if (stopped?.aborted) return;
    options.onCheckStart?.(step);
    const findings = await runOne(step, makeContext, options.timeoutMs, stopped);
    if (findings === STOPPED) return;
    results[index] = findings;
    options.onCheckDone?.(step, findings);
  });
  return {
    findings: results.flatMap((r) => r ?? []),
    unfinished: steps.filter((_, index) => results[index] === undefined),
  };
}

const STOPPED = Symbol('stopped');

async function runOne(
  step: Step,
  makeContext: ContextFactory,
  timeoutMs: number,
  stopped?: AbortSignal,
): Promise<Finding[] | typeof STOPPED> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new CheckTimeout(timeoutMs));
    }, timeoutMs);
  });
  // The run stopped: this check's calls are aborted and it ends now, unfinished.
  let onStop = () => {};
  const stop = new Promise<typeof STOPPED>((resolve) => {
    onStop = () => {
      controller.abort();
      resolve(STOPPED);
    };
    stopped?.addEventListener('abort', onStop, { once: true });
  });
  try {
    const run = step.check.run(makeContext(controller.signal), step.params);
    const results = await Promise.race([run, timeout, stop]);
    if (results === STOPPED || stopped?.aborted) return STOPPED;
    return results.map((result) => toFinding(step.check, result));
  } catch (error) {
    if (stopped?.aborted) return STOPPED;
    return [errorFinding(step.check, error)];
  } finally {
    clearTimeout(timer);
    stopped?.removeEventListener('abort', onStop);
  }
}

class CheckTimeout extends Error {
  constructor(readonly ms: number) {
    super(`did not finish within ${Math.round(ms / 1000)}s`);
    this.name = 'CheckTimeout';
  }
}

export function errorFinding(check: Check, error: unknown): Finding {
  const observed = error instanceof CheckTimeout ? error.message : describeAwsError(error);
  return toFinding(
    check,
    couldNotCheck(
      check.id,
      observed,
      'Check AWS credentials, network access and permissions, then run again.',
    ),
  );
}

/** A per-run cache of gathered facts, so that checks sharing an API call make it once. */
export function createFactCache(
  runSignal: AbortSignal = new AbortController().signal,
): <T>(key: string, gather: (signal: AbortSignal) => Promise<T>) => Promise<T> {
  const facts = new Map<string, Promise<unknown>>();
  return <T>(key: string, gather: (signal: AbortSignal) => Promise<T>) => {
    let fact = facts.get(key) as Promise<T> | undefined;
    if (!fact) {
      fact = gather(runSignal);
      facts.set(key, fact);
    }
    return fact;
  };
}

/** What a check run needs from a session: the environment, its AWS clients and the runner settings. */
export interface CheckSession {
  env: CheckContext['env'];
  aws: CheckContext['aws'];
  config: { runner: { concurrency: number; checkTimeoutMs: number } };
}

/** The check catalogue a run resolves ids against (src/catalogue/checks/index.ts's CHECKS, passed in by the command). */
export type CheckRegistry = Readonly<Record<string, Check>>;

export interface RunChecksOptions extends RunnerHooks {
  /** Start of the look-back window; defaults to `now`. */
  since?: Date;
  now?: Date;
  fetch?: typeof fetch;
  /** Opens the diagnostic database session; called at most once per run, when a check first asks. */
  db?: () => Promise<DbQuery>;
  /** Where the run's Redis checks connect (--redis-url, --redis-host/--redis-port); default: SSM redis_url. */
  redis?: RedisEndpoint;
  /** The run's signal (shared facts run under it); a fresh one when not given. */
  signal?: AbortSignal;
  /** Overrides of the session's runner settings. */
  concurrency?: number;
  timeoutMs?: number;
}

/** The one check-context builder: a per-run fact cache and database opener, a context per check signal. */
export function checkContextFactory(session: CheckSession, options: RunChecksOptions = {}): ContextFactory {
  const runSignal = options.signal ?? new AbortController().signal;
  const once = createFactCache(runSignal);
  const now = options.now ?? new Date();
  const openDb =
    options.db ?? (() => Promise.reject(new UnreachableError('this run has no database connection')));
  const db = () => once('db.session', openDb);
  return (signal) => ({
    env: session.env,
    aws: session.aws,
    signal,
    since: options.since ?? now,
    now,
    once,
    fetch: options.fetch ?? httpFetch,
    db,
    redis: options.redis ?? {},
  });
}

export interface CheckRun {
  findings: Finding[];
  /** A context sharing the run's fact cache, to read gathered facts for a listing afterwards. */
  context: CheckContext;
  /** The steps that did not finish because the run's signal aborted (empty when it did not). */
  unfinished: Step[];
}

/**
 * The one check runner every read-only verb uses (validate, runbook run, troubleshoot, db checks,
 * maintenance): builds the context, runs the steps with the session's concurrency and timeout, and
 * returns the findings in step order.
 */
export async function runChecks(
  session: CheckSession,
  steps: readonly Step[],
  options: RunChecksOptions = {},
): Promise<CheckRun> {
  const makeContext = checkContextFactory(session, options);
  const { findings, unfinished } = await runStepsUntilStopped([...steps], makeContext, {
    concurrency: options.concurrency ?? session.config.runner.concurrency,
    timeoutMs: options.timeoutMs ?? session.config.runner.checkTimeoutMs,
    onCheckStart: options.onCheckStart,
    onCheckDone: options.onCheckDone,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { findings, unfinished, context: makeContext(options.signal ?? new AbortController().signal) };
}

/**
 * Steps from check ids with their parameters checked against each check's schema: an unknown id or
 * a parameter the check does not take (or of the wrong kind) is a usage error, one line naming where
 * (`where(index)`: the runbook and step) and what is valid, before anything runs.
 */
export function stepsFor(
  registry: CheckRegistry,
  steps: readonly { check: string; params?: Record<string, unknown> }[],
  where?: (index: number) => string,
): Step[] {
  return steps.map((step, index) => {
    const check = checkFor(registry, step.check);
    const problem = paramsProblem(check.params, step.params ?? {});
    if (problem) {
      throw new UsageError(`${where ? `${where(index)} (${check.id})` : `check ${check.id}`}: ${problem}`);
    }
    return { check, params: step.params ?? {} };
  });
}

export function checkFor(registry: CheckRegistry, id: string): Check {
  const check = registry[id];
  if (!check) {
    throw new UsageError(
      `unknown check '${id}': valid checks are ${Object.keys(registry).sort().join(', ')}`,
    );
  }
  return check;
}
