import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { maintenanceMode } from '../../../src/commands/maintenance-mode.js';
import { TEST_CREDENTIALS } from '../../helpers/context.js';
import { type TestRuntime, testRuntime } from '../../helpers/runtime.js';

const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const PARAMETER = '/fivestar/payments/staging/features/maintenance_mode';
let dir: string;
let runtime: TestRuntime;
const audit = () => {
  try {
    return readFileSync(join(dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
};

beforeEach(() => {
  ssm.reset();
  sts.reset();
  dir = mkdtempSync(join(tmpdir(), 'fsops-mode-'));
  vi.stubEnv('FSOPS_AUDIT_FILE', join(dir, 'audit.jsonl'));
  vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
  vi.stubEnv('FSOPS_CONFIG', '');
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: '123456789013', Arn: 'arn:aws:iam::123456789013:user/oncall' });
  ssm
    .on(GetParameterCommand, { Name: PARAMETER })
    .resolves({ Parameter: { Name: PARAMETER, Value: 'false' } });
  ssm.on(PutParameterCommand).resolves({ Version: 7 });
  runtime = testRuntime();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('fsops maintenance mode', () => {
  it('status reads the parameter and changes nothing', async () => {
    expect(await maintenanceMode('status', { env: 'staging', output: 'json' }, runtime)).toBe(0);
    expect(JSON.parse(runtime.out())).toMatchObject({ parameter: PARAMETER, value: 'false', mode: 'off' });
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(audit()).toEqual([]);
  });

  it('on without a terminal and without --yes refuses, sends no PutParameter, and audits the refusal', async () => {
    await expect(maintenanceMode('on', { env: 'staging' }, runtime)).rejects.toThrow(
      /refusing to turn maintenance mode on without confirmation.*--yes/,
    );
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(audit()).toEqual([
      expect.objectContaining({
        command: 'maintenance mode on',
        result: 'refused',
        env: 'staging',
        from: 'false',
        to: 'true',
      }),
    ]);
  });

  it('--dry-run shows the plan, sends nothing, and audits the dry run', async () => {
    expect(await maintenanceMode('on', { env: 'staging', dryRun: true }, runtime)).toBe(0);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(audit()[0]).toMatchObject({ result: 'dry-run' });
  });

  it('on --yes overwrites the parameter and audits who did it', async () => {
    expect(await maintenanceMode('on', { env: 'staging', yes: true, output: 'json' }, runtime)).toBe(0);
    const calls = ssm.commandCalls(PutParameterCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ Name: PARAMETER, Value: 'true', Overwrite: true });
    expect(JSON.parse(runtime.out())).toMatchObject({
      from: 'false',
      to: 'true',
      version: 7,
      result: 'changed',
    });
    // "started" is audited before PutParameter, the outcome after it.
    expect(audit().map((r) => r.result)).toEqual(['started', 'succeeded']);
    expect(audit()[1]).toMatchObject({
      result: 'succeeded',
      identity: 'arn:aws:iam::123456789013:user/oncall',
      command: 'maintenance mode on',
    });
  });

  it('creates a missing parameter as a String', async () => {
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound' }));
    await maintenanceMode('off', { env: 'staging', yes: true }, runtime);
    expect(ssm.commandCalls(PutParameterCommand)[0]!.args[0].input).toMatchObject({
      Name: PARAMETER,
      Value: 'false',
      Overwrite: false,
      Type: 'String',
    });
  });

  it('does nothing when the mode is already as asked', async () => {
    expect(await maintenanceMode('off', { env: 'staging' }, runtime)).toBe(0);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(runtime.out()).toMatch(/already off/);
  });

  it('prod on a terminal needs the environment name typed', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '123456789014', Arn: 'arn:aws:iam::123456789014:user/oncall' });
    const prodParameter = '/fivestar/payments/prod/features/maintenance_mode';
    ssm.on(GetParameterCommand, { Name: prodParameter }).resolves({ Parameter: { Value: 'false' } });
    await expect(maintenanceMode('on', { env: 'prod' }, testRuntime({ answers: 'yes' }))).rejects.toThrow(
      /expected 'prod'/,
    );
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(await maintenanceMode('on', { env: 'prod' }, testRuntime({ answers: 'prod' }))).toBe(0);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(1);
  });

  it('rejects an unknown state and a wrong account before any change', async () => {
    await expect(maintenanceMode('maybe', { env: 'staging' }, runtime)).rejects.toThrow(
      /valid are on, off, status/,
    );
    sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: 'x' });
    await expect(maintenanceMode('on', { env: 'staging', yes: true }, runtime)).rejects.toThrow(
      /wrong AWS account for staging/,
    );
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  });
});
