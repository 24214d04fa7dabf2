import { DEFAULT_CONFIG } from '../config/defaults.js';
import { deepMerge } from '../config/load.js';
import { type Config, ConfigSchema } from '../config/schema.js';
import { type LocalServer, LocalServerError, startLocalServer } from '../db/local-server.js';
import { parseDbUrl } from '../db/target.js';
import { DEMO_ROLE, loadSchema, startTrouble, type Trouble } from '../demo/scenario.js';
import { DEMO_THRESHOLDS } from '../demo/thresholds.js';
import { detachedDatabase, withReadSession } from '../engine/database.js';
import { onInterrupt } from '../engine/interrupt.js';
import { UnreachableError } from '../engine/model/errors.js';
import { printerFor } from '../engine/printer.js';
import { processRuntime, type Runtime } from '../engine/runtime.js';
import type { GlobalOptions } from '../engine/session.js';
import { DB_CHECK_NAMES, dbSteps } from './db-checks.js';
import { runDatabaseReadCommand } from './kit/read.js';

export interface DemoOptions extends GlobalOptions {
  keep?: boolean;
}

export { DEMO_THRESHOLDS };

export function demoConfig(): Config {
  return ConfigSchema.parse(deepMerge(DEFAULT_CONFIG, { database: { thresholds: DEMO_THRESHOLDS } }));
}

/** Findings the planted trouble must produce; the demo fails if fsops misses one. */
const EXPECTED: [id: string, what: string][] = [
  ['db.locks', 'the lock chain'],
  ['db.connections.idle-in-transaction', 'the idle transaction'],
  ['db.long-queries', 'the long report query'],
  ['db.slow-queries.mean', 'the slow settlement report'],
  ['db.indexes.duplicate', 'the duplicate index'],
  ['db.indexes.unused', 'the unused index'],
  ['db.indexes.invalid', 'the invalid index'],
  ['db.sequences', 'the sequence near its limit'],
  ['db.bloat.dead-tuples', 'the dead tuples'],
  ['db.replication.slots', 'the abandoned replication slot'],
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function demo(options: DemoOptions, runtime: Runtime = processRuntime()): Promise<number> {
  // The demo prints db health's report: every report format.
  const printer = printerFor(options, 'demo', undefined, runtime.stdout);
  const format = printer.format;
  const log = (line: string) => {
    if (format === 'text') runtime.stderr.write(`demo: ${line}\n`);
  };
  let server: LocalServer | null = null;
  let trouble: Trouble | null = null;
  // Set before initdb: Ctrl-C while the server is still starting must remove it too.
  let stopStarting: (() => void) | null = null;
  const cleanupOnExit = () => (server?.stopSync ?? stopStarting)?.();
  // SIGTERM and SIGHUP end fsops through process.exit (src/cli.ts): this handler runs for them too.
  process.once('exit', cleanupOnExit);
  try {
    server = await startLocalServer({
      log,
      onCleanup: (stopSync) => {
        stopStarting = stopSync;
      },
    }).catch((error: unknown) => {
      // A missing or broken local PostgreSQL is the newcomer's setup, not a bug in fsops: one clear line.
      if (error instanceof LocalServerError) {
        throw new UnreachableError(`demo: cannot start a local PostgreSQL: ${error.message.split('\n')[0]}`);
      }
      throw error;
    });
    log('loading a small payments schema with trouble in it');
    const dbUrl = await loadSchema(server.adminUrl);
    trouble = await startTrouble(dbUrl);
    log(
      `planted: pid ${trouble.pids.holder} (internal-pe) holds a row lock in an open transaction; pids ${trouble.pids.waiter} and ${trouble.pids.second} wait behind it; pid ${trouble.pids.report} runs a long report`,
    );
    // Statistics reach the shared views about a second after a transaction ends; locks age meanwhile.
    await sleep(2500);
    const diagUrl = new URL(dbUrl);
    diagUrl.username = DEMO_ROLE;
    const config = demoConfig();
    log('running: fsops db health (demo thresholds: seconds instead of minutes for sessions and locks)\n');
    let seen: string[] = [];
    const code = await runDatabaseReadCommand(
      {
        label: 'db health',
        steps: (session) => dbSteps(DB_CHECK_NAMES, session),
        open: () =>
          withReadSession(
            detachedDatabase(parseDbUrl(diagUrl.toString(), 'the demo server'), config, 'demo'),
          ),
        onReport(report) {
          seen = report.findings.filter((f) => f.status === 'warn' || f.status === 'fail').map((f) => f.id);
        },
      },
      options,
      runtime,
      printer,
    );
    const missed = EXPECTED.filter(([id]) => !seen.includes(id));
    if (format === 'text') {
      runtime.stderr.write(
        missed.length === 0
          ? `\ndemo: fsops found all ${EXPECTED.length} planted problems (exit code of the report: ${code}).\n`
          : `\ndemo: fsops MISSED ${missed.map(([, what]) => what).join(', ')}\n`,
      );
    }
    if (options.keep) {
      runtime.stderr.write(
        `demo: the server keeps running. Try:\n  fsops db locks --db-url ${diagUrl}\n  fsops db terminate ${trouble.pids.holder} --db-url ${dbUrl}\nPress Ctrl-C to stop and remove it.\n`,
      );
      await new Promise<void>((resolve) => onInterrupt(resolve));
    }
    return missed.length === 0 ? 0 : 1;
  } finally {
    log('cleaning up');
    await trouble?.stop();
    await server?.stop();
    process.off('exit', cleanupOnExit);
  }
}
