import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode, ExitError } from '../../../src/base/model/errors.js';
import { signalBackend } from '../../../src/commands/db-signal.js';
import { openDatabase, openDbCommandSession } from '../../../src/engine/database.js';
import {
  adminQuery,
  connect,
  createPasswordRole,
  createTestDatabase,
  type TestDatabase,
} from '../../helpers/postgres.js';
import { testRuntime } from '../../helpers/runtime.js';
import { waitFor } from './check-helpers.js';

describe('fsops db cancel / terminate', () => {
  let db: TestDatabase;
  let auditDir: string;
  let auditFile: string;
  let victim: pg.Client;
  let victimPid: number;
  const alive = async (pid: number) =>
    (await adminQuery<{ state: string }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [pid]))[0]
      ?.state ?? null;
  const auditRecords = () =>
    readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, string>);

  beforeAll(async () => {
    db = await createTestDatabase('signal');
    auditDir = mkdtempSync(join(tmpdir(), 'fsops-audit-'));
    auditFile = join(auditDir, 'audit.jsonl');
    process.env.FSOPS_AUDIT_FILE = auditFile;
  });
  beforeEach(async () => {
    victim = await connect(db.url, 'reporting');
    victimPid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  });
  afterEach(async () => {
    await victim.end().catch(() => {});
  });
  afterAll(async () => {
    delete process.env.FSOPS_AUDIT_FILE;
    rmSync(auditDir, { recursive: true, force: true });
    await db.cleanup();
  });

  it('refuses without --yes when there is no terminal, and the session lives on', async () => {
    const running = victim.query('SELECT pg_sleep(20)').catch((e: Error) => e);
    await waitFor(async () => (await alive(victimPid)) === 'active', 'the query to start');
    const io = testRuntime();
    const error = await signalBackend('cancel', String(victimPid), { dbUrl: db.url }, io).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ExitError);
    expect((error as ExitError).code).toBe(ExitCode.usage);
    expect((error as Error).message).toMatch(/pass --yes to confirm/);
    expect(io.out()).toContain(`Plan: cancel backend ${victimPid}`);
    expect(io.out()).toContain('application reporting');
    expect(io.out()).toContain('query:    SELECT pg_sleep(20)');
    expect(await alive(victimPid)).toBe('active');
    expect(auditRecords().at(-1)).toMatchObject({ command: `db cancel ${victimPid}`, result: 'refused' });
    await adminQuery('SELECT pg_cancel_backend($1)', [victimPid]);
    await running;
  });

  it('--dry-run shows the plan and changes nothing', async () => {
    await victim.query('BEGIN');
    await victim.query('SELECT 1');
    const io = testRuntime();
    const code = await signalBackend('terminate', String(victimPid), { dbUrl: db.url, dryRun: true }, io);
    expect(code).toBe(0);
    expect(io.out()).toContain('state:    idle in transaction');
    expect(io.out()).toContain('Dry run: nothing was changed.');
    expect(await alive(victimPid)).toBe('idle in transaction');
    expect(auditRecords().at(-1)).toMatchObject({ command: `db terminate ${victimPid}`, result: 'dry-run' });
  });

  it('--yes cancels the running statement; the connection stays', async () => {
    const running = victim.query('SELECT pg_sleep(20)').catch((e: Error) => e);
    await waitFor(async () => (await alive(victimPid)) === 'active', 'the query to start');
    const io = testRuntime();
    const code = await signalBackend('cancel', String(victimPid), { dbUrl: db.url, yes: true }, io);
    expect(code).toBe(0);
    expect(String(await running)).toMatch(/canceling statement due to user request/);
    expect(io.out()).toContain(`cancelled the statement of pid ${victimPid}; the session is idle`);
    expect(await alive(victimPid)).toBe('idle');
    const record = auditRecords().at(-1)!;
    expect(record).toMatchObject({ command: `db cancel ${victimPid}`, result: 'succeeded' });
    expect(record.detail).toContain('SELECT pg_sleep(20)');
  });

  it("sends the signal over the database layer's one writable session (Database.write), diagnostic timeouts", async () => {
    await victim.query('BEGIN');
    const opened: { options: unknown; settings: Record<string, string> }[] = [];
    const runtime = testRuntime({
      openDatabase: async (options, how) => {
        const database = await openDatabase(options, how);
        const write = database.write;
        database.write = async (writeOptions) => {
          const writer = await write(writeOptions);
          const [settings] = await writer.query<Record<string, string>>(
            `SELECT current_setting('application_name') AS application, current_setting('statement_timeout') AS statement,
                    current_setting('default_transaction_read_only') AS read_only`,
          );
          opened.push({ options: writeOptions, settings: settings! });
          return writer;
        };
        return database;
      },
    });
    const code = await signalBackend('terminate', String(victimPid), { dbUrl: db.url, yes: true }, runtime);
    expect(code).toBe(0);
    expect(await alive(victimPid)).toBeNull();
    // One opener: the writable connection came from write(), as fsops (not fsops-maintenance), with the
    // diagnostic session's statement timeout (database.session: 10 s), not maintenance's 5 minutes.
    expect(opened).toHaveLength(1);
    expect(opened[0]!.settings).toEqual({ application: 'fsops', statement: '10s', read_only: 'off' });
  });

  it('--yes terminates an idle transaction, rolling it back', async () => {
    await adminQuery('CREATE TABLE IF NOT EXISTS t (id int)', [], db.name);
    await victim.query('BEGIN');
    await victim.query('INSERT INTO t VALUES (1)');
    const io = testRuntime();
    expect(await signalBackend('terminate', String(victimPid), { dbUrl: db.url, yes: true }, io)).toBe(0);
    expect(io.out()).toContain(`terminated pid ${victimPid}; its open transaction was rolled back`);
    expect(await alive(victimPid)).toBeNull();
    expect(await adminQuery('SELECT * FROM t', [], db.name)).toEqual([]);
  });

  it('on a terminal, asks and does nothing unless confirmed', async () => {
    const io = testRuntime({ answers: 'n' });
    await expect(signalBackend('terminate', String(victimPid), { dbUrl: db.url }, io)).rejects.toThrow(
      'nothing was changed',
    );
    expect(await alive(victimPid)).toBe('idle');
  });

  it('a database given only by URL counts as protected: "y" does not terminate, its name typed does', async () => {
    const yes = testRuntime({ answers: 'y' });
    await expect(signalBackend('terminate', String(victimPid), { dbUrl: db.url }, yes)).rejects.toThrow(
      `not confirmed (expected '${db.name}'): nothing was changed`,
    );
    expect(await alive(victimPid)).toBe('idle');
    const typed = testRuntime({ answers: db.name });
    expect(await signalBackend('terminate', String(victimPid), { dbUrl: db.url }, typed)).toBe(0);
    expect(await alive(victimPid)).toBeNull();
  });

  it('refuses a pid that does not exist, a server process, and bad input, with one clear line', async () => {
    const missing = await signalBackend(
      'cancel',
      '999999',
      { dbUrl: db.url, yes: true },
      testRuntime(),
    ).catch((e: Error) => e);
    expect((missing as ExitError).code).toBe(ExitCode.usage);
    expect((missing as Error).message).toMatch(
      /^no session with pid 999999 on postgres@127\.0\.0\.1:\d+\/fsops_signal_/,
    );
    const [checkpointer] = await adminQuery<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'",
    );
    const pid = checkpointer!.pid;
    const server = await signalBackend(
      'terminate',
      String(pid),
      { dbUrl: db.url, yes: true },
      testRuntime(),
    ).catch((e: Error) => e);
    expect((server as Error).message).toContain(`pid ${pid} is a checkpointer process, not a client session`);
    await expect(signalBackend('cancel', '12abc', { dbUrl: db.url }, testRuntime())).rejects.toThrow(
      "invalid pid '12abc'",
    );
  });

  it("refuses to cancel or terminate fsops's own diagnostic session", async () => {
    const session = await openDbCommandSession({ dbUrl: db.url }, { envFromEnvironment: false });
    const [own] = await session.db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const ownPid = own!.pid;
    const io = testRuntime({ openDatabase: async () => session });
    const error = await signalBackend('terminate', String(ownPid), { dbUrl: db.url, yes: true }, io).catch(
      (e: unknown) => e,
    );
    expect((error as ExitError).code).toBe(ExitCode.usage);
    expect((error as Error).message).toBe(
      `pid ${ownPid} is this fsops session itself: refusing to terminate it. Nothing was changed.`,
    );
    expect(io.out()).toBe('');
    // Refused before any plan or signal: nothing to audit as attempted.
    expect(auditRecords().some((r) => r.command === `db terminate ${ownPid}`)).toBe(false);
  });

  it('refuses a session hidden from the role (no pg_read_all_stats) instead of calling it a server process', async () => {
    const role = await createPasswordRole();
    try {
      await adminQuery(`GRANT pg_signal_backend TO ${role.user}`);
      const error = await signalBackend(
        'terminate',
        String(victimPid),
        { dbUrl: role.url(db.name), yes: true },
        testRuntime(),
      ).catch((e: unknown) => e);
      expect((error as ExitError).code).toBe(ExitCode.usage);
      expect((error as Error).message).toBe(
        `pid ${victimPid} belongs to another role (postgres) whose session details are hidden from ${role.user} (no pg_read_all_stats): fsops does not terminate a session it cannot show you. Connect as a role with pg_monitor (GRANT pg_monitor TO ${role.user};). Nothing was changed.`,
      );
      expect(await alive(victimPid)).toBe('idle');
    } finally {
      await role.cleanup();
    }
  });
});
