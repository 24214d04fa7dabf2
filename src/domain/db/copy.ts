import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import type { Config } from '../../base/config/schema.js';
import { connectFailure, connectionConfig, sessionParameters } from './connection.js';
import { redactSecrets } from './redact.js';
import type { DbTarget } from './target.js';

/**
 * COPY streaming between two databases (pg-copy-streams): rows go from `COPY (...) TO STDOUT` on one
 * server into `COPY ... FROM STDIN` on the other without being held in memory. Used by
 * `fsops recover table` to bring a table of a restored copy into a side schema of the live database.
 */

export interface CopyClient {
  client: pg.Client;
  close(): Promise<void>;
}

/** One plain connection with the session settings every fsops session gets (read-only unless asked). */
export async function openCopyClient(
  target: DbTarget,
  settings: Config['database']['session'],
  options: { readOnly: boolean; applicationName: string },
): Promise<CopyClient> {
  const { default: pgModule } = await import('pg');
  const client = new pgModule.Client(
    connectionConfig(target, settings, options.applicationName, {
      ...sessionParameters(settings, options.readOnly),
      TimeZone: 'UTC',
    }),
  );
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw connectFailure(error, target, settings);
  }
  let closed = false;
  return {
    client,
    async close() {
      if (closed) return;
      closed = true;
      await client.end().catch(() => {});
    },
  };
}

/**
 * Streams the rows of `selectSql` on `from` into `copyInSql` on `to` (one transaction on `to`: all rows
 * or none). Returns the rows written. Aborting `signal` ends the stream (the transaction rolls back).
 */
export async function streamRows(
  from: pg.Client,
  to: pg.Client,
  selectSql: string,
  copyInSql: string,
  options: { signal?: AbortSignal; secrets?: string[] } = {},
): Promise<number> {
  // A CommonJS package: its functions are on the default export.
  const { default: copyStreams } = await import('pg-copy-streams');
  const { to: copyTo, from: copyFrom } = copyStreams;
  await to.query('BEGIN');
  try {
    const source = from.query(copyTo(`COPY (${selectSql}) TO STDOUT`));
    const sink = to.query(copyFrom(copyInSql));
    await pipeline(source, sink, options.signal ? { signal: options.signal } : {});
    await to.query('COMMIT');
    return Number(sink.rowCount ?? 0);
  } catch (error) {
    await to.query('ROLLBACK').catch(() => {});
    const message = String((error as Error).message ?? error).split('\n')[0]!;
    throw new Error(redactSecrets(message, options.secrets ?? []));
  }
}
