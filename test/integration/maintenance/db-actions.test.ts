import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/base/config/defaults.js';
import type { Report } from '../../../src/base/model/finding.js';
import { deleteExpired, resolveTable } from '../../../src/catalogue/actions/db/retention.js';
import { ACTIONS } from '../../../src/catalogue/actions/index.js';
import { dbPartitions } from '../../../src/commands/db-partitions.js';
import { dbReindex } from '../../../src/commands/db-reindex.js';
import { dbRetention } from '../../../src/commands/db-retention.js';
import { parseDbUrl } from '../../../src/domain/db/target.js';
import { type MaintenanceDb, openMaintenanceSession } from '../../../src/domain/db/writable.js';
import { dispatchInterrupt } from '../../../src/engine/interrupt.js';
import { runTestChanges } from '../../helpers/changes.js';
import {
  adminQuery,
  connect,
  createPasswordRole,
  createTestDatabase,
  type PasswordRole,
  type TestDatabase,
} from '../../helpers/postgres.js';
import { type TestRuntime, testRuntime } from '../../helpers/runtime.js';

let dir: string;
/** The runtime every command call gets: its report collected, no terminal. */
let runtime: TestRuntime;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fsops-maint-'));
  process.env.FSOPS_AUDIT_FILE = join(dir, 'audit.jsonl');
  runtime = testRuntime();
});
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.FSOPS_AUDIT_FILE;
});

const report = (): Report => {
  const stdout = runtime.out();
  return JSON.parse(stdout.slice(stdout.indexOf('{'))) as Report;
};
const auditLines = () =>
  readFileSync(process.env.FSOPS_AUDIT_FILE!, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { result: string; command: string; env: string; detail?: string });

async function count(db: TestDatabase, sql: string): Promise<number> {
  const [row] = await adminQuery<{ n: string }>(sql, [], db.name);
  return Number(row!.n);
}

