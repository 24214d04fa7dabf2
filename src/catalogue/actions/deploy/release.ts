import type {
  ECSClient,
  RegisterTaskDefinitionCommandInput,
  TaskDefinition,
  UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import { z } from 'zod';
import type { CheckResult } from '../../../base/model/check.js';
import { formatDuration } from '../../../base/model/duration.js';
import type { Finding } from '../../../base/model/finding.js';
import { oneLine } from '../../../base/model/text.js';
import {
  describeService,
  describeTasks,
  listStoppedTaskArns,
  type ServiceNames,
} from '../../../domain/ecs/service-facts.js';
import { diffTaskDefinitions, shortTaskDef } from '../../../domain/ecs/taskdef.js';
import {
  type Clock,
  type ServiceObserver,
  type WaitOutcome,
  waitForService,
} from '../../../domain/ecs/wait.js';
import {
  appSpecContent,
  type CodeDeployFollow,
  type CodeDeployGroup,
  type CodeDeployState,
  describeCodeDeployState,
  followCodeDeploy,
  getDeployment,
} from '../../../domain/release/codedeploy.js';
import {
  type DeploymentState,
  deploymentObserver,
  type FollowResult,
  followDeployment,
  STAGES_BEFORE_PRODUCTION,
  startedDeploymentArn,
  TEST_TRAFFIC_STAGES,
} from '../../../domain/release/lifecycle.js';
import { STRATEGIES } from '../../../domain/release/strategy.js';
import { asTaskDefinition } from '../../../domain/release/taskdef.js';
import type { ActionContext, ApplyRun } from '../../action.js';
import { built, defineAction } from '../../action.js';
import { probe } from '../../checks/health-endpoints.js';

export const RELEASE_SOURCE =
  'ops guide §12.2.1 (Application Updates); runbook 002 "Rolling Updates"; runbook 004 "Blue-Green Deployment"';

export const releaseParams = z
  .object({
    component: z.string(),
    names: built<ServiceNames>('the service names'),
    strategy: z.enum([...STRATEGIES, 'codedeploy']),
    /** The running task definition and its description: the copy's source, and where a rollback returns. */
    previous: z.object({ arn: z.string(), definition: built<TaskDefinition>('a task definition') }).strict(),
    /** RegisterTaskDefinition's input: the running definition with one container's image changed. */
    register: built<RegisterTaskDefinitionCommandInput>('RegisterTaskDefinition input'),
    /** UpdateService's input without the task definition (the one registered is filled in); ECS strategies only. */
    update: built<Omit<UpdateServiceCommandInput, 'taskDefinition'>>('UpdateService input').optional(),
    /** CODE_DEPLOY services: the deployment group and the AppSpec's container and port (the load balancer's). */
    codeDeploy: z
      .object({
        group: built<CodeDeployGroup>('a CodeDeploy deployment group'),
        containerName: z.string(),
        containerPort: z.number(),
      })
      .strict()
      .optional(),
    /**
     * Blue/green: why the green probe may race the traffic shift (no lifecycle hook holds test traffic
     * at TEST_TRAFFIC_SHIFT/POST_TEST_TRAFFIC_SHIFT), shown in the plan; absent when a hook holds it.
     */
    probeRace: z.string().optional(),
    /** Blue/green: the lifecycle hook that holds green on the test listener (a PAUSE hook fsops continues). */
    testTrafficHold: z
      .object({ kind: z.enum(['PAUSE', 'LAMBDA']), stage: z.string() })
      .strict()
      .optional(),
    container: z.string(),
    image: z.string(),
    bakeTimeInMinutes: z.number(),
    /** Blue/green: the base URL of the test listener (green before production traffic), or why there is none. */
    testUrl: z.union([z.string(), z.object({ none: z.string() }).strict()]),
    healthPaths: z.array(z.string()),
    healthTimeoutMs: z.number(),
    /** The component's checks from `validate` that judge the release (the engine's check runner). */
    gate: z.array(
      z.object({ check: z.string(), params: z.record(z.string(), z.unknown()).optional() }).strict(),
    ),
    timeoutMs: z.number(),
    pollMs: z.number(),
    /** Service events and stopped tasks from before the change (not news). */
    knownEventIds: z.array(z.string()),
    knownStoppedTasks: z.array(z.string()),
    /** Gate overrides given (flag -> reason): in the plan, and so in the audit's started line. */
    overrides: z.record(z.string(), z.string()).optional(),
    /** Tests replace the clock of the waits. */
    clock: built<Clock>('a clock').optional(),
  })
  .strict();
/** Everything the deploy decided before the prompt, as data (src/commands/deploy.ts gathers it). */
export type ReleaseParams = z.infer<typeof releaseParams>;

/** The plan lines (pure): the new revision and its diff, strategy, bake, gate, what roll back means, the calls. */
export function releasePlanLines(p: ReleaseParams): string[] {
  const next = asTaskDefinition(p.register);
  const diff = diffTaskDefinitions(p.previous.definition, next);
  const from = shortTaskDef(p.previous.arn);
  const strategy =
    p.strategy === 'codedeploy'
      ? codeDeployStrategyLines(p)
      : p.strategy === 'rolling'
        ? [
            'strategy: rolling (UpdateService; deployment circuit breaker on, with rollback)',
            `follow:   the rollout until the PRIMARY deployment COMPLETED and running = desired (up to ${formatDuration(p.timeoutMs)})`,
          ]
        : [
            `strategy: blue-green (ECS native BLUE_GREEN; bake time ${p.bakeTimeInMinutes} min, blue kept until the bake ends)`,
            `alarms:   ${alarmNamesOf(p).join(', ') || 'none (no critical alarm of the component in monitoring/alarms.yaml)'} (ECS rolls back when one fires)`,
            typeof p.testUrl === 'string'
              ? `test:     ${p.healthPaths.map((path) => `${p.testUrl}${path}`).join(', ')} through the test listener before production traffic moves`
              : `test:     green cannot be probed before production traffic moves: ${p.testUrl.none}`,
            ...(p.testTrafficHold?.kind === 'PAUSE'
              ? [
                  `hold:     the PAUSE hook at ${p.testTrafficHold.stage} holds green on the test listener: fsops probes it, then ContinueServiceDeployment CONTINUE (ROLLBACK when the probe fails)`,
                ]
              : p.testTrafficHold
                ? [
                    `hold:     the Lambda hook at ${p.testTrafficHold.stage} decides when production traffic moves; fsops probes green beside it and stops with rollback when its probe fails`,
                  ]
                : []),
            ...(p.probeRace ? [`warning:  ${p.probeRace}`] : []),
          ];
  const rollBack =
    p.strategy === 'rolling'
      ? `roll back: UpdateService back to ${from} (recorded as the previous revision; \`fsops rollback ${p.component}\` targets it)`
      : p.strategy === 'codedeploy'
        ? `roll back: CodeDeploy StopDeployment --auto-rollback-enabled while the original task set (${from}) is kept: production traffic returns to it at once; after that, a CodeDeploy deployment of ${from}`
        : `roll back: StopServiceDeployment --stop-type ROLLBACK: production traffic returns to blue (${from}) at once`;
  const calls =
    p.strategy === 'codedeploy'
      ? `calls:    ECS RegisterTaskDefinition ${p.register.family}; CodeDeploy CreateDeployment ${p.codeDeploy?.group.application}/${p.codeDeploy?.group.group} (AppSpec: the new revision)`
      : `calls:    ECS RegisterTaskDefinition ${p.register.family}; ECS UpdateService ${p.names.service} --task-definition <new revision>`;
  const when =
    p.strategy === 'rolling'
      ? ' once the rollout settled'
      : p.strategy === 'codedeploy'
        ? ' once production traffic moved, while the original task set is kept'
        : ' during the bake';
  return [
    `service:  ${p.names.service} (cluster ${p.names.cluster})`,
    `register: a new revision of ${p.register.family} copied from ${from}, only ${p.container}'s image changed`,
    ...(diff.length ? diff.map((d) => `  ${d}`) : ['  no difference (the image is the one running)']),
    ...strategy,
    `gate:     ${p.gate.map((s) => s.check).join(', ')} on ${p.component}${when}; a failure rolls back`,
    rollBack,
    calls,
    ...Object.entries(p.overrides ?? {}).map(([flag, reason]) => `override: ${flag}: ${reason}`),
  ];
}

function alarmNamesOf(p: ReleaseParams): string[] {
  return p.update?.deploymentConfiguration?.alarms?.alarmNames ?? [];
}

function codeDeployStrategyLines(p: ReleaseParams): string[] {
  const cd = p.codeDeploy;
  if (!cd) return ['strategy: CodeDeploy (no deployment group)'];
  const wait = cd.group.terminationWaitMinutes;
  return [
    `strategy: CodeDeploy (deployment controller CODE_DEPLOY): application ${cd.group.application}, deployment group ${cd.group.group}${cd.group.deploymentConfig ? ` (${cd.group.deploymentConfig})` : ''}`,
    `appspec:  TaskDefinition <new revision>, container ${cd.containerName} port ${cd.containerPort} (the service's load balancer)`,
    `follow:   GetDeployment until production traffic moved and the original task set is kept${wait !== null ? ` (${wait} min termination wait)` : ''}, then to Succeeded (up to ${formatDuration(p.timeoutMs)})`,
    ...(wait === 0
      ? [
          'warning:  the group keeps the original task set 0 minutes: the gate runs after CodeDeploy finished, and a failure is rolled back by a new deployment of the previous revision, not at once',
        ]
      : []),
  ];
}

/**
 * `fsops deploy`: register the copy, update the service, follow it, judge it with the gate, and roll
 * back on any failure. Each step's outcome is one result; the gate's findings are carried as they are.
 */
export const releaseAction = defineAction({
  id: 'deploy.release',
  title: 'Deploy a new image',
  severity: 'critical',
  source: RELEASE_SOURCE,
  remediation:
    'Read the findings that failed the gate; `fsops deployments <component> --env <env>` shows what runs.',
  params: releaseParams,
  async plan(ctx, params) {
    const lines = releasePlanLines(params);
    return {
      lines,
      verb: `deploy ${params.image} to ${params.names.service}`,
      audit: {
        command: 'deploy',
        component: params.component,
        from: params.previous.arn,
        to: params.image,
      },
      preview: [
        {
          id: 'deploy.plan',
          status: 'skip',
          resource: params.names.service,
          expected: `${params.image} deployed (${params.strategy}) and the gate passed`,
          observed: 'dry run: nothing was registered or changed',
          detail: lines.join('\n'),
        },
      ],
      apply: (run) => release(ctx, params, run),
    };
  },
});

const revisionResult = (p: ReleaseParams, arn: string): CheckResult => ({
  id: 'deploy.register',
  title: 'New task-definition revision registered',
  status: 'pass',
  resource: p.register.family ?? p.names.service,
  expected: 'a new revision with only the image changed',
  observed: `registered ${shortTaskDef(arn)} (${p.container}=${p.image}); previous ${shortTaskDef(p.previous.arn)}`,
});

async function release(ctx: ActionContext, p: ReleaseParams, apply: ApplyRun): Promise<CheckResult[]> {
  const { RegisterTaskDefinitionCommand, UpdateServiceCommand } = await import('@aws-sdk/client-ecs');
  const ecs = await ctx.aws.ecs();
  const startedAt = new Date();
  // The mutating calls take no abort signal: once sent, ECS may have accepted them (src/domain/ecs/service-update.ts).
  const registered = await ecs.send(new RegisterTaskDefinitionCommand(p.register));
  const arn = registered.taskDefinition?.taskDefinitionArn;
  if (!arn) throw new Error('RegisterTaskDefinition returned no task definition ARN');
  const results: CheckResult[] = [revisionResult(p, arn)];
  if (p.strategy === 'codedeploy') {
    const run: Run = { ctx, p, ecs, arn, startedAt, results, apply };
    try {
      return await codeDeploy(run);
    } catch (error) {
      return followError(run, error);
    }
  }
  ctx.log(`Registered ${shortTaskDef(arn)}; updating ${p.names.service} (${p.strategy})`);
  if (!p.update) throw new Error(`deploy.release: no UpdateService input for ${p.strategy}`);
  const updated = await ecs.send(new UpdateServiceCommand({ ...p.update, taskDefinition: arn }));
  const primaryId = updated.service?.deployments?.find((d) => d.status === 'PRIMARY')?.id;
  const run: Run = { ctx, p, ecs, arn, startedAt, results, apply };
  try {
    return await (p.strategy === 'rolling' ? rolling(run, primaryId) : blueGreen(run));
  } catch (error) {
    return followError(run, error);
  }
}

/** The release is under way: keep what was done and say where it stands, not only the error. */
function followError(run: Run, error: unknown): CheckResult[] {
  const { p, arn } = run;
  run.results.push({
    id: 'deploy.rollout',
    title: 'Deploy followed to the end',
    status: 'error',
    resource: p.names.service,
    expected: 'followed to the end',
    observed: `could not go on: ${oneLine((error as Error).name)}: ${oneLine((error as Error).message, 300)}`,
    remediation: `${shortTaskDef(arn)} was deployed and may still be rolling out: \`fsops deployments ${p.component}\` shows where it stands; \`fsops rollback ${p.component}\` goes back to ${shortTaskDef(p.previous.arn)}.`,
  });
  return run.results;
}

interface Run {
  ctx: ActionContext;
  p: ReleaseParams;
  ecs: ECSClient;
  arn: string;
  startedAt: Date;
  results: CheckResult[];
  /** The driver's side of the apply: the outcome the audit names when the results alone do not. */
  apply: ApplyRun;
}

function observer(ecs: ECSClient, names: ServiceNames): ServiceObserver {
  return {
    service: (signal) => describeService(ecs, names, signal),
    stoppedTaskArns: (signal) => listStoppedTaskArns(ecs, names, signal),
    describeTasks: (arns, signal) => describeTasks(ecs, names.cluster, arns, signal),
  };
}

function waitRollout(run: Run, taskDefinition: string, deploymentId?: string): Promise<WaitOutcome> {
  const { ctx, p } = run;
  return waitForService(
    observer(run.ecs, p.names),
    { taskDefinition, ...(deploymentId ? { deploymentId } : {}) },
    {
      timeoutMs: Math.max(1000, p.timeoutMs - (Date.now() - run.startedAt.getTime())),
      intervalMs: p.pollMs,
      clock: p.clock,
      signal: ctx.signal,
      knownEventIds: p.knownEventIds,
      knownStoppedTasks: p.knownStoppedTasks,
      onEvent(event) {
        if (event.kind !== 'state' || event.changed) ctx.log(`  ${event.text}`);
      },
    },
  );
}

/** Ctrl-C while following: the change carries on in ECS; the result says in what state. */
function interrupted(run: Run, state: string, next: string): CheckResult[] {
  return [
    ...run.results,
    {
      id: 'deploy.rollout',
      title: 'Deploy followed to the end',
      status: 'skip',
      resource: run.p.names.service,
      expected: 'followed to the end',
      observed: `interrupted (Ctrl-C); ${run.p.strategy === 'codedeploy' ? 'state' : 'ECS state'}: ${state}`,
      remediation: next,
    },
  ];
}

async function rolling(run: Run, primaryId: string | undefined): Promise<CheckResult[]> {
  const { ctx, p } = run;
  const outcome = await waitRollout(run, run.arn, primaryId);
  if (outcome.result === 'interrupted') {
    return interrupted(
      run,
      outcome.state,
      `The rollout to ${shortTaskDef(run.arn)} continues in ECS: \`fsops deployments ${p.component}\` follows it; \`fsops rollback ${p.component}\` stops it with rollback.`,
    );
  }
  run.results.push(rolloutResult(run, outcome));
  if (outcome.result === 'rolled-back') {
    // The circuit breaker already went back.
    run.apply.auditOutcome({ result: 'rolled-back', detail: outcome.reason ?? outcome.state });
    return run.results;
  }
  if (outcome.result === 'succeeded') {
    const gate = await judge(run);
    if (gate === 'interrupted') {
      return interrupted(
        run,
        `${shortTaskDef(run.arn)} is rolled out; the gate did not finish`,
        `\`fsops validate\` judges it; \`fsops rollback ${p.component}\` returns to ${shortTaskDef(p.previous.arn)}.`,
      );
    }
    if (gate.passed) return run.results;
  }
  ctx.log(`Rolling back ${p.names.service} to ${shortTaskDef(p.previous.arn)}`);
  return rollBackRolling(run);
}

async function rollBackRolling(run: Run): Promise<CheckResult[]> {
  const { p } = run;
  const { UpdateServiceCommand } = await import('@aws-sdk/client-ecs');
  const back = await run.ecs.send(
    new UpdateServiceCommand({
      cluster: p.names.cluster,
      service: p.names.service,
      taskDefinition: p.previous.arn,
    }),
  );
  const id = back.service?.deployments?.find((d) => d.status === 'PRIMARY')?.id;
  // A fresh deadline: going back must not be cut short by the time the failed rollout used.
  const outcome = await waitRollout({ ...run, startedAt: new Date() }, p.previous.arn, id);
  if (outcome.result === 'succeeded') {
    run.apply.auditOutcome({ result: 'rolled-back', detail: `back on ${shortTaskDef(p.previous.arn)}` });
  }
  run.results.push({
    id: 'deploy.rollback',
    title: 'Rolled back',
    status: outcome.result === 'succeeded' ? 'fail' : 'error',
    resource: p.names.service,
    expected: `${shortTaskDef(run.arn)} released`,
    observed:
      outcome.result === 'succeeded'
        ? `rolled back: ${shortTaskDef(p.previous.arn)} runs again (${outcome.state})`
        : `rolling back to ${shortTaskDef(p.previous.arn)} ${outcome.result}: ${outcome.reason ?? outcome.state}`,
    remediation:
      outcome.result === 'succeeded'
        ? 'The release failed its gate (findings above) and was rolled back; fix it before deploying again.'
        : `Follow it with \`fsops deployments ${p.component}\`; \`fsops rollback ${p.component} --to ${shortTaskDef(p.previous.arn).split(':').pop()}\` if it does not settle.`,
  });
  return run.results;
}

function rolloutResult(run: Run, outcome: WaitOutcome): CheckResult {
  const { p } = run;
  const passed = outcome.result === 'succeeded';
  const words: Record<WaitOutcome['result'], string> = {
    succeeded: 'completed',
    failed: 'failed',
    'rolled-back': 'was rolled back by ECS (circuit breaker)',
    'timed-out': `did not settle within ${formatDuration(p.timeoutMs)}`,
    interrupted: 'was not followed to the end',
  };
  return {
    id: 'deploy.rollout',
    title: 'Rolling update',
    status: passed ? 'pass' : 'fail',
    resource: p.names.service,
    expected: `${shortTaskDef(run.arn)} PRIMARY, COMPLETED, running = desired`,
    observed: `rollout ${words[outcome.result]}: ${outcome.reason ? `${outcome.reason}; ` : ''}${outcome.state}`,
    detail: outcome.stoppedTasks.slice(-10).join('\n'),
    remediation: passed
      ? ''
      : 'Read the stopped tasks above; `fsops ecs tasks` and `fsops logs tail` show why.',
  };
}

/** The gate through the engine's check runner; Ctrl-C during it is not a verdict. */
async function judge(run: Run): Promise<{ passed: boolean } | 'interrupted'> {
  const { ctx, p } = run;
  if (!ctx.runChecks) throw new Error('deploy.release needs the check runner (ActionContext.runChecks)');
  ctx.log(`Gate: ${p.gate.map((s) => s.check).join(', ')}`);
  const steps = [
    {
      check: 'deploy.revision',
      params: { component: p.component, taskDefinition: run.arn, blueKept: p.strategy !== 'rolling' },
    },
    ...p.gate,
  ];
  const findings = await ctx.runChecks(steps, { since: run.startedAt, signal: ctx.signal });
  if (ctx.stopRequested?.()) return 'interrupted';
  const failed = findings.filter((f) => f.status === 'fail' || f.status === 'error');
  run.results.push(...findings.map(asResult));
  run.results.push({
    id: 'deploy.gate',
    title: "Release gate (the component's validate checks)",
    status: failed.length ? 'fail' : 'pass',
    resource: p.names.service,
    expected: 'every gate check passes',
    observed: failed.length
      ? `${failed.length} failed: ${failed.map((f) => `${f.id} [${f.resource}] ${f.observed}`).join('; ')}`
      : `${findings.length} findings, none failed`,
  });
  return { passed: failed.length === 0 };
}

function asResult(f: Finding): CheckResult {
  return {
    id: f.id,
    title: f.title,
    severity: f.severity,
    status: f.status,
    resource: f.resource,
    expected: f.expected,
    observed: f.observed,
    detail: f.detail,
    remediation: f.remediation,
  };
}

// ---- blue/green -------------------------------------------------------------------------------

async function blueGreen(run: Run): Promise<CheckResult[]> {
  const { ctx, p } = run;
  const arn = await startedDeploymentArn(run.ecs, p.names, run.startedAt, ctx.signal).catch(() => null);
  if (!arn) {
    run.results.push({
      id: 'deploy.rollout',
      status: 'error',
      resource: p.names.service,
      expected: 'the blue/green deployment followed through its lifecycle stages',
      observed: 'ListServiceDeployments named no deployment started by this update',
      remediation: `Follow it with \`fsops deployments ${p.component}\`; \`fsops rollback ${p.component}\` stops it with rollback.`,
    });
    return run.results;
  }
  const watcher = deploymentObserver(run.ecs, arn);
  const deadline = run.startedAt.getTime() + p.timeoutMs;
  const follow = (until: (s: DeploymentState) => boolean) =>
    followDeployment(watcher, until, {
      timeoutMs: Math.max(1000, deadline - Date.now()),
      intervalMs: p.pollMs,
      clock: p.clock,
      signal: ctx.signal,
      onState: (_state, text) => ctx.log(`  ${text}`),
    });
  const short = arn.split('/').pop();
  const next = `Deployment ${short} continues in ECS: \`fsops deployments ${p.component}\` shows its stage; \`fsops rollback ${p.component}\` stops it with rollback (traffic back to blue).`;

  // Runbook 004 step 2, "test green": once green takes the test listener's traffic (held there by a
  // PAUSE hook when the service has one: the probe then decides before production traffic moves).
  const paused = p.testTrafficHold?.kind === 'PAUSE';
  const tested = await follow(
    (s) =>
      s.status === 'IN_PROGRESS' &&
      testTrafficOnGreen(s.stage) &&
      (!paused || s.awaitingHook !== null || !TEST_TRAFFIC_STAGES.has(s.stage ?? '')),
  );
  const early = settled(run, tested, next);
  if (early) return early;
  const probeResult = await probeGreen(run);
  run.results.push(probeResult);
  const hook = tested.result === 'reached' ? tested.state.awaitingHook : null;
  if (ctx.stopRequested?.()) {
    return interrupted(
      run,
      hook
        ? `probing green, held by the PAUSE hook ${hook.hookId} (until ${hook.expiresAt ?? 'its timeout'}, then ${hook.timeoutAction ?? 'its timeout action'})`
        : 'probing green',
      next,
    );
  }
  if (hook) {
    const decided = await continueHook(run, arn, hook.hookId, probeResult.status === 'fail', follow);
    if (decided) return decided;
  } else if (probeResult.status === 'fail')
    return stopWithRollback(run, arn, follow, 'green failed its health probe');

  // Runbook 004 steps 3-4: traffic moves, then the gate judges green during the bake (blue still there).
  const baking = await follow(
    (s) => s.status === 'IN_PROGRESS' && (s.stage === 'BAKE_TIME' || s.stage === 'CLEAN_UP'),
  );
  const late = settled(run, baking, next);
  if (late) return late;
  const gate = await judge(run);
  if (gate === 'interrupted') {
    const where = baking.result === 'reached' ? stateText(baking.state) : 'in the bake';
    return interrupted(run, `${where} (the gate did not finish)`, next);
  }
  if (!gate.passed) return stopWithRollback(run, arn, follow, 'the gate failed during the bake');

  const done = await follow(() => false);
  const end = settled(run, done, next);
  return end ?? run.results;
}

/**
 * A PAUSE hook holds green on the test listener: ContinueServiceDeployment CONTINUE after a good probe
 * (null: go on to the bake), ROLLBACK after a failed one (production traffic never moved to green).
 */
async function continueHook(
  run: Run,
  arn: string,
  hookId: string,
  failed: boolean,
  follow: (until: (s: DeploymentState) => boolean) => Promise<FollowResult>,
): Promise<CheckResult[] | null> {
  const { ctx } = run;
  const { ContinueServiceDeploymentCommand } = await import('@aws-sdk/client-ecs');
  const action = failed ? 'ROLLBACK' : 'CONTINUE';
  ctx.log(`  ContinueServiceDeployment ${action} (PAUSE hook ${hookId})`);
  await run.ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId, action }));
  if (!failed) return null;
  return followRollback(run, follow, {
    why: 'green failed its health probe while the PAUSE hook held it',
    title: 'Rolled back before production traffic moved',
    sent: 'ContinueServiceDeployment ROLLBACK',
    onBlue: 'ContinueServiceDeployment ROLLBACK; production traffic never left blue',
    audited: 'production traffic stayed on blue',
  });
}

