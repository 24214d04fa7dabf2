import type { Service, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { awsExitError } from '../base/aws/errors.js';
import type { Config } from '../base/config/schema.js';
import type { CheckContext } from '../base/model/check.js';
import { parseDuration } from '../base/model/duration.js';
import { ExitCode, UsageError } from '../base/model/errors.js';
import type { Finding } from '../base/model/finding.js';
import { buildReport } from '../base/model/finding.js';
import { codeDeployStopAction } from '../catalogue/actions/deploy/codedeploy-stop.js';
import { type ReleaseParams, releaseAction } from '../catalogue/actions/deploy/release.js';
import { stopReleaseAction } from '../catalogue/actions/deploy/stop.js';
import { deployedReference, imageFactsKey } from '../catalogue/checks/deploy/image.js';
import { CHECKS } from '../catalogue/checks/index.js';
import { requireService, type ServiceNames } from '../domain/ecs/service-facts.js';
import { sameTaskDef, shortTaskDef } from '../domain/ecs/taskdef.js';
import { desiredAlarms, loadAlarmCatalogue } from '../domain/monitoring/alarm-catalogue.js';
import { appSpecTarget, findDeploymentGroup } from '../domain/release/codedeploy.js';
import {
  checkImageArgument,
  type ImageFacts,
  parseImageRef,
  requestedImage,
} from '../domain/release/image.js';
import { testTrafficHold } from '../domain/release/lifecycle.js';
import {
  blueGreenLoadBalancers,
  chooseStrategy,
  codeDeployRefusal,
  controllerRefusal,
  type Strategy,
  updateServiceInput,
} from '../domain/release/strategy.js';
import { containerImage, releaseContainer, releaseTaskDefinition } from '../domain/release/taskdef.js';
import { testListenerUrl } from '../domain/release/test-listener.js';
import { changeAuditor, promptIO } from '../engine/change.js';
import { type ChangeSession, changeReport, envChangeSession, runChanges } from '../engine/changes.js';
import { openServiceCommand, type ServiceCommandOptions } from '../engine/commands/service-operation.js';
import { finishChangeRun } from '../engine/evidence.js';
import { readsUntilInterrupted } from '../engine/interrupt.js';
import { createProgress, type Progress } from '../engine/progress.js';
import { runChecks, stepsFor } from '../engine/runner.js';
import type { Runtime } from '../engine/runtime.js';
import { type CallerIdentity, type EnvSession, envSessionOf, verifyAccount } from '../engine/session.js';

export interface DeployOptions extends ServiceCommandOptions {
  image?: string;
  strategy?: string;
  container?: string;
  /** Minutes blue is kept beside green (blue-green); default deploy.bakeTimeMinutes. */
  bakeTime?: string;
  allowFindings?: boolean;
  skipStagingGate?: boolean;
  overrideFreeze?: boolean;
  overrideIncident?: boolean;
  reason?: string;
  /** The AWS profile for the staging gate; default environments.<staging>.profile. */
  stagingProfile?: string;
}

/**
 * The component's checks from `validate` that judge a release (deployment guide §11.1, ops guide §12.2.1).
 * Blue/green is judged during the bake, with blue still beside green on purpose: `ecs.service`'s "one
 * COMPLETED deployment" cannot hold then, and `deploy.revision` judges green's deployment instead.
 */
export function gateSteps(
  component: string,
  strategy: Strategy = 'rolling',
): { check: string; params?: Record<string, unknown> }[] {
  const components = [component];
  return [
    ...(strategy === 'rolling' ? [{ check: 'ecs.service', params: { components } }] : []),
    { check: 'health.endpoints', params: { components } },
    { check: 'cloudwatch.alarms' },
    { check: 'logs.recent-errors', params: { components } },
    // Issue 20: "no new error signature in its log group since the deploy began".
    { check: 'deploy.new-errors', params: { components } },
    // Issue 20: "payment success rate not below its threshold" (docs/thresholds.md), through the run's metrics batch.
    { check: 'metrics.payments', params: { metrics: ['success-rate'] } },
  ];
}

/** Overrides need a reason, and a reason needs an override: one line, exit 2, before anything is read. */
export function overridesOf(options: DeployOptions): Record<string, string> {
  const flags: [keyof DeployOptions, string][] = [
    ['allowFindings', '--allow-findings'],
    ['skipStagingGate', '--skip-staging-gate'],
    ['overrideFreeze', '--override-freeze'],
    ['overrideIncident', '--override-incident'],
  ];
  const given = flags.filter(([key]) => options[key]).map(([, flag]) => flag);
  const reason = options.reason?.trim();
  if (given.length && !reason) {
    throw new UsageError(`${given.join(', ')} needs --reason "<why>" (it goes into the audit log)`);
  }
  if (reason && !given.length) {
    throw new UsageError(
      '--reason explains an override: give it with --allow-findings, --skip-staging-gate, --override-freeze or --override-incident',
    );
  }
  return Object.fromEntries(given.map((flag) => [flag, reason!]));
}

function bakeMinutes(options: DeployOptions, fallback: number): number {
  if (options.bakeTime === undefined) return fallback;
  const minutes = Number(options.bakeTime);
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > 1440) {
    throw new UsageError(`invalid --bake-time '${options.bakeTime}': whole minutes from 0 to 1440`);
  }
  return minutes;
}

