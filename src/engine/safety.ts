import { createInterface } from 'node:readline/promises';
import { ExitCode, ExitError, UsageError } from '../base/model/errors.js';
import { clean } from './render.js';

export interface MutationPlan {
  /** What will be done, as a verb phrase: "roll back prod-internal-pe-service". */
  action: string;
  env: string;
  /** Lines describing the change, printed before any confirmation. */
  lines: string[];
}

export interface SafetyOptions {
  yes?: boolean;
  dryRun?: boolean;
  /** Protected environments (prod) need the environment name typed, not just "y". */
  protectedEnv: boolean;
  /**
   * The word to type instead of the environment name, for a dangerous variant (e.g. scaling prod to 0).
   * Like every prompt it is skipped by `yes`: a caller that wants it asked even under --yes passes
   * `yes: false` on a terminal (see src/engine/commands/service-operation.ts).
   */
  dangerWord?: string;
}

export interface PromptIO {
  isTTY: boolean;
  ask(question: string): Promise<string>;
  print(text: string): void;
}

/**
 * One line typed at the prompt. The terminal is in raw mode while readline reads, so Ctrl-C arrives as
 * a keystroke, not as SIGINT: it becomes an interruption (exit 130, nothing changed) instead of an
 * "unexpected error". Ctrl-D (end of input) is an empty answer, i.e. not confirmed.
 */
export async function askOnTerminal(
  question: string,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  terminal?: boolean,
): Promise<string> {
  const rl = createInterface({ input, output, ...(terminal === undefined ? {} : { terminal }) });
  let interrupted = false;
  const answer = new Promise<string>((resolve, reject) => {
    rl.once('SIGINT', () => {
      interrupted = true;
      output.write('\n');
      reject(
        new ExitError(ExitCode.interrupted, 'interrupted at the confirmation prompt: nothing was changed'),
      );
    });
    rl.question(question).then(resolve, (error: Error) => {
      if (interrupted) return;
      if (error.name === 'AbortError') {
        output.write('\n');
        resolve('');
      } else reject(error);
    });
  });
  try {
    return await answer;
  } finally {
    rl.close();
  }
}

export type Decision = 'dry-run' | 'confirmed';

/** The plan as printed before any confirmation (or refusal). */
export function planText(plan: MutationPlan): string {
  // Plans quote what they act on (query text, application names, images): shown, never sent raw to the terminal.
  return clean(`Plan: ${plan.action} (${plan.env})\n${plan.lines.map((line) => `  ${line}`).join('\n')}\n`);
}

/**
 * docs/architecture.md's rules for every mutating command: show the plan; `--dry-run` stops there; without a
 * terminal only `--yes` proceeds; on a terminal ask (protected environments: type the name).
 */
export async function confirmPlan(
  plan: MutationPlan,
  options: SafetyOptions,
  io: PromptIO,
): Promise<Decision> {
  io.print(planText(plan));
  if (options.dryRun) {
    io.print('Dry run: nothing was changed.\n');
    return 'dry-run';
  }
  if (options.yes) return 'confirmed';
  if (!io.isTTY) {
    throw new UsageError(
      `refusing to ${plan.action} without confirmation: no terminal to ask on; pass --yes to confirm or --dry-run to see the plan only. Nothing was changed.`,
    );
  }
  const word = options.dangerWord ?? (options.protectedEnv ? plan.env : undefined);
  if (word) {
    const typed = (await io.ask(`Type '${word}' to ${plan.action}: `)).trim();
    if (typed !== word) throw new ExitError(2, `not confirmed (expected '${word}'): nothing was changed`);
  } else {
    const answer = (await io.ask(`${capitalize(plan.action)}? [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') throw new ExitError(2, 'not confirmed: nothing was changed');
  }
  return 'confirmed';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
