import { type Clock, systemClock } from '../domain/ecs/wait.js';
import type { Database, DbCommandOptions, OpenDatabaseOptions } from './database.js';
import { httpFetch } from './http-fetch.js';
import type { ProgressStream } from './progress.js';
import { askOnTerminal, type PromptIO } from './safety.js';

/** Where a command writes its results (process.stdout; a collector in tests). */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Everything a command takes from the process it runs in, in one object (docs/architecture.md,
 * "Adding a command"): the streams, the terminal a person answers on, the clock, HTTP, the poll
 * interval of waits and the opener of a database command's database. `src/cli.ts` gives every command `processRuntime()`; tests give a replacement
 * (test/helpers/runtime.ts) instead of spying on process.stdout or patching modules.
 */
export interface Runtime {
  /** Results (reports, views). */
  stdout: OutputStream;
  /** Progress, plans under machine output, logs and warnings. */
  stderr: ProgressStream;
  /** The terminal a person confirms on (plans, manual steps, the prod name). */
  io: PromptIO;
  clock: Clock;
  /** HTTP for health endpoints and certificates' hosts (checks get it through their context). */
  fetch: typeof fetch;
  /** How often a wait polls ECS (rollback, restart, scale). */
  pollIntervalMs: number;
  /**
   * Opens the database a `fsops db ...` command names (src/engine/database.ts openDatabase); a test
   * may wrap it to see the sessions the command asks for.
   */
  openDatabase(options: DbCommandOptions, how?: OpenDatabaseOptions): Promise<Database>;
}

export const DEFAULT_POLL_INTERVAL_MS = 6000;

/** The runtime of a real run: the process's streams and terminal, the system clock, real HTTP. */
export function processRuntime(): Runtime {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    io: {
      isTTY: Boolean(process.stdin.isTTY),
      ask: (question) => askOnTerminal(question, process.stdin, process.stderr),
      print(text) {
        process.stdout.write(text);
      },
    },
    clock: systemClock,
    fetch: httpFetch,
    pollIntervalMs: DEFAULT_POLL_INTERVAL_MS,
    openDatabase,
  };
}

/** The database layer, loaded when a command opens a database (so `fsops --help` loads no driver). */
export async function openDatabase(options: DbCommandOptions, how?: OpenDatabaseOptions): Promise<Database> {
  return (await import('./database.js')).openDatabase(options, how);
}

/** Whether a person can answer questions: a terminal on both ends (manual steps are asked, not skipped). */
export function canAsk(runtime: Runtime): boolean {
  return runtime.io.isTTY && Boolean(runtime.stderr.isTTY);
}
