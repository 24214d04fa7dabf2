import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../../bin/fsops');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `bin/fsops` as a user would, with a clean environment: no AWS profile or
 * credentials unless given, an empty HOME (no ~/.aws, no user config), no instance metadata lookups,
 * colors off unless the test turns them on. Asynchronous, so in-process fake endpoints keep answering.
 */
export function runFsops(
  args: string[],
  env: Record<string, string | undefined> = {},
  nodeArgs: string[] = [],
): Promise<CliResult> {
  return runFsopsAt(BIN, args, env, nodeArgs);
}

/**
 * The environment of a run: runFsops's clean one (an empty HOME of its own, no AWS profile or instance
 * metadata, colors off, the audit file in that HOME) with `env` over it; `undefined` removes a variable.
 */
function cleanEnv(env: Record<string, string | undefined>): { env: NodeJS.ProcessEnv; home: string } {
  const home = mkdtempSync(join(tmpdir(), 'fsops-home-'));
  const baseEnv: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    // The test run's temporary root (test/helpers/global-setup.ts): what fsops leaves behind goes with it.
    TMPDIR: process.env.TMPDIR,
    HOME: home,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
    NO_COLOR: '1',
    FSOPS_AUDIT_FILE: join(home, 'audit.jsonl'),
  };
  const merged = Object.fromEntries(
    Object.entries({ ...baseEnv, ...env }).filter(([, v]) => v !== undefined),
  ) as NodeJS.ProcessEnv;
  return { env: merged, home };
}

/** runFsops for another copy of fsops (e.g. one installed from the packed tarball). */
export function runFsopsAt(
  bin: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  nodeArgs: string[] = [],
): Promise<CliResult> {
  const run = cleanEnv(env);
  return new Promise((done) => {
    execFile(
      process.execPath,
      [...nodeArgs, bin, ...args],
      { env: run.env, cwd: run.home, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** A bin/fsops still running: its output so far, and its result once it exits. */
export interface RunningFsops {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr has shown `text` (a progress line: the moment to send a signal). */
  printed(text: string): Promise<void>;
  /** The exit code (128 + the signal's number when a signal ended it, e.g. 137 for SIGKILL) and the output. */
  result: Promise<CliResult>;
}

/**
 * Starts bin/fsops in the environment of runFsops (plus `env`) and returns at once: for the tests that
 * signal it mid-run (Ctrl-C while a restore is awaited, a crash at a given call).
 */
export function startFsops(args: string[], env: Record<string, string | undefined> = {}): RunningFsops {
  const run = cleanEnv(env);
  const child = spawn(process.execPath, [BIN, ...args], { env: run.env, cwd: run.home });
  let stdout = '';
  let stderr = '';
  const waiting: { text: string; resolve(): void }[] = [];
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
    for (const wait of waiting.filter((w) => stderr.includes(w.text))) {
      waiting.splice(waiting.indexOf(wait), 1);
      wait.resolve();
    }
  });
  const result = new Promise<CliResult>((done) =>
    child.on('close', (code, signal) =>
      done({ code: code ?? (signal ? 128 + constants.signals[signal] : 1), stdout, stderr }),
    ),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    printed: (text) =>
      stderr.includes(text) ? Promise.resolve() : new Promise((resolve) => waiting.push({ text, resolve })),
    result,
  };
}

export const FAKE_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDFAKE', AWS_SECRET_ACCESS_KEY: 'fake-secret' };
