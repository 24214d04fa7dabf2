import { AwsClients } from '../../src/base/aws/clients.js';
import { type EnvContext, parseConfigText, resolveEnvironment } from '../../src/base/config/load.js';
import type { CheckContext, DbQuery } from '../../src/base/model/check.js';
import { createFactCache } from '../../src/engine/runner.js';

/** Static credentials so the SDK never looks for real ones; AWS itself is faked with aws-sdk-client-mock. */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

export function testAws(): AwsClients {
  process.env.AWS_ACCESS_KEY_ID ??= TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= TEST_CREDENTIALS.secretAccessKey;
  return new AwsClients({
    region: 'ap-south-1',
    maxAttempts: 1,
    requestTimeoutMs: 2000,
    connectTimeoutMs: 1000,
  });
}

export function testEnv(name = 'prod', yaml = ''): EnvContext {
  return resolveEnvironment(parseConfigText(yaml, 'test config'), name);
}

export function testContext(
  overrides: Partial<CheckContext> & { envName?: string; configYaml?: string } = {},
): CheckContext {
  const { envName, configYaml, ...rest } = overrides;
  const now = new Date('2026-11-21T10:00:00Z');
  return {
    env: testEnv(envName, configYaml),
    aws: testAws(),
    signal: new AbortController().signal,
    since: new Date(now.getTime() - 15 * 60_000),
    now,
    once: createFactCache(),
    fetch,
    db: () => Promise.reject(new Error('no database in this test')),
    ...rest,
  } satisfies CheckContext;
}

export type { DbQuery };
