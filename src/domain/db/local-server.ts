import { execFile, execFileSync } from 'node:child_process';
import {
  accessSync,
  appendFileSync,
  chownSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A disposable PostgreSQL server in a temporary directory, for `fsops demo`, the integration tests and
 * the benchmark. Trust authentication on loopback, except for members of `fsops_password_login`, who
 * must give a password (so that redaction can be tested against a real password check).
 */
export interface LocalServer {
  /** Superuser URL without a password, e.g. postgres://postgres@127.0.0.1:54012/postgres */
  adminUrl: string;
  host: string;
  port: number;
  binDir: string;
  /** The temporary directory holding the data directory, socket and log. */
  baseDir: string;
  /** Fast shutdown and removal of the temporary directory; safe to call twice. */
  stop(): Promise<void>;
  /** Synchronous best-effort cleanup for process exit handlers. */
  stopSync(): void;
}

export interface LocalServerOptions {
  /** Extra postgresql.conf settings. */
  settings?: Record<string, string | number>;
  /** Progress lines (stderr in the demo). */
  log?: (line: string) => void;
  /**
   * Receives the synchronous cleanup as soon as there is something to clean (before initdb), so that
   * an exit handler can remove a server interrupted while it was still starting.
   */
  onCleanup?: (stopSync: () => void) => void;
}

export const PASSWORD_LOGIN_ROLE = 'fsops_password_login';

const NEEDED = ['initdb', 'pg_ctl', 'postgres'] as const;

/** The directory holding initdb, pg_ctl and postgres: PATH first, then /usr/lib/postgresql/<newest>/bin. */
export function findPostgresBinDir(pathEnv = process.env.PATH ?? ''): string | null {
  const candidates: string[] = [];
  if (process.env.FSOPS_PG_BIN) candidates.push(process.env.FSOPS_PG_BIN);
  for (const dir of pathEnv.split(delimiter).filter(Boolean)) {
    const initdb = join(dir, 'initdb');
    if (isExecutable(initdb)) candidates.push(dirname(realpathSync(initdb)));
  }
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((name) => /^\d+(\.\d+)?$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) candidates.push(join(debianRoot, version, 'bin'));
  }
  return candidates.find((dir) => NEEDED.every((tool) => isExecutable(join(dir, tool)))) ?? null;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export class LocalServerError extends Error {
  override name = 'LocalServerError';
}

interface RunAs {
  uid: number;
  gid: number;
  /** Prefix that runs a command as that user (empty when we are that user already). */
  prefix: string[];
}

/** PostgreSQL refuses to run as root: as root, run its tools as the `postgres` OS user. */
function runAsUser(): RunAs {
  const uid = process.getuid?.() ?? -1;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? -1, prefix: [] };
  let ids: string[];
  try {
    ids = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim().split('\n');
    ids.push(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  } catch {
    throw new LocalServerError(
      "PostgreSQL refuses to run as root and there is no 'postgres' OS user to run it as: install the postgresql package (it creates the user) or run as an ordinary user",
    );
  }
  const prefix =
    isExecutable('/usr/sbin/runuser') || isExecutable('/sbin/runuser')
      ? ['runuser', '-u', 'postgres', '--']
      : ['setpriv', `--reuid=${ids[0]}`, `--regid=${ids[1]}`, '--clear-groups', '--'];
  return { uid: Number(ids[0]), gid: Number(ids[1]), prefix };
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function exec(as: RunAs, command: string, args: string[]): Promise<string> {
  const [file, ...rest] = [...as.prefix, command, ...args];
  try {
    const { stdout } = await run(file!, rest, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new LocalServerError(`${command.split('/').pop()} failed: ${stderr || (error as Error).message}`);
  }
}

/**
 * initdb, configure and start a server on a free loopback port. The caller must `stop()` it;
 * `stopSync()` is there for exit handlers (Ctrl-C in the demo).
 */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const binDir = findPostgresBinDir();
  if (!binDir) {
    throw new LocalServerError(
      'no PostgreSQL server binaries found (initdb, pg_ctl, postgres) on PATH or in /usr/lib/postgresql/*/bin: install PostgreSQL (e.g. apt-get install postgresql) or set FSOPS_PG_BIN',
    );
  }
  const log = options.log ?? (() => {});
  const as = runAsUser();
  const baseDir = mkdtempSync(join(tmpdir(), 'fsops-pg-'));
  if (as.prefix.length > 0) chownSync(baseDir, as.uid, as.gid);
  const dataDir = join(baseDir, 'data');
  const logFile = join(baseDir, 'server.log');
  let started = false;

  const stopSync = () => {
    // The pid file, not `started`: a server interrupted during pg_ctl start is running but not yet
    // marked started. SIGQUIT is PostgreSQL's immediate shutdown; enough for a throw-away cluster.
    // The directory goes only once the server has exited, or its last writes would leave files behind;
    // a server still starting may write its first files meanwhile, hence a few rounds.
    for (let round = 0; round < 3 && existsSync(baseDir); round += 1) {
      try {
        const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
        if (pid > 0) {
          process.kill(pid, 'SIGQUIT');
          waitForExitSync(pid, 2000);
        }
      } catch {
        // never started, or already gone
      }
      try {
        rmSync(baseDir, { recursive: true, force: true, maxRetries: 3, retryDelay: 20 });
      } catch {
        // a file appeared while removing: the next round takes it
      }
      if (existsSync(baseDir)) sleepSync(100);
    }
    started = false;
  };
  options.onCleanup?.(stopSync);

  try {
    log(`initialising a disposable PostgreSQL cluster in ${baseDir}`);
    await exec(as, join(binDir, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    writeFileSync(
      join(dataDir, 'pg_hba.conf'),
      [
        'local all all trust',
        `host all +${PASSWORD_LOGIN_ROLE} 127.0.0.1/32 scram-sha-256`,
        'host all all 127.0.0.1/32 trust',
        'host all all ::1/128 trust',
        '',
      ].join('\n'),
    );
    const host = '127.0.0.1';
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const port = await freePort(host);
      const settings: Record<string, string | number> = {
        listen_addresses: `'${host}'`,
        port,
        unix_socket_directories: `'${baseDir}'`,
        shared_preload_libraries: "'pg_stat_statements'",
        fsync: 'off',
        synchronous_commit: 'off',
        full_page_writes: 'off',
        max_connections: 200,
        ...options.settings,
      };
      appendFileSync(
        join(dataDir, 'postgresql.conf'),
        `\n# fsops disposable server\n${Object.entries(settings)
          .map(([key, value]) => `${key} = ${value}`)
          .join('\n')}\n`,
      );
      try {
        log(`starting PostgreSQL on ${host}:${port}`);
        await exec(as, join(binDir, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start']);
        started = true;
        const adminUrl = `postgres://postgres@${host}:${port}/postgres`;
        return {
          adminUrl,
          host,
          port,
          binDir,
          baseDir,
          stopSync,
          async stop() {
            if (started) {
              try {
                await exec(as, join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
                started = false;
              } catch {
                // fall through to the signal-based cleanup
              }
            }
            stopSync();
          },
        };
      } catch (error) {
        lastError = error;
        // A port taken between probing and starting: try another.
        if (!/could not bind|Address already in use/i.test(readLog(logFile))) break;
      }
    }
    throw new LocalServerError(
      `${(lastError as Error).message}\n${readLog(logFile).split('\n').slice(-5).join('\n')}`,
    );
  } catch (error) {
    stopSync();
    throw error;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Exit handlers cannot await: poll (signal 0) until the process is gone, at most `timeoutMs`. */
function waitForExitSync(pid: number, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    sleepSync(20);
  }
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