/**
 * `fsops deploy <component> --env E --image <tag|digest>`: the gates (exit 2, audited, before any
 * change), then the release through the one change driver (src/engine/changes.ts), judged by the
 * component's `validate` checks and rolled back when they fail.
 */
export async function deploy(component: string, options: DeployOptions, runtime: Runtime): Promise<number> {
  if (!options.image?.trim()) {
    throw new UsageError('deploy needs --image <tag|digest> (e.g. --image 1.4.3 or --image sha256:<64 hex>)');
  }
  checkImageArgument(options.image);
  const overrides = overridesOf(options);
  if (options.strategy !== undefined) chooseStrategy({}, options.strategy);
  const { printer, session, names } = openServiceCommand(component, options, 'deploy', runtime);
  const startedAt = new Date(runtime.clock.now());
  const env = session.env;
  const settings = session.config.deploy;
  const timeoutMs = parseDuration(options.timeout ?? settings.timeout, '--timeout');
  const bake = bakeMinutes(options, settings.bakeTimeMinutes);
  const io = promptIO(printer.format, runtime.io, runtime.stderr);
  const protectedEnv = env.settings.protected;
  const stagingGate = protectedEnv && !options.skipStagingGate && env.name !== settings.stagingEnv;
  const progress = await createProgress(`deploy ${component} (${env.name})`, printer.format, runtime.stderr);
  let staging: EnvSession | null = null;
  try {
    // The ECR client (and ELB's for blue/green) load while ECS answers: needed a moment later anyway.
    void session.aws.ecr().catch(() => undefined);
    const facts = await readsUntilInterrupted((signal) =>
      readServiceFacts(session, names, signal, () =>
        stagingGate
          ? startStagingValidation(options, session.config, settings.stagingEnv, component, runtime, signal)
          : null,
      ),
    );
    const { identity } = facts;
    staging = (await facts.stagingRun?.session.catch(() => null)) ?? null;
    const { service, previous } = facts;
    const audit = changeAuditor({
      identity: identity?.arn ?? null,
      env: env.name,
      command: 'deploy',
      component,
      from: previous.arn,
      to: options.image.trim(),
      target: session.config.audit,
      aws: session.aws,
      stderr: runtime.stderr,
    });
    const refuse = async (message: string): Promise<never> => {
      await audit('refused', message);
      throw new UsageError(message);
    };
    const family = previous.definition.family ?? names.family;
    const refusal = controllerRefusal(service);
    if (refusal) await refuse(refusal);
    const strategy = chooseStrategy(service, options.strategy);
    if (strategy === 'blue-green') {
      const ready = blueGreenLoadBalancers(service);
      if (!ready.ok)
        await refuse(`${names.service} cannot deploy blue/green: ${ready.missing}. Nothing was changed.`);
    }
    const appSpec = strategy === 'codedeploy' ? appSpecTarget(service.loadBalancers ?? []) : null;
    if (strategy === 'codedeploy' && !appSpec) {
      await refuse(
        codeDeployRefusal(
          service,
          env.name,
          component,
          family,
          "its load balancer names no container and port (the AppSpec's LoadBalancerInfo)",
        ),
      );
    }
    const container = releaseContainer(previous.definition, component, options.container);
    const running = parseImageRef(containerImage(previous.definition, container) ?? '');
    if (!running)
      await refuse(`cannot read the image of container ${container} in ${shortTaskDef(previous.arn)}`);
    const wanted = requestedImage(running!, options.image);

    // The gates, through the check runner, before anything changes (ops guide §12.2.1).
    const gate = await readsUntilInterrupted((signal) =>
      runGates(
        session,
        {
          component,
          names,
          service,
          strategy,
          wanted,
          options,
          startedAt,
          progress,
          stagingRun: facts.stagingRun,
        },
        signal,
      ),
    );
    progress.stop();
    const skipped: Finding[] =
      options.skipStagingGate && protectedEnv ? [skippedStaging(settings.stagingEnv, options.reason!)] : [];
    const gateFindings = [...gate.findings, ...skipped];
    const blocking = gateFindings.filter((f) => f.status === 'fail' || f.status === 'error');
    if (blocking.length) {
      await audit(
        'refused',
        `gate: ${blocking.map((f) => `${f.id} [${f.resource}] ${f.status}: ${f.observed}`).join('; ')}`,
      );
      printer.report(
        buildReport(
          `deploy ${component}`,
          env.name,
          startedAt,
          gateFindings,
          [
            `Refused before any change: ${blocking.length} gate finding(s) failed. Nothing was registered or changed.`,
          ],
          () => runtime.clock.now(),
        ),
      );
      return ExitCode.usage;
    }

    if (strategy === 'codedeploy' && !gate.codeDeployGroup) {
      await refuse(
        codeDeployRefusal(
          service,
          env.name,
          component,
          family,
          `no CodeDeploy deployment group names it (${settings.codeDeploy[component] ? `deploy.codeDeploy.${component} names ${settings.codeDeploy[component].application}/${settings.codeDeploy[component].deploymentGroup}, not found` : 'no application has a deployment group whose ecsServices are this cluster and service'})`,
        ),
      );
    }
    const image = deployedReference(gate.image, protectedEnv);
    const params = releaseParams(session, {
      component,
      names,
      strategy,
      service,
      previous,
      container,
      image,
      bake,
      timeoutMs,
      overrides,
      testUrl: gate.testUrl,
      codeDeploy: strategy === 'codedeploy' ? { group: gate.codeDeployGroup!, ...appSpec! } : null,
    });
    const change = deployChangeSession(session, identity?.arn ?? null, runtime);
    const result = await runChanges(change, [{ action: releaseAction, params }], {
      command: `deploy ${component}`,
      yes: options.yes,
      dryRun: options.dryRun,
      io,
      log: (text) => runtime.stderr.write(`${text}\n`),
    });
    const notes = [`${names.service}: ${shortTaskDef(previous.arn)} -> ${image} (${strategy})`];
    const report = changeReport(
      `deploy ${component}`,
      env.name,
      startedAt,
      () => runtime.clock.now(),
      [...gateFindings, ...result.findings],
      result,
      notes,
    );
    const code = finishChangeRun(printer, report, {
      declined: result.declined,
      evidence: null,
      timings: result.timings,
      identity: identity?.arn ?? null,
      runtime,
    });
    if (result.interrupted && result.applied.length > 0) {
      await offerStop(
        component,
        names,
        previous.arn,
        result.findings,
        change,
        io,
        printer.format,
        runtime.stderr,
        strategy,
      );
    }
    return code;
  } finally {
    progress.stop();
    staging?.aws.destroy();
    session.aws.destroy();
  }
}

