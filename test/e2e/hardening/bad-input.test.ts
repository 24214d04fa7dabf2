import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS, runFsops } from '../../helpers/cli.js';
import { type FakeAws, startFakeAws } from '../../helpers/fake-aws.js';

// Run `npm run build` first. Bad input (a flag's value that cannot be right) is refused in one line with
// what is valid, exit 2, before any AWS call: not even the account check reaches the endpoint.

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws({});
});
afterAll(async () => {
  await fake.close();
});

describe('a bad flag value is refused before any AWS call', () => {
  it.each([
    [
      ['logs', 'archive', '--env', 'prod', '--month', '2026-13', '--yes'],
      "fsops: --month '2026-13' is not a month: give YYYY-MM, e.g. 2026-11",
    ],
    [
      ['backup', 'verify', '--env', 'staging', '--from', 'pitr', '--time', 'yesterday', '--yes'],
      "fsops: --time 'yesterday' is not an ISO 8601 time, e.g. 2026-11-29T02:30:00Z",
    ],
    [
      ['deploy', 'internal-pe', '--env', 'staging', '--image', 'bad:::tag', '--yes'],
      "fsops: invalid --image 'bad:::tag': give a tag (1.4.3), a digest (sha256:<64 hex>), or the full reference of the same repository",
    ],
    [
      ['recover', 'db', '--env', 'staging', '--to-time', 'garbage', '--yes'],
      "fsops: --to-time 'garbage' is not an ISO 8601 time, e.g. 2026-11-29T02:30:00Z",
    ],
    [
      ['payments', 'reconcile', '--env', 'prod', '--date', '2026-02-30'],
      "fsops: --date '2026-02-30' is not a date: give YYYY-MM-DD, e.g. 2026-12-06 (default: yesterday)",
    ],
  ])('fsops %j: exit 2, one line, no AWS call', async (args, line) => {
    fake.calls.length = 0;
    const result = await runFsops([...args, '--endpoint-url', fake.url], FAKE_CREDENTIALS);
    expect([result.code, result.stderr.trim()]).toEqual([2, line]);
    expect(fake.calls).toEqual([]);
  });
});
