import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN } from '../../helpers/cli.js';
import { adminQuery, connect, createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';

// Run `npm run build` first: these tests spawn bin/fsops and signal it as ECS (SIGTERM) or the
// kernel's OOM killer (SIGKILL) would, in the middle of a retention delete on a real table.
const EXPIRED = 40_000;
const RECENT = 1_000;
const BATCH = 100;

let db: TestDatabase;
let auditFile: string;

beforeEach(async () => {
  db = await createTestDatabase('signals');
  auditFile = join(mkdtempSync(join(tmpdir(), 'fsops-audit-')), 'audit.jsonl');
  await adminQuery(
    `CREATE TABLE payment_attempts (id serial PRIMARY KEY, created_at timestamptz NOT NULL);
     INSERT INTO payment_attempts (created_at) SELECT now() - interval '200 days' FROM generate_series(1, ${EXPIRED});
     INSERT INTO payment_attempts (created_at) SELECT now() FROM generate_series(1, ${RECENT});`,
    [],
    db.name,
  );
});

afterEach(async () => {
  await db.cleanup();
});

const rows = async () =>
  Number((await adminQuery<{ n: string }>('SELECT count(*) AS n FROM payment_attempts', [], db.name))[0]!.n);
const audit = () =>
  existsSync(auditFile)
    ? readFileSync(auditFile, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];

/** `fsops db retention --db-url ... --yes` in batches of BATCH rows, as an engineer would start it. */
function spawnRetention() {
  return spawn(
    process.execPath,
    [
      BIN,
      'db',
      'retention',
      '--db-url',
      db.url,
      '--table',
      'payment_attempts',
      '--batch-size',
      String(BATCH),
      '--yes',
    ],
    {
      env: {
        PATH: process.env.PATH,
        TMPDIR: process.env.TMPDIR,
        HOME: tmpdir(),
        NO_COLOR: '1',
        FSOPS_AUDIT_FILE: auditFile,
      },
    },
  );
}

/**
 * `fsops db retention --db-url ... --yes` in batches of BATCH rows; `signal` is sent once the first
 * batch is reported deleted. Resolves with how fsops ended.
 */
function retentionSignalled(
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }> {
  const child = spawnRetention();
  let stderr = '';
  let stdout = '';
  let sent = false;
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
    if (!sent && /payment_attempts: \d+\/\d+ rows deleted/.test(stderr)) {
      sent = true;
      child.kill(signal);
    }
  });
  return new Promise((resolve) =>
    child.on('exit', (code, killedBy) => resolve({ code, signal: killedBy, stderr, stdout })),
  );
}

describe('a signal in the middle of a database change (bin/fsops, real PostgreSQL)', () => {
  it('SIGTERM (an ECS task stop) stops after the batch in flight, keeps what was deleted, audits "interrupted", exits 130', async () => {
    const result = await retentionSignalled('SIGTERM');
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('fsops: stopping after the current statement');
    const left = await rows();
    // Some batches were deleted, not all: the run stopped in the middle, on a batch boundary.
    expect(left).toBeLessThan(EXPIRED + RECENT);
    expect(left).toBeGreaterThan(RECENT);
    expect((EXPIRED + RECENT - left) % BATCH).toBe(0);
    expect(audit().map((r) => [r.command, r.result])).toEqual([
      ['db retention: db.retention-delete', 'started'],
      ['db retention: db.retention-delete', 'interrupted'],
    ]);
    expect(audit()[1].detail).toMatch(/payment_attempts: deleted \d+ rows .*stopped early: interrupted/);
    // The report is INTERRUPTED, never PASS, and says what was deleted and what was not.
    expect(result.stdout).toMatch(/^fsops db retention \S+: INTERRUPTED /m);
    expect(result.stdout).toMatch(
      /Not done:\n {2}- db\.retention-delete \[payment_attempts\]: deleted \d+ rows/,
    );
  }, 60_000);

  it('SIGKILL cannot be caught, but the "started" line was written before the first row was deleted', async () => {
    // The test holds a SHARE lock: fsops counts (reads pass) and then its first DELETE waits on it.
    const holder = await connect(db.url);
    await holder.query('BEGIN; LOCK TABLE payment_attempts IN SHARE MODE');
    const child = spawnRetention();
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const killed = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    try {
      await until(async () => {
        const waiting = await adminQuery(
          `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'fsops-maintenance'
             AND wait_event_type = 'Lock' AND query ILIKE 'DELETE%'`,
          [db.name],
        );
        return waiting.length > 0;
      });
      // The first DELETE is in flight and nothing is deleted yet: the "started" line is already on disk.
      expect(await rows()).toBe(EXPIRED + RECENT);
      expect(audit()).toEqual([
        expect.objectContaining({ command: 'db retention: db.retention-delete', result: 'started' }),
      ]);
      expect(audit()[0].detail).toContain(
        `DELETE ${EXPIRED} of ${EXPIRED + RECENT} rows from public.payment_attempts`,
      );
    } finally {
      await holder.query('COMMIT');
      await holder.end();
    }
    // Let the batches run, then kill it in the middle, as the OOM killer would.
    await until(async () => /payment_attempts: \d+\/\d+ rows deleted/.test(stderr));
    child.kill('SIGKILL');
    expect(await killed).toBe('SIGKILL');
    expect(await rows()).toBeLessThan(EXPIRED + RECENT);
    // No outcome line: the "started" line is what tells the next engineer rows went.
    expect(audit().map((r) => r.result)).toEqual(['started']);
  }, 60_000);
});

/** Polls `condition` every 50 ms (the test's own timeout bounds it). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 50));
}
