import {
  BatchGetDeploymentGroupsCommand,
  CodeDeployClient,
  GetDeploymentCommand,
  ListApplicationsCommand,
  ListDeploymentGroupsCommand,
} from '@aws-sdk/client-codedeploy';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  evaluateNewSignatures,
  MIN_BASELINE_MS,
  signatureWindows,
} from '../../../src/catalogue/checks/deploy/new-errors.js';
import { evaluateRevision } from '../../../src/catalogue/checks/deploy/revision.js';
import type { ErrorGroups } from '../../../src/domain/logs/fetch.js';
import { groupBySignature } from '../../../src/domain/logs/signature.js';
import {
  appSpecContent,
  appSpecTarget,
  codeDeployState,
  findDeploymentGroup,
  followCodeDeploy,
  getDeployment,
} from '../../../src/domain/release/codedeploy.js';
import { testTrafficHold } from '../../../src/domain/release/lifecycle.js';

// The SDK boundary: CodeDeploy answers as the SDK returns them.
const cd = mockClient(CodeDeployClient);
afterEach(() => cd.reset());
const client = () =>
  new CodeDeployClient({ region: 'ap-south-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

const group = (app: string, name: string, service: string) => ({
  applicationName: app,
  deploymentGroupName: name,
  deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
  ecsServices: [{ clusterName: 'prod-fivestar-payments', serviceName: service }],
  autoRollbackConfiguration: { enabled: true },
  blueGreenDeploymentConfiguration: {
    terminateBlueInstancesOnDeploymentSuccess: {
      action: 'TERMINATE' as const,
      terminationWaitTimeInMinutes: 10,
    },
  },
});

describe('the CodeDeploy deployment group of an ECS service', () => {
  it('finds the group whose ecsServices name the cluster and service, across applications and pages', async () => {
    cd.on(ListApplicationsCommand)
      .resolvesOnce({ applications: ['billing'], nextToken: 't1' })
      .resolvesOnce({ applications: ['fivestar'] });
    cd.on(ListDeploymentGroupsCommand, { applicationName: 'billing' }).resolves({
      deploymentGroups: ['b-dg'],
    });
    cd.on(ListDeploymentGroupsCommand, { applicationName: 'fivestar' }).resolves({
      deploymentGroups: ['other-dg', 'pe-dg'],
    });
    cd.on(BatchGetDeploymentGroupsCommand, { applicationName: 'billing' }).resolves({
      deploymentGroupsInfo: [group('billing', 'b-dg', 'prod-billing-service')],
    });
    cd.on(BatchGetDeploymentGroupsCommand, { applicationName: 'fivestar' }).resolves({
      deploymentGroupsInfo: [
        group('fivestar', 'other-dg', 'prod-customer-portal-service'),
        group(
          'fivestar',
          'pe-dg',
          'arn:aws:ecs:ap-south-1:1:service/prod-fivestar-payments/prod-internal-pe-service',
        ),
      ],
    });
    const found = await findDeploymentGroup(
      client(),
      { cluster: 'prod-fivestar-payments', service: 'prod-internal-pe-service' },
      undefined,
    );
    expect(found).toEqual({
      application: 'fivestar',
      group: 'pe-dg',
      deploymentConfig: 'CodeDeployDefault.ECSAllAtOnce',
      terminationWaitMinutes: 10,
      autoRollback: true,
      waitsForContinue: false,
    });
    expect(cd.commandCalls(ListApplicationsCommand)).toHaveLength(2);
  });

  it('the configured group is read directly (one call); none named, or none matching, is null', async () => {
    cd.on(BatchGetDeploymentGroupsCommand).resolves({
      deploymentGroupsInfo: [group('fivestar', 'pe-dg', 'prod-internal-pe-service')],
    });
    const configured = await findDeploymentGroup(
      client(),
      { cluster: 'prod-fivestar-payments', service: 'prod-internal-pe-service' },
      { application: 'fivestar', deploymentGroup: 'pe-dg' },
    );
    expect(configured?.group).toBe('pe-dg');
    expect(cd.commandCalls(ListApplicationsCommand)).toHaveLength(0);
    cd.reset();
    cd.on(ListApplicationsCommand).resolves({ applications: [] });
    expect(await findDeploymentGroup(client(), { cluster: 'c', service: 's' }, undefined)).toBeNull();
  });

  it('the AppSpec names the task definition, the container and the port of the load balancer', () => {
    expect(
      appSpecTarget([{ targetGroupArn: 'tg' }, { containerName: 'internal-pe', containerPort: 8080 }]),
    ).toEqual({ containerName: 'internal-pe', containerPort: 8080 });
    expect(appSpecTarget([])).toBeNull();
    expect(JSON.parse(appSpecContent('arn:td:43', 'internal-pe', 8080)).Resources[0].TargetService).toEqual({
      Type: 'AWS::ECS::Service',
      Properties: {
        TaskDefinition: 'arn:td:43',
        LoadBalancerInfo: { ContainerName: 'internal-pe', ContainerPort: 8080 },
      },
    });
  });
});

describe('a CodeDeploy deployment, judged and followed', () => {
  it('traffic: on blue before the reroute, on green while the original task set is kept, back on blue after a rollback', () => {
    expect(codeDeployState({ deploymentId: 'd-1', status: 'InProgress' })).toMatchObject({
      traffic: 'blue',
      blueKept: false,
      outcome: null,
    });
    expect(
      codeDeployState({
        deploymentId: 'd-1',
        status: 'InProgress',
        instanceTerminationWaitTimeStarted: true,
      }),
    ).toMatchObject({ traffic: 'green', blueKept: true });
    expect(
      codeDeployState({
        deploymentId: 'd-1',
        status: 'Stopped',
        rollbackInfo: { rollbackDeploymentId: 'd-2' },
        errorInformation: { message: 'stopped by the user' },
      }),
    ).toMatchObject({
      traffic: 'blue',
      outcome: 'stopped',
      rollbackDeploymentId: 'd-2',
      reason: 'stopped by the user',
    });
    expect(codeDeployState({ deploymentId: 'd-1', status: 'Succeeded' })).toMatchObject({
      traffic: 'green',
      outcome: 'succeeded',
    });
  });

  it('follows GetDeployment until the original task set is kept, retries a failed read, stops on the signal', async () => {
    cd.on(GetDeploymentCommand)
      .resolvesOnce({ deploymentInfo: { deploymentId: 'd-1', status: 'Created' } })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({
        deploymentInfo: {
          deploymentId: 'd-1',
          status: 'InProgress',
          instanceTerminationWaitTimeStarted: true,
        },
      });
    const c = client();
    const lines: string[] = [];
    const reached = await followCodeDeploy(
      (signal) => getDeployment(c, 'd-1', signal),
      (s) => s.blueKept,
      {
        timeoutMs: 5000,
        intervalMs: 1,
        signal: new AbortController().signal,
        onState: (_s, text) => lines.push(text),
      },
    );
    expect(reached.result).toBe('reached');
    expect(lines).toEqual([
      'CodeDeploy d-1 Created, production traffic on blue',
      'CodeDeploy d-1 InProgress, production traffic on green, original task set kept (termination wait)',
    ]);
    const aborted = new AbortController();
    aborted.abort();
    expect(
      (
        await followCodeDeploy(
          (signal) => getDeployment(c, 'd-1', signal),
          () => false,
          {
            timeoutMs: 5000,
            intervalMs: 1,
            signal: aborted.signal,
          },
        )
      ).result,
    ).toBe('interrupted');
  });

  it('a CODE_DEPLOY service runs the new revision when its PRIMARY task set does, running = desired', () => {
    const service = {
      serviceName: 's',
      desiredCount: 2,
      deploymentController: { type: 'CODE_DEPLOY' as const },
      taskSets: [
        {
          status: 'PRIMARY',
          taskDefinition: 'arn:aws:ecs:ap-south-1:1:task-definition/f:43',
          runningCount: 2,
          computedDesiredCount: 2,
        },
        {
          status: 'ACTIVE',
          taskDefinition: 'arn:aws:ecs:ap-south-1:1:task-definition/f:42',
          runningCount: 2,
          computedDesiredCount: 2,
        },
      ],
    };
    expect(evaluateRevision(service, 'arn:aws:ecs:ap-south-1:1:task-definition/f:43', true).status).toBe(
      'pass',
    );
    expect(evaluateRevision(service, 'arn:aws:ecs:ap-south-1:1:task-definition/f:43', false).status).toBe(
      'fail',
    );
    expect(evaluateRevision(service, 'arn:aws:ecs:ap-south-1:1:task-definition/f:44', true).status).toBe(
      'fail',
    );
  });
});

describe('the gate: new error signatures since the deploy began', () => {
  const groups = (events: [number, string][], truncated = false): ErrorGroups => ({
    groups: groupBySignature(events.map(([timestamp, message]) => ({ timestamp, message }))),
    total: events.length,
    method: 'filter',
    truncated,
    missing: false,
  });
  const windows = signatureWindows(new Date(1_000_000_000), new Date(1_000_060_000));

  it('compares with an equal window before the deploy, at least 15 minutes', () => {
    expect(windows.before).toEqual({ start: 1_000_000_000 - MIN_BASELINE_MS, end: 1_000_000_000 });
    const long = signatureWindows(new Date(0), new Date(3_600_000));
    expect(long.before).toEqual({ start: -3_600_000, end: 0 });
  });

  it('a signature seen before is not new (numbers and ids differ); a new one fails with its sample as one safe line', () => {
    const before = groups([[1, 'ERROR gateway timeout after 3000 ms for order 1111']]);
    const after = groups([
      [2, 'ERROR gateway timeout after 2950 ms for order 2222'],
      [3, 'ERROR NullPointerException at PaymentMapper\u001b[2J\r\nforged line'],
    ]);
    const results = evaluateNewSignatures('/ecs/g', before, after, windows);
    expect(results).toHaveLength(1);
    expect(results[0]!.status).toBe('fail');
    expect(results[0]!.observed).toContain(
      'new since the deploy began: ERROR NullPointerException at PaymentMapper',
    );
    expect(results[0]!.detail).toBe('sample: ERROR NullPointerException at PaymentMapper forged line');
    expect(
      evaluateNewSignatures(
        '/ecs/g',
        before,
        groups([[2, 'ERROR gateway timeout after 1 ms for order 3']]),
        windows,
      )[0]!.status,
    ).toBe('pass');
  });

  it('a window grouped only in part is not a pass; a missing log group is skipped', () => {
    expect(evaluateNewSignatures('/ecs/g', groups([], true), groups([]), windows)[0]!.status).toBe('warn');
    expect(
      evaluateNewSignatures('/ecs/g', groups([]), { ...groups([]), missing: true }, windows)[0]!.status,
    ).toBe('skip');
  });
});

describe('the lifecycle hook that holds green on the test listener', () => {
  it('a PAUSE hook first, else a Lambda hook, at TEST_TRAFFIC_SHIFT or POST_TEST_TRAFFIC_SHIFT; elsewhere none', () => {
    expect(testTrafficHold([])).toBeNull();
    expect(testTrafficHold([{ hookTargetArn: 'arn:lambda', lifecycleStages: ['PRE_SCALE_UP'] }])).toBeNull();
    expect(
      testTrafficHold([{ hookTargetArn: 'arn:lambda', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }]),
    ).toEqual({ kind: 'LAMBDA', stage: 'POST_TEST_TRAFFIC_SHIFT' });
    expect(
      testTrafficHold([
        { hookTargetArn: 'arn:lambda', lifecycleStages: ['TEST_TRAFFIC_SHIFT'] },
        { targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] },
      ]),
    ).toEqual({ kind: 'PAUSE', stage: 'POST_TEST_TRAFFIC_SHIFT' });
  });
});