/** What the release action is given: the new revision, the update (or the CodeDeploy deployment), the gate. */
function releaseParams(
  session: EnvSession,
  p: {
    component: string;
    names: ServiceNames;
    strategy: ReturnType<typeof chooseStrategy>;
    service: Service;
    previous: { arn: string; definition: TaskDefinition; tags: Tag[] };
    container: string;
    image: string;
    bake: number;
    timeoutMs: number;
    overrides: Record<string, string>;
    testUrl: ReleaseParams['testUrl'];
    codeDeploy: ReleaseParams['codeDeploy'] | null;
  },
): ReleaseParams {
  const { component, names, strategy, service, previous, container, image, bake } = p;
  return {
    component,
    names,
    strategy,
    previous: { arn: previous.arn, definition: previous.definition },
    register: releaseTaskDefinition(previous.definition, container, image, previous.tags),
    ...(p.codeDeploy
      ? { codeDeploy: p.codeDeploy }
      : {
          update: withoutTaskDefinition(
            updateServiceInput(service, {
              cluster: names.cluster,
              service: names.service,
              taskDefinition: '',
              strategy,
              bakeTimeInMinutes: bake,
              alarmNames: criticalAlarms(session, component),
            }),
          ),
        }),
    ...(strategy === 'blue-green' ? probeRaceOf(service) : {}),
    container,
    image,
    bakeTimeInMinutes: bake,
    testUrl: p.testUrl,
    healthPaths: session.config.health.paths,
    healthTimeoutMs: session.config.health.timeoutMs,
    gate: gateSteps(component, strategy),
    timeoutMs: p.timeoutMs,
    pollMs: session.config.deploy.pollSeconds * 1000,
    knownEventIds: (service.events ?? []).map((e) => e.id ?? ''),
    knownStoppedTasks: [],
    overrides: p.overrides,
  };
}

