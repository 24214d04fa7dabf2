import { clean } from './render.js';
import type { RunnerHooks } from './runner.js';

export interface Progress extends RunnerHooks {
  /** A status line (e.g. "waiting for deployment") shown on the spinner, or as a log line on stderr. */
  update(text: string): void;
  log(text: string): void;
  stop(): void;
}

/** The part of a terminal stream progress uses (the command's runtime.stderr; a collector in tests). */
export type ProgressStream = Pick<NodeJS.WriteStream, 'isTTY' | 'columns' | 'write'> &
  Partial<NodeJS.WriteStream>;

/**
 * A terminal width a spinner can be drawn in, or null. Terminals under `script`, some CI runners and
 * serial consoles report 0 (or nothing) columns; ora divides by the width to count lines to clear, and
 * with 0 it loops forever at 100% CPU.
 */
export function usableColumns(columns: unknown): number | null {
  return typeof columns === 'number' && Number.isInteger(columns) && columns >= 10 && columns <= 10_000
    ? columns
    : null;
}

/**
 * Progress on stderr: an ora spinner when stderr is a terminal with a usable width and the output is
 * text; plain lines for `log` otherwise; nothing at all under machine-readable output. Progress is
 * decoration: any error it raises is swallowed (the spinner stops and plain lines take over), and the
 * width ora sees never drops to one it cannot draw in, even when the terminal is resized mid-run.
 */
export async function createProgress(
  label: string,
  format: string,
  stream: ProgressStream,
): Promise<Progress> {
  const quiet = format !== 'text';
  // Progress quotes text fsops did not write (ECS events, stopped tasks' reasons, index names): shown,
  // never sent raw to the terminal.
  const plainLog = (text: string) => {
    if (quiet) return;
    try {
      stream.write(`${clean(text)}\n`);
    } catch {
      // progress must never break the command
    }
  };
  const plain: Progress = { update() {}, log: plainLog, stop() {} };
  const interactive = Boolean(stream.isTTY) && !quiet && usableColumns(stream.columns) !== null;
  if (!interactive) return plain;
  let spinner: import('ora').Ora | null;
  try {
    const { default: ora } = await import('ora');
    spinner = ora({ text: label, stream: guardedStream(stream) as NodeJS.WriteStream }).start();
  } catch {
    return plain;
  }
  /** Runs a spinner operation; on any error stops the spinner for good and falls back to plain lines. */
  const guard = (operation: (s: import('ora').Ora) => void) => {
    if (!spinner) return;
    try {
      operation(spinner);
    } catch {
      const broken = spinner;
      spinner = null;
      try {
        broken.stop();
      } catch {
        // already broken
      }
    }
  };
  let running = 0;
  let done = 0;
  let total = 0;
  return {
    onCheckStart(step) {
      running += 1;
      total += 1;
      guard((s) => {
        s.text = `${label}: ${step.check.title} (${done}/${total} done)`;
      });
    },
    onCheckDone() {
      running -= 1;
      done += 1;
      guard((s) => {
        s.text = `${label}: ${done}/${total} checks done${running ? `, ${running} running` : ''}`;
      });
    },
    update(text) {
      guard((s) => {
        s.text = clean(text);
      });
    },
    log(text) {
      if (!spinner) return plainLog(text);
      guard((s) => {
        s.clear();
        stream.write(`${clean(text)}\n`);
        s.render();
      });
    },
    stop() {
      guard((s) => s.stop());
      spinner = null;
    },
  };
}

/**
 * The stream handed to ora: the real one, except that its width is always one ora can divide by
 * (80 when the terminal reports 0 or nothing, e.g. after a resize to 0 columns mid-run).
 */
function guardedStream(stream: ProgressStream): ProgressStream {
  // What ora assigns (its write hook) stays on the wrapper: the real stream is hooked by ora on its
  // own, and each is restored separately when the spinner stops.
  const own = new Map<PropertyKey, unknown>();
  return new Proxy(stream, {
    get(target, property) {
      if (own.has(property)) return own.get(property);
      if (property === 'columns') return usableColumns(target.columns) ?? 80;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set(_target, property, value) {
      own.set(property, value);
      return true;
    },
  });
}
