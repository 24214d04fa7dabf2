import type { Clock } from '../../src/domain/ecs/wait.js';
import type { Runtime } from '../../src/engine/runtime.js';
import type { PromptIO } from '../../src/engine/safety.js';

/** A runtime for command tests: what the command writes is collected, the terminal answers as scripted. */
export interface TestRuntime extends Runtime {
  /** Everything written to stdout so far. */
  out(): string;
  /** Everything written to stderr so far. */
  err(): string;
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

/** No terminal (a pipe): nothing is asked, prompts refuse without --yes. */
const noTerminal: PromptIO = {
  isTTY: false,
  ask: async () => '',
  print() {},
};

export function testRuntime(overrides: Partial<Runtime> & { clock?: Clock } = {}): TestRuntime {
  const stdout = collector(false);
  const stderr = collector(false);
  return {
    stdout: stdout.stream,
    stderr: stderr.stream as unknown as Runtime['stderr'],
    io: noTerminal,
    clock: { now: () => Date.now(), sleep: (ms) => new Promise((done) => setTimeout(done, ms)) },
    fetch: globalThis.fetch,
    pollIntervalMs: 0,
    ...overrides,
    out: stdout.text,
    err: stderr.text,
  };
}
