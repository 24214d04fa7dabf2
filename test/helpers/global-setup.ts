import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { type LocalServer, PASSWORD_LOGIN_ROLE, startLocalServer } from '../../src/domain/db/local-server.js';
import { type LocalRedis, startLocalRedis } from '../../src/domain/redis/local-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the PostgreSQL server the whole test run shares. */
    pgAdminUrl: string;
    /** URL of the redis-server the whole test run shares (redis://127.0.0.1:<port>, no password). */
    redisUrl: string;
  }
}

/**
 * Starts ONE disposable PostgreSQL server for the whole test run (or uses FSOPS_TEST_PG_URL, a
 * superuser URL of a server you started yourself). Without PostgreSQL the run fails here, loudly:
 * the integration tests are the point, and CI installs PostgreSQL.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.FSOPS_TEST_PG_URL;
  let server: LocalServer | null = null;
  let adminUrl: string;
  if (external) {
    adminUrl = external;
  } else {
    try {
      server = await startLocalServer();
    } catch (error) {
      throw new Error(
        `The tests need a PostgreSQL server and none could be started: ${(error as Error).message}\n` +
          'Install PostgreSQL 13+ (apt-get install postgresql), or set FSOPS_TEST_PG_URL to a superuser URL.',
      );
    }
    adminUrl = server.adminUrl;
  }
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(
      `DO $$ BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${PASSWORD_LOGIN_ROLE}') THEN
           CREATE ROLE ${PASSWORD_LOGIN_ROLE} NOLOGIN;
         END IF;
       END $$`,
    );
  } finally {
    await client.end();
  }
  project.provide('pgAdminUrl', adminUrl);
  // ONE disposable redis-server for the run (or FSOPS_TEST_REDIS_URL): the Redis checks are tested
  // against a real server, so without one the run fails here, as it does without PostgreSQL.
  let redis: LocalRedis | null = null;
  const externalRedis = process.env.FSOPS_TEST_REDIS_URL;
  if (!externalRedis) {
    try {
      redis = await startLocalRedis();
    } catch (error) {
      await server?.stop();
      throw new Error(
        `The tests need a Redis server and none could be started: ${(error as Error).message}\n` +
          'Install Redis (apt-get install redis-server), or set FSOPS_TEST_REDIS_URL to a server you started.',
      );
    }
  }
  project.provide('redisUrl', externalRedis ?? redis!.url);
  // One temporary root for the whole run: the test workers (started after this) and what they spawn
  // inherit TMPDIR, so every mkdtemp of a test or helper (homes of runFsops, configs, audit files,
  // local servers) lands in it and goes with it at the end, even when a test does not clean up.
  // Readable by others: a local PostgreSQL runs as the `postgres` OS user when the tests run as root.
  const previousTmpdir = process.env.TMPDIR;
  const runRoot = mkdtempSync(join(tmpdir(), 'fsops-test-run-'));
  chmodSync(runRoot, 0o755);
  process.env.TMPDIR = runRoot;
  const removeRunRoot = () => rmSync(runRoot, { recursive: true, force: true, maxRetries: 3 });
  const stopOnExit = () => {
    server?.stopSync();
    redis?.stopSync();
    removeRunRoot();
  };
  process.once('exit', stopOnExit);
  return async () => {
    process.off('exit', stopOnExit);
    await server?.stop();
    await redis?.stop();
    if (previousTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmpdir;
    removeRunRoot();
  };
}