/** Green takes the test listener's traffic from TEST_TRAFFIC_SHIFT on (and every stage after it). */
export function testTrafficOnGreen(stage: string | null): boolean {
  return stage !== null && (TEST_TRAFFIC_STAGES.has(stage) || !STAGES_BEFORE_PRODUCTION.has(stage));
}

/**
 * After a follow: null to go on; otherwise the final results (ECS ended the deployment itself — an
 * alarm or the circuit breaker rolled it back, or it succeeded —, the time ran out, or Ctrl-C).
 */
function settled(run: Run, outcome: FollowResult, next: string): CheckResult[] | null {
  const { p } = run;
  if (outcome.result === 'reached') return null;
  if (outcome.result === 'interrupted') {
    return interrupted(run, outcome.state ? stateText(outcome.state) : 'not read yet', next);
  }
  if (outcome.result === 'timed-out') {
    run.results.push({
      id: 'deploy.rollout',
      status: 'fail',
      resource: p.names.service,
      expected: 'the blue/green deployment SUCCESSFUL',
      observed: `not finished within ${formatDuration(p.timeoutMs)}${outcome.state ? `: ${stateText(outcome.state)}` : ''}${outcome.reason ? ` (${outcome.reason})` : ''}`,
      remediation: next,
    });
    return run.results;
  }
  if (outcome.state?.outcome === 'rolled-back') {
    run.apply.auditOutcome({ result: 'rolled-back', detail: outcome.state.reason ?? 'ECS rolled back' });
  }
  run.results.push(blueGreenResult(run, outcome.state!));
  return run.results;
}

