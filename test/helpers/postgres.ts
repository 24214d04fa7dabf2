import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { PASSWORD_LOGIN_ROLE } from '../../src/domain/db/local-server.js';

/** Superuser URL of the shared test server started by test/helpers/global-setup.ts. */
export function adminUrl(database = 'postgres'): string {
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs SQL as the superuser (in `database`, default postgres) on a short-lived connection. */
export async function adminQuery<R extends pg.QueryResultRow = Record<string, unknown>>(
  sql: string,
  params: unknown[] = [],
  database = 'postgres',
): Promise<R[]> {
  const client = new pg.Client({ connectionString: adminUrl(database) });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** An open superuser connection to `url`, e.g. to hold a lock or leave a transaction idle. */
export async function connect(url: string, applicationName = 'fsops-test'): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName });
  // A connection a test kills on purpose must not crash the run.
  client.on('error', () => {});
  await client.connect();
  return client;
}

export interface TestDatabase {
  name: string;
  /** Superuser URL of the database. */
  url: string;
  /** Terminates its sessions and drops it. */
  cleanup(): Promise<void>;
}

/** A fresh, empty database for one test file: `const db = await createTestDatabase('locks')`. */
export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const name = `fsops_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return {
    name,
    url: adminUrl(name),
    async cleanup() {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export interface PasswordRole {
  user: string;
  password: string;
  /** URL with the password in it, for redaction tests. */
  url(database: string): string;
  cleanup(): Promise<void>;
}

/** A login role that must authenticate with a password (scram) on the test server. */
export async function createPasswordRole(): Promise<PasswordRole> {
  const user = `fsops_pw_${randomBytes(3).toString('hex')}`;
  const password = `S3cret-${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE ROLE ${user} LOGIN PASSWORD '${password}' IN ROLE ${PASSWORD_LOGIN_ROLE}`);
  return {
    user,
    password,
    url(database) {
      const url = new URL(adminUrl(database));
      url.username = user;
      url.password = password;
      return url.toString();
    },
    async cleanup() {
      await adminQuery(`DROP OWNED BY ${user}; DROP ROLE IF EXISTS ${user}`).catch(() => {});
    },
  };
}