/** Waits until pg_stat_user_tables counts at least `n` dead tuples in `table` (statistics arrive asynchronously). */
async function deadTuplesReach(db: TestDatabase, table: string, n: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (
      (await count(db, `SELECT n_dead_tup AS n FROM pg_stat_user_tables WHERE relname = '${table}'`)) >= n
    ) {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The `db.vacuum-analyze` action run by the one driver on `session` (no terminal, --yes). */
function vacuumAnalyze(
  db: TestDatabase,
  session: MaintenanceDb,
  params: { tables?: string[] } = {},
  dryRun = false,
) {
  return runTestChanges([{ action: ACTIONS['db.vacuum-analyze']!, params }], {
    command: 'maintenance run weekly',
    target: db.name,
    protectedEnv: false,
    yes: true,
    dryRun,
    context: { db: async () => session },
  });
}

/** The first day of the month `offset` months from now (UTC) and its partition suffix (2026_12). */
function month(offset: number): { from: string; suffix: string } {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
  return {
    from: d.toISOString().slice(0, 10),
    suffix: `${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`,
  };
}

/** `table` (1000 rows) with an index on ref left invalid, as a failed CREATE INDEX CONCURRENTLY leaves it. */
function invalidRefIndex(db: TestDatabase, table: string) {
  return adminQuery(
    `CREATE TABLE ${table} (id int, ref text);
     INSERT INTO ${table} SELECT g, 'r' || g FROM generate_series(1, 1000) g;
     CREATE INDEX ${table}_ref_idx ON ${table} (ref);
     UPDATE pg_index SET indisvalid = false WHERE indexrelid = '${table}_ref_idx'::regclass;`,
    [],
    db.name,
  );
}

describe('db retention against PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('retention');
  });
  afterAll(async () => db.cleanup());

  beforeEach(async () => {
    await adminQuery(
      `DROP TABLE IF EXISTS payment_attempts, webhook_logs, payments;
       CREATE TABLE payment_attempts (id serial PRIMARY KEY, created_at timestamptz NOT NULL);
       CREATE TABLE webhook_logs (id serial PRIMARY KEY, created_at timestamptz NOT NULL);
       CREATE TABLE payments (id serial PRIMARY KEY, created_at timestamptz NOT NULL);
       INSERT INTO payment_attempts (created_at) SELECT now() - interval '100 days' FROM generate_series(1, 100);
       INSERT INTO payment_attempts (created_at) SELECT now() - interval '89 days' FROM generate_series(1, 50);
       INSERT INTO webhook_logs (created_at) SELECT now() - interval '31 days' FROM generate_series(1, 40);
       INSERT INTO webhook_logs (created_at) SELECT now() - interval '1 day' FROM generate_series(1, 10);
       INSERT INTO payments (created_at) SELECT now() - interval '400 days' FROM generate_series(1, 30);`,
      [],
      db.name,
    );
  });

  it('dry run counts and changes nothing', async () => {
    const code = await dbRetention({ dbUrl: db.url, dryRun: true, output: 'json' }, runtime);
    expect(code).toBe(0);
    const findings = report().findings;
    expect(findings.find((f) => f.resource === 'payment_attempts')?.observed).toMatch(
      /dry run: 100 of 150 rows past retention would be deleted/,
    );
    expect(findings.find((f) => f.resource === 'webhook_logs')?.observed).toMatch(/40 of 50 rows/);
    // The next step of a dry run is to apply it, not the action's advice for a failure.
    expect(findings.find((f) => f.resource === 'payment_attempts')?.remediation).toMatch(
      /^Nothing was changed \(dry run\)\. To apply: the same command without --dry-run/,
    );
    expect(await count(db, 'SELECT count(*) AS n FROM payment_attempts')).toBe(150);
    expect(await count(db, 'SELECT count(*) AS n FROM webhook_logs')).toBe(50);
    expect(auditLines().map((l) => l.result)).toEqual(['dry-run']);
  });

  it('deletes exactly the expired rows in batches and leaves other tables alone', async () => {
    const code = await dbRetention(
      {
        dbUrl: db.url,
        yes: true,
        batchSize: '7',
        output: 'json',
      },
      runtime,
    );
    expect(code).toBe(0);
    expect(await count(db, 'SELECT count(*) AS n FROM payment_attempts')).toBe(50);
    expect(
      await count(
        db,
        "SELECT count(*) AS n FROM payment_attempts WHERE created_at < now() - interval '90 days'",
      ),
    ).toBe(0);
    expect(await count(db, 'SELECT count(*) AS n FROM webhook_logs')).toBe(10);
    expect(await count(db, 'SELECT count(*) AS n FROM payments')).toBe(30);
    const attempts = report().findings.find((f) => f.resource === 'payment_attempts')!;
    expect(attempts.status).toBe('pass');
    expect(attempts.observed).toMatch(
      /deleted 100 rows in 15 batches .*rows 150 -> 50, past retention 100 -> 0; VACUUM \(ANALYZE\) done/,
    );
    const audit = auditLines();
    expect(audit.map((r) => r.result)).toEqual(['started', 'succeeded']);
    expect(audit[1]).toMatchObject({
      result: 'succeeded',
      command: 'db retention: db.retention-delete',
      env: db.name,
    });
  });

  it('audits "started" before the first statement that changes anything', async () => {
    const session = await openMaintenanceSession(parseDbUrl(db.url, 'test'), DEFAULT_CONFIG);
    const seenAtFirstStatement: string[][] = [];
    const watched: MaintenanceDb = {
      ...session,
      async execute(sql, params) {
        // What the audit file holds when the first DELETE is about to be sent.
        if (seenAtFirstStatement.length === 0) {
          seenAtFirstStatement.push(
            existsSync(process.env.FSOPS_AUDIT_FILE!) ? auditLines().map((r) => r.result) : [],
          );
        }
        return session.execute(sql, params);
      },
    };
    try {
      await runTestChanges(
        [{ action: ACTIONS['db.retention-delete']!, params: { tables: ['payment_attempts'] } }],
        {
          command: 'db retention',
          target: db.name,
          protectedEnv: false,
          yes: true,
          context: {
            db: async () => watched,
          },
        },
      );
    } finally {
      await session.close();
    }
    expect(seenAtFirstStatement).toEqual([['started']]);
    expect(auditLines()[0]).toMatchObject({
      result: 'started',
      command: 'db retention: db.retention-delete',
      env: db.name,
    });
    expect(auditLines().map((r) => r.result)).toEqual(['started', 'succeeded']);
    expect(await count(db, 'SELECT count(*) AS n FROM payment_attempts')).toBe(50);
  });

  it('refuses without --yes when there is no terminal, and deletes nothing', async () => {
    await expect(dbRetention({ dbUrl: db.url, output: 'json' }, runtime)).rejects.toThrow(
      /refusing to .*without confirmation.*Nothing was changed/,
    );
    expect(await count(db, 'SELECT count(*) AS n FROM payment_attempts')).toBe(150);
    expect(auditLines()[0]?.result).toBe('refused');
  });

  it('rejects a table without a policy as a usage error, before deleting anything', async () => {
    await expect(dbRetention({ dbUrl: db.url, yes: true, table: ['payments'] }, runtime)).rejects.toThrow(
      /no retention policy for table 'payments': configured are payment_attempts, webhook_logs/,
    );
    expect(await count(db, 'SELECT count(*) AS n FROM payments')).toBe(30);
  });

  it('Ctrl-C stops after the batch in flight, keeps what was deleted, and audits the interruption', async () => {
    const session = await openMaintenanceSession(parseDbUrl(db.url, 'test'), DEFAULT_CONFIG);
    try {
      const { findings, interrupted } = await runTestChanges(
        [
          {
            action: ACTIONS['db.retention-delete']!,
            params: { tables: ['payment_attempts'], batchSize: 10 },
          },
        ],
        {
          command: 'db retention',
          target: db.name,
          protectedEnv: false,
          yes: true,
          context: {
            db: async () => session,
            // The first progress line comes after the first batch: press Ctrl-C then.
            log: () => dispatchInterrupt(),
          },
        },
      );
      expect(interrupted).toBe(true);
      expect(findings[0]).toMatchObject({ status: 'skip', resource: 'payment_attempts' });
      expect(findings[0]!.observed).toMatch(/deleted 10 rows in 1 batch .*stopped early: interrupted/);
    } finally {
      await session.close();
    }
    expect(await count(db, 'SELECT count(*) AS n FROM payment_attempts')).toBe(140);
    expect(auditLines().map((r) => r.result)).toEqual(['started', 'interrupted']);
    expect(auditLines()[1]).toMatchObject({
      result: 'interrupted',
      command: 'db retention: db.retention-delete',
    });
  });

  it('cleans a partitioned table partition by partition (a ctid repeats across partitions)', async () => {
    await adminQuery(
      `CREATE TABLE events (id int, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);
       CREATE TABLE events_old PARTITION OF events FOR VALUES FROM ('2000-01-01') TO ('2020-01-01');
       CREATE TABLE events_new PARTITION OF events FOR VALUES FROM ('2020-01-01') TO ('2100-01-01');
       INSERT INTO events SELECT g, '2010-01-01' FROM generate_series(1, 20) g;
       INSERT INTO events SELECT g, now() FROM generate_series(1, 20) g;`,
      [],
      db.name,
    );
    const session = await openMaintenanceSession(parseDbUrl(db.url, 'test'), DEFAULT_CONFIG);
    try {
      const result = await deleteExpired(
        session,
        { table: 'events', column: 'created_at', days: 30 },
        new Date(Date.now() - 30 * 86_400_000),
        3,
      );
      expect(result.deleted).toBe(20);
    } finally {
      await session.close();
    }
    expect(await count(db, 'SELECT count(*) AS n FROM events_new')).toBe(20);
    expect(await count(db, 'SELECT count(*) AS n FROM events_old')).toBe(0);
  });
});

