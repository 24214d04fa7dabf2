import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminQuery,
  connect,
  createPasswordRole,
  createTestDatabase,
  type TestDatabase,
} from '../../helpers/postgres.js';

describe('the PostgreSQL test harness', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('harness');
  });
  afterAll(async () => {
    await db.cleanup();
  });

  it('serves a fresh database with pg_stat_statements preloaded', async () => {
    const [row] = await adminQuery<{ libs: string; version: number }>(
      "SELECT current_setting('shared_preload_libraries') AS libs, current_setting('server_version_num')::int AS version",
      [],
      db.name,
    );
    expect(row!.libs).toContain('pg_stat_statements');
    expect(row!.version).toBeGreaterThanOrEqual(130000);
    const client = await connect(db.url);
    await client.query('CREATE TABLE t (id int)');
    expect((await client.query('SELECT current_database() AS name')).rows[0].name).toBe(db.name);
    await client.end();
  });

  it('makes password roles authenticate with their password', async () => {
    const role = await createPasswordRole();
    try {
      const good = await connect(role.url(db.name));
      await good.end();
      const wrong = new URL(role.url(db.name));
      wrong.password = 'not-it';
      await expect(connect(wrong.toString())).rejects.toThrow(/password authentication failed/);
    } finally {
      await role.cleanup();
    }
  });
});
