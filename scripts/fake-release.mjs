// A stateful ECS + ECR for `fsops deploy` (tests and the benchmark), installed over scripts/fake-world.mjs:
// task definitions that RegisterTaskDefinition adds to, a service whose UpdateService starts a rolling
// deployment or an ECS native blue/green one that walks its lifecycle stages one poll at a time,
// StopServiceDeployment ROLLBACK, running tasks with image digests, and ECR images with scan findings.
// Nothing here knows fsops's logic: the scenario knobs say what AWS does, the tests judge fsops.
import { AwsFault } from './fake-aws.mjs';

const ACCOUNTS = { dev: '123456789012', staging: '123456789013', prod: '123456789014' };
/** Desired counts of the deployment guide §4.1. */
const DESIRED = { dev: 1, staging: 2, prod: 3 };
export const REGISTRY = '123456789099.dkr.ecr.ap-south-1.amazonaws.com';
export const digestOf = (n) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

/** The lifecycle of an ECS native blue/green deployment, in order. */
export const BLUE_GREEN_STAGES = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP',
];

/**
 * options:
 *   component: the service that deploys (default internal-pe)
 *   revision: the running revision (default 42); image: its image (default `${REGISTRY}/fivestar/<component>:1.4.2`)
 *   runningDigest: the digest its tasks report (default digestOf(2))
 *   images: { [tag or digest]: { digest, tags, critical?, high?, scan?: 'COMPLETE'|null } } in ECR (repository fivestar/<component>)
 *   mutability: 'MUTABLE' | 'IMMUTABLE'
 *   strategy: 'ROLLING' | 'BLUE_GREEN' (how the service is set up); controller: 'ECS' | 'CODE_DEPLOY'
 *   rolloutPolls: DescribeServices polls until a rolling deployment completes (default 2)
 *   rolloutFails: the circuit breaker rolls the new revision back
 *   stagePolls: DescribeServiceDeployments polls per blue/green stage (default 1)
 *   hold: { stage, polls }: the deployment stays in that stage for that many polls (a long bake, Ctrl-C tests)
 *   alarmRollbackAt: a stage at which ECS's own alarm rollback fires (triggeredAlarmNames: alarmName)
 *   onStage(stage): called when the deployment enters a stage (tests flip health routes, alarms)
 *   pauseHook: a stage with a PAUSE lifecycle hook (held until ContinueServiceDeployment)
 *   cdHold, cdFails, terminationWait: CodeDeploy (controller CODE_DEPLOY; see the codedeploy handlers)
 *   successRate: the PaymentSuccessRate datapoints CloudWatch answers, one per period ending now (default
 *     [99.6, 99.7]; [] none)
 *   logEvents: [{ timestamp, message }] the log group's error events (state.logEvents: tests add more)
 */
