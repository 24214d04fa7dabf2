import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode, ExitError } from '../../../src/base/model/errors.js';
import { openEnvSession, requireExplicitEnv, verifyAccount } from '../../../src/engine/session.js';
import { TEST_CREDENTIALS } from '../../helpers/context.js';

const sts = mockClient(STSClient);
const saved = { ...process.env };

beforeEach(() => {
  sts.reset();
  for (const key of ['AWS_REGION', 'AWS_PROFILE', 'FSOPS_ENV', 'FSOPS_CONFIG']) delete process.env[key];
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
});
afterEach(() => {
  process.env = { ...saved };
});

async function exitCodeOf(promise: Promise<unknown>): Promise<number | string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof ExitError ? error.code : String(error);
  }
}

describe('openEnvSession', () => {
  it('resolves region and profile as the AWS CLI does: flag, then environment variable, then config', () => {
    expect(openEnvSession({}, 'prod').aws.settings).toMatchObject({
      region: 'ap-south-1',
      profile: undefined,
    });
    process.env.AWS_REGION = 'eu-west-1';
    process.env.AWS_PROFILE = 'from-env';
    expect(openEnvSession({}, 'prod').aws.settings).toMatchObject({
      region: 'eu-west-1',
      profile: 'from-env',
    });
    expect(openEnvSession({ region: 'us-east-1', profile: 'from-flag' }, 'prod').aws.settings).toMatchObject({
      region: 'us-east-1',
      profile: 'from-flag',
    });
  });

  it('takes the environment from FSOPS_ENV when not given, and mutating commands refuse that', () => {
    process.env.FSOPS_ENV = 'staging';
    expect(openEnvSession({}).env.name).toBe('staging');
    expect(() => requireExplicitEnv({}, 'rollback changes a service')).toThrow(
      'rollback changes a service: pass --env explicitly (FSOPS_ENV is not used for changes)',
    );
    expect(requireExplicitEnv({ env: 'prod' }, 'x')).toBe('prod');
  });
});

describe('verifyAccount (wrong-account guard)', () => {
  it('passes the configured account and returns the identity', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '123456789014', Arn: 'arn:aws:iam::123456789014:user/oncall' });
    expect(await verifyAccount(openEnvSession({}, 'prod'))).toEqual({
      account: '123456789014',
      arn: 'arn:aws:iam::123456789014:user/oncall',
    });
  });

  it('stops with exit 2 on another account, and on missing credentials', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'x' });
    expect(await exitCodeOf(verifyAccount(openEnvSession({}, 'prod')))).toBe(ExitCode.usage);
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    expect(await exitCodeOf(verifyAccount(openEnvSession({}, 'prod')))).toBe(ExitCode.usage);
  });

  it('exit 3 when STS cannot be reached or denies access', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }));
    expect(await exitCodeOf(verifyAccount(openEnvSession({}, 'prod')))).toBe(ExitCode.unreachable);
  });

  it('makes no call when the config gives no account id, unless the identity is needed (audit)', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '1', Arn: 'arn:who' });
    const session = openEnvSession({ config: undefined }, 'prod');
    session.env.accountId = null;
    expect(await verifyAccount(session)).toBeNull();
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
    expect(await verifyAccount(session, true)).toEqual({ account: '1', arn: 'arn:who' });
  });
});