describe('db retention in a schema-qualified database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('retschema');
    // The tables live in the configured schema (payments.schema: payment), not in the search path.
    await adminQuery(
      `CREATE SCHEMA payment;
       CREATE TABLE payment.payment_attempts (id serial PRIMARY KEY, created_at timestamptz NOT NULL);
       CREATE SCHEMA hooks;
       CREATE TABLE hooks.webhook_logs (id serial PRIMARY KEY, created_at timestamptz NOT NULL);
       INSERT INTO payment.payment_attempts (created_at) SELECT now() - interval '100 days' FROM generate_series(1, 20);
       INSERT INTO payment.payment_attempts (created_at) SELECT now() FROM generate_series(1, 5);
       INSERT INTO hooks.webhook_logs (created_at) SELECT now() - interval '40 days' FROM generate_series(1, 8);`,
      [],
      db.name,
    );
  });
  afterAll(async () => db.cleanup());

  it("finds the default policies' tables outside the search path and deletes from them", async () => {
    const code = await dbRetention({ dbUrl: db.url, yes: true, output: 'json' }, runtime);
    const findings = report().findings;
    const attempts = findings.find((f) => f.resource === 'payment_attempts')!;
    expect(attempts.status).toBe('pass');
    expect(attempts.observed).toMatch(/deleted 20 rows .*rows 25 -> 5, past retention 20 -> 0/);
    const hooks = findings.find((f) => f.resource === 'webhook_logs')!;
    expect(hooks.status).toBe('pass');
    expect(await count(db, 'SELECT count(*) AS n FROM payment.payment_attempts')).toBe(5);
    expect(await count(db, 'SELECT count(*) AS n FROM hooks.webhook_logs')).toBe(0);
    expect(code).toBe(0);
  });

  it('resolves schema.table as written, the configured schema first, and refuses an ambiguous bare name', async () => {
    await adminQuery(
      `CREATE SCHEMA a; CREATE SCHEMA b;
       CREATE TABLE a.twice (id int); CREATE TABLE b.twice (id int);`,
      [],
      db.name,
    );
    const session = await openMaintenanceSession(parseDbUrl(db.url, 'test'), DEFAULT_CONFIG);
    try {
      expect(await resolveTable(session, 'hooks.webhook_logs')).toEqual({ relation: 'hooks.webhook_logs' });
      expect(await resolveTable(session, 'payment_attempts', 'payment')).toEqual({
        relation: 'payment.payment_attempts',
        via: 'found in the configured schema payment',
      });
      expect(await resolveTable(session, 'webhook_logs', 'payment')).toEqual({
        relation: 'hooks.webhook_logs',
        via: 'found in schema hooks, outside the search path',
      });
      expect(await resolveTable(session, 'twice', 'payment')).toEqual({
        missing: expect.stringMatching(
          /ambiguous.*a\.twice, b\.twice; write the policy's table as schema\.table/,
        ),
      });
      expect(await resolveTable(session, 'public.payment_attempts')).toEqual({
        missing: 'table public.payment_attempts not found',
      });
    } finally {
      await session.close();
    }
  });
});

