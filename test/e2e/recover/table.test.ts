import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../../src/domain/db/local-server.js';
import { FAKE_CREDENTIALS, runFsops, startFsops } from '../../helpers/cli.js';
import type { backupRds, FakeAws } from '../../helpers/fake-aws.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';
import {
  copyDatabaseUrl,
  type JsonFinding,
  restoreWorld,
  sql,
  stagingDatabaseConfig,
  tenMinutesAgo,
} from '../../helpers/restore.js';

/**
 * `fsops recover table` end to end: bin/fsops against the local AWS endpoint, the live database on the
 * shared test server, and the "restored instance" a second real PostgreSQL server holding the table as
 * it was at the restore point. The corruption (rows deleted and updated after T) is planted on live.
 */

let fake: FakeAws | undefined;
let live: TestDatabase;
let copyServer: LocalServer;

const TABLE = `CREATE SCHEMA payment;
  CREATE TABLE payment.payments (id int PRIMARY KEY, amount numeric NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL);`;
const AT_T = `${TABLE}
  INSERT INTO payment.payments SELECT g, 10 * g, 'settled', timestamptz '2026-11-29 00:00:00+00' + g * interval '1 second' FROM generate_series(1, 200) g;`;

const copyUrl = () => copyDatabaseUrl(copyServer, live.name);