function stateText(s: DeploymentState): string {
  return `${s.status}${s.stage ? ` ${s.stage}` : ''}, production traffic on ${s.traffic}`;
}

function blueGreenResult(run: Run, state: DeploymentState): CheckResult {
  const { p } = run;
  const ok = state.outcome === 'succeeded';
  const why =
    state.triggeredAlarms.length > 0
      ? `alarm(s) ${state.triggeredAlarms.join(', ')} fired`
      : (state.reason ?? 'no reason given');
  return {
    id: 'deploy.rollout',
    title: 'Blue/green deployment',
    status: ok ? 'pass' : 'fail',
    resource: p.names.service,
    expected: `${shortTaskDef(run.arn)} takes production traffic after the ${p.bakeTimeInMinutes}-minute bake`,
    observed: ok
      ? `SUCCESSFUL: production traffic on green (${shortTaskDef(run.arn)}); blue cleaned up`
      : state.outcome === 'rolled-back'
        ? `ECS rolled the deployment back (${why}): production traffic on blue (${shortTaskDef(p.previous.arn)})`
        : `${state.status}: ${why}; production traffic on ${state.traffic}`,
    remediation: ok
      ? ''
      : `Read why above; \`fsops deployments ${p.component}\` shows what holds the traffic.`,
  };
}