interface GateInputs {
  component: string;
  names: ServiceNames;
  service: Service;
  strategy: ReturnType<typeof chooseStrategy>;
  wanted: ReturnType<typeof requestedImage>;
  options: DeployOptions;
  startedAt: Date;
  progress: Progress;
  stagingRun: StagingRun | null;
}

/**
 * The gates before anything changes (ops guide §12.2.1), through the check runner: the image and its
 * scan, no open SEV1/SEV2, no freeze, and staging; beside them the blue/green test listener and the
 * CodeDeploy deployment group the release needs.
 */
async function runGates(session: EnvSession, inputs: GateInputs, signal: AbortSignal) {
  const { component, names, service, strategy, wanted, options, startedAt, progress } = inputs;
  const env = session.env;
  const settings = session.config.deploy;
  const protectedEnv = env.settings.protected;
  const [prod, testUrl, codeDeployGroup] = await Promise.all([
    runChecks(
      session,
      stepsFor(CHECKS, [
        {
          check: 'deploy.image',
          params: {
            image: wanted,
            protectedEnv,
            ...(options.allowFindings ? { allowFindings: options.reason } : {}),
          },
        },
        {
          check: 'deploy.no-open-incident',
          params: options.overrideIncident ? { override: options.reason } : {},
        },
        { check: 'deploy.no-freeze', params: options.overrideFreeze ? { override: options.reason } : {} },
      ]),
      { signal, now: startedAt, onCheckStart: progress.onCheckStart, onCheckDone: progress.onCheckDone },
    ),
    strategy === 'blue-green'
      ? testListenerUrl(
          () => session.aws.elbv2(),
          service.loadBalancers ?? [],
          env.nameOf('alb', component),
          settings.testUrls[component],
          signal,
        ).catch((error) => ({ none: `cannot read the test listener: ${(error as Error).message}` }))
      : Promise.resolve({ none: strategy } as { none: string }),
    strategy === 'codedeploy'
      ? session.aws
          .codedeploy()
          .then((cd) =>
            findDeploymentGroup(
              cd,
              { cluster: names.cluster, service: names.service },
              settings.codeDeploy[component],
              signal,
            ),
          )
          .catch((error) => {
            if (signal.aborted) throw error;
            throw awsExitError(error, `cannot find the CodeDeploy deployment group of ${names.service}`);
          })
      : Promise.resolve(null),
  ]);
  const image = await imageFacts(prod.context, wanted);
  const stagingFindings = inputs.stagingRun ? await inputs.stagingRun.finish(image) : [];
  return { findings: [...prod.findings, ...stagingFindings], image, testUrl, codeDeployGroup };
}

