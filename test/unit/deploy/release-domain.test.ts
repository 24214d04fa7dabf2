import type { Service, TaskDefinition } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { testTrafficOnGreen } from '../../../src/catalogue/actions/deploy/release.js';
import { diffTaskDefinitions } from '../../../src/domain/ecs/taskdef.js';
import { deploymentState, followDeployment, trafficOf } from '../../../src/domain/release/lifecycle.js';
import {
  chooseStrategy,
  codeDeployRefusal,
  controllerRefusal,
  updateServiceInput,
} from '../../../src/domain/release/strategy.js';
import {
  asTaskDefinition,
  releaseContainer,
  releaseTaskDefinition,
} from '../../../src/domain/release/taskdef.js';
import { listenerArnOfRule } from '../../../src/domain/release/test-listener.js';

const running: TaskDefinition = {
  taskDefinitionArn: 'arn:aws:ecs:ap-south-1:1:task-definition/prod-fivestar-internal-pe:42',
  family: 'prod-fivestar-internal-pe',
  revision: 42,
  status: 'ACTIVE',
  cpu: '2048',
  memory: '4096',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  requiresAttributes: [{ name: 'x' }],
  compatibilities: ['FARGATE'],
  registeredAt: new Date(),
  executionRoleArn: 'arn:aws:iam::1:role/exec',
  containerDefinitions: [
    { name: 'internal-pe', image: 'repo/app:1.4.2', environment: [{ name: 'A', value: '1' }] },
    { name: 'log-router', image: 'fluent-bit:2' },
  ],
};

describe('the task-definition copy', () => {
  it('changes only the chosen container image; the read-only fields are not registered; the diff shows only the image', () => {
    const input = releaseTaskDefinition(running, 'internal-pe', 'repo/app:1.4.3', [
      { key: 'team', value: 'payments' },
    ]);
    expect(input).toMatchObject({
      family: 'prod-fivestar-internal-pe',
      cpu: '2048',
      memory: '4096',
      networkMode: 'awsvpc',
      executionRoleArn: 'arn:aws:iam::1:role/exec',
      tags: [{ key: 'team', value: 'payments' }],
    });
    for (const key of [
      'revision',
      'status',
      'requiresAttributes',
      'compatibilities',
      'registeredAt',
      'taskDefinitionArn',
    ]) {
      expect(input).not.toHaveProperty(key);
    }
    expect(input.containerDefinitions?.[1]).toEqual(running.containerDefinitions?.[1]);
    expect(diffTaskDefinitions(running, asTaskDefinition(input))).toEqual([
      'image internal-pe: repo/app:1.4.2 -> repo/app:1.4.3',
    ]);
  });

  it('picks the container named after the component, or asks for --container', () => {
    expect(releaseContainer(running, 'internal-pe')).toBe('internal-pe');
    expect(() => releaseContainer(running, 'customer-portal')).toThrow(
      /pick one with --container \(internal-pe, log-router\)/,
    );
    expect(() => releaseContainer(running, 'internal-pe', 'nope')).toThrow(/--container 'nope' is not in/);
  });
});

describe('strategy', () => {
  const lb = {
    targetGroupArn: 'tg-blue',
    containerName: 'internal-pe',
    containerPort: 8080,
    advancedConfiguration: {
      alternateTargetGroupArn: 'tg-green',
      productionListenerRule: 'rule-prod',
      testListenerRule: 'rule-test',
      roleArn: 'role',
    },
  };
  const service: Service = {
    serviceName: 'prod-internal-pe-service',
    deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100, strategy: 'ROLLING' },
    loadBalancers: [lb],
  };
  const settings = {
    cluster: 'c',
    service: 's',
    taskDefinition: 'fam:43',
    bakeTimeInMinutes: 15,
    alarmNames: ['A'],
  };

  it('rolling turns the circuit breaker and its rollback on and keeps the service settings', () => {
    expect(updateServiceInput(service, { ...settings, strategy: 'rolling' }).deploymentConfiguration).toEqual(
      {
        maximumPercent: 200,
        minimumHealthyPercent: 100,
        strategy: 'ROLLING',
        deploymentCircuitBreaker: { enable: true, rollback: true },
        alarms: { alarmNames: ['A'], enable: true, rollback: true },
      },
    );
  });

  it('blue-green sets BLUE_GREEN, the bake time, the alarms, and the load balancers with their advanced configuration', () => {
    const input = updateServiceInput(service, { ...settings, strategy: 'blue-green' });
    expect(input.deploymentConfiguration).toMatchObject({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 15,
      alarms: { alarmNames: ['A'], rollback: true },
    });
    expect(input.loadBalancers).toEqual([lb]);
    expect(() =>
      updateServiceInput({ ...service, loadBalancers: [] }, { ...settings, strategy: 'blue-green' }),
    ).toThrow(/cannot deploy blue\/green: no load balancer/);
  });

  it('defaults to what the service is set up for; CODE_DEPLOY goes through CodeDeploy, EXTERNAL is refused', () => {
    expect(chooseStrategy(service)).toBe('rolling');
    expect(chooseStrategy({ deploymentConfiguration: { strategy: 'BLUE_GREEN' } })).toBe('blue-green');
    expect(() => chooseStrategy(service, 'canary')).toThrow(
      "invalid --strategy 'canary': valid are rolling, blue-green",
    );
    const codeDeploy = { ...service, deploymentController: { type: 'CODE_DEPLOY' as const } };
    expect(chooseStrategy(codeDeploy)).toBe('codedeploy');
    expect(() => chooseStrategy(codeDeploy, 'rolling')).toThrow(/drop --strategy/);
    expect(controllerRefusal(service)).toBeNull();
    expect(controllerRefusal(codeDeploy)).toBeNull();
    expect(controllerRefusal({ ...service, deploymentController: { type: 'EXTERNAL' } })).toContain(
      'EXTERNAL deployment controller',
    );
    const refusal = codeDeployRefusal(
      codeDeploy,
      'prod',
      'internal-pe',
      'fam',
      'no deployment group names it',
    );
    expect(refusal).toContain('aws deploy create-deployment');
    expect(refusal).toContain('stop-deployment --deployment-id <id> --auto-rollback-enabled');
  });

  it('finds the listener of a test listener rule', () => {
    expect(
      listenerArnOfRule('arn:aws:elasticloadbalancing:ap-south-1:1:listener-rule/app/alb/abc/lst/rule'),
    ).toBe('arn:aws:elasticloadbalancing:ap-south-1:1:listener/app/alb/abc/lst');
    expect(listenerArnOfRule('nonsense')).toBeNull();
  });
});

