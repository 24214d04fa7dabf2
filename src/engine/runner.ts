import { describeAwsError } from '../aws/errors.js';
import { type CheckContext, type CheckDefinition, type CheckResult, toFinding } from './model/check.js';
import type { Finding } from './model/finding.js';

export interface Step {
  check: CheckDefinition<never>;
  params: Record<string, unknown>;
}

export interface RunnerHooks {
  onCheckStart?(step: Step): void;
  onCheckDone?(step: Step, findings: Finding[]): void;
}

export interface RunnerOptions extends RunnerHooks {
  concurrency: number;
  timeoutMs: number;
}

export type ContextFactory = (signal: AbortSignal) => CheckContext;

/**
 * Runs every step with bounded concurrency. A check that throws or outlives its timeout becomes an
 * `error` finding; the others still run and report. Findings keep the order of the steps.
 */
export async function runSteps(
  steps: Step[],
  makeContext: ContextFactory,
  options: RunnerOptions,
): Promise<Finding[]> {
  const results: Finding[][] = new Array(steps.length);
  await mapWithConcurrency(steps, options.concurrency, async (step, index) => {
    options.onCheckStart?.(step);
    const findings = await runOne(step, makeContext, options.timeoutMs);
    results[index] = findings;
    options.onCheckDone?.(step, findings);
  });
  return results.flat();
}

async function runOne(step: Step, makeContext: ContextFactory, timeoutMs: number): Promise<Finding[]> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new CheckTimeout(timeoutMs));
    }, timeoutMs);
  });
  try {
    const run = (step.check.run as (ctx: CheckContext, params: unknown) => Promise<CheckResult[]>)(
      makeContext(controller.signal),
      step.params,
    );
    const results = await Promise.race([run, timeout]);
    return results.map((result) => toFinding(step.check, result));
  } catch (error) {
    return [errorFinding(step.check, error)];
  } finally {
    clearTimeout(timer);
  }
}

class CheckTimeout extends Error {
  constructor(readonly ms: number) {
    super(`did not finish within ${Math.round(ms / 1000)}s`);
    this.name = 'CheckTimeout';
  }
}

export function errorFinding(check: CheckDefinition<never>, error: unknown): Finding {
  const observed = error instanceof CheckTimeout ? error.message : describeAwsError(error);
  return toFinding(check, {
    status: 'error',
    resource: check.id,
    observed: `could not check: ${observed}`,
    expected: 'the check completes',
    remediation: 'Check AWS credentials, network access and permissions, then run again.',
  });
}

export async function mapWithConcurrency<T>(
  items: readonly T[],
  limit: number,
  worker: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await worker(items[index]!, index);
    }
  });
  await Promise.all(lanes);
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
