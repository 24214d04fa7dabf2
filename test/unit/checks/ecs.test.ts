import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ecsServiceCheck, evaluateService } from '../../../src/catalogue/checks/ecs-service.js';
import { ecsTaskSizeCheck, evaluateTaskSize } from '../../../src/catalogue/checks/ecs-task-size.js';
import { testContext } from '../../helpers/context.js';

const ecs = mockClient(ECSClient);
const profile = { desiredCount: 3, cpu: 2048, memory: 4096 };
const where = { component: 'internal-pe', env: 'prod' };

function service(overrides: Partial<Service> = {}): Service {
  return {
    serviceName: 'prod-internal-pe-service',
    status: 'ACTIVE',
    desiredCount: 3,
    runningCount: 3,
    pendingCount: 0,
    taskDefinition: 'arn:aws:ecs:ap-south-1:1:task-definition/prod-fivestar-internal-pe:42',
    deployments: [
      {
        status: 'PRIMARY',
        rolloutState: 'COMPLETED',
        taskDefinition: 'arn:aws:ecs:ap-south-1:1:task-definition/prod-fivestar-internal-pe:42',
        runningCount: 3,
        desiredCount: 3,
        failedTasks: 0,
      },
    ],
    ...overrides,
  };
}

const statusOf = (results: ReturnType<typeof evaluateService>, id: string) =>
  results.find((r) => r.id === id)?.status;

describe('evaluateService', () => {
  it('passes a stable service sized as the profile', () => {
    const results = evaluateService('svc', service(), profile, where);
    expect(results.map((r) => r.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
  });

  it('fails a missing or draining service and stops there', () => {
    expect(evaluateService('svc', null, profile, where)).toMatchObject([
      { id: 'ecs.service.active', status: 'fail', observed: 'service not found in the cluster' },
    ]);
    expect(evaluateService('svc', service({ status: 'DRAINING' }), profile, where)).toMatchObject([
      { status: 'fail', observed: 'status DRAINING' },
    ]);
  });

  it('fails when running tasks fall short of desired', () => {
    const results = evaluateService('svc', service({ runningCount: 1, pendingCount: 2 }), profile, where);
    expect(results.find((r) => r.id === 'ecs.service.running')).toMatchObject({
      status: 'fail',
      observed: '1 running, 2 pending, 3 desired',
      remediation: expect.stringContaining('`fsops ecs tasks internal-pe --env prod`'),
    });
  });

  it('warns on a deployment still in progress and fails a failed one', () => {
    const inProgress = service({
      deployments: [
        {
          status: 'PRIMARY',
          rolloutState: 'IN_PROGRESS',
          taskDefinition: 'td:43',
          runningCount: 1,
          desiredCount: 3,
        },
        {
          status: 'ACTIVE',
          rolloutState: 'COMPLETED',
          taskDefinition: 'td:42',
          runningCount: 3,
          desiredCount: 3,
        },
      ],
    });
    expect(statusOf(evaluateService('svc', inProgress, profile, where), 'ecs.service.deployment')).toBe(
      'warn',
    );
    const failed = service({
      deployments: [
        { status: 'PRIMARY', rolloutState: 'FAILED', rolloutStateReason: 'circuit breaker', failedTasks: 4 },
      ],
    });
    const results = evaluateService('svc', failed, profile, where);
    expect(statusOf(results, 'ecs.service.deployment')).toBe('fail');
    expect(results.find((r) => r.id === 'ecs.service.failed-tasks')).toMatchObject({
      status: 'fail',
      observed: '4 failed tasks',
    });
  });

  it('warns when desired count differs from the profile', () => {
    const results = evaluateService('svc', service({ desiredCount: 2, runningCount: 2 }), profile, where);
    expect(results.find((r) => r.id === 'ecs.service.desired-count')).toMatchObject({
      status: 'warn',
      observed: '2',
    });
  });
});

describe('evaluateTaskSize', () => {
  it('passes the profile size and warns on any drift, naming the revision', () => {
    const def = {
      taskDefinitionArn: 'arn:aws:ecs:ap-south-1:1:task-definition/prod-fivestar-internal-pe:42',
    };
    expect(evaluateTaskSize('svc', { ...def, cpu: '2048', memory: '4096' }, profile)).toMatchObject({
      status: 'pass',
      resource: 'svc (prod-fivestar-internal-pe:42)',
    });
    expect(evaluateTaskSize('svc', { ...def, cpu: '2048', memory: '2048' }, profile)).toMatchObject({
      status: 'warn',
      observed: 'cpu 2048, memory 2048',
    });
  });
});

describe('ecs checks through the SDK', () => {
  beforeEach(() => ecs.reset());

  it('describes both services in one DescribeServices call shared by both checks', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [service(), service({ serviceName: 'prod-customer-portal-service' })],
    });
    ecs
      .on(DescribeTaskDefinitionCommand)
      .resolves({ taskDefinition: { cpu: '1024', memory: '4096', taskDefinitionArn: 'x:42' } });
    const ctx = testContext();
    const [services, sizes] = await Promise.all([
      ecsServiceCheck.run(ctx, {}),
      ecsTaskSizeCheck.run(ctx, {}),
    ]);
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
    expect(ecs.commandCalls(DescribeServicesCommand)[0]!.args[0].input).toEqual({
      cluster: 'prod-fivestar-payments',
      services: ['prod-internal-pe-service', 'prod-customer-portal-service'],
    });
    expect(services.every((r) => r.status === 'pass')).toBe(true);
    expect(sizes).toHaveLength(2);
    expect(sizes[0]).toMatchObject({
      status: 'warn',
      observed: 'cpu 1024, memory 4096',
      expected: expect.stringContaining('cpu 2048'),
    });
    // one task definition, described once although two services use it
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(1);
  });

  it('describes a fleet of 50 services in batches of 10, at most 4 calls in flight', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `svc-${i}`);
    let inFlight = 0;
    let peak = 0;
    ecs.on(DescribeServicesCommand).callsFake(async (input: { services: string[] }) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((done) => setTimeout(done, 5));
      inFlight -= 1;
      return { services: input.services.map((serviceName) => service({ serviceName })) };
    });
    ecs
      .on(DescribeTaskDefinitionCommand)
      .resolves({ taskDefinition: { cpu: '2048', memory: '4096', taskDefinitionArn: 'x:42' } });
    const ctx = testContext({ configYaml: `components: [${names.join(', ')}]\n` });
    const results = await ecsServiceCheck.run(ctx, {});
    const calls = ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services ?? []);
    expect(calls).toHaveLength(5);
    expect(calls.every((batch) => batch.length === 10)).toBe(true);
    expect(calls.flat().sort()).toEqual(names.map((n) => `prod-${n}-service`).sort());
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
    expect(new Set(results.map((r) => r.resource)).size).toBe(50);
  });

  it('reports a service ECS does not return as missing', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolves({ services: [service()], failures: [{ arn: 'x', reason: 'MISSING' }] });
    const results = await ecsServiceCheck.run(testContext(), { components: ['customer-portal'] });
    expect(results).toMatchObject([{ status: 'fail', resource: 'prod-customer-portal-service' }]);
  });
});