describe('db retention when no policy targets a table', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('retnone');
    await adminQuery('CREATE TABLE unrelated (id int)', [], db.name);
  });
  afterAll(async () => db.cleanup());

  it('fails (exit 1), never "WARN, exit 0": retention would never run', async () => {
    const code = await dbRetention({ dbUrl: db.url, yes: true, output: 'json' }, runtime);
    const findings = report().findings.filter((f) => f.id === 'db.retention-delete');
    expect(findings.map((f) => [f.resource, f.status])).toEqual([
      ['payment_attempts', 'fail'],
      ['webhook_logs', 'fail'],
    ]);
    expect(findings[0]!.observed).toMatch(
      /table payment_attempts not found .*this policy deletes nothing; no retention policy targets any table, retention never runs/,
    );
    expect(report().status).toBe('fail');
    expect(code).toBe(1);
  });
});

describe('VACUUM (ANALYZE) action against PostgreSQL', () => {
  let db: TestDatabase;
  let session: MaintenanceDb;
  beforeAll(async () => {
    db = await createTestDatabase('vacuum');
    const client = await connect(db.url);
    await client.query(
      `CREATE TABLE bloated (id int, pad text) WITH (autovacuum_enabled = false);
       CREATE TABLE tidy (id int) WITH (autovacuum_enabled = false);
       INSERT INTO bloated SELECT g, repeat('x', 50) FROM generate_series(1, 10000) g;
       INSERT INTO tidy SELECT g FROM generate_series(1, 100) g;
       DELETE FROM bloated WHERE id % 2 = 0;`,
    );
    await client.query('SELECT pg_stat_force_next_flush()');
    await client.end();
    // ANALYZE from a second session once the inserts are counted, so `tidy` has nothing pending.
    const analyzer = await connect(db.url);
    await analyzer.query('ANALYZE tidy');
    await analyzer.end();
    await deadTuplesReach(db, 'bloated', 5000);
    session = await openMaintenanceSession(parseDbUrl(db.url, 'test'), DEFAULT_CONFIG);
  });
  afterAll(async () => {
    await session.close();
    await db.cleanup();
  });

  const run = (dryRun: boolean) => vacuumAnalyze(db, session, {}, dryRun).then((r) => r.findings);
  const stats = (table: string) =>
    adminQuery<{ dead: string; live: string; last_vacuum: Date | null }>(
      'SELECT n_dead_tup AS dead, n_live_tup AS live, last_vacuum FROM pg_stat_user_tables WHERE relname = $1',
      [table],
      db.name,
    ).then((rows) => rows[0]!);

  it('a table named in the step that does not exist is bad input (exit 2), not "no table needs VACUUM, PASS"', async () => {
    const planned = vacuumAnalyze(db, session, { tables: ['bloatd'] });
    await expect(planned).rejects.toMatchObject({
      code: 2,
      message: expect.stringContaining("'bloatd'"),
    });
    expect((await stats('bloated')).last_vacuum).toBeNull();
  });

  it('dry run names the table that needs it and vacuums nothing', async () => {
    const findings = await run(true);
    expect(findings.map((f) => [f.resource, f.status])).toEqual([['public.bloated', 'skip']]);
    expect(findings[0]!.observed).toMatch(/would VACUUM \(ANALYZE\): 50\.0% dead tuples \(5000 of 10000\)/);
    expect((await stats('bloated')).last_vacuum).toBeNull();
  });

  it('vacuums only the table over the thresholds, each as its own statement', async () => {
    const findings = await run(false);
    expect(findings.map((f) => [f.resource, f.status])).toEqual([['public.bloated', 'pass']]);
    expect(findings[0]!.observed).toMatch(/dead tuples 5000 -> 0/);
    const bloated = await stats('bloated');
    expect(bloated.last_vacuum).not.toBeNull();
    expect(Number(bloated.dead)).toBe(0);
    expect((await stats('tidy')).last_vacuum).toBeNull();
    expect(await count(db, 'SELECT count(*) AS n FROM bloated')).toBe(5000);
    expect(await count(db, 'SELECT count(*) AS n FROM tidy')).toBe(100);
  });

  it('warns, rather than passes, when an open transaction keeps VACUUM from removing the dead rows', async () => {
    const setup = await connect(db.url);
    await setup.query(
      `CREATE TABLE held (id int) WITH (autovacuum_enabled = false);
       INSERT INTO held SELECT g FROM generate_series(1, 4000) g;`,
    );
    // A transaction whose snapshot predates the delete: the deleted rows stay visible to it.
    const holder = await connect(db.url, 'fsops-test-holder');
    const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await holder.query('SELECT count(*) FROM held');
    try {
      await setup.query('DELETE FROM held WHERE id % 2 = 0');
      await setup.query('SELECT pg_stat_force_next_flush()');
      await deadTuplesReach(db, 'held', 2000);
      const { findings } = await vacuumAnalyze(db, session, { tables: ['held'] });
      expect(findings.map((f) => [f.resource, f.status])).toEqual([['public.held', 'warn']]);
      expect(findings[0]!.observed).toMatch(
        /dead tuples 2000 -> 2000: VACUUM could not remove them, a transaction older than these rows is still open/,
      );
      // The session holding the horizon is named: pid, application_name, state, transaction age.
      expect(findings[0]!.observed).toMatch(
        new RegExp(
          `held back by pid ${holderPid} \\(application_name 'fsops-test-holder', idle in transaction, xmin age \\d+ transactions, transaction open \\d\\d:\\d\\d:\\d\\d\\)`,
        ),
      );
      expect(findings[0]!.remediation).toMatch(/idle in a transaction/);
      expect(await count(db, 'SELECT count(*) AS n FROM held')).toBe(2000);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
      await setup.end();
    }
  });
});