async function resetLive(): Promise<void> {
  await sql(live.url, 'DROP SCHEMA IF EXISTS payment CASCADE');
  for (const row of await sql(live.url, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'recovered_%'"))
    await sql(live.url, `DROP SCHEMA ${row.nspname} CASCADE`);
  await sql(live.url, AT_T);
  // The corruption after T: 15 rows deleted, 7 updated, 3 new rows written since.
  await sql(
    live.url,
    `DELETE FROM payment.payments WHERE id BETWEEN 21 AND 35;
     UPDATE payment.payments SET amount = 0, status = 'void' WHERE id BETWEEN 101 AND 107;
     INSERT INTO payment.payments SELECT g, 1, 'new', now() FROM generate_series(201, 203) g;`,
  );
}

const configFile = () =>
  stagingDatabaseConfig(
    live.name,
    (dir) => `  pollSeconds: 0.1
  recover: { directory: '${dir}/recoveries', writerComponents: [], timeoutMinutes: 1 }
`,
    'fsops-recover-',
  ).file;

async function world(options: Parameters<typeof backupRds>[1] = {}) {
  const w = await restoreWorld(copyServer, options);
  fake = w.fake;
  return w.rds.state;
}

const T = tenMinutesAgo;

const recoverTable = (config: string, ...args: string[]) =>
  runFsops(
    ['recover', 'table', ...args, '--env', 'staging', '--endpoint-url', fake!.url, '--config', config],
    FAKE_CREDENTIALS,
  );

beforeAll(async () => {
  live = await createTestDatabase('recover_live');
  copyServer = await startLocalServer();
  await sql(copyServer.adminUrl, `CREATE DATABASE ${live.name}`);
  await sql(copyUrl(), AT_T);
}, 60_000);

afterAll(async () => {
  await live?.cleanup();
  await copyServer?.stop();
});

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('fsops recover table (bin/fsops, local AWS endpoint, two real PostgreSQL servers)', () => {
  it('streams the table at T into a side schema, shows what differs by key, prints merge SQL that restores it, deletes the instance', async () => {
    await resetLive();
    const state = await world();
    const t = T();
    const dir = mkdtempSync(join(tmpdir(), 'fsops-evidence-'));
    const result = await recoverTable(
      configFile(),
      'payment.payments',
      '--to-time',
      t,
      '--yes',
      '--output',
      'json',
      '--report',
      join(dir, 'table.md'),
    );
    const findings: JsonFinding[] = JSON.parse(result.stdout).findings;
    const one = (id: string) => findings.filter((f) => f.id === id);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const side = one('recover.table.copy')[0]!.resource;
    expect(side).toMatch(/^recovered_\d{8}_\d{6}\.payments$/);
    expect(one('recover.table.copy')[0]!.observed).toMatch(/^200 row\(s\) copied \(COPY, streaming\)/);
    expect(one('recover.table.diff').map((f) => f.observed.replace(/; keys.*/, ''))).toEqual([
      '15 row(s)',
      '7 row(s)',
      '3 row(s)',
    ]);
    expect(one('recover.table.diff')[0]!.observed).toContain('keys [21], [22], [23]');
    // Live was only read: the corruption is still there.
    expect(await sql(live.url, 'SELECT count(*)::int AS n FROM payment.payments')).toEqual([{ n: 188 }]);
    // The restore: point in time T, with the source's network, tagged as fsops's temporary instance.
    expect(state.restores).toHaveLength(1);
    expect(state.restores[0]!.input).toMatchObject({
      Action: 'RestoreDBInstanceToPointInTime',
      RestoreTime: t,
      DBSubnetGroupName: 'staging-fivestar-db-subnets',
      PubliclyAccessible: 'false',
      'Tags.Tag.2.Value': 'recover-table',
    });
    expect(state.deleted).toEqual([{ id: state.restores[0]!.id, skipFinalSnapshot: true }]);
    // The merge SQL an engineer runs puts back the 15 deleted rows and the 7 changed ones, keeps the 3 new.
    const merge = one('recover.table.merge-sql')[0]!;
    expect(merge.status).toBe('warn');
    await sql(live.url, merge.detail);
    expect(
      await sql(
        live.url,
        "SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'void')::int AS void FROM payment.payments",
      ),
    ).toEqual([{ n: 203, void: 0 }]);
    expect(readFileSync(join(dir, 'table.md'), 'utf8')).toMatch(/\| action:recover\.table \| warn \|/);
  });

  it('a failure after the restore still deletes the instance and leaves no side schema', async () => {
    await resetLive();
    await sql(copyUrl(), 'ALTER TABLE payment.payments RENAME TO payments_old');
    try {
      const state = await world();
      const result = await recoverTable(
        configFile(),
        'payment.payments',
        '--to-time',
        T(),
        '--yes',
        '--output',
        'json',
      );
      expect(result.code).toBe(3);
      const findings: JsonFinding[] = JSON.parse(result.stdout).findings;
      expect(findings.find((f) => f.id === 'recover.table.restore')?.observed).toMatch(
        /payment\.payments does not exist on the copy/,
      );
      expect(state.deleted).toHaveLength(1);
      expect(
        await sql(live.url, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'recovered_%'"),
      ).toEqual([]);
    } finally {
      await sql(copyUrl(), 'ALTER TABLE payment.payments_old RENAME TO payments');
    }
  });

  it('Ctrl-C while waiting for the restore: exit 130, the temporary instance is deleted, no side schema', async () => {
    await resetLive();
    const state = await world({ restoreDelayMs: 120_000 });
    const run = startFsops(
      [
        ...['recover', 'table', 'payment.payments', '--to-time', T(), '--env', 'staging', '--yes'],
        ...['--endpoint-url', fake!.url, '--config', configFile()],
      ],
      FAKE_CREDENTIALS,
    );
    await run.printed(': creating');
    run.child.kill('SIGINT');
    const { code, stdout } = await run.result;
    expect(code).toBe(130);
    expect(state.deleted).toEqual([{ id: state.restores[0]!.id, skipFinalSnapshot: true }]);
    expect(stdout).toMatch(/not finished: interrupted \(Ctrl-C\)/);
    expect(await sql(live.url, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'recovered_%'")).toEqual(
      [],
    );
  }, 60_000);

  it.each([
    [['payments', '--to-time', '2026-11-29T00:00:00Z'], /^fsops: table 'payments' is not schema\.table/],
    [
      ['payment.nosuch', '--to-time', new Date(Date.now() - 600_000).toISOString()],
      /^fsops: table payment\.nosuch does not exist in /,
    ],
    [
      ['payment.payments', '--to-time', '2020-01-01T00:00:00Z'],
      /^fsops: cannot restore staging-fivestar-payments-db to 2020-01-01T00:00:00Z: is before the earliest restorable time/,
    ],
    [['payment.payments'], /^fsops: recover table needs exactly one of --to-time/],
    [['payment.payments', '--to-time', 'yesterday'], /^fsops: --to-time 'yesterday' is not an ISO 8601 time/],
  ])('bad input %j: one line, exit 2, nothing created', async (args, message) => {
    await resetLive();
    const state = await world();
    const result = await recoverTable(configFile(), ...args, '--yes');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(state.restores).toHaveLength(0);
  });

  it('no terminal and no --yes: refused (exit 2), nothing created; --dry-run shows the plan and creates nothing', async () => {
    await resetLive();
    const state = await world();
    const refused = await recoverTable(configFile(), 'payment.payments', '--to-time', T());
    expect(refused.code).toBe(2);
    const dry = await recoverTable(configFile(), 'payment.payments', '--to-time', T(), '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /stream \(COPY\) payment\.payments of the copy into recovered_\d{8}_\d{6}\.payments/,
    );
    expect(state.restores).toHaveLength(0);
    expect(await sql(live.url, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'recovered_%'")).toEqual(
      [],
    );
  });
});