/** Runbook 004 "test green": each health path through the test listener answers 2xx. */
async function probeGreen(run: Run): Promise<CheckResult> {
  const { ctx, p } = run;
  if (typeof p.testUrl !== 'string') {
    return {
      id: 'deploy.green-probe',
      title: 'Green answers through the test listener',
      status: 'warn',
      resource: p.names.service,
      expected: 'green answers 2xx through the test listener before production traffic moves',
      observed: `not probed: ${p.testUrl.none}`,
      remediation: 'Set deploy.testUrls.<component> in the config, or give the service a test listener rule.',
    };
  }
  if (!ctx.checkContext) throw new Error('deploy.release needs a check context to probe green');
  const checkCtx = ctx.checkContext();
  const probes = await Promise.all(
    p.healthPaths.map((path) => probe(checkCtx, `${p.testUrl}${path}`, p.healthTimeoutMs)),
  );
  const bad = probes.filter((r) => r.status === null || r.status >= 300);
  ctx.log(
    `  green through the test listener: ${probes.map((r) => `${r.url} ${r.status ?? r.error}`).join(', ')}`,
  );
  return {
    id: 'deploy.green-probe',
    title: 'Green answers through the test listener',
    status: bad.length ? 'fail' : 'pass',
    resource: p.names.service,
    expected: 'green answers 2xx through the test listener before production traffic moves',
    observed: probes
      .map((r) => `${r.url}: ${r.status === null ? `no response (${r.error})` : `HTTP ${r.status}`}`)
      .join('; '),
    remediation: bad.length ? `Green is unhealthy: \`fsops logs tail ${p.component}\` shows why.` : '',
  };
}

