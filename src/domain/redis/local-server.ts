import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from '../db/local-server.js';

/**
 * A disposable redis-server (Debian's `redis-server`) on a free loopback port, in a temporary
 * directory, with persistence off: for the integration tests, `fsops demo` and the benchmark, as
 * src/domain/db/local-server.ts is for PostgreSQL.
 */
export interface LocalRedis {
  /** redis://127.0.0.1:<port> (no password). */
  url: string;
  host: string;
  port: number;
  /** The temporary directory (working directory of the server). */
  baseDir: string;
  stop(): Promise<void>;
  /** Synchronous best-effort cleanup for exit handlers. */
  stopSync(): void;
}

export interface LocalRedisOptions {
  /** Extra `--name value` settings, e.g. { maxmemory: '2mb', 'maxmemory-policy': 'allkeys-lru' }. */
  settings?: Record<string, string | number>;
  log?: (line: string) => void;
}

export class LocalRedisError extends Error {
  override name = 'LocalRedisError';
}

/** `redis-server` on PATH (or FSOPS_REDIS_SERVER), else Debian's /usr/bin/redis-server. */
export function findRedisServer(pathEnv = process.env.PATH ?? ''): string | null {
  const candidates = [
    ...(process.env.FSOPS_REDIS_SERVER ? [process.env.FSOPS_REDIS_SERVER] : []),
    ...pathEnv
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, 'redis-server')),
    '/usr/bin/redis-server',
    '/usr/sbin/redis-server',
  ];
  return candidates.find(isExecutable) ?? null;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Waits until something accepts TCP connections on host:port, or the process exits, or the deadline. */
async function waitForPort(
  host: string,
  port: number,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new LocalRedisError(`redis-server exited (${child.exitCode ?? child.signalCode}) while starting`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new LocalRedisError(
    `redis-server did not accept connections on ${host}:${port} within ${timeoutMs} ms`,
  );
}

export async function startLocalRedis(options: LocalRedisOptions = {}): Promise<LocalRedis> {
  const binary = findRedisServer();
  if (!binary) {
    throw new LocalRedisError(
      'no redis-server found on PATH or in /usr/bin: install Redis (e.g. apt-get install redis-server) or set FSOPS_REDIS_SERVER',
    );
  }
  const log = options.log ?? (() => {});
  const baseDir = mkdtempSync(join(tmpdir(), 'fsops-redis-'));
  const host = '127.0.0.1';
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort(host);
    const settings: Record<string, string | number> = {
      port,
      bind: host,
      dir: baseDir,
      save: '',
      appendonly: 'no',
      daemonize: 'no',
      'protected-mode': 'yes',
      loglevel: 'warning',
      logfile: '',
      ...options.settings,
    };
    const args = Object.entries(settings).flatMap(([key, value]) => [`--${key}`, String(value)]);
    log(`starting redis-server on ${host}:${port}`);
    const child = spawn(binary, args, { cwd: baseDir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (error) => {
      stderr += error.message;
    });
    try {
      await waitForPort(host, port, child, 10_000);
    } catch (error) {
      child.kill('SIGKILL');
      lastError = new LocalRedisError(`${(error as Error).message}${stderr ? `: ${stderr.trim()}` : ''}`);
      // A port taken between probing and starting: try another.
      if (/Address already in use/i.test(stderr)) continue;
      break;
    }
    const stopSync = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(baseDir, { recursive: true, force: true, maxRetries: 3, retryDelay: 20 });
    };
    return {
      url: `redis://${host}:${port}`,
      host,
      port,
      baseDir,
      stopSync,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        }
        stopSync();
      },
    };
  }
  rmSync(baseDir, { recursive: true, force: true });
  throw lastError as Error;
}
