import type { CheckContext, DbQuery } from '../base/model/check.js';
import { checkContextFactory } from './runner.js';
import type { EnvSession } from './session.js';

/**
 * A check context for commands that gather facts outside a check run (maintenance window, maintenance
 * mode): the same builder runChecks uses, with a 15-minute look-back by default.
 */
export function commandContext(
  session: EnvSession,
  options: { now?: Date; since?: Date; db?: () => Promise<DbQuery>; signal?: AbortSignal } = {},
): CheckContext {
  const now = options.now ?? new Date();
  const signal = options.signal ?? new AbortController().signal;
  return checkContextFactory(session, {
    now,
    since: options.since ?? new Date(now.getTime() - 15 * 60_000),
    db: options.db,
    signal,
  })(signal);
}