async function stopWithRollback(
  run: Run,
  arn: string,
  follow: (until: (s: DeploymentState) => boolean) => Promise<FollowResult>,
  why: string,
): Promise<CheckResult[]> {
  const { ctx } = run;
  const { StopServiceDeploymentCommand } = await import('@aws-sdk/client-ecs');
  ctx.log(`${why}: stopping ${arn.split('/').pop()} with rollback (traffic back to blue)`);
  await run.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }));
  return followRollback(run, follow, {
    why,
    title: 'Stopped with rollback',
    sent: 'StopServiceDeployment ROLLBACK',
    onBlue: 'stopped with rollback; production traffic on blue',
    audited: 'production traffic on blue',
  });
}

/**
 * After a ROLLBACK was sent (a PAUSE hook's or StopServiceDeployment's): follows the deployment until
 * ECS ends it, audits `rolled-back` once production traffic is on blue, and says so; a rollback not
 * seen to end on blue is an error with the way to follow it.
 */
async function followRollback(
  run: Run,
  follow: (until: (s: DeploymentState) => boolean) => Promise<FollowResult>,
  said: { why: string; title: string; sent: string; onBlue: string; audited: string },
): Promise<CheckResult[]> {
  const { p } = run;
  const outcome = await follow(() => false);
  const back = outcome.state?.outcome === 'rolled-back';
  if (back) run.apply.auditOutcome({ result: 'rolled-back', detail: `${said.why}; ${said.audited}` });
  run.results.push({
    id: 'deploy.rollback',
    title: said.title,
    status: back ? 'fail' : 'error',
    resource: p.names.service,
    expected: `${shortTaskDef(run.arn)} released`,
    observed: back
      ? `${said.why}: ${said.onBlue} (${shortTaskDef(p.previous.arn)})`
      : `${said.why}: ${said.sent} sent; ${outcome.state ? stateText(outcome.state) : outcome.result}`,
    remediation: back
      ? 'Fix the release before deploying again (the failing findings are above).'
      : `Follow it with \`fsops deployments ${p.component}\` until production traffic is on blue.`,
  });
  return run.results;
}