describe('VACUUM (ANALYZE) as a role that does not own the table', () => {
  let db: TestDatabase;
  let role: PasswordRole;
  let session: MaintenanceDb;
  beforeAll(async () => {
    db = await createTestDatabase('vacuumowner');
    role = await createPasswordRole();
    const client = await connect(db.url);
    await client.query(
      `CREATE TABLE theirs (id int) WITH (autovacuum_enabled = false);
       INSERT INTO theirs SELECT g FROM generate_series(1, 4000) g;
       DELETE FROM theirs WHERE id % 2 = 0;`,
    );
    await client.query('SELECT pg_stat_force_next_flush()');
    await client.end();
    await deadTuplesReach(db, 'theirs', 2000);
    session = await openMaintenanceSession(parseDbUrl(role.url(db.name), 'test'), DEFAULT_CONFIG);
  });
  afterAll(async () => {
    await session.close();
    await db.cleanup();
    await role.cleanup();
  });

  it('a VACUUM PostgreSQL skipped (WARNING: only the owner can vacuum it) is an error, audited as failed, not "done"', async () => {
    const { findings } = await vacuumAnalyze(db, session, { tables: ['theirs'] });
    expect(findings.map((f) => [f.resource, f.status])).toEqual([['public.theirs', 'error']]);
    expect(findings[0]!.observed).toMatch(
      new RegExp(
        `not vacuumed: PostgreSQL skipped it \\(WARNING: skipping "theirs" --- only table or database owner can vacuum it.*the table is owned by \\w+, fsops connected as ${role.user}`,
      ),
    );
    expect(findings[0]!.observed).not.toMatch(/done/);
    expect(auditLines().at(-1)).toMatchObject({
      command: 'maintenance run weekly: db.vacuum-analyze',
      result: 'failed',
    });
    expect(
      (
        await adminQuery<{ v: Date | null }>(
          "SELECT last_vacuum AS v FROM pg_stat_user_tables WHERE relname = 'theirs'",
          [],
          db.name,
        )
      )[0]!.v,
    ).toBeNull();
  });

  it('after retention deletes, a VACUUM PostgreSQL skipped is "not done", and the finding is not a pass', async () => {
    await adminQuery(
      `CREATE TABLE their_logs (id int, created_at timestamptz NOT NULL);
       INSERT INTO their_logs SELECT g, now() - interval '100 days' FROM generate_series(1, 30) g;
       GRANT SELECT, DELETE ON their_logs TO ${role.user};`,
      [],
      db.name,
    );
    const config = {
      ...DEFAULT_CONFIG,
      maintenance: {
        ...DEFAULT_CONFIG.maintenance,
        retention: [{ table: 'their_logs', column: 'created_at', days: 30 }],
      },
    };
    const { findings } = await runTestChanges([{ action: ACTIONS['db.retention-delete']!, params: {} }], {
      command: 'db retention',
      target: db.name,
      protectedEnv: false,
      yes: true,
      context: { config, db: async () => session },
    });
    expect(findings.map((f) => [f.resource, f.status])).toEqual([['their_logs', 'warn']]);
    expect(findings[0]!.observed).toMatch(
      /deleted 30 rows .*VACUUM \(ANALYZE\) not done: PostgreSQL answered WARNING: skipping "their_logs" --- only table or database owner can vacuum it/,
    );
    expect(await count(db, 'SELECT count(*) AS n FROM their_logs')).toBe(0);
  });
});

