import type { AwsClients } from '../base/aws/clients.js';
import { type AuditRecord, type AuditTarget, appendAudit } from './audit.js';
import {
  confirmPlan,
  type Decision,
  type MutationPlan,
  type PromptIO,
  type SafetyOptions,
} from './safety.js';

/**
 * The building blocks of the one change driver (src/engine/changes.ts runChanges, docs/architecture.md
 * "Changing something"): `decideChange` (print the plan; --dry-run stops; no terminal needs --yes; on
 * a terminal confirm, typing the environment name for protected ones; every refusal audited) and
 * `applyChange` (audit "started" BEFORE touching anything, apply under a signal that Ctrl-C aborts,
 * audit the outcome). Commands call the driver, not these.
 */

export type AuditResult = AuditRecord['result'];

/** Writes one audit line of a change: its fixed fields (env, identity, command, from/to) plus the result. */
export type ChangeAudit = (result: AuditResult, detail?: string) => Promise<void>;

export interface ChangeAuditFields {
  env: string;
  identity: string | null;
  /** The audit record's command, e.g. "rollback" or "maintenance mode on". */
  command: string;
  component?: string;
  from?: string;
  to?: string;
  target: AuditTarget;
  aws?: AwsClients;
  /** Where a failed audit write is said: the command's runtime.stderr (src/engine/runtime.ts). */
  stderr: { write(text: string): unknown };
}

export function changeAuditor(fields: ChangeAuditFields): ChangeAudit {
  const { target, aws, command, stderr, ...rest } = fields;
  return async (result, detail) => {
    await appendAudit(
      {
        ...rest,
        command,
        result,
        ...(detail ? { detail } : {}),
      },
      target,
      aws,
      stderr,
    );
  };
}

/** The terminal prompt; the plan goes to stderr when stdout carries a machine-readable report. */
export function promptIO(format: string, base: PromptIO, stderr: { write(text: string): unknown }): PromptIO {
  if (format === 'text') return base;
  return { ...base, print: (text) => stderr.write(text) };
}

export interface DecideOptions {
  /** Detail of the "refused" audit line (default: the refusal's message). */
  refusedDetail?: string;
  /** Detail of the "dry-run" audit line; `false` when the caller audits dry runs per step itself. */
  dryRunDetail?: string | false;
  /** Extra refusals before the prompt (e.g. a dangerous variant without its flag); audited like the rest. */
  precheck?(): void;
}

/**
 * Shows the plan and decides: 'dry-run' (audited), 'confirmed', or throws the refusal (audited as
 * "refused"): no terminal without --yes (exit 2), not confirmed (exit 2), Ctrl-C at the prompt (130).
 */
export async function decideChange(
  plan: MutationPlan,
  safety: SafetyOptions,
  io: PromptIO,
  audit: ChangeAudit,
  options: DecideOptions = {},
): Promise<Decision> {
  let decision: Decision;
  try {
    options.precheck?.();
    decision = await confirmPlan(plan, safety, io);
  } catch (error) {
    await audit('refused', options.refusedDetail ?? (error as Error).message);
    throw error;
  }
  if (decision === 'dry-run' && options.dryRunDetail !== false) {
    await audit('dry-run', options.dryRunDetail ?? plan.lines.join('; '));
  }
  return decision;
}

export interface ApplyOptions<T> {
  /** Detail of the "started" line (default none). */
  startedDetail?: string;
  /** The outcome line from the result; default "succeeded" (or "interrupted" once `signal` aborted). */
  outcome?(result: T, interrupted: boolean): { result: AuditResult; detail?: string } | null;
  /** Detail of the "failed" line from the error (default its message). */
  failedDetail?(error: unknown): string;
  /** The run's signal (Ctrl-C, SIGTERM, SIGHUP abort it): aborted by the end of `apply`, the outcome is "interrupted". */
  signal?: AbortSignal;
}

/**
 * Applies one confirmed change: audit "started" before anything is touched, then apply, then audit
 * the outcome ("failed" with the reason when apply throws, and the error goes on up).
 */
export async function applyChange<T>(
  audit: ChangeAudit,
  apply: () => Promise<T>,
  options: ApplyOptions<T> = {},
): Promise<T> {
  await audit('started', options.startedDetail);
  let result: T;
  try {
    result = await apply();
  } catch (error) {
    await audit('failed', options.failedDetail?.(error) ?? (error as Error).message);
    throw error;
  }
  const interrupted = options.signal?.aborted ?? false;
  const outcome = options.outcome
    ? options.outcome(result, interrupted)
    : { result: interrupted ? 'interrupted' : 'succeeded' };
  if (outcome) await audit(outcome.result, outcome.detail);
  return result;
}