// ---- CodeDeploy (a service on the CODE_DEPLOY deployment controller) ----------------------------

/**
 * CreateDeployment with the AppSpec naming the new revision, then GetDeployment until production
 * traffic moved and the original task set is kept (the termination wait): the gate runs then, and a
 * failure stops the deployment with auto-rollback (traffic back to the original task set at once).
 */
async function codeDeploy(run: Run): Promise<CheckResult[]> {
  const { ctx, p } = run;
  const cd = p.codeDeploy;
  if (!cd) throw new Error('deploy.release: no CodeDeploy deployment group');
  const { CreateDeploymentCommand } = await import('@aws-sdk/client-codedeploy');
  const client = await ctx.aws.codedeploy();
  // The mutating call takes no abort signal: once sent, CodeDeploy may have accepted it.
  const created = await client.send(
    new CreateDeploymentCommand({
      applicationName: cd.group.application,
      deploymentGroupName: cd.group.group,
      revision: {
        revisionType: 'AppSpecContent',
        appSpecContent: { content: appSpecContent(run.arn, cd.containerName, cd.containerPort) },
      },
      description: `fsops deploy ${p.component}: ${p.image}`,
    }),
  );
  const id = created.deploymentId;
  if (!id) throw new Error('CreateDeployment returned no deployment id');
  ctx.log(
    `Registered ${shortTaskDef(run.arn)}; CodeDeploy deployment ${id} of ${cd.group.application}/${cd.group.group}`,
  );
  const deadline = run.startedAt.getTime() + p.timeoutMs;
  const follow = (deploymentId: string, until: (s: CodeDeployState) => boolean, fresh = false) =>
    followCodeDeploy((signal) => getDeployment(client, deploymentId, signal), until, {
      timeoutMs: fresh ? p.timeoutMs : Math.max(1000, deadline - Date.now()),
      intervalMs: p.pollMs,
      clock: p.clock,
      signal: ctx.signal,
      onState: (_state, text) => ctx.log(`  ${text}`),
    });
  const next = `CodeDeploy deployment ${id} continues: \`fsops deployments ${p.component}\` shows it; \`fsops rollback ${p.component}\` stops it with auto-rollback.`;

  const moved = await follow(id, (s) => s.blueKept);
  if (moved.result === 'interrupted') return interrupted(run, codeDeployText(moved.state), next);
  if (moved.result === 'timed-out') return codeDeployTimedOut(run, moved, next);
  if (moved.result === 'ended' && moved.state.outcome !== 'succeeded') {
    return codeDeployEnded(run, moved.state);
  }
  // Traffic is on green: blue kept (reached), or CodeDeploy already finished (no termination wait).
  const gate = await judge(run);
  if (gate === 'interrupted')
    return interrupted(run, `${codeDeployText(moved.state)} (the gate did not finish)`, next);
  if (!gate.passed) {
    if (moved.result === 'reached') return stopCodeDeploy(run, client, id, follow);
    return redeployPrevious(run, client, follow);
  }
  const done = moved.result === 'ended' ? moved : await follow(id, () => false);
  if (done.result === 'interrupted') return interrupted(run, codeDeployText(done.state), next);
  if (done.result === 'timed-out') return codeDeployTimedOut(run, done, next);
  return codeDeployEnded(run, done.state!);
}

