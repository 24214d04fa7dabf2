import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  DescribeServicesCommand,
  ECSClient,
  ListTasksCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { scale } from '../../../src/commands/scale.js';
import { DEFAULT_MAX_DESIRED_COUNT, judgeScale } from '../../../src/domain/ecs/scale-limits.js';
import type { PromptIO } from '../../../src/engine/safety.js';
import { testRuntime } from '../../helpers/runtime.js';
import { auditRecords, scriptedTerminal, service, stubCommandEnv } from './builders.js';

const ecs = mockClient(ECSClient);
const sts = mockClient(STSClient);
const autoScaling = mockClient(ApplicationAutoScalingClient);

let dir: string;
let printed: string;

const io = (isTTY: boolean, answer = '') =>
  scriptedTerminal(isTTY, answer, (text) => {
    printed += text;
  });
const deps = (prompt: PromptIO) => testRuntime({ io: prompt });
const audit = () => auditRecords(dir);

function useConfig(lines: string[]): void {
  const file = join(dir, 'fsops.config.yaml');
  writeFileSync(file, lines.join('\n') || '{}');
  vi.stubEnv('FSOPS_CONFIG', file);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fsops-scale-'));
  useConfig([]);
  stubCommandEnv(dir);
  printed = '';
  ecs.reset();
  sts.reset();
  autoScaling.reset();
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: '123456789014', Arn: 'arn:aws:iam::123456789014:user/oncall' });
  // prod internal-pe: 3 tasks wanted and running.
  ecs.on(DescribeServicesCommand).resolves({ services: [service(42)], failures: [] });
  ecs.on(ListTasksCommand).resolves({ taskArns: [] });
  autoScaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

const updates = () => ecs.commandCalls(UpdateServiceCommand).length;

describe('judgeScale', () => {
  const config = { max: 20, min: null, source: 'config' };
  it('refuses over the limit, asks for large jumps, lets ordinary changes through', () => {
    expect(judgeScale(21, 3, 3, config).verdict).toBe('over-limit');
    expect(judgeScale(20, 10, 3, config).verdict).toBe('ok');
    expect(judgeScale(7, 3, 3, config).verdict).toBe('large');
    expect(judgeScale(6, 3, 3, config).verdict).toBe('ok');
    // Back from 0 to the expected count is not a jump; beyond twice the expected count is.
    expect(judgeScale(3, 0, 3, config).verdict).toBe('ok');
    expect(judgeScale(7, 0, 3, config).verdict).toBe('large');
    // More than 10 tasks at once is large even when under twice the current count.
    expect(judgeScale(27, 15, 3, { ...config, max: 100 }).verdict).toBe('large');
    expect(judgeScale(0, 3, 3, config).verdict).toBe('ok');
  });
});

describe('fsops scale is bounded', () => {
  it('99999999 in prod with --yes: exit 2 with what is valid, nothing changed (it went through)', async () => {
    await expect(
      scale('internal-pe', '99999999', { env: 'prod', yes: true }, deps(io(false))),
    ).rejects.toThrow(
      `scale prod-internal-pe-service: 99999999 tasks is over the limit of ${DEFAULT_MAX_DESIRED_COUNT} (the default maximum (set environments.prod.limits.maxDesiredCount to change it)): give a count from 0 to ${DEFAULT_MAX_DESIRED_COUNT}`,
    );
    expect(updates()).toBe(0);
  });

  it("the service's Application Auto Scaling maximum is the bound when it has one", async () => {
    autoScaling.on(DescribeScalableTargetsCommand).resolves({
      ScalableTargets: [
        {
          ServiceNamespace: 'ecs',
          ResourceId: 'service/prod-fivestar-payments/prod-internal-pe-service',
          ScalableDimension: 'ecs:service:DesiredCount',
          MinCapacity: 2,
          MaxCapacity: 5,
          RoleARN: 'arn:aws:iam::123456789014:role/aas',
          CreationTime: new Date(),
        },
      ],
    });
    await expect(
      scale('internal-pe', '6', { env: 'prod', yes: true, allowLarge: true }, deps(io(false))),
    ).rejects.toThrow(
      /6 tasks is over the limit of 5 \(Application Auto Scaling \(min 2, max 5\)\): give a count from 0 to 5/,
    );
    expect(autoScaling.commandCalls(DescribeScalableTargetsCommand)[0]!.args[0].input).toEqual({
      ServiceNamespace: 'ecs',
      ResourceIds: ['service/prod-fivestar-payments/prod-internal-pe-service'],
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    expect(updates()).toBe(0);
  });

  it('auto scaling limits that cannot be read fall back to the config maximum, and the plan says so', async () => {
    useConfig(['environments:', '  prod:', '    limits:', '      maxDesiredCount: 4']);
    autoScaling
      .on(DescribeScalableTargetsCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    await expect(scale('internal-pe', '5', { env: 'prod', yes: true }, deps(io(false)))).rejects.toThrow(
      /5 tasks is over the limit of 4 \(environments\.prod\.limits\.maxDesiredCount\)/,
    );
    await expect(scale('internal-pe', '4', { env: 'prod', dryRun: true }, deps(io(false)))).resolves.toBe(0);
    expect(printed).toContain(
      'limit: at most 4 tasks (environments.prod.limits.maxDesiredCount); auto scaling limits unknown: access denied',
    );
    expect(updates()).toBe(0);
  });

  it('a large jump without a terminal needs --allow-large as well as --yes', async () => {
    await expect(scale('internal-pe', '15', { env: 'prod', yes: true }, deps(io(false)))).rejects.toThrow(
      /refusing to scale prod-internal-pe-service to 15 without --allow-large/,
    );
    expect(printed).toContain('LARGE: 3 -> 15 is a large jump');
    expect(updates()).toBe(0);
    expect(audit().map((r) => r.result)).toEqual(['refused']);
  });

  it('a large jump on a terminal needs the count typed, even with --yes', async () => {
    const prompt = io(true, 'y');
    await expect(scale('internal-pe', '15', { env: 'prod', yes: true }, deps(prompt))).rejects.toThrow(
      /not confirmed \(expected '15'\)/,
    );
    expect(prompt.asked).toEqual(["Type '15' to scale prod-internal-pe-service to 15: "]);
    expect(updates()).toBe(0);
  });

  it('an ordinary change is not a large jump', async () => {
    await expect(scale('internal-pe', '5', { env: 'prod', dryRun: true }, deps(io(false)))).resolves.toBe(0);
    expect(printed).not.toContain('LARGE');
  });
});