describe('blue/green lifecycle', () => {
  it('says which side holds production traffic by status and stage', () => {
    expect(trafficOf('IN_PROGRESS', 'SCALE_UP')).toBe('blue');
    expect(trafficOf('IN_PROGRESS', 'TEST_TRAFFIC_SHIFT')).toBe('blue');
    expect(trafficOf('IN_PROGRESS', 'PRODUCTION_TRAFFIC_SHIFT')).toBe('shifting');
    expect(trafficOf('IN_PROGRESS', 'BAKE_TIME')).toBe('green');
    expect(trafficOf('ROLLBACK_IN_PROGRESS', 'BAKE_TIME')).toBe('returning to blue');
    expect(trafficOf('ROLLBACK_SUCCESSFUL', null)).toBe('blue');
    expect(trafficOf('SUCCESSFUL', null)).toBe('green');
    expect(testTrafficOnGreen('POST_SCALE_UP')).toBe(false);
    expect(testTrafficOnGreen('TEST_TRAFFIC_SHIFT')).toBe(true);
    expect(testTrafficOnGreen('BAKE_TIME')).toBe(true);
  });

  it('counts the bake time left from when the bake was first seen', () => {
    const state = deploymentState(
      {
        serviceDeploymentArn: 'sd',
        status: 'IN_PROGRESS',
        lifecycleStage: 'BAKE_TIME',
        deploymentConfiguration: { bakeTimeInMinutes: 15 },
      },
      new Date('2026-12-07T10:05:00Z'),
      new Date('2026-12-07T10:00:00Z'),
    );
    expect(state.bakeLeftMs).toBe(10 * 60_000);
    expect(state.traffic).toBe('green');
  });

  it('follows the stages until asked, stops at the end of the deployment, and on the signal', async () => {
    const answers = [
      { serviceDeploymentArn: 'sd', status: 'IN_PROGRESS', lifecycleStage: 'SCALE_UP' },
      { serviceDeploymentArn: 'sd', status: 'IN_PROGRESS', lifecycleStage: 'TEST_TRAFFIC_SHIFT' },
      { serviceDeploymentArn: 'sd', status: 'ROLLBACK_SUCCESSFUL', alarms: { triggeredAlarmNames: ['A'] } },
    ] as const;
    let i = 0;
    const observer = { deployment: async () => ({ ...answers[Math.min(i++, answers.length - 1)] }) };
    const clock = { now: () => 0, sleep: async () => undefined };
    const seen: string[] = [];
    const reached = await followDeployment(observer, (s) => s.stage === 'TEST_TRAFFIC_SHIFT', {
      timeoutMs: 1000,
      intervalMs: 1,
      clock,
      onState: (_s, text) => seen.push(text),
    });
    expect(reached.result).toBe('reached');
    const ended = await followDeployment(observer, () => false, { timeoutMs: 1000, intervalMs: 1, clock });
    expect(ended).toMatchObject({
      result: 'ended',
      state: { outcome: 'rolled-back', traffic: 'blue', triggeredAlarms: ['A'] },
    });
    expect(seen[0]).toBe('IN_PROGRESS SCALE_UP, production traffic on blue');
    const controller = new AbortController();
    controller.abort();
    expect(
      (
        await followDeployment(observer, () => false, {
          timeoutMs: 1000,
          intervalMs: 1,
          clock,
          signal: controller.signal,
        })
      ).result,
    ).toBe('interrupted');
  });
});
