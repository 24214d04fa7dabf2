import { type AuditRecord, appendAudit } from './audit.js';
import { ExitError } from './model/errors.js';
import { confirmPlan, type Decision, type MutationPlan, type PromptIO, terminalIO } from './safety.js';
import type { EnvSession } from './session.js';

export interface MutationOptions {
  yes?: boolean;
  dryRun?: boolean;
}

/** The terminal prompt; the plan goes to stderr when stdout carries a machine-readable report. */
export function promptIO(format: string, base: PromptIO = terminalIO()): PromptIO {
  if (format === 'text') return base;
  return { ...base, print: (text) => process.stderr.write(text) };
}

export interface GuardedMutation<T> {
  session: EnvSession;
  identity: string | null;
  /** The audit record's command, e.g. "maintenance mode on". */
  command: string;
  plan: MutationPlan;
  options: MutationOptions;
  io: PromptIO;
  from?: string;
  to?: string;
  apply(): Promise<T>;
  /** What the audit record says about a successful change. */
  describe?(result: T): string;
}

export type MutationOutcome<T> = { decision: 'dry-run' } | { decision: 'applied'; result: T };

/**
 * DESIGN.md's safety rules around one change: plan, confirm (or refuse), apply, and an audit line for
 * every outcome (dry-run, refused, succeeded, failed).
 */
export async function guardedMutation<T>(m: GuardedMutation<T>): Promise<MutationOutcome<T>> {
  const audit = (result: AuditRecord['result'], detail?: string) =>
    appendAudit(
      {
        env: m.session.env.name,
        identity: m.identity,
        command: m.command,
        ...(m.from !== undefined ? { from: m.from } : {}),
        ...(m.to !== undefined ? { to: m.to } : {}),
        result,
        ...(detail ? { detail } : {}),
      },
      m.session.config.audit,
      m.session.aws,
    );
  let decision: Decision;
  try {
    decision = await confirmPlan(
      m.plan,
      { yes: m.options.yes, dryRun: m.options.dryRun, protectedEnv: m.session.env.settings.protected },
      m.io,
    );
  } catch (error) {
    if (error instanceof ExitError) await audit('refused', error.message);
    throw error;
  }
  if (decision === 'dry-run') {
    await audit('dry-run', m.plan.lines.join('; '));
    return { decision };
  }
  try {
    const result = await m.apply();
    await audit('succeeded', m.describe?.(result) ?? m.plan.lines.join('; '));
    return { decision: 'applied', result };
  } catch (error) {
    await audit('failed', (error as Error).message);
    throw error;
  }
}
