import {
  applyTunnel,
  type DbConnectionOptions,
  type DbSession,
  envDbTarget,
  openDbSession,
  parseDbUrl,
} from '../db/session.js';
import type { EnvSession } from './session.js';

/** A database the run opens only when a check first asks for it, and closes afterwards. */
export interface LazyDatabase {
  open(): Promise<DbSession>;
  /** Ends the session if one was opened; never throws. */
  close(): Promise<void>;
}

/**
 * The one lazy diagnostic database opener of a run: --db-url (with --db-host/--db-port) when given,
 * else the environment's secret (src/db/session.ts); read-only, with the session timeouts.
 */
export function lazyDatabase(
  session: EnvSession,
  options: Pick<DbConnectionOptions, 'dbUrl' | 'dbHost' | 'dbPort'> = {},
): LazyDatabase {
  let opened: Promise<DbSession> | null = null;
  return {
    open() {
      opened ??= (async () => {
        const base = options.dbUrl ? parseDbUrl(options.dbUrl, '--db-url') : await envDbTarget(session);
        const target = applyTunnel(base, options);
        return openDbSession(target, { readOnly: true, settings: session.config.database.session });
      })();
      return opened;
    },
    async close() {
      if (!opened) return;
      await opened.then((db) => db.close()).catch(() => {});
    },
  };
}
