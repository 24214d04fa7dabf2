import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { LocalServer } from '../../src/domain/db/local-server.js';
import { backupRds, type FakeAws, startFakeWorld, type WorldOverrides } from './fake-aws.js';
import { adminUrl } from './postgres.js';

/**
 * The set-up the backup and restore tests share (`backup verify`, `recover table`, `recover db`,
 * `dr drill` end to end): the live database on the shared test server, the "restored instance" a second
 * real PostgreSQL server (`startLocalServer`), and the local AWS endpoint whose RDS restores answer with
 * that server.
 */

/** Runs `text` on a connection of its own to `url` and returns the rows. */
export async function sql(url: string, text: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

/** The URL of `database` on the copy server (the database an RDS restore gives the source's name). */
export function copyDatabaseUrl(copyServer: LocalServer, database: string): string {
  const url = new URL(copyServer.adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export interface RestoreWorld {
  fake: FakeAws;
  rds: ReturnType<typeof backupRds>;
}

/** The world of `env` on the local AWS endpoint with the RDS of `backupRds` installed (snapshots, restores, failovers). */
export async function backupWorld(
  env: 'dev' | 'staging' | 'prod',
  options: Parameters<typeof backupRds>[1] = {},
  overrides?: WorldOverrides,
): Promise<RestoreWorld> {
  const fake = await startFakeWorld(env, overrides);
  const rds = backupRds(env, options);
  Object.assign(fake.handlers.rds!, rds.handlers);
  return { fake, rds };
}

/**
 * The staging world with the restore API installed: a restored instance's endpoint is the copy
 * server (after `restoreDelayMs`, default 300 ms).
 */
export function restoreWorld(
  copyServer: LocalServer,
  options: Parameters<typeof backupRds>[1] = {},
  overrides?: WorldOverrides,
): Promise<RestoreWorld> {
  return backupWorld(
    'staging',
    { restoredEndpoint: { Address: '127.0.0.1', Port: copyServer.port }, restoreDelayMs: 300, ...options },
    overrides,
  );
}

/**
 * A config file in a new directory (named `prefix…`) whose staging database is `database` on the
 * shared test server, followed by `backup`, the lines of the config's `backup:` section (given the
 * directory, for the recovery journals).
 */
export function stagingDatabaseConfig(
  database: string,
  backup: string | ((dir: string) => string),
  prefix = 'fsops-restore-',
): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const url = new URL(adminUrl(database));
  const file = join(dir, 'fsops.config.yaml');
  writeFileSync(
    file,
    `environments:
  staging:
    database: { host: '${url.hostname}', port: ${url.port}, database: ${database}, user: ${url.username}, password: '', ssl: disable }
backup:
${typeof backup === 'string' ? backup : backup(dir)}`,
  );
  return { file, dir };
}

/** A restore point ten minutes ago (ISO 8601), inside every fake retention window. */
export const tenMinutesAgo = (): string => new Date(Date.now() - 10 * 60_000).toISOString();

/** The fields of a JSON report's finding the restore tests read. */
export interface JsonFinding {
  id: string;
  status: string;
  observed: string;
  resource: string;
  detail: string;
  title: string;
}
