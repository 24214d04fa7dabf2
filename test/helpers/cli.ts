import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** runFsops for another copy of fsops (e.g. one installed from the packed tarball). */
export function runFsopsAt(
  bin: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  nodeArgs: string[] = [],
): Promise<CliResult> {
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
  return new Promise((done) => {
    execFile(
      process.execPath,
      [...nodeArgs, bin, ...args],
      { env: merged, cwd: home, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

export const FAKE_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDFAKE', AWS_SECRET_ACCESS_KEY: 'fake-secret' };
