import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbQuery } from '../../../src/base/model/check.js';
import { horizonHolders } from '../../../src/catalogue/actions/db/vacuum.js';
import { connect, createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';

let db: TestDatabase;
let client: pg.Client;
let holder: pg.Client;
beforeAll(async () => {
  db = await createTestDatabase('horizon');
  client = await connect(db.url);
  holder = await connect(db.url, 'idle-holder');
  // A transaction with an xid, left open: it holds back the cleanup horizon.
  await holder.query('CREATE TABLE t (n int)');
  await holder.query('BEGIN');
  await holder.query('INSERT INTO t VALUES (1)');
});
afterAll(async () => {
  await holder.query('ROLLBACK');
  await holder.end();
  await client.end();
  await db.cleanup();
});

describe('horizonHolders on one pg client', () => {
  it('asks one query at a time (pg deprecates concurrent queries on a client) and names the holder', async () => {
    let inFlight = 0;
    let most = 0;
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const query: DbQuery = {
      serverVersion: 150000,
      async query<R>(sql: string, params?: unknown[]) {
        inFlight += 1;
        most = Math.max(most, inFlight);
        try {
          return (await client.query(sql, params)).rows as R[];
        } finally {
          inFlight -= 1;
        }
      },
    };
    try {
      const holders = await horizonHolders(query);
      expect(holders.join('\n')).toMatch(/application_name 'idle-holder', idle in transaction/);
    } finally {
      process.off('warning', onWarning);
    }
    expect(most).toBe(1);
    expect(warnings.filter((w) => /already executing a query/.test(w))).toEqual([]);
  });
});