describe('db partitions against PostgreSQL', () => {
  let db: TestDatabase;
  const partitions = () =>
    adminQuery<{ name: string }>(
      "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'transactions'::regclass ORDER BY 1",
      [],
      db.name,
    ).then((rows) => rows.map((r) => r.name));

  beforeAll(async () => {
    db = await createTestDatabase('partitions');
    const old = month(-14);
    const oldEnd = month(-13);
    const cur = month(0);
    const next = month(1);
    await adminQuery(
      `CREATE TABLE transactions (id bigint, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);
       CREATE TABLE transactions_${old.suffix} PARTITION OF transactions FOR VALUES FROM ('${old.from}') TO ('${oldEnd.from}');
       CREATE TABLE transactions_${cur.suffix} PARTITION OF transactions FOR VALUES FROM ('${cur.from}') TO ('${next.from}');
       INSERT INTO transactions VALUES (1, '${old.from}'), (2, '${cur.from}');
       CREATE TABLE plain (id int);`,
      [],
      db.name,
    );
  });
  afterAll(async () => db.cleanup());

  it("lists the ranges and flags next month's missing partition (read-only)", async () => {
    const code = await dbPartitions({ dbUrl: db.url, output: 'json' }, runtime);
    expect(code).toBe(0);
    const r = report();
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ status: 'warn', resource: 'public.transactions' });
    expect(r.findings[0]!.observed).toContain(`missing: ${month(1).from} .. ${month(2).from}`);
    expect(r.notes?.[0]).toContain(`transactions_${month(0).suffix}: FOR VALUES FROM`);
  });

  it('dry run of --create-next creates nothing', async () => {
    const before = await partitions();
    await dbPartitions({ dbUrl: db.url, createNext: true, dryRun: true, output: 'json' }, runtime);
    expect(await partitions()).toEqual(before);
  });

  it("--create-next creates next month's partition and it takes rows", async () => {
    await dbPartitions({ dbUrl: db.url, createNext: true, yes: true, output: 'json' }, runtime);
    expect(await partitions()).toContain(`transactions_${month(1).suffix}`);
    const created = report().findings.find((f) => f.id === 'db.create-next-partitions')!;
    expect(created.observed).toBe(
      `created public.transactions_${month(1).suffix} FOR VALUES FROM ('${month(1).from}') TO ('${month(2).from}')`,
    );
    await adminQuery(`INSERT INTO transactions VALUES (3, '${month(1).from}')`, [], db.name);
    expect(await count(db, `SELECT count(*) AS n FROM transactions_${month(1).suffix}`)).toBe(1);
  });

  it('drops only partitions older than asked, and only with confirmation', async () => {
    await expect(
      dbPartitions({ dbUrl: db.url, dropOlderThan: '12mo', output: 'json' }, runtime),
    ).rejects.toThrow(/refusing/);
    expect(await partitions()).toContain(`transactions_${month(-14).suffix}`);
    await dbPartitions({ dbUrl: db.url, dropOlderThan: '12mo', yes: true, output: 'json' }, runtime);
    const left = await partitions();
    expect(left).not.toContain(`transactions_${month(-14).suffix}`);
    expect(left).toContain(`transactions_${month(0).suffix}`);
    expect(await count(db, 'SELECT count(*) AS n FROM transactions')).toBe(2);
  });

  it('rejects a malformed --drop-older-than before connecting', async () => {
    await expect(dbPartitions({ dbUrl: db.url, dropOlderThan: 'soon' }, testRuntime())).rejects.toThrow(
      /invalid --drop-older-than 'soon': use months or years, e.g. 12mo, 18mo, 2y/,
    );
  });
});

