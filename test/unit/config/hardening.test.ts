import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfigText, resolveEnvironment } from '../../../src/base/config/load.js';
import { UsageError } from '../../../src/base/model/errors.js';
import { runFsops } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'fsops-cfgdir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a config path that cannot be read is a config error', () => {
  it('a directory: UsageError naming the path', () => {
    expect(() => loadConfig(dir)).toThrow(UsageError);
    expect(() => loadConfig(dir)).toThrow(`cannot read config file ${dir}: it is a directory, not a file`);
  });

  it('fsops -c <directory>: one line, exit 2 (it used to be an unexpected error, exit 3)', async () => {
    const result = await runFsops(['-c', dir, 'config', 'validate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `fsops: cannot read config file ${dir}: it is a directory, not a file (give a YAML file with --config or FSOPS_CONFIG)\n`,
    );
  });

  it('FSOPS_CONFIG pointing at a directory: the same', async () => {
    const result = await runFsops(['config', 'show'], { FSOPS_CONFIG: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^fsops: cannot read config file .*: it is a directory, not a file/);
  });
});

describe('environments.<env>.database.thresholds override database.thresholds', () => {
  const config = parseConfigText(`
environments:
  prod:
    database:
      thresholds:
        lockWaitSeconds: { warn: 5, fail: 20 }
`);

  it('for that environment only, as the checks read them', () => {
    const prod = resolveEnvironment(config, 'prod');
    const staging = resolveEnvironment(config, 'staging');
    expect(prod.config.database.thresholds.lockWaitSeconds).toEqual({ warn: 5, fail: 20 });
    expect(prod.config.database.thresholds.longQuerySeconds).toEqual(
      config.database.thresholds.longQuerySeconds,
    );
    expect(staging.config.database.thresholds.lockWaitSeconds).toEqual(
      config.database.thresholds.lockWaitSeconds,
    );
    expect(config.database.thresholds.lockWaitSeconds).not.toEqual({ warn: 5, fail: 20 });
  });

  it('keys that would have no effect there are rejected with their path', () => {
    // cpuPercent is a CloudWatch threshold (environments.<env>.thresholds), not a database one.
    expect(() =>
      parseConfigText(
        'environments: { prod: { database: { thresholds: { cpuPercent: { warn: 1, fail: 2 } } } } }',
      ),
    ).toThrow(/environments\.prod\.database\.thresholds: unknown setting cpuPercent/);
    // Naming templates are per environment at environments.<env>.names, not under database.
    expect(() =>
      parseConfigText("environments: { prod: { database: { names: { cluster: 'x-{env}' } } } }"),
    ).toThrow(/environments\.prod\.database: unknown setting names/);
  });

  it('a pair in the wrong order is rejected with its path', () => {
    expect(() =>
      parseConfigText(
        'environments: { prod: { database: { thresholds: { lockWaitSeconds: { warn: 30, fail: 5 } } } } }',
      ),
    ).toThrow(/environments\.prod\.database\.thresholds\.lockWaitSeconds: warn must not exceed fail/);
  });
});
