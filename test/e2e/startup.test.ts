import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, FAKE_CREDENTIALS, runFsops } from '../helpers/cli.js';
import { startFakeWorld } from '../helpers/fake-aws.js';
import { loadedModules, MODULE_PROBE, sdkModules, sdkPackages } from './module-probe.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

function node(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(
      process.execPath,
      args,
      { cwd: ROOT, env: { PATH: process.env.PATH, NO_COLOR: '1' } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe('start-up: what `fsops --help` and `--version` load (an ESM module probe)', () => {
  it('--help through the bundle (as in a terminal) loads dist/cli.js but no AWS SDK chunk or module', async () => {
    const result = await node([...MODULE_PROBE, resolve(ROOT, 'dist', 'cli.js'), '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('validate [options] [env]');
    const modules = loadedModules(result.stderr);
    expect(modules.some((url) => url.endsWith('/dist/cli.js'))).toBe(true);
    expect(sdkModules(modules)).toEqual([]);
    expect(modules.filter((url) => url.includes('@aws-sdk'))).toEqual([]);
  });

  it('--help and --version into a pipe: the same text as the bundle, without loading it', async () => {
    for (const flag of ['--help', '-h', '--version', '-V']) {
      const fast = await runFsops([flag], {}, MODULE_PROBE);
      const full = await node([resolve(ROOT, 'dist', 'cli.js'), flag]);
      expect(fast.code, flag).toBe(0);
      expect(fast.stdout, flag).toBe(full.stdout);
      const modules = loadedModules(fast.stderr);
      expect(
        modules.filter((url) => url.includes('/dist/')),
        flag,
      ).toEqual([]);
      expect(sdkModules(modules), flag).toEqual([]);
    }
    expect((await runFsops(['--version'])).stdout.trim()).toBe('0.1.0');
  });

  it('anything else goes through the bundle: a bad flag, a command', async () => {
    const bad = await runFsops(['--versio'], {}, MODULE_PROBE);
    expect(bad.code).toBe(2);
    expect(loadedModules(bad.stderr).some((url) => url.endsWith('/dist/cli.js'))).toBe(true);
    const list = await runFsops(['runbook', 'list'], {}, MODULE_PROBE);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('validate');
    expect(sdkModules(loadedModules(list.stderr))).toEqual([]);
  });

  // The probe's self-tests: the assertions above would fail if an SDK module were loaded.
  it('probe self-test: sees the SDK chunks a validate run loads from the bundle', async () => {
    const fake = await startFakeWorld('prod');
    try {
      const result = await runFsops(
        ['validate', 'prod', '--endpoint-url', fake.url, '--output', 'json'],
        FAKE_CREDENTIALS,
        MODULE_PROBE,
      );
      expect(result.code).toBe(0);
      const packages = sdkPackages(loadedModules(result.stderr));
      expect(packages).toContain('@aws-sdk/client-ecs');
      expect(packages).toContain('@aws-sdk/client-sts');
      // Only the clients validate uses: no EC2 or Secrets Manager code.
      expect(packages).not.toContain('@aws-sdk/client-ec2');
      expect(packages).not.toContain('@aws-sdk/client-secrets-manager');
    } finally {
      await fake.close();
    }
  });

  it('probe self-test: sees an @aws-sdk client imported outside the bundle', async () => {
    const result = await node([
      ...MODULE_PROBE,
      '--input-type=module',
      '-e',
      "await import('@aws-sdk/client-sts');",
    ]);
    expect(result.code).toBe(0);
    expect(
      sdkModules(loadedModules(result.stderr)).some((url) => url.includes('/@aws-sdk/client-sts/')),
    ).toBe(true);
  });

  it('keeps a compile cache where NODE_COMPILE_CACHE says, and runs without one where it cannot be written', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'fsops-cc-'));
    const cached = await runFsops(['runbook', 'list'], { NODE_COMPILE_CACHE: cache });
    expect(cached.code).toBe(0);
    expect(readdirSync(cache).length).toBeGreaterThan(0);
    const unwritable = await runFsops(['runbook', 'list'], { NODE_COMPILE_CACHE: '/dev/null/cache' });
    expect(unwritable.code).toBe(0);
    expect(unwritable.stdout).toBe(cached.stdout);
    expect(unwritable.stderr).toBe('');
  });

  it('the bundle carries source maps back to src/*.ts, and bin/fsops turns them on', () => {
    const map = JSON.parse(readFileSync(resolve(ROOT, 'dist', 'cli.js.map'), 'utf8')) as {
      sources: string[];
    };
    expect(map.sources).toContain('../src/cli.ts');
    expect(readFileSync(resolve(ROOT, 'dist', 'cli.js'), 'utf8')).toMatch(
      /\/\/# sourceMappingURL=cli\.js\.map\s*$/,
    );
    expect(readFileSync(BIN, 'utf8')).toContain('process.setSourceMapsEnabled(true)');
  });

  it('a probe that never reported fails the test instead of passing it', () => {
    expect(() => loadedModules('fsops: something\n')).toThrow(/did not report/);
    expect(BIN).toMatch(/bin\/fsops$/);
  });
});
