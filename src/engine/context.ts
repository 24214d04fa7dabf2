import type { CheckContext, DbQuery } from './model/check.js';
import { UnreachableError } from './model/errors.js';
import { createFactCache } from './runner.js';
import type { EnvSession } from './session.js';

/** A check context for commands that gather facts outside a runbook (same shape the runner builds). */
export function commandContext(
  session: EnvSession,
  options: { now?: Date; since?: Date; db?: () => Promise<DbQuery>; signal?: AbortSignal } = {},
): CheckContext {
  const now = options.now ?? new Date();
  const once = createFactCache();
  const openDb =
    options.db ?? (() => Promise.reject(new UnreachableError('this command has no database connection')));
  return {
    env: session.env,
    aws: session.aws,
    signal: options.signal ?? new AbortController().signal,
    since: options.since ?? new Date(now.getTime() - 15 * 60_000),
    now,
    once,
    fetch,
    db: () => once('db.session', openDb),
  };
}
