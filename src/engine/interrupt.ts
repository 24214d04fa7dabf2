/**
 * Ctrl-C handling a command can take over. By default the entry point prints "interrupted" and exits
 * 130; a command that must not leave mid-way silently (e.g. waiting on a rollback that carries on in
 * ECS) registers a handler, and the entry point calls it instead. A second Ctrl-C exits as usual.
 */
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
