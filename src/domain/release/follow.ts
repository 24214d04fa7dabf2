import { describeAwsError } from '../../base/aws/errors.js';
import { type Clock, systemClock } from '../ecs/wait.js';

/** How a follow ended: the stage waited for, the deployment's own end, the deadline, or the user. */
export type Followed<S> =
  | { result: 'reached' | 'ended'; state: S }
  | { result: 'timed-out' | 'interrupted'; state: S | null; reason?: string };

export interface FollowStateOptions<S> {
  timeoutMs: number;
  intervalMs: number;
  clock?: Clock;
  signal?: AbortSignal;
  /** Called with every new state line (stage changes, bake minutes, alarms). */
  onState?(state: S, text: string): void;
}

/**
 * The one wait of a release (an ECS service deployment, a CodeDeploy deployment): polls `read` until
 * `until(state)` holds, the deployment ends (`outcome`), the time runs out or the signal aborts. A read
 * that fails is remembered (the timeout says why) and retried until the deadline.
 */
export async function followState<S extends { outcome: unknown }>(
  read: (signal: AbortSignal) => Promise<S | null>,
  describe: (state: S) => string,
  until: (state: S) => boolean,
  options: FollowStateOptions<S>,
): Promise<Followed<S>> {
  const clock = options.clock ?? systemClock;
  const signal = options.signal ?? new AbortController().signal;
  const deadline = clock.now() + options.timeoutMs;
  let last: S | null = null;
  let lastText = '';
  let lastError: string | undefined;
  for (;;) {
    if (signal.aborted) return { result: 'interrupted', state: last };
    try {
      const state = await read(signal);
      if (signal.aborted) return { result: 'interrupted', state: last };
      if (state) {
        last = state;
        lastError = undefined;
        const text = describe(state);
        if (text !== lastText) options.onState?.(state, text);
        lastText = text;
        if (until(state)) return { result: 'reached', state };
        if (state.outcome) return { result: 'ended', state };
      }
    } catch (error) {
      if (signal.aborted) return { result: 'interrupted', state: last };
      lastError = describeAwsError(error);
    }
    const left = deadline - clock.now();
    if (left <= 0) return { result: 'timed-out', state: last, ...(lastError ? { reason: lastError } : {}) };
    await clock.sleep(Math.min(options.intervalMs, left), signal);
  }
}
