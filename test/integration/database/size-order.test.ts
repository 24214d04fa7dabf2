import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateSize, sizeCheck } from '../../../src/catalogue/checks/database/size.js';
import { adminQuery, createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';
import { runCheck } from './check-helpers.js';

describe('db size ranks the largest tables by bytes', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('size_order');
    // ~12 MB, ~9 MB and ~100 kB: as text, "9437184" sorts before "12582912" and "106496" between them.
    await adminQuery(
      `CREATE TABLE twelve_mb AS SELECT repeat('x', 1000) AS pad FROM generate_series(1, 12000);
       CREATE TABLE nine_mb AS SELECT repeat('x', 1000) AS pad FROM generate_series(1, 9000);
       CREATE TABLE hundred_kb AS SELECT repeat('x', 1000) AS pad FROM generate_series(1, 100)`,
      [],
      db.name,
    );
    await adminQuery('VACUUM ANALYZE', [], db.name);
  });
  afterAll(async () => {
    await db.cleanup();
  });

  it('lists 12 MB before 9 MB before 100 kB (it used to sort the sizes as text)', async () => {
    const [finding] = await runCheck(sizeCheck, db.url, { params: { allocatedStorageGb: 100 } });
    const order = [...finding!.detail.matchAll(/^(\w+): /gm)].map((m) => m[1]);
    expect(order).toEqual(['twelve_mb', 'nine_mb', 'hundred_kb']);
  });

  it('evaluateSize lists by bytes whatever order the facts came in', () => {
    const table = (name: string, totalBytes: number) => ({
      name,
      totalBytes,
      tableBytes: totalBytes,
      indexBytes: 0,
      estimatedRows: 1,
    });
    const [finding] = evaluateSize(
      {
        database: 'd',
        databaseBytes: 1,
        serverBytes: 1,
        largest: [table('b', 9_437_184), table('c', 106_496), table('a', 12_582_912)],
      },
      100,
      { warn: 20, fail: 10 },
    );
    expect([...(finding!.detail ?? '').matchAll(/^(\w+): /gm)].map((m) => m[1])).toEqual(['a', 'b', 'c']);
  });
});
