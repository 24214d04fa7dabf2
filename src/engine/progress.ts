import type { RunnerHooks } from './runner.js';

export interface Progress extends RunnerHooks {
  /** A status line (e.g. "waiting for deployment") shown on the spinner, or as a log line on stderr. */
  update(text: string): void;
  log(text: string): void;
  stop(): void;
}

/**
 * Progress on stderr: an ora spinner when stderr is a terminal and the output is text; plain lines
 * for `log` otherwise; nothing at all under machine-readable output.
 */
export async function createProgress(label: string, format: string): Promise<Progress> {
  const interactive = Boolean(process.stderr.isTTY) && format === 'text';
  if (!interactive) {
    const quiet = format !== 'text';
    return {
      update() {},
      log(text) {
        if (!quiet) process.stderr.write(`${text}\n`);
      },
      stop() {},
    };
  }
  const { default: ora } = await import('ora');
  const spinner = ora({ text: label, stream: process.stderr }).start();
  let running = 0;
  let done = 0;
  let total = 0;
  return {
    onCheckStart(step) {
      running += 1;
      total += 1;
      spinner.text = `${label}: ${step.check.title} (${done}/${total} done)`;
    },
    onCheckDone() {
      running -= 1;
      done += 1;
      spinner.text = `${label}: ${done}/${total} checks done${running ? `, ${running} running` : ''}`;
    },
    update(text) {
      spinner.text = text;
    },
    log(text) {
      spinner.clear();
      process.stderr.write(`${text}\n`);
      spinner.render();
    },
    stop() {
      spinner.stop();
    },
  };
}