function codeDeployText(state: CodeDeployState | null): string {
  return state ? describeCodeDeployState(state) : 'not read yet';
}

function codeDeployTimedOut(run: Run, outcome: CodeDeployFollow, next: string): CheckResult[] {
  run.results.push({
    id: 'deploy.rollout',
    status: 'fail',
    resource: run.p.names.service,
    expected: 'the CodeDeploy deployment Succeeded',
    observed: `not finished within ${formatDuration(run.p.timeoutMs)}: ${codeDeployText(outcome.state)}${'reason' in outcome && outcome.reason ? ` (${outcome.reason})` : ''}`,
    remediation: next,
  });
  return run.results;
}

function codeDeployEnded(run: Run, state: CodeDeployState): CheckResult[] {
  const { p } = run;
  const ok = state.outcome === 'succeeded';
  if (!ok && state.rollbackDeploymentId) {
    run.apply.auditOutcome({ result: 'rolled-back', detail: state.reason ?? 'CodeDeploy rolled back' });
  }
  run.results.push({
    id: 'deploy.rollout',
    title: 'CodeDeploy deployment',
    status: ok ? 'pass' : 'fail',
    resource: p.names.service,
    expected: `${shortTaskDef(run.arn)} takes production traffic (CodeDeploy ${state.id} Succeeded)`,
    observed: ok
      ? `Succeeded: production traffic on ${shortTaskDef(run.arn)}; the original task set terminated`
      : `${state.status}${state.reason ? `: ${oneLine(state.reason, 300)}` : ''}${state.rollbackDeploymentId ? `; CodeDeploy rolled back (${state.rollbackDeploymentId}): production traffic on ${shortTaskDef(p.previous.arn)}` : ''}`,
    remediation: ok ? '' : `Read why above; \`fsops deployments ${p.component}\` shows what runs.`,
  });
  return run.results;
}

