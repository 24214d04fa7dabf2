import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS, runFsops } from '../helpers/cli.js';

function tempConfig(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fsops-cfg-')), 'fsops.config.yaml');
  writeFileSync(file, text);
  return file;
}

/** Expected failures are one line on stderr, no stack trace. */
function expectOneLine(stderr: string, pattern: RegExp) {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('fsops (spawned)', () => {
  it('--help lists the commands (what it loads: test/e2e/startup.test.ts)', async () => {
    const result = await runFsops(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('validate [options] [env]');
    expect(result.stdout).toContain('runbook');
  });

  it('an unknown environment is one line and exit 2', async () => {
    const result = await runFsops(['validate', 'production']);
    expect(result.code).toBe(2);
    expectOneLine(
      result.stderr,
      /^fsops: unknown environment 'production': valid environments are dev, staging, prod$/,
    );
    expect(result.stdout).toBe('');
  });

  it('an unknown flag and an invalid duration are usage errors', async () => {
    const flag = await runFsops(['validate', 'prod', '--sinse', '1h']);
    expect(flag.code).toBe(2);
    expectOneLine(flag.stderr, /^fsops: unknown option '--sinse' \(Did you mean --since\?\)$/);
    const missing = await runFsops(['rollback']);
    expect(missing.code).toBe(2);
    expectOneLine(missing.stderr, /^fsops: missing required argument 'component' \(see --help\)$/);
    const duration = await runFsops(['validate', 'prod', '--since', 'yesterday'], FAKE_CREDENTIALS);
    expect(duration.code).toBe(2);
    expectOneLine(duration.stderr, /invalid --since 'yesterday'/);
    const format = await runFsops(['validate', 'prod', '--output', 'yaml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('Allowed choices are text, json, junit, markdown');
  });

  it('an invalid config lists every problem with its path, exit 2', async () => {
    const config = tempConfig(
      'environments:\n  prod:\n    accountId: "12"\n    ecs: { cpu: "lots" }\nthresholds:\n  cpuPercent: { warn: 99, fail: 90 }\n',
    );
    const result = await runFsops(['config', 'validate', '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is invalid:');
    expect(result.stderr).toContain('environments.prod.accountId: an AWS account id is 12 digits');
    expect(result.stderr).toContain('environments.prod.ecs.cpu');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('config show hides passwords and fills in the names of an environment', async () => {
    const config = tempConfig('environments:\n  prod:\n    database: { password: s3cr3t-value }\n');
    const all = await runFsops(['config', 'show', '--config', config]);
    expect(all.code).toBe(0);
    expect(all.stdout).not.toContain('s3cr3t-value');
    const prod = await runFsops(['config', 'show', '--env', 'prod', '--output', 'json', '--config', config]);
    const parsed = JSON.parse(prod.stdout);
    expect(parsed.names.service['internal-pe']).toBe('prod-internal-pe-service');
    expect(parsed.database.password).toBe('********');
  });

  it('missing AWS credentials are one line and exit 2', async () => {
    const result = await runFsops(['validate', 'prod']);
    expect(result.code).toBe(2);
    expectOneLine(result.stderr, /^fsops: no AWS credentials for prod: set --profile, AWS_PROFILE/);
  });

  it('an unreachable AWS endpoint is one line and exit 3', async () => {
    const config = tempConfig('aws: { maxAttempts: 1, connectTimeoutMs: 500, requestTimeoutMs: 1000 }\n');
    const result = await runFsops(
      ['validate', 'prod', '--config', config, '--endpoint-url', 'http://127.0.0.1:9'],
      FAKE_CREDENTIALS,
    );
    expect(result.code).toBe(3);
    expectOneLine(
      result.stderr,
      /^fsops: cannot verify the AWS identity for prod: could not reach the AWS endpoint/,
    );
  });

  it.each([
    ['rollback', 'internal-pe'],
    ['scale', 'internal-pe', '2'],
    ['maintenance', 'mode', 'on'],
    ['maintenance', 'run', 'weekly'],
    ['db', 'retention'],
    ['db', 'terminate', '4242'],
  ])('a mutating command never takes its environment from FSOPS_ENV: %s %s', async (...args) => {
    const result = await runFsops(args, { ...FAKE_CREDENTIALS, FSOPS_ENV: 'prod' });
    expect(result.code).toBe(2);
    expectOneLine(result.stderr, /FSOPS_ENV is not used/);
  });

  it('runbook list and show name their guide sections', async () => {
    const list = await runFsops(['runbook', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^validate\s+Post-deployment validation .*deployment guide §11\.1/m);
    const show = await runFsops(['runbook', 'show', 'validate']);
    expect(show.stdout).toContain('ECS service health [ecs.service; deployment guide §11.1, §12.1.1]');
    const unknown = await runFsops(['runbook', 'show', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown runbook 'nope': valid runbooks are .*validate/);
  });
});