export function releaseWorld(env, options = {}) {
  const account = ACCOUNTS[env];
  const component = options.component ?? 'internal-pe';
  const family = `${env}-fivestar-${component}`;
  const cluster = `${env}-fivestar-payments`;
  const serviceName = `${env}-${component}-service`;
  const repository = `fivestar/${component}`;
  const arnOf = (revision) => `arn:aws:ecs:ap-south-1:${account}:task-definition/${family}:${revision}`;
  const revision = options.revision ?? 42;
  const now = () => Date.now() / 1000;
  const baseImage = options.image ?? `${REGISTRY}/${repository}:1.4.2`;
  const container = (image) => ({
    name: component,
    image,
    cpu: 0,
    essential: true,
    portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
    environment: [{ name: 'SPRING_PROFILES_ACTIVE', value: env }],
    secrets: [{ name: 'DB_PASSWORD', valueFrom: `arn:aws:secretsmanager:ap-south-1:${account}:secret:db` }],
  });
  const definitions = new Map();
  const register = (input, rev) => {
    const def = {
      ...input,
      taskDefinitionArn: arnOf(rev),
      revision: rev,
      status: 'ACTIVE',
      registeredAt: now(),
      requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' }],
      compatibilities: ['EC2', 'FARGATE'],
    };
    delete def.tags;
    definitions.set(rev, def);
    return def;
  };
  register(
    {
      family,
      taskRoleArn: `arn:aws:iam::${account}:role/${env}-fivestar-task`,
      executionRoleArn: `arn:aws:iam::${account}:role/${env}-fivestar-exec`,
      networkMode: 'awsvpc',
      containerDefinitions: [
        container(baseImage),
        { name: 'log-router', image: 'amazon/aws-for-fluent-bit:2.32', essential: false },
      ],
      requiresCompatibilities: ['FARGATE'],
      cpu: '2048',
      memory: '4096',
    },
    revision,
  );
  const digestOfTaskDef = new Map([[revision, options.runningDigest ?? digestOf(2)]]);
  const images = options.images ?? {
    '1.4.2': { digest: digestOf(2), tags: ['1.4.2'] },
    '1.4.3': { digest: digestOf(3), tags: ['1.4.3', 'latest'] },
  };
  const lbs = [
    {
      targetGroupArn: `arn:aws:elasticloadbalancing:ap-south-1:${account}:targetgroup/${env}-${component}-blue/1`,
      containerName: component,
      containerPort: 8080,
      ...(options.strategy === 'BLUE_GREEN' || options.advanced
        ? {
            advancedConfiguration: {
              alternateTargetGroupArn: `arn:aws:elasticloadbalancing:ap-south-1:${account}:targetgroup/${env}-${component}-green/2`,
              productionListenerRule: `arn:aws:elasticloadbalancing:ap-south-1:${account}:listener-rule/app/${env}-${component}-alb/abc/prod/r1`,
              testListenerRule: `arn:aws:elasticloadbalancing:ap-south-1:${account}:listener-rule/app/${env}-${component}-alb/abc/test/r2`,
              roleArn: `arn:aws:iam::${account}:role/ecs-blue-green`,
            },
          }
        : {}),
    },
  ];
  function taskSet(rev, status) {
    return {
      id: `ecs-svc/ts${rev}`,
      status,
      taskDefinition: arnOf(rev),
      computedDesiredCount: DESIRED[env],
      runningCount: DESIRED[env],
      pendingCount: 0,
    };
  }
  const state = {
    running: revision,
    desired: DESIRED[env],
    deploymentConfiguration: {
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      ...(options.strategy === 'BLUE_GREEN'
        ? { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 15 }
        : { strategy: 'ROLLING' }),
      ...(options.pauseHook
        ? {
            lifecycleHooks: [
              {
                targetType: 'PAUSE',
                lifecycleStages: [options.pauseHook],
                timeoutConfiguration: { timeoutInMinutes: 30, action: 'ROLLBACK' },
              },
            ],
          }
        : {}),
    },
    /** The ECS deployments of DescribeServices. */
    deployments: [
      {
        id: `ecs-svc/${revision}`,
        status: 'PRIMARY',
        taskDefinition: arnOf(revision),
        desiredCount: DESIRED[env],
        runningCount: DESIRED[env],
        pendingCount: 0,
        rolloutState: 'COMPLETED',
        createdAt: now() - 3600,
      },
    ],
    /** The service deployments of ListServiceDeployments / DescribeServiceDeployments. */
    serviceDeployments: [],
    updates: [],
    stops: [],
    registered: [],
    polls: 0,
    /** CODE_DEPLOY: the service's task sets, CodeDeploy's deployments, its CreateDeployment and StopDeployment inputs. */
    taskSets: [taskSet(revision, 'PRIMARY')],
    codeDeployments: [],
    cdCreates: [],
    cdStops: [],
    continues: [],
  };
  const service = () => ({
    serviceName,
    serviceArn: `arn:aws:ecs:ap-south-1:${account}:service/${cluster}/${serviceName}`,
    clusterArn: `arn:aws:ecs:ap-south-1:${account}:cluster/${cluster}`,
    status: 'ACTIVE',
    desiredCount: state.desired,
    runningCount: Math.min(
      state.desired,
      state.deployments.reduce((n, d) => n + d.runningCount, 0),
    ),
    pendingCount: state.deployments.reduce((n, d) => n + (d.pendingCount ?? 0), 0),
    taskDefinition: arnOf(state.running),
    deploymentController: { type: options.controller ?? 'ECS' },
    ...(options.controller === 'CODE_DEPLOY' ? { taskSets: state.taskSets } : {}),
    deploymentConfiguration: state.deploymentConfiguration,
    loadBalancers: lbs,
    deployments: state.deployments,
    events: [],
  });
  const sdArn = (n) =>
    `arn:aws:ecs:ap-south-1:${account}:service-deployment/${cluster}/${serviceName}/sd${n}`;
  const revisionArn = (rev) =>
    `arn:aws:ecs:ap-south-1:${account}:service-revision/${cluster}/${serviceName}/rev${rev}`;

  function advanceRolling() {
    const primary = state.deployments.find((d) => d.status === 'PRIMARY');
    if (primary?.rolloutState !== 'IN_PROGRESS') return;
    primary.polls = (primary.polls ?? 0) + 1;
    const sd = state.serviceDeployments.find((d) => d.id === primary.id);
    if (sd?.deploymentConfiguration.strategy === 'BLUE_GREEN') return; // its lifecycle stages move it
    if (primary.polls < (options.rolloutPolls ?? 2)) {
      primary.runningCount = 1;
      primary.pendingCount = 2;
      return;
    }
    const old = state.deployments.find((d) => d.status === 'ACTIVE');
    if (options.rolloutFails && !primary.rollback) {
      // The circuit breaker: the new revision FAILED, the old one is PRIMARY again.
      primary.status = 'ACTIVE';
      primary.rolloutState = 'FAILED';
      primary.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
      primary.runningCount = 0;
      primary.pendingCount = 0;
      if (old) {
        old.status = 'PRIMARY';
        old.rolloutState = 'COMPLETED';
        state.running = Number(old.taskDefinition.split(':').pop());
      }
      state.deployments = [old, primary].filter(Boolean);
      if (sd) Object.assign(sd, { status: 'ROLLBACK_SUCCESSFUL', finishedAt: now() });
      return;
    }
    primary.rolloutState = 'COMPLETED';
    primary.runningCount = state.desired;
    primary.pendingCount = 0;
    state.deployments = [primary];
    if (sd) Object.assign(sd, { status: 'SUCCESSFUL', finishedAt: now() });
  }

  function advanceBlueGreen(sd) {
    if (!['IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_REQUESTED', 'PENDING'].includes(sd.status)) return;
    sd.pollsInStage = (sd.pollsInStage ?? 0) + 1;
    if (sd.status === 'ROLLBACK_REQUESTED' || sd.status === 'ROLLBACK_IN_PROGRESS') {
      if (sd.status === 'ROLLBACK_REQUESTED')
        return void Object.assign(sd, { status: 'ROLLBACK_IN_PROGRESS', pollsInStage: 0 });
      finishRollback(sd);
      return;
    }
    if (sd.status === 'PENDING')
      return void Object.assign(sd, {
        status: 'IN_PROGRESS',
        lifecycleStage: BLUE_GREEN_STAGES[0],
        pollsInStage: 0,
      });
    const hold = options.hold && options.hold.stage === sd.lifecycleStage ? options.hold.polls : 0;
    if (sd.pollsInStage < (options.stagePolls ?? 1) + hold) return;
    // A PAUSE hook at this stage holds the deployment until ContinueServiceDeployment.
    const pause = (sd.deploymentConfiguration.lifecycleHooks ?? []).find(
      (h) => h.targetType === 'PAUSE' && h.lifecycleStages?.includes(sd.lifecycleStage),
    );
    if (pause && !sd.continued?.includes(sd.lifecycleStage)) {
      sd.lifecycleHookDetails = [
        {
          hookId: `ecs-pause-${sd.lifecycleStage}`,
          targetType: 'PAUSE',
          status: 'AWAITING_ACTION',
          expiresAt: now() + 1800,
          timeoutAction: 'ROLLBACK',
        },
      ];
      return;
    }
    if (options.alarmRollbackAt === sd.lifecycleStage) {
      sd.alarms = {
        status: 'TRIGGERED',
        alarmNames: sd.alarmNames,
        triggeredAlarmNames: [options.alarmName ?? sd.alarmNames?.[0] ?? 'alarm'],
      };
      sd.rollback = { reason: 'CloudWatch alarm triggered', startedAt: now() };
      Object.assign(sd, { status: 'ROLLBACK_IN_PROGRESS', pollsInStage: 0 });
      return;
    }
    const next = BLUE_GREEN_STAGES[BLUE_GREEN_STAGES.indexOf(sd.lifecycleStage) + 1];
    if (!next) {
      Object.assign(sd, { status: 'SUCCESSFUL', finishedAt: now(), lifecycleStage: undefined });
      state.running = sd.targetRevision;
      const primary = state.deployments.find((d) => d.taskDefinition === arnOf(sd.targetRevision));
      if (primary)
        Object.assign(primary, {
          status: 'PRIMARY',
          rolloutState: 'COMPLETED',
          runningCount: state.desired,
          pendingCount: 0,
        });
      state.deployments = state.deployments.filter((d) => d === primary);
      return;
    }
    Object.assign(sd, { lifecycleStage: next, pollsInStage: 0, updatedAt: now() });
    if (next === 'POST_SCALE_UP') {
      // Green is up beside blue.
      const green = state.deployments.find((d) => d.taskDefinition === arnOf(sd.targetRevision));
      if (green) Object.assign(green, { runningCount: state.desired, pendingCount: 0 });
    }
    options.onStage?.(next, sd);
  }

  function finishRollback(sd) {
    Object.assign(sd, { status: 'ROLLBACK_SUCCESSFUL', finishedAt: now(), lifecycleStage: undefined });
    state.running = sd.sourceRevision;
    const blue = state.deployments.find((d) => d.taskDefinition === arnOf(sd.sourceRevision));
    if (blue)
      Object.assign(blue, { status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: state.desired });
    state.deployments = state.deployments.filter((d) => d === blue);
  }

  const detail = (sd) => ({
    serviceDeploymentArn: sd.arn,
    serviceArn: service().serviceArn,
    clusterArn: service().clusterArn,
    createdAt: sd.createdAt,
    startedAt: sd.createdAt,
    ...(sd.finishedAt ? { finishedAt: sd.finishedAt } : {}),
    updatedAt: sd.updatedAt ?? sd.createdAt,
    status: sd.status,
    ...(sd.lifecycleStage ? { lifecycleStage: sd.lifecycleStage } : {}),
    sourceServiceRevisions: [{ arn: revisionArn(sd.sourceRevision), runningTaskCount: 3 }],
    targetServiceRevision: { arn: revisionArn(sd.targetRevision), runningTaskCount: 3 },
    deploymentConfiguration: sd.deploymentConfiguration,
    ...(sd.alarms ? { alarms: sd.alarms } : {}),
    ...(sd.rollback ? { rollback: sd.rollback } : {}),
    ...(sd.lifecycleHookDetails?.length ? { lifecycleHookDetails: sd.lifecycleHookDetails } : {}),
  });

  const ecs = {
    DescribeServices: ({ services }) => {
      state.polls += 1;
      advanceRolling();
      return {
        services: services.filter((n) => n === serviceName).map(() => service()),
        failures: [],
      };
    },
    DescribeTaskDefinition: ({ taskDefinition }) => {
      // A family without a revision names its newest ACTIVE revision (as ECS does).
      const rev = String(taskDefinition).includes(':')
        ? Number(String(taskDefinition).split(':').pop())
        : Math.max(...definitions.keys());
      const def = definitions.get(rev);
      if (!def)
        throw new AwsFault('ClientException', `Unable to describe task definition ${taskDefinition}.`);
      return { taskDefinition: def, tags: [{ key: 'team', value: 'payments' }] };
    },
    RegisterTaskDefinition: (input) => {
      const rev = Math.max(...definitions.keys()) + 1;
      const def = register(input, rev);
      const image = input.containerDefinitions.find((c) => c.name === component)?.image ?? '';
      const known = Object.values(images).find(
        (i) => image.endsWith(i.digest) || i.tags?.some((t) => image.endsWith(`:${t}`)),
      );
      digestOfTaskDef.set(rev, known?.digest ?? digestOf(9));
      state.registered.push(input);
      return { taskDefinition: def, tags: input.tags ?? [] };
    },
    UpdateService: (input) => {
      state.updates.push(input);
      if ((options.controller ?? 'ECS') !== 'ECS') {
        throw new AwsFault(
          'InvalidParameterException',
          'Unable to update task definition on services with a CODE_DEPLOY deployment controller.',
        );
      }
      if (input.deploymentConfiguration) state.deploymentConfiguration = input.deploymentConfiguration;
      const rev = Number(String(input.taskDefinition).split(':').pop());
      const blueGreen = state.deploymentConfiguration.strategy === 'BLUE_GREEN';
      const id = `ecs-svc/${rev}-${state.updates.length}`;
      const old = state.deployments.find((d) => d.status === 'PRIMARY');
      if (old) old.status = 'ACTIVE';
      state.deployments = [
        {
          id,
          status: 'PRIMARY',
          taskDefinition: arnOf(rev),
          desiredCount: state.desired,
          runningCount: 0,
          pendingCount: state.desired,
          rolloutState: 'IN_PROGRESS',
          createdAt: now(),
        },
        ...(old ? [old] : []),
      ];
      const sd = {
        id,
        arn: sdArn(state.serviceDeployments.length + 1),
        createdAt: now(),
        status: blueGreen ? 'PENDING' : 'IN_PROGRESS',
        sourceRevision: state.running,
        targetRevision: rev,
        deploymentConfiguration: state.deploymentConfiguration,
        alarmNames: state.deploymentConfiguration.alarms?.alarmNames ?? [],
      };
      state.serviceDeployments.push(sd);
      if (!blueGreen) state.running = rev;
      return { service: service() };
    },
    ListServiceDeployments: (input = {}) => ({
      serviceDeployments: state.serviceDeployments
        .filter((sd) => !input.status || input.status.includes(sd.status))
        .map((sd) => ({
          serviceDeploymentArn: sd.arn,
          serviceArn: service().serviceArn,
          clusterArn: service().clusterArn,
          createdAt: sd.createdAt,
          status: sd.status,
          targetServiceRevisionArn: revisionArn(sd.targetRevision),
        })),
    }),
    DescribeServiceDeployments: ({ serviceDeploymentArns }) => ({
      serviceDeployments: state.serviceDeployments
        .filter((sd) => serviceDeploymentArns.includes(sd.arn))
        .map((sd) => {
          if (sd.deploymentConfiguration.strategy === 'BLUE_GREEN') advanceBlueGreen(sd);
          return detail(sd);
        }),
      failures: [],
    }),
    DescribeServiceRevisions: ({ serviceRevisionArns }) => ({
      serviceRevisions: serviceRevisionArns.map((arn) => {
        const rev = Number(arn.split('rev').pop());
        return {
          serviceRevisionArn: arn,
          taskDefinition: arnOf(rev),
          containerImages: [
            {
              containerName: component,
              imageDigest: digestOfTaskDef.get(rev),
              image: definitions.get(rev)?.containerDefinitions?.[0]?.image,
            },
          ],
        };
      }),
    }),
    ContinueServiceDeployment: ({ serviceDeploymentArn, hookId, action }) => {
      state.continues.push({ serviceDeploymentArn, hookId, action });
      const sd = state.serviceDeployments.find((d) => d.arn === serviceDeploymentArn);
      const hook = sd?.lifecycleHookDetails?.find(
        (h) => h.hookId === hookId && h.status === 'AWAITING_ACTION',
      );
      if (!sd || !hook) throw new AwsFault('InvalidParameterException', 'The hook is not awaiting action.');
      hook.status = 'SUCCEEDED';
      sd.lifecycleHookDetails = [];
      if (action === 'ROLLBACK') {
        sd.rollback = { reason: 'ContinueServiceDeployment ROLLBACK', startedAt: now() };
        Object.assign(sd, { status: 'ROLLBACK_IN_PROGRESS', pollsInStage: 0 });
      } else {
        sd.continued = [...(sd.continued ?? []), sd.lifecycleStage];
      }
      return { serviceDeploymentArn };
    },
    StopServiceDeployment: ({ serviceDeploymentArn, stopType }) => {
      state.stops.push({ serviceDeploymentArn, stopType });
      const sd = state.serviceDeployments.find((d) => d.arn === serviceDeploymentArn);
      if (!sd || !['IN_PROGRESS', 'PENDING'].includes(sd.status)) {
        throw new AwsFault('ConflictException', 'The service deployment is not in progress.');
      }
      sd.rollback = { reason: 'StopServiceDeployment ROLLBACK', startedAt: now() };
      Object.assign(sd, { status: 'ROLLBACK_REQUESTED', pollsInStage: 0 });
      if (sd.deploymentConfiguration.strategy !== 'BLUE_GREEN') {
        Object.assign(sd, { status: 'ROLLBACK_SUCCESSFUL', finishedAt: now() });
        state.running = sd.sourceRevision;
        const old = state.deployments.find((d) => d.taskDefinition === arnOf(sd.sourceRevision));
        if (old)
          Object.assign(old, { status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: state.desired });
        state.deployments = state.deployments.filter((d) => d === old);
      }
      return { serviceDeploymentArn };
    },
    ListTaskDefinitions: () => ({
      taskDefinitionArns: [...definitions.keys()].sort((a, b) => b - a).map(arnOf),
    }),
    ListTasks: ({ desiredStatus }) => ({
      taskArns:
        desiredStatus === 'STOPPED'
          ? []
          : Array.from({ length: state.desired }, (_, i) => i + 1).map(
              (n) => `arn:aws:ecs:ap-south-1:${account}:task/${cluster}/t${state.running}x${n}`,
            ),
    }),
    DescribeTasks: ({ tasks }) => ({
      tasks: tasks.map((taskArn) => {
        const rev = Number(/t(\d+)x/.exec(taskArn)?.[1] ?? state.running);
        return {
          taskArn,
          lastStatus: 'RUNNING',
          taskDefinitionArn: arnOf(rev),
          containers: [
            {
              name: component,
              image: definitions.get(rev)?.containerDefinitions?.[0]?.image,
              imageDigest: digestOfTaskDef.get(rev),
            },
          ],
        };
      }),
    }),
  };

  const findImage = (imageId) =>
    Object.values(images).find((i) =>
      imageId.imageDigest ? i.digest === imageId.imageDigest : i.tags?.includes(imageId.imageTag),
    );
  const checkRepository = (name) => {
    if (name !== repository)
      throw new AwsFault(
        'RepositoryNotFoundException',
        `The repository with name '${name}' does not exist in the registry`,
      );
  };
  const ecr = {
    DescribeImages: ({ repositoryName, imageIds }) => {
      checkRepository(repositoryName);
      const image = findImage(imageIds[0]);
      if (!image)
        throw new AwsFault(
          'ImageNotFoundException',
          `The image with imageId {${JSON.stringify(imageIds[0])}} does not exist within the repository with name '${repositoryName}'`,
        );
      return {
        imageDetails: [
          {
            repositoryName,
            registryId: '123456789099',
            imageDigest: image.digest,
            imageTags: image.tags,
            imagePushedAt: now() - 7200,
          },
        ],
      };
    },
    DescribeImageScanFindings: ({ repositoryName, imageId }) => {
      checkRepository(repositoryName);
      const image = findImage(imageId);
      if (!image) throw new AwsFault('ImageNotFoundException', 'image not found');
      if (image.scan === null)
        throw new AwsFault('ScanNotFoundException', 'Image scan does not exist for the image');
      const critical = image.critical ?? 0;
      return {
        repositoryName,
        imageId,
        imageScanStatus: {
          status: image.scan ?? 'COMPLETE',
          description: 'The scan was completed successfully.',
        },
        imageScanFindings: {
          imageScanCompletedAt: now() - 3600,
          findingSeverityCounts: {
            ...(critical ? { CRITICAL: critical } : {}),
            HIGH: image.high ?? 1,
            LOW: 4,
          },
          findings: Array.from({ length: critical }, (_, i) => ({
            name: `CVE-2026-000${i + 1}`,
            severity: 'CRITICAL',
          })),
        },
      };
    },
    DescribeRepositories: ({ repositoryNames }) => {
      checkRepository(repositoryNames[0]);
      return {
        repositories: [{ repositoryName: repository, imageTagMutability: options.mutability ?? 'MUTABLE' }],
      };
    },
  };
  // CodeDeploy (controller CODE_DEPLOY): one application with the service's deployment group among others;
  // a deployment moves one step per GetDeployment: Created, InProgress (green up), InProgress with the
  // original task set kept (traffic on green, `cdHold` more polls), Succeeded. `cdFails`: Failed with
  // CodeDeploy's own rollback. `terminationWait` (minutes, default 5; 0: no kept phase).
  const application = `${env}-fivestar`;
  const groupName = `${env}-${component}-dg`;
  const terminationWait = options.terminationWait ?? 5;
  const groupInfo = (app, name) => ({
    applicationName: app,
    deploymentGroupName: name,
    computePlatform: 'ECS',
    deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
    ecsServices:
      app === application && name === groupName
        ? [{ clusterName: cluster, serviceName }]
        : [{ clusterName: cluster, serviceName: `${env}-other-service` }],
    autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
    blueGreenDeploymentConfiguration: {
      deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' },
      terminateBlueInstancesOnDeploymentSuccess: {
        action: 'TERMINATE',
        terminationWaitTimeInMinutes: terminationWait,
      },
    },
  });
  const cdNow = () => Date.now() / 1000;
  function advanceCodeDeploy(d) {
    if (['Succeeded', 'Failed', 'Stopped'].includes(d.status)) return;
    d.polls = (d.polls ?? 0) + 1;
    if (d.rollbackOf) {
      Object.assign(d, { status: 'Succeeded', completeTime: cdNow() });
      return;
    }
    if (d.status === 'Created') return void Object.assign(d, { status: 'InProgress', polls: 0 });
    if (!d.greenUp) {
      d.greenUp = true;
      state.taskSets = [taskSet(d.source, 'PRIMARY'), taskSet(d.target, 'ACTIVE')];
      if (options.cdFails) {
        state.taskSets = [taskSet(d.source, 'PRIMARY')];
        const rollback = newDeployment(d.target, d.source, { rollbackOf: d.id });
        Object.assign(d, {
          status: 'Failed',
          completeTime: cdNow(),
          errorInformation: {
            code: 'ECS_UPDATE_ERROR',
            message: 'The ECS service could not start tasks of the replacement task set.',
          },
          rollbackInfo: {
            rollbackDeploymentId: rollback.id,
            rollbackMessage: 'Automatic rollback: deployment failure',
          },
        });
      }
      return;
    }
    if (!d.instanceTerminationWaitTimeStarted && terminationWait > 0) {
      state.taskSets = [taskSet(d.target, 'PRIMARY'), taskSet(d.source, 'ACTIVE')];
      state.running = d.target;
      d.instanceTerminationWaitTimeStarted = true;
      d.polls = 0;
      return;
    }
    if (d.polls <= (options.cdHold ?? 1)) return;
    state.taskSets = [taskSet(d.target, 'PRIMARY')];
    state.running = d.target;
    Object.assign(d, {
      status: 'Succeeded',
      completeTime: cdNow(),
      instanceTerminationWaitTimeStarted: false,
    });
  }
  function newDeployment(source, target, extra = {}) {
    const d = {
      id: `d-FAKE${state.codeDeployments.length + 1}`,
      status: 'Created',
      source,
      target,
      createTime: cdNow(),
      ...extra,
    };
    state.codeDeployments.push(d);
    return d;
  }
  const codedeploy = {
    ListApplications: () => ({ applications: ['billing-tools', application] }),
    ListDeploymentGroups: ({ applicationName }) => ({
      applicationName,
      deploymentGroups: applicationName === application ? [`${env}-other-dg`, groupName] : ['billing-dg'],
    }),
    BatchGetDeploymentGroups: ({ applicationName, deploymentGroupNames }) => ({
      deploymentGroupsInfo: deploymentGroupNames.map((name) => groupInfo(applicationName, name)),
    }),
    CreateDeployment: (input) => {
      state.cdCreates.push(input);
      const spec = JSON.parse(input.revision.appSpecContent.content);
      const arn = spec.Resources[0].TargetService.Properties.TaskDefinition;
      const d = newDeployment(state.running, Number(String(arn).split(':').pop()));
      return { deploymentId: d.id };
    },
    GetDeployment: ({ deploymentId }) => {
      const d = state.codeDeployments.find((x) => x.id === deploymentId);
      if (!d)
        throw new AwsFault(
          'DeploymentDoesNotExistException',
          `The deployment ${deploymentId} could not be found.`,
        );
      advanceCodeDeploy(d);
      return {
        deploymentInfo: {
          applicationName: application,
          deploymentGroupName: groupName,
          deploymentId: d.id,
          status: d.status,
          createTime: d.createTime,
          ...(d.completeTime ? { completeTime: d.completeTime } : {}),
          instanceTerminationWaitTimeStarted: d.instanceTerminationWaitTimeStarted ?? false,
          ...(d.errorInformation ? { errorInformation: d.errorInformation } : {}),
          ...(d.rollbackInfo ? { rollbackInfo: d.rollbackInfo } : {}),
          computePlatform: 'ECS',
        },
      };
    },
    StopDeployment: (input) => {
      state.cdStops.push(input);
      const d = state.codeDeployments.find((x) => x.id === input.deploymentId);
      if (!d || ['Succeeded', 'Failed', 'Stopped'].includes(d.status))
        throw new AwsFault(
          'DeploymentAlreadyCompletedException',
          `The deployment ${input.deploymentId} is already completed.`,
        );
      const rollback = input.autoRollbackEnabled
        ? newDeployment(d.target, d.source, { rollbackOf: d.id })
        : null;
      Object.assign(d, {
        status: 'Stopped',
        completeTime: cdNow(),
        instanceTerminationWaitTimeStarted: false,
        errorInformation: { code: 'MANUAL_STOP', message: 'The deployment was stopped by the user.' },
        ...(rollback
          ? {
              rollbackInfo: {
                rollbackDeploymentId: rollback.id,
                rollbackMessage: 'Rollback of a stopped deployment',
              },
            }
          : {}),
      });
      if (rollback) {
        state.taskSets = [taskSet(d.source, 'PRIMARY')];
        state.running = d.source;
      }
      return { status: 'Pending', statusMessage: 'Stopping the deployment' };
    },
    ListDeployments: ({ includeOnlyStatuses }) => ({
      deployments: state.codeDeployments
        .filter((d) => !includeOnlyStatuses || includeOnlyStatuses.includes(d.status))
        .map((d) => d.id)
        .reverse(),
    }),
  };
  // CloudWatch: the application's PaymentSuccessRate (the gate's payment check), one datapoint per period
  // ending now, latest last; `successRate: []` is a metric without datapoints. Other metrics: none.
  const successRate = options.successRate ?? [99.6, 99.7];
  const monitoring = {
    GetMetricData: (input) => ({
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
        const values = q.MetricStat?.Metric?.MetricName === 'PaymentSuccessRate' ? successRate : [];
        const period = q.MetricStat?.Period ?? 60;
        const last = Math.floor(Date.now() / 1000 / period) * period;
        return {
          Id: q.Id,
          Timestamps: values.map((_, i) => last - (values.length - 1 - i) * period),
          Values: values,
          StatusCode: 'Complete',
        };
      }),
    }),
  };
  // CloudWatch Logs: the application's error events in time (state.logEvents; tests add lines as the
  // deploy goes), answered for the window asked.
  state.logEvents = [...(options.logEvents ?? [])];
  const logs = {
    FilterLogEvents: (input) => ({
      events: state.logEvents
        .filter((e) => e.timestamp >= (input.startTime ?? 0) && e.timestamp <= (input.endTime ?? Infinity))
        .map((e, i) => ({ eventId: `e${i}`, logStreamName: 'app/1', ingestionTime: e.timestamp, ...e })),
    }),
  };
  const elasticloadbalancing = {
    DescribeListeners: (input) => ({
      Listeners: [{ ListenerArn: input['ListenerArns.member.1'], Port: 8443, Protocol: 'HTTP' }],
    }),
  };
  return {
    handlers: { ecs, ecr, elasticloadbalancing, monitoring, logs, codedeploy },
    state,
    arnOf,
    digestOf,
    repository,
  };
}

/** Installs a release world over a started fake world (scripts/fake-world.mjs startFakeWorld). */
export function installRelease(fake, env, options = {}) {
  const world = releaseWorld(env, options);
  for (const [svc, handlers] of Object.entries(world.handlers)) {
    fake.handlers[svc] = { ...(fake.handlers[svc] ?? {}), ...handlers };
  }
  return world;
}
