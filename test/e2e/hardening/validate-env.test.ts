import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS, runFsops } from '../../helpers/cli.js';
import { type FakeAws, startFakeWorld } from '../../helpers/fake-aws.js';

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('validate takes its environment positionally or as the global --env', () => {
  it('no environment at all: one line naming the positional form and the valid environments, exit 2', async () => {
    const result = await runFsops(['validate'], { ...FAKE_CREDENTIALS, FSOPS_ENV: undefined });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'fsops: validate: which environment? fsops validate <env> (valid: dev, staging, prod; or set FSOPS_ENV)\n',
    );
  });

  it('validate --env prod validates prod', async () => {
    fake = await startFakeWorld('prod');
    const result = await runFsops(
      ['validate', '--env', 'prod', '--endpoint-url', fake.url, '--output', 'json'],
      FAKE_CREDENTIALS,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ command: 'validate', env: 'prod', status: 'pass' });
  });

  it('the same environment both ways is fine; two different ones: one line, exit 2, nothing checked', async () => {
    fake = await startFakeWorld('prod');
    const same = await runFsops(
      ['validate', 'prod', '--env', 'prod', '--endpoint-url', fake.url, '--output', 'json'],
      FAKE_CREDENTIALS,
    );
    expect(same.code).toBe(0);
    const before = fake.calls.length;
    const conflict = await runFsops(
      ['validate', 'staging', '--env', 'prod', '--endpoint-url', fake.url],
      FAKE_CREDENTIALS,
    );
    expect(conflict.code).toBe(2);
    expect(conflict.stdout).toBe('');
    expect(conflict.stderr).toBe(
      "fsops: validate: two environments given, 'staging' and --env 'prod': give one (fsops validate <env>)\n",
    );
    expect(fake.calls.length).toBe(before);
  });
});
