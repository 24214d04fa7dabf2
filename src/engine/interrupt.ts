/**
 * Ctrl-C handling a command can take over. By default the entry point prints "interrupted" and exits
 * 130; a command that must not leave mid-way silently (e.g. waiting on a rollback that carries on in
 * ECS) registers a handler, and the entry point calls it instead. A second Ctrl-C exits as usual.
 */
import { ExitCode, ExitError } from '../base/model/errors.js';

type InterruptHandler = () => void;

const handlers = new Set<InterruptHandler>();

/** Registers a handler for the next Ctrl-C; returns the function that removes it. */
export function onInterrupt(handler: InterruptHandler): () => void {
  handlers.add(handler);
  return () => {
    handlers.delete(handler);
  };
}

/** Runs (and removes) the registered handlers; false when none was registered. */
export function dispatchInterrupt(): boolean {
  if (handlers.size === 0) return false;
  const pending = [...handlers];
  handlers.clear();
  for (const handler of pending) handler();
  return true;
}

/**
 * Runs reads a command waits on (AWS facts before a change, a listing) under a signal that the next
 * interrupt — Ctrl-C, SIGTERM, SIGHUP — aborts: the calls in flight end at once instead of at the SDK's
 * request timeout, the command's own cleanup (`finally`) runs, and it ends as "interrupted" (exit 130)
 * whatever error the aborted call surfaced as. Never wrap a mutating call in it: aborting a request
 * that AWS may already have accepted does not undo the change, it only hides its answer.
 */
export async function readsUntilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const release = onInterrupt(() => controller.abort());
  try {
    const result = await work(controller.signal);
    // The interrupt came as the last read finished: it still means stop, never "carry on to the change".
    if (controller.signal.aborted) throw new ExitError(ExitCode.interrupted, 'interrupted');
    return result;
  } catch (error) {
    if (controller.signal.aborted) throw new ExitError(ExitCode.interrupted, 'interrupted');
    throw error;
  } finally {
    release();
  }
}