/**
 * The plan's first reads, beside each other (BENCHMARKS.md, deploy: two round trips before the ECR
 * gate): the wrong-account guard, DescribeServices, the family's newest revision (almost always the
 * running one: DescribeTaskDefinition needs no DescribeServices first), and staging's own session.
 * Nothing read is used before the account is known to be the environment's.
 */
async function readServiceFacts(
  session: EnvSession,
  names: ServiceNames,
  signal: AbortSignal,
  startStaging: () => StagingRun | null,
) {
  const stagingRun = startStaging();
  const account = verifyAccount(session, true, signal);
  const ecs = await session.aws.ecs();
  const servicePromise = requireService(ecs, names, signal);
  const newest = describeWithTags(ecs, names.family, signal).catch(() => null);
  servicePromise.catch(() => undefined);
  const identity: CallerIdentity | null = await account;
  const service = await servicePromise.catch((error) => {
    throw awsExitError(error, `cannot read ${names.service}`);
  });
  const guessed = await newest;
  const previous =
    guessed && sameTaskDef(guessed.arn, service.taskDefinition)
      ? guessed
      : await describeWithTags(ecs, runningTaskDefinition(service), signal).catch((error) => {
          throw awsExitError(error, 'cannot read the running task definition');
        });
  return { identity, service, previous, stagingRun, ecs };
}

function runningTaskDefinition(service: Service): string {
  if (!service.taskDefinition) throw new UsageError(`${service.serviceName} runs no task definition`);
  return service.taskDefinition;
}

/** DescribeTaskDefinition with its tags, of an ARN or of a family (its newest ACTIVE revision). */
async function describeWithTags(
  ecs: Awaited<ReturnType<EnvSession['aws']['ecs']>>,
  arn: string,
  signal: AbortSignal,
): Promise<{ arn: string; definition: TaskDefinition; tags: Tag[] }> {
  const { DescribeTaskDefinitionCommand } = await import('@aws-sdk/client-ecs');
  const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }), {
    abortSignal: signal,
  });
  if (!out.taskDefinition) throw new Error(`ECS returned no task definition for ${arn}`);
  return {
    arn: out.taskDefinition.taskDefinitionArn ?? arn,
    definition: out.taskDefinition,
    tags: out.tags ?? [],
  };
}

/** The image facts the gate's `deploy.image` gathered (the run's shared cache: no second call). */
function imageFacts(context: CheckContext, ref: ReturnType<typeof requestedImage>): Promise<ImageFacts> {
  return context.once(imageFactsKey(ref), () => Promise.reject(new Error('the image gate did not run')));
}

/** Blue/green without a lifecycle hook that holds test traffic: the green probe may race the traffic shift. */
function probeRaceOf(service: Service): Pick<ReleaseParams, 'probeRace' | 'testTrafficHold'> {
  const hold = testTrafficHold(service.deploymentConfiguration?.lifecycleHooks ?? []);
  return hold ? { testTrafficHold: hold } : { probeRace: NO_HOLD_WARNING };
}

