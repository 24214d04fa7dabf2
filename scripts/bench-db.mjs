// Times `fsops db health` on a database with 10,000 tables and 30,000 indexes (issue 4: it must stay
// interactive). Run after `npm run build`; prints one JSON line {name, medianMs, minMs, maxMs, exit, runs}
// on stdout (progress on stderr). Uses the same disposable local PostgreSQL as `fsops demo`.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startLocalServer } from '../dist/db/local-server.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'fsops');
const TABLES = Number(process.env.BENCH_DB_TABLES ?? 10_000);
const RUNS = Number(process.env.BENCH_DB_RUNS ?? 5);
const BATCH = 500;
const log = (line) => process.stderr.write(`bench-db: ${line}\n`);

function runHealth(url) {
  const home = mkdtempSync(join(tmpdir(), 'fsops-bench-db-'));
  return new Promise((done, fail) => {
    const started = performance.now();
    execFile(
      process.execPath,
      [bin, 'db', 'health', '--db-url', url, '--output', 'json'],
      { env: { PATH: process.env.PATH, HOME: home, NO_COLOR: '1' }, cwd: home, maxBuffer: 10 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const ms = performance.now() - started;
        if (error && typeof error.code !== 'number') return fail(error);
        done({ ms, code: error ? error.code : 0, stdout, stderr });
      },
    );
  });
}

const server = await startLocalServer({ log, settings: { max_locks_per_transaction: 256 } });
const stopOnSignal = () => {
  server.stopSync();
  process.exit(130);
};
process.once('SIGINT', stopOnSignal);
process.once('SIGTERM', stopOnSignal);
try {
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  const url = server.adminUrl.replace(/\/postgres$/, '/bench');
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  await db.query('CREATE EXTENSION pg_stat_statements');
  const started = performance.now();
  // Each table: a serial primary key (1 index, 1 sequence) and two more indexes: 3 indexes per table.
  for (let from = 0; from < TABLES; from += BATCH) {
    const to = Math.min(TABLES, from + BATCH) - 1;
    await db.query(`DO $$ BEGIN
      FOR i IN ${from}..${to} LOOP
        EXECUTE format('CREATE TABLE t_%s (id serial PRIMARY KEY, customer_id int, status text)', i);
        EXECUTE format('CREATE INDEX t_%s_customer ON t_%s (customer_id)', i, i);
        EXECUTE format('CREATE INDEX t_%s_status ON t_%s (status)', i, i);
      END LOOP;
    END $$`);
    if ((to + 1) % 2000 === 0) log(`${to + 1} tables created`);
  }
  // A few tables with rows and a few dead ones, so the checks have something to rank (a healthy database: exit 0).
  await db.query(`DO $$ BEGIN
    FOR i IN 0..99 LOOP
      EXECUTE format('INSERT INTO t_%s (customer_id, status) SELECT g, ''PENDING'' FROM generate_series(1, 200) g', i);
      EXECUTE format('DELETE FROM t_%s WHERE id %% 20 = 0', i);
    END LOOP;
  END $$`);
  const [{ tables, indexes }] = (
    await db.query(
      `SELECT (SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname LIKE 't\\_%')::int AS tables,
              (SELECT count(*) FROM pg_class WHERE relkind = 'i' AND relname LIKE 't\\_%')::int AS indexes`,
    )
  ).rows;
  // The set-up DDL is not what is measured: start the statement history afresh.
  await db.query('SELECT pg_stat_statements_reset()');
  await db.end();
  log(`${tables} tables and ${indexes} indexes in ${Math.round((performance.now() - started) / 1000)}s`);

  await runHealth(url); // warm-up: file system cache, first statistics snapshot
  const times = [];
  let last;
  for (let i = 0; i < RUNS; i += 1) {
    last = await runHealth(url);
    if (last.code === 3 || last.code === 2)
      throw new Error(`fsops db health failed (exit ${last.code}): ${last.stderr.trim()}`);
    const errors = JSON.parse(last.stdout).findings.filter((f) => f.status === 'error');
    if (errors.length)
      throw new Error(`checks could not run: ${errors.map((f) => `${f.id}: ${f.observed}`).join('; ')}`);
    times.push(Math.round(last.ms));
    log(`run ${i + 1}: ${Math.round(last.ms)} ms`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      name: `fsops db health (${tables.toLocaleString('en-US')} tables, ${indexes.toLocaleString('en-US')} indexes)`,
      medianMs: sorted[Math.floor(sorted.length / 2)],
      minMs: sorted[0],
      maxMs: sorted.at(-1),
      exit: last.code,
      runs: times,
    }),
  );
} finally {
  await server.stop();
}