describe('db partitions --create-next beside a long reader of the parent', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('partlock');
    await adminQuery(
      `CREATE TABLE ledger (id bigserial, amount numeric NOT NULL DEFAULT 0 CHECK (amount >= 0),
                            created_at timestamptz NOT NULL, PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);
       CREATE TABLE ledger_${month(0).suffix} PARTITION OF ledger FOR VALUES FROM ('${month(0).from}') TO ('${month(1).from}');
       INSERT INTO ledger (created_at) VALUES ('${month(0).from}');`,
      [],
      db.name,
    );
  });
  afterAll(async () => db.cleanup());

  it('creates and attaches the partition without ACCESS EXCLUSIVE on the parent while a reader keeps its transaction open', async () => {
    const reader = await connect(db.url, 'fsops-test-reader');
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM ledger');
      const code = await dbPartitions(
        {
          dbUrl: db.url,
          createNext: true,
          yes: true,
          output: 'json',
        },
        runtime,
      );
      const created = report().findings.find((f) => f.id === 'db.create-next-partitions')!;
      expect(created).toMatchObject({
        status: 'pass',
        observed: `created public.ledger_${month(1).suffix} FOR VALUES FROM ('${month(1).from}') TO ('${month(2).from}')`,
      });
      expect(code).toBe(0);
      // The reader's transaction is still open and still holds its lock on the parent.
      const [held] = await adminQuery<{ n: string }>(
        `SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE a.application_name = 'fsops-test-reader' AND l.relation = 'ledger'::regclass AND l.granted`,
        [],
        db.name,
      );
      expect(Number(held!.n)).toBe(1);
      await reader.query('COMMIT');
    } finally {
      await reader.end();
    }
    // Attached with the parent's defaults, checks and key; the temporary CHECK is gone.
    await adminQuery(`INSERT INTO ledger (created_at) VALUES ('${month(1).from}')`, [], db.name);
    expect(await count(db, `SELECT count(*) AS n FROM ledger_${month(1).suffix}`)).toBe(1);
    const constraints = await adminQuery<{ conname: string }>(
      `SELECT conname FROM pg_constraint WHERE conrelid = 'ledger_${month(1).suffix}'::regclass ORDER BY 1`,
      [],
      db.name,
    );
    expect(constraints.map((c) => c.conname).join(' ')).not.toContain('fsops_bound');
    await expect(
      adminQuery(`INSERT INTO ledger (amount, created_at) VALUES (-1, '${month(1).from}')`, [], db.name),
    ).rejects.toThrow(/check constraint/);
  });
});