/** The gate failed while the original task set is kept: StopDeployment with auto-rollback, then follow the way back. */
async function stopCodeDeploy(
  run: Run,
  client: Awaited<ReturnType<ActionContext['aws']['codedeploy']>>,
  id: string,
  follow: (id: string, until: (s: CodeDeployState) => boolean, fresh?: boolean) => Promise<CodeDeployFollow>,
): Promise<CheckResult[]> {
  const { ctx, p } = run;
  const { StopDeploymentCommand } = await import('@aws-sdk/client-codedeploy');
  ctx.log(
    `the gate failed: stopping CodeDeploy deployment ${id} with auto-rollback (traffic back to the original task set)`,
  );
  const stop = await client.send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: true }));
  const stopped = await follow(id, () => false, true);
  const rollbackId = stopped.state?.rollbackDeploymentId;
  const back = rollbackId ? await follow(rollbackId, () => false, true) : null;
  const ok = back?.result === 'ended' && back.state.outcome === 'succeeded';
  if (ok)
    run.apply.auditOutcome({
      result: 'rolled-back',
      detail: `the gate failed; CodeDeploy rollback ${rollbackId} Succeeded`,
    });
  run.results.push({
    id: 'deploy.rollback',
    title: 'Stopped with rollback',
    status: ok ? 'fail' : 'error',
    resource: p.names.service,
    expected: `${shortTaskDef(run.arn)} released`,
    observed: ok
      ? `the gate failed: CodeDeploy ${id} stopped with auto-rollback (${rollbackId} Succeeded); production traffic on ${shortTaskDef(p.previous.arn)}`
      : `the gate failed: StopDeployment --auto-rollback-enabled sent (${stop.status ?? 'no status'}${stop.statusMessage ? `: ${oneLine(stop.statusMessage, 200)}` : ''}); ${codeDeployText(back?.state ?? stopped.state)}`,
    remediation: ok
      ? 'Fix the release before deploying again (the failing findings are above).'
      : `Follow it with \`fsops deployments ${p.component}\` until production traffic is on ${shortTaskDef(p.previous.arn)}.`,
  });
  return run.results;
}

/** The gate failed after CodeDeploy finished (no termination wait): a CodeDeploy deployment of the previous revision. */
async function redeployPrevious(
  run: Run,
  client: Awaited<ReturnType<ActionContext['aws']['codedeploy']>>,
  follow: (id: string, until: (s: CodeDeployState) => boolean, fresh?: boolean) => Promise<CodeDeployFollow>,
): Promise<CheckResult[]> {
  const { ctx, p } = run;
  const cd = p.codeDeploy!;
  const { CreateDeploymentCommand } = await import('@aws-sdk/client-codedeploy');
  ctx.log(`the gate failed after CodeDeploy finished: deploying ${shortTaskDef(p.previous.arn)} again`);
  const created = await client.send(
    new CreateDeploymentCommand({
      applicationName: cd.group.application,
      deploymentGroupName: cd.group.group,
      revision: {
        revisionType: 'AppSpecContent',
        appSpecContent: { content: appSpecContent(p.previous.arn, cd.containerName, cd.containerPort) },
      },
      description: `fsops deploy ${p.component}: the gate failed, back to ${shortTaskDef(p.previous.arn)}`,
    }),
  );
  const back = created.deploymentId ? await follow(created.deploymentId, () => false, true) : null;
  const ok = back?.result === 'ended' && back.state.outcome === 'succeeded';
  if (ok)
    run.apply.auditOutcome({ result: 'rolled-back', detail: `back on ${shortTaskDef(p.previous.arn)}` });
  run.results.push({
    id: 'deploy.rollback',
    title: 'Rolled back',
    status: ok ? 'fail' : 'error',
    resource: p.names.service,
    expected: `${shortTaskDef(run.arn)} released`,
    observed: ok
      ? `rolled back: CodeDeploy ${created.deploymentId} put ${shortTaskDef(p.previous.arn)} back`
      : `rolling back to ${shortTaskDef(p.previous.arn)}: ${codeDeployText(back?.state ?? null)}`,
    remediation: ok
      ? 'The release failed its gate (findings above) and was rolled back; fix it before deploying again.'
      : `Follow it with \`fsops deployments ${p.component}\`.`,
  });
  return run.results;
}
