import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/base/config/defaults.js';
import { ExitCode, UnreachableError } from '../../../src/base/model/errors.js';
import { type DbSession, openDbSession } from '../../../src/domain/db/connection.js';
import { freePort } from '../../../src/domain/db/local-server.js';
import { parseDbUrl } from '../../../src/domain/db/target.js';
import { lazyDatabase } from '../../../src/engine/database.js';
import { testAws, testEnv } from '../../helpers/context.js';
import {
  adminQuery,
  createPasswordRole,
  createTestDatabase,
  type PasswordRole,
  type TestDatabase,
} from '../../helpers/postgres.js';

const settings = DEFAULT_CONFIG.database.session;

describe('diagnostic database sessions', () => {
  let db: TestDatabase;
  let role: PasswordRole;
  let session: DbSession;
  beforeAll(async () => {
    db = await createTestDatabase('session');
    role = await createPasswordRole();
    await adminQuery(`CREATE TABLE payments (id int); GRANT ALL ON payments TO ${role.user}`, [], db.name);
    session = await openDbSession(parseDbUrl(role.url(db.name), '--db-url'), { readOnly: true, settings });
  });
  afterAll(async () => {
    await session?.close();
    await db.cleanup();
    await role.cleanup();
  });

  it('is read-only, named fsops, with the configured timeouts', async () => {
    await expect(session.query('INSERT INTO payments VALUES (1)')).rejects.toThrow(/read-only transaction/);
    const [row] = await session.query<Record<string, string>>(
      "SELECT current_setting('application_name') AS app, current_setting('statement_timeout') AS st, current_setting('lock_timeout') AS lt, current_setting('idle_in_transaction_session_timeout') AS it, current_setting('default_transaction_read_only') AS ro",
    );
    expect(row).toEqual({ app: 'fsops', st: '10s', lt: '2s', it: '1min', ro: 'on' });
    expect(session.serverVersion).toBeGreaterThanOrEqual(130000);
    expect(session.ownPids().length).toBeGreaterThan(0);
  });

  it('turns a query past statement_timeout into a clear error', async () => {
    const short = await openDbSession(parseDbUrl(db.url, '--db-url'), {
      readOnly: true,
      settings: { ...settings, statementTimeoutMs: 200 },
    });
    try {
      await expect(short.query('SELECT pg_sleep(2)')).rejects.toThrow(/statement_timeout \(200 ms/);
    } finally {
      await short.close();
    }
  });

  it('never shows the password when authentication fails', async () => {
    const wrong = new URL(role.url(db.name));
    wrong.password = `${role.password}-wrong`;
    const error = await openDbSession(parseDbUrl(wrong.toString(), '--db-url'), {
      readOnly: true,
      settings,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as UnreachableError).code).toBe(ExitCode.unreachable);
    expect((error as Error).message).toMatch(/password authentication failed for user fsops_pw_/);
    expect((error as Error).message).not.toContain(role.password);
  });

  it('reports an unreachable server as exit 3 with one line and no password', async () => {
    const port = await freePort();
    const target = parseDbUrl(`postgres://app:Hunter2Secret@127.0.0.1:${port}/payments`, '--db-url');
    const error = (await openDbSession(target, { readOnly: true, settings }).catch(
      (e: unknown) => e,
    )) as UnreachableError;
    expect(error.code).toBe(ExitCode.unreachable);
    expect(error.message).toContain(`cannot connect to PostgreSQL app@127.0.0.1:${port}/payments`);
    expect(error.message).toContain('connection refused');
    expect(error.message).not.toContain('Hunter2Secret');
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it('opens the environment database for runbook runs (ctx.db()) only when a check asks, and closes it', async () => {
    const url = new URL(db.url);
    const env = testEnv(
      'dev',
      `environments:\n  dev:\n    database: { host: 127.0.0.1, port: ${url.port}, user: postgres, password: "", database: ${db.name}, ssl: disable }\n`,
    );
    const aws = testAws();
    const opener = lazyDatabase({ config: env.config, env, aws });
    await opener.close(); // nothing opened: nothing to close
    const first = await opener.open();
    expect(await opener.open()).toBe(first);
    const [row] = await first.query<{ db: string; app: string }>(
      "SELECT current_database() AS db, current_setting('application_name') AS app",
    );
    expect(row).toEqual({ db: db.name, app: 'fsops' });
    await opener.close();
    await expect(first.query('SELECT 1')).rejects.toThrow();
    aws.destroy();
  });
});