const NO_HOLD_WARNING =
  'no lifecycle hook holds test traffic (TEST_TRAFFIC_SHIFT/POST_TEST_TRAFFIC_SHIFT): ECS may move production traffic before the green probe answers (a failing probe then rolls back from production); docs/deploy.md "Holding green at the test listener"';

function withoutTaskDefinition<T extends { taskDefinition?: string }>(input: T): Omit<T, 'taskDefinition'> {
  const { taskDefinition: _unused, ...rest } = input;
  return rest;
}

/** The component's critical alarms in monitoring/alarms.yaml (runbook 004: watch, switch back on a problem). */
function criticalAlarms(session: EnvSession, component: string): string[] {
  const alarms = desiredAlarms(loadAlarmCatalogue(), session.env);
  const others = session.env.components.filter((c) => c !== component);
  return alarms
    .filter((a) => a.severity === 'critical' && !others.some((c) => a.name.endsWith(`-${c}`)))
    .filter((a) => !a.dimensions.some((d) => others.some((c) => d.Value.includes(c))))
    .map((a) => a.name);
}

function skippedStaging(stagingEnv: string, reason: string): Finding {
  return {
    id: 'deploy.staging',
    checkId: 'deploy.staging',
    title: `The image was tested in ${stagingEnv} first`,
    status: 'warn',
    severity: 'critical',
    resource: stagingEnv,
    detail: '',
    expected: `the image runs in ${stagingEnv} and \`fsops validate ${stagingEnv}\` passes`,
    observed: `not checked: --skip-staging-gate: ${reason}`,
    remediation: 'The skip is in the audit log; deploy to staging first next time.',
    source: 'ops guide §12.2.1 (Staging: deployment to staging environment)',
  };
}

interface StagingRun {
  session: Promise<EnvSession>;
  /** The staging findings: validate's component checks, and the image by digest in its running tasks. */
  finish(image: ImageFacts): Promise<Finding[]>;
}

/**
 * Ops guide §12.2.1 "tested in staging first": staging's own session (its profile, its account guard),
 * `validate`'s checks of the component there now, and the image (by digest) in its running tasks. All of
 * it starts at once; the image check waits for prod's ECR answer only to compare.
 */
function startStagingValidation(
  options: DeployOptions,
  config: Config,
  stagingEnv: string,
  component: string,
  runtime: Runtime,
  signal: AbortSignal,
): StagingRun {
  let settle: (digest: string) => void = () => undefined;
  let giveUp: (error: Error) => void = () => undefined;
  const digest = new Promise<string>((resolve, reject) => {
    settle = resolve;
    giveUp = reject;
  });
  digest.catch(() => undefined);
  const session = (async () => {
    // The run's config, loaded once (the same --config file).
    const stagingConfig = config.environments[stagingEnv];
    if (!stagingConfig) {
      throw new UsageError(`deploy.stagingEnv '${stagingEnv}' is not an environment of the config`);
    }
    const profile = options.stagingProfile ?? stagingConfig.profile;
    return envSessionOf(config, { ...options, profile, region: stagingConfig.region }, stagingEnv);
  })();
  const findings = session.then(async (s) => {
    // Staging's account guard goes beside its checks; nothing they found is used unless it passes.
    const account = verifyAccount(s, false, signal);
    account.catch(() => undefined);
    const checked = runChecks(
      s,
      stepsFor(CHECKS, [
        { check: 'deploy.staging-image', params: { component, digest, target: options.env } },
        ...gateSteps(component),
      ]),
      {
        signal,
        since: new Date(runtime.clock.now() - 15 * 60_000),
        ...(runtime.fetch ? { fetch: runtime.fetch } : {}),
      },
    );
    checked.catch(() => undefined);
    await account;
    const run = await checked;
    return run.findings.map((f) =>
      f.id === 'deploy.staging-image' ? f : { ...f, title: `${stagingEnv}: ${f.title}` },
    );
  });
  findings.catch(() => undefined);
  return {
    session,
    async finish(image) {
      if (image.found) settle(image.digest);
      else giveUp(new Error('the image is not in ECR'));
      try {
        const all = await findings;
        // No digest to compare with: the image gate already fails; the staging comparison says nothing.
        return image.found ? all : all.filter((f) => f.id !== 'deploy.staging-image');
      } catch (error) {
        if (signal.aborted) throw error;
        return [stagingUnavailable(stagingEnv, error)];
      }
    },
  };
}

