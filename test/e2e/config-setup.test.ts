import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/base/config/defaults.js';
import { parseConfigText } from '../../src/base/config/load.js';
import { starterConfig } from '../../src/commands/config-init.js';
import { runFsops } from '../helpers/cli.js';

describe('fsops config path and config init', () => {
  it('config path: the four places in order, the one used; json too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsops-cfgpath-'));
    const none = await runFsops(['config', 'path']);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(
      /1\. --config +\(not set\)\n {2}2\. FSOPS_CONFIG +\(not set\)\n {2}3\. working folder +\S+fsops\.config\.yaml {2}not found\n {2}4\. user config +\S+\/fsops\/config\.yaml {2}not found\nno config file: fsops uses its built-in defaults/,
    );
    const file = join(dir, 'team.yaml');
    writeFileSync(file, 'region: eu-west-1\n');
    const json = await runFsops(['config', 'path', '--output', 'json'], {
      FSOPS_CONFIG: file,
      XDG_CONFIG_HOME: join(dir, 'xdg'),
    });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      used: file,
      candidates: [
        { source: '--config', path: null, exists: false, used: false },
        { source: 'FSOPS_CONFIG', path: file, exists: true, used: true },
        { source: 'working folder', exists: false, used: false },
        { source: 'user config', path: join(dir, 'xdg', 'fsops', 'config.yaml'), exists: false, used: false },
      ],
    });
    const missing = await runFsops(['config', 'path', '--config', join(dir, 'nope.yaml')]);
    expect(missing.stdout).toContain('nope.yaml  <- given, not found');
  });

  it('config init writes a starter that validates and changes nothing; never overwrites', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsops-cfginit-'));
    const file = join(dir, 'fsops.config.yaml');
    const first = await runFsops(['config', 'init', '--config', file]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      `wrote ${file}\nnext: edit the names and account ids, then fsops config validate and fsops config show --env prod\n`,
    );
    const written = readFileSync(file, 'utf8');
    expect(written).toMatch(/^# fsops configuration/);
    expect(written).toContain('accountId: "123456789014"');
    expect((await runFsops(['config', 'validate', '--config', file])).code).toBe(0);
    writeFileSync(file, `${written}# edited\n`);
    const again = await runFsops(['config', 'init', '--config', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists: config init never overwrites a file/);
    expect(readFileSync(file, 'utf8')).toBe(`${written}# edited\n`);
  });

  it('the starter file is the defaults: loading it gives the same config', () => {
    expect(parseConfigText(starterConfig(DEFAULT_CONFIG))).toEqual(DEFAULT_CONFIG);
  });
});
