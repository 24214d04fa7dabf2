import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { type LocalServer, PASSWORD_LOGIN_ROLE, startLocalServer } from '../../src/db/local-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the PostgreSQL server the whole test run shares. */
    pgAdminUrl: string;
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
  const stopOnExit = () => server?.stopSync();
  process.once('exit', stopOnExit);
  return async () => {
    process.off('exit', stopOnExit);
    await server?.stop();
  };
}
