import type { Clock } from '../../src/domain/ecs/wait.js';
import { openDatabase, type Runtime } from '../../src/engine/runtime.js';
import type { PromptIO } from '../../src/engine/safety.js';

/**
 * A runtime for command tests (src/engine/runtime.ts, docs/architecture.md "Adding a command"): what
 * the command writes is collected, the terminal answers as scripted. The one way a test reaches what a
 * command takes from the process: no spies on process.stdout, no extra parameters.
 */
export interface TestRuntime extends Runtime {
  /** Everything written to stdout so far (results, and the plans the terminal printed). */
  out(): string;
  /** Everything written to stderr so far. */
  err(): string;
  /** The questions the terminal was asked, in order. */
  asked: string[];
}

/** A stderr-like stream (no terminal) that hands what is written to `write`. */
export function collectingStream(write: (text: string) => void): Runtime['stderr'] {
  return {
    isTTY: false,
    columns: 80,
    write(chunk: string | Uint8Array) {
      write(String(chunk));
      return true;
    },
  } as unknown as Runtime['stderr'];
}

const collector = (isTTY: boolean) => {
  let text = '';
  return {
    stream: {
      isTTY,
      columns: 80,
      write(chunk: string | Uint8Array) {
        text += String(chunk);
        return true;
      },
    },
    text: () => text,
  };
};

export interface TestRuntimeOptions extends Partial<Runtime> {
  clock?: Clock;
  /**
   * A terminal that answers these, in order (then Enter: ''): `io.isTTY` is true, what it prints
   * (the plan) goes to stdout and its questions to stderr, as on a terminal. Without it: no
   * terminal (a pipe), nothing is asked and a change needs --yes.
   */
  answers?: string | string[];
}

export function testRuntime({ answers, ...overrides }: TestRuntimeOptions = {}): TestRuntime {
  const stdout = collector(false);
  const stderr = collector(false);
  const asked: string[] = [];
  const replies = answers === undefined ? [] : [answers].flat();
  const io: PromptIO = {
    isTTY: answers !== undefined,
    async ask(question) {
      asked.push(question);
      // As on a terminal (src/engine/safety.ts askOnTerminal): the question on stderr.
      stderr.stream.write(question);
      return replies.shift() ?? '';
    },
    print(text) {
      stdout.stream.write(text);
    },
  };
  return {
    stdout: stdout.stream,
    stderr: stderr.stream as unknown as Runtime['stderr'],
    io,
    clock: { now: () => Date.now(), sleep: (ms) => new Promise((done) => setTimeout(done, ms)) },
    fetch: globalThis.fetch,
    pollIntervalMs: 0,
    openDatabase,
    ...overrides,
    out: stdout.text,
    err: stderr.text,
    asked,
  };
}
