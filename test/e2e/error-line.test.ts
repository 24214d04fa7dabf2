import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS, runFsops } from '../helpers/cli.js';
import { AwsFault, type FakeAws, startFakeWorld } from '../helpers/fake-aws.js';

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('the one error line (src/cli.ts)', () => {
  it('shows the escape sequences of an AWS error message instead of sending them to the terminal', async () => {
    fake = await startFakeWorld('prod');
    fake.handlers.ecs!.ListTaskDefinitions = () => {
      throw new AwsFault('ValidationException', 'bad \x1b[31mred\x1b[0m \x1b]0;retitled\x07 input');
    };
    const result = await runFsops(
      ['deployments', 'internal-pe', '--env', 'prod', '--endpoint-url', fake.url],
      FAKE_CREDENTIALS,
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      'fsops: cannot read prod-internal-pe-service: ValidationException: bad \\x1b[31mred\\x1b[0m \\x1b]0;retitled\\x07 input\n',
    );
    expect(result.stderr).not.toContain('\x1b');
    expect(result.stderr).not.toContain('\x07');
  });
});