describe('db reindex against PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('reindex');
    await invalidRefIndex(db, 'payments');
    await adminQuery('CREATE INDEX payments_id_idx ON payments (id)', [], db.name);
  });
  afterAll(async () => db.cleanup());
  const valid = (name: string) =>
    adminQuery<{ v: boolean }>(
      'SELECT indisvalid AS v FROM pg_index WHERE indexrelid = $1::regclass',
      [name],
      db.name,
    ).then((rows) => rows[0]!.v);

  it('dry run names the invalid index and leaves it', async () => {
    await dbReindex({ dbUrl: db.url, dryRun: true, output: 'json' }, runtime);
    const finding = report().findings.find((f) => f.resource === 'public.payments_ref_idx')!;
    expect(finding.observed).toMatch(
      /invalid .*dry run: would REINDEX INDEX CONCURRENTLY "public"."payments_ref_idx"/,
    );
    expect(finding.remediation).toMatch(/without --dry-run/);
    const unmeasured = report().findings.find((f) => /bloat not measured/.test(f.observed));
    expect(unmeasured?.remediation).toMatch(/CREATE EXTENSION pgstattuple/);
    expect(await valid('payments_ref_idx')).toBe(false);
  });

  it('rebuilds the invalid index concurrently and nothing else', async () => {
    const oid = async (n: string) => count(db, `SELECT '${n}'::regclass::oid AS n`);
    const otherBefore = await oid('payments_id_idx');
    await dbReindex({ dbUrl: db.url, yes: true, output: 'json' }, runtime);
    expect(await valid('payments_ref_idx')).toBe(true);
    expect(await oid('payments_id_idx')).toBe(otherBefore);
    expect(report().findings.find((f) => f.resource === 'public.payments_ref_idx')?.status).toBe('pass');
  });

  const indexesOf = (table: string) =>
    adminQuery<{ name: string; valid: boolean }>(
      'SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1::regclass ORDER BY 1',
      [table],
      db.name,
    );

  /**
   * Runs `fsops db reindex --index <table>_ref_idx --yes` and cancels its REINDEX CONCURRENTLY when it
   * reaches `phase` (pg_stat_progress_create_index), while a reader that ran `holding` (its open
   * transaction) holds it there; returns the exit code.
   */
  async function reindexCancelledAt(table: string, phase: string, holding: string[]): Promise<number> {
    const reader = await connect(db.url, 'fsops-test-reader');
    for (const sql of holding) await reader.query(sql);
    const run = dbReindex(
      {
        dbUrl: db.url,
        index: `${table}_ref_idx`,
        yes: true,
        output: 'json',
      },
      runtime,
    );
    try {
      for (let i = 0; i < 200; i++) {
        const [row] = await adminQuery<{ pid: number }>(
          'SELECT pid FROM pg_stat_progress_create_index WHERE phase = $1',
          [phase],
          db.name,
        );
        if (row) {
          await adminQuery('SELECT pg_cancel_backend($1)', [row.pid], db.name);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await reader.query('COMMIT');
      await reader.end();
    }
    return run;
  }

  it('an invalid unique index over duplicate data: refused with the duplicate keys, no new _ccnew index, at every run', async () => {
    await adminQuery(
      `CREATE TABLE refunds (id int, ref text);
       INSERT INTO refunds SELECT g, 'r' || g FROM generate_series(1, 500) g;
       INSERT INTO refunds VALUES (501, 'r7'), (502, 'r7'), (503, 'r9'), (504, NULL), (505, NULL);`,
      [],
      db.name,
    );
    // What a failed CREATE UNIQUE INDEX CONCURRENTLY leaves: an invalid unique index.
    await expect(
      adminQuery('CREATE UNIQUE INDEX CONCURRENTLY refunds_ref_key ON refunds (ref)', [], db.name),
    ).rejects.toThrow(/could not create unique index/);
    expect(await indexesOf('refunds')).toEqual([{ name: 'refunds_ref_key', valid: false }]);
    for (let run = 0; run < 2; run++) {
      const code = await dbReindex(
        {
          dbUrl: db.url,
          index: 'refunds_ref_key',
          yes: true,
          output: 'json',
        },
        runtime,
      );
      const finding = report().findings.find((f) => f.resource === 'public.refunds_ref_key')!;
      expect(finding.status).toBe('fail');
      expect(finding.observed).toMatch(
        /not rebuilt: 2 duplicate key\(s\) \(5 rows\) in \(ref\), e\.g\. \(r7\) x3, \(r9\) x2/,
      );
      expect(finding.remediation).toMatch(
        /Remove or merge the duplicate rows .*GROUP BY \(ref\) HAVING count\(\*\) > 1/,
      );
      expect(code).toBe(1);
      expect(await indexesOf('refunds')).toEqual([{ name: 'refunds_ref_key', valid: false }]);
      runtime = testRuntime();
    }
  });

  it('a REINDEX CONCURRENTLY interrupted after the new index took over is reported done, and its _ccold leftover dropped', async () => {
    await invalidRefIndex(db, 'ledger');
    // A reader keeps REINDEX CONCURRENTLY waiting after the swap ("waiting for readers before marking dead").
    await reindexCancelledAt('ledger', 'waiting for readers before marking dead', [
      'BEGIN',
      'SELECT count(*) FROM ledger',
    ]);
    const finding = report().findings.find((f) => f.resource === 'public.ledger_ref_idx')!;
    expect(finding.observed).toMatch(
      /rebuilt .*interrupted after the new index took over \(.*cancel.*\); public\.ledger_ref_idx is valid; dropped the leftover public\.ledger_ref_idx_ccold it left/,
    );
    expect(finding.status).toBe('pass');
    expect(await indexesOf('ledger')).toEqual([{ name: 'ledger_ref_idx', valid: true }]);
  });

  it('a REINDEX CONCURRENTLY interrupted before the swap is an error, and the invalid _ccnew index it left is dropped', async () => {
    await invalidRefIndex(db, 'payouts');
    // An old snapshot keeps the new index from being marked valid ("waiting for old snapshots").
    const code = await reindexCancelledAt('payouts', 'waiting for old snapshots', [
      'BEGIN ISOLATION LEVEL REPEATABLE READ',
      'SELECT 1',
    ]);
    const finding = report().findings.find((f) => f.resource === 'public.payouts_ref_idx')!;
    expect(finding.status).toBe('error');
    expect(finding.observed).toMatch(
      /REINDEX failed: .*cancel.*; public\.payouts_ref_idx is still invalid; dropped the leftover public\.payouts_ref_idx_ccnew it left/,
    );
    expect(code).not.toBe(0);
    expect(await indexesOf('payouts')).toEqual([{ name: 'payouts_ref_idx', valid: false }]);
  });

  it('an unknown --index is a usage error', async () => {
    await expect(dbReindex({ dbUrl: db.url, index: 'nope', yes: true }, runtime)).rejects.toThrow(
      /index 'nope' not found/,
    );
  });
});

describe('config retention policies', () => {
  it('are read from the config file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fsops-cfg-')), 'fsops.config.yaml');
    writeFileSync(file, 'maintenance:\n  retention:\n    - { table: audit_events, column: at, days: 7 }\n');
    const db = await createTestDatabase('retcfg');
    try {
      await adminQuery(
        `CREATE TABLE audit_events (at timestamptz); INSERT INTO audit_events SELECT now() - interval '8 days' FROM generate_series(1,3);`,
        [],
        db.name,
      );
      await dbRetention({ dbUrl: db.url, config: file, yes: true, output: 'json' }, runtime);
      expect(await count(db, 'SELECT count(*) AS n FROM audit_events')).toBe(0);
    } finally {
      await db.cleanup();
    }
  });
});
