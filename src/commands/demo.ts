import { DEFAULT_CONFIG } from '../base/config/defaults.js';
import { deepMerge } from '../base/config/load.js';
import { type Config, ConfigSchema } from '../base/config/schema.js';
import { ExitCode, UnreachableError } from '../base/model/errors.js';
import { CHECKS } from '../catalogue/checks/index.js';
import { type LocalServer, LocalServerError, startLocalServer } from '../domain/db/local-server.js';
import { parseDbUrl } from '../domain/db/target.js';
import { plantWebhookBacklog } from '../domain/demo/redis.js';
import { DEMO_ROLE, loadSchema, startTrouble, type Trouble } from '../domain/demo/scenario.js';
import { DEMO_THRESHOLDS } from '../domain/demo/thresholds.js';
import { type LocalRedis, LocalRedisError, startLocalRedis } from '../domain/redis/local-server.js';
import { detachedDatabase, withReadSession } from '../engine/database.js';
import { onInterrupt } from '../engine/interrupt.js';
import { parseOutput } from '../engine/printer.js';
import type { Runtime } from '../engine/runtime.js';
import type { GlobalOptions } from '../engine/session.js';
import { DB_CHECK_NAMES, dbSteps } from './db-checks.js';
import { runDatabaseReadCommand } from './kit/read.js';
import { REDIS_SERVER_STEPS } from './redis.js';

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

/** Findings the planted Redis trouble must produce (when a redis-server could be started). */
const EXPECTED_REDIS: [id: string, what: string][] = [
  ['redis.queue.length', 'the backed-up webhook queue'],
  ['redis.queue.age', "the queue's oldest webhook, 25 minutes old"],
];

export async function demo(options: DemoOptions, runtime: Runtime): Promise<number> {
  // The demo prints db health's report: every report format (refused before anything starts).
  const format = parseOutput(options.output, 'demo');
  const log = (line: string) => {
    if (format === 'text') runtime.stderr.write(`demo: ${line}\n`);
  };
  let server: LocalServer | null = null;
  let redis: LocalRedis | null = null;
  let trouble: Trouble | null = null;
  // Set before initdb: Ctrl-C while the server is still starting must remove it too.
  let stopStarting: (() => void) | null = null;
  const cleanupOnExit = () => {
    redis?.stopSync();
    (server?.stopSync ?? stopStarting)?.();
  };
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
    // The webhook queue in Redis (runbook 003): a disposable redis-server when Debian's redis-server is
    // installed; without one the demo says so and shows the database alone.
    redis = await startLocalRedis({
      log,
      settings: { maxmemory: '64mb', 'maxmemory-policy': 'volatile-lru' },
    }).catch((error: unknown) => {
      if (!(error instanceof LocalRedisError)) throw error;
      log(`no Redis part: ${error.message.split('\n')[0]}`);
      return null;
    });
    if (redis) {
      const planted = await plantWebhookBacklog(redis.url);
      log(
        `planted: ${planted.queued} webhooks waiting in webhook_queue (the oldest 25 minutes), ${planted.dead} in webhook_dlq`,
      );
    }
    // Statistics reach the shared views about a second after a transaction ends; locks age meanwhile.
    await runtime.clock.sleep(2500, new AbortController().signal);
    const diagUrl = new URL(dbUrl);
    diagUrl.username = DEMO_ROLE;
    const config = demoConfig();
    log(
      `running: fsops db health${redis ? ' and the Redis checks of fsops redis' : ''} (demo thresholds: seconds instead of minutes for sessions and locks)\n`,
    );
    const expected = redis ? [...EXPECTED, ...EXPECTED_REDIS] : EXPECTED;
    let seen: string[] = [];
    const code = await runDatabaseReadCommand(
      {
        label: 'db health',
        command: 'demo',
        steps: (session) => [
          ...dbSteps(DB_CHECK_NAMES, session),
          ...(redis ? REDIS_SERVER_STEPS.map((id) => ({ check: CHECKS[id]!, params: {} })) : []),
        ],
        ...(redis ? { redis: { url: redis.url } } : {}),
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
    );
    // Stopped while its checks ran (Ctrl-C, SIGTERM, SIGHUP): the report said INTERRUPTED; clean up.
    if (code === ExitCode.interrupted) return code;
    const missed = expected.filter(([id]) => !seen.includes(id));
    if (format === 'text') {
      runtime.stderr.write(
        missed.length === 0
          ? `\ndemo: fsops found all ${expected.length} planted problems (exit code of the report: ${code}).\n`
          : `\ndemo: fsops MISSED ${missed.map(([, what]) => what).join(', ')}\n`,
      );
    }
    if (options.keep) {
      runtime.stderr.write(
        `demo: the server keeps running. Try:\n  fsops db locks --db-url ${diagUrl}\n  fsops db terminate ${trouble.pids.holder} --db-url ${dbUrl}\n${redis ? `  redis-cli -p ${redis.port} llen webhook_queue\n` : ''}Press Ctrl-C to stop and remove it.\n`,
      );
      await new Promise<void>((resolve) => onInterrupt(resolve));
    }
    return missed.length === 0 ? 0 : 1;
  } finally {
    log('cleaning up');
    await trouble?.stop();
    await redis?.stop();
    await server?.stop();
    process.off('exit', cleanupOnExit);
  }
}
