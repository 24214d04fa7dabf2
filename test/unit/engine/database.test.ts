import { afterEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../src/base/aws/clients.js';
import { lazyDatabase } from '../../../src/engine/database.js';
import type { EnvSession } from '../../../src/engine/session.js';
import { testEnv } from '../../helpers/context.js';
import { type FakeAws, startFakeAws } from '../../helpers/fake-aws.js';

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('lazyDatabase: close() ends what the run started', () => {
  it('a Secrets Manager read that hangs for the target alone (no session opened yet) is given up on close', async () => {
    process.env.AWS_ACCESS_KEY_ID ??= 'AKIDFAKE';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'fake-secret';
    fake = await startFakeAws({
      faults: [{ service: 'secretsmanager', action: 'GetSecretValue', kind: 'hang' }],
    });
    const env = testEnv('dev');
    const session: EnvSession = {
      config: env.config,
      env,
      aws: new AwsClients({
        region: 'ap-south-1',
        endpoint: fake.url,
        maxAttempts: 1,
        requestTimeoutMs: 600_000,
        connectTimeoutMs: 1000,
      }),
    };
    const db = lazyDatabase(session);
    // An action resolving the run's target for a session of its own (the test restore), then the run ends.
    const target = db.resolveTarget().then(
      () => 'resolved',
      () => 'given up',
    );
    while (!fake.calls.some((c) => c.action === 'GetSecretValue'))
      await new Promise((r) => setTimeout(r, 20));
    await db.close();
    try {
      expect(await target).toBe('given up');
    } finally {
      session.aws.destroy();
    }
  }, 20_000);
});