function stagingUnavailable(stagingEnv: string, error: unknown): Finding {
  return {
    id: 'deploy.staging',
    checkId: 'deploy.staging',
    title: `The image was tested in ${stagingEnv} first`,
    status: 'error',
    severity: 'critical',
    resource: stagingEnv,
    detail: '',
    expected: `${stagingEnv} can be read: the image runs there and its checks pass`,
    observed: `could not check ${stagingEnv}: ${(error as Error).message}`,
    remediation: `Give the staging credentials (--staging-profile, or environments.${stagingEnv}.profile in the config); or skip with --skip-staging-gate --reason "<why>".`,
    source: 'ops guide §12.2.1 (Staging: deployment to staging environment)',
  };
}

/**
 * The environment's change session for the driver, with the check runner the release's gate runs on
 * (`ActionContext.runChecks`: the component's validate checks, under the run's signal).
 */
function deployChangeSession(session: EnvSession, identity: string | null, runtime: Runtime): ChangeSession {
  const change = envChangeSession(session, identity, runtime);
  change.context.runChecks = async (steps, { since, signal }) =>
    (
      await runChecks(session, stepsFor(CHECKS, steps), {
        since,
        now: new Date(runtime.clock.now()),
        signal,
        ...(runtime.fetch ? { fetch: runtime.fetch } : {}),
      })
    ).findings;
  return change;
}

/**
 * After Ctrl-C during the release: say what state ECS is in (the report did) and, on a terminal, offer
 * the way back as a change of its own (`deploy.stop`, confirmed and audited); elsewhere, the command.
 */
async function offerStop(
  component: string,
  names: ServiceNames,
  previous: string,
  findings: Finding[],
  change: ChangeSession,
  io: ReturnType<typeof promptIO>,
  format: string,
  stderr: Runtime['stderr'],
  strategy: Strategy,
): Promise<void> {
  const registered = findings.find((f) => f.id === 'deploy.register');
  const released = /registered (\S+)/.exec(registered?.observed ?? '')?.[1];
  stderr.write(
    `\nfsops: stopped following the deploy; it continues in ${strategy === 'codedeploy' ? 'CodeDeploy' : 'ECS'} (state above). To stop it with rollback: fsops rollback ${component} --env ${change.label}\n`,
  );
  if (!released || !io.isTTY || format !== 'text') return;
  if (strategy === 'codedeploy') {
    const rollout = findings.find((f) => f.id === 'deploy.rollout');
    const deploymentId = /CodeDeploy (d-[A-Za-z0-9]+)/.exec(
      `${rollout?.observed ?? ''} ${rollout?.remediation ?? ''}`,
    )?.[1];
    if (!deploymentId) return;
    await runChanges(
      change,
      [
        {
          action: codeDeployStopAction,
          params: { component, names, deploymentId },
        },
      ],
      { command: `deploy ${component} stop`, io, log: (text) => stderr.write(`${text}\n`) },
    );
    return;
  }
  await runChanges(
    change,
    [
      {
        action: stopReleaseAction,
        params: { component, names, previous, released },
      },
    ],
    { command: `deploy ${component} stop`, io, log: (text) => stderr.write(`${text}\n`) },
  );
}

export type { Strategy };
