import type { ECSClient, Service } from '@aws-sdk/client-ecs';
import { awsExitError } from '../../base/aws/errors.js';
import { requireComponent } from '../../base/config/load.js';
import { parseDuration } from '../../base/model/duration.js';
import { ExitCode } from '../../base/model/errors.js';
import { type ServiceChangeParams, serviceChangeAction } from '../../catalogue/actions/ecs/service-change.js';
import { type ServiceNames, serviceNames } from '../../domain/ecs/service-facts.js';
import { type ActionResult, describeAction, type ServiceAction } from '../../domain/ecs/service-update.js';
import { shortTaskDef } from '../../domain/ecs/taskdef.js';
import type { WaitTarget } from '../../domain/ecs/wait.js';
import { promptIO } from '../change.js';
import { changeReport, envChangeSession, runChanges } from '../changes.js';
import { readsUntilInterrupted } from '../interrupt.js';
import { type Printer, printerFor, REPORT_FORMATS } from '../printer.js';
import type { OutputFormat } from '../render.js';
import { type CheckRegistry, stepsFor } from '../runner.js';
import type { Runtime } from '../runtime.js';
import type { MutationPlan } from '../safety.js';
import {
  type CallerIdentity,
  type EnvSession,
  type GlobalOptions,
  openEnvSession,
  requireExplicitEnv,
  verifyAccount,
} from '../session.js';

/** Flags of the mutating service commands (rollback, restart, scale). */
export interface ServiceCommandOptions extends GlobalOptions {
  dryRun?: boolean;
  yes?: boolean;
  /** How long to wait for the service to settle, e.g. 15m. */
  timeout?: string;
  /** commander's `--no-wait` sets this to false. */
  wait?: boolean;
}

export const DEFAULT_TIMEOUT = '15m';

/** Everything one mutating service operation needs once its facts are gathered and its plan built. */
export interface ServiceOperation {
  command: 'rollback' | 'restart' | 'scale';
  component: string;
  /** The command's printer (--output parsed once, in prepareServiceCommand). */
  printer: Printer;
  session: EnvSession;
  ecs: ECSClient;
  names: ServiceNames;
  identity: CallerIdentity | null;
  plan: MutationPlan;
  /** A word to type (and a flag to pass without a terminal) for a dangerous variant. */
  danger?: { word: string; flagGiven: boolean; flag: string };
  action: ServiceAction;
  /** For the audit record: what the service ran and what it should run after the change. */
  from: string;
  to: string;
  waitTarget(result: ActionResult): WaitTarget;
  /** The service before the change: its events and stopped tasks are not news. */
  before: Service;
  knownStoppedTasks: string[];
  /** Run the component's validation checks after success (not after scaling to zero). */
  verify: boolean;
  /** The check catalogue the verification resolves against (src/catalogue/checks/index.ts's CHECKS). */
  checks: CheckRegistry;
  /** Guide sections this operation implements, for the report. */
  source: string;
  /** Words for the report: "Rollback", "Restart", "Scale". */
  title: string;
}

/** Validates --timeout before anything is read or changed. */
export function timeoutOf(options: ServiceCommandOptions): number {
  return parseDuration(options.timeout ?? DEFAULT_TIMEOUT, '--timeout');
}

/** Mutating commands never default an environment (docs/architecture.md): --env must be on the command line. */
export function requireServiceEnv(options: ServiceCommandOptions, command: string): string {
  return requireExplicitEnv(options, `${command} changes a service`);
}

/**
 * A service operation (rollback, restart, scale) through the one change driver (src/engine/changes.ts):
 * the ECS change and its wait are the catalogue action `ecs.service-change`; the driver shows the plan,
 * confirms (the danger word of a dangerous variant), audits `started` before the change and the
 * rollout's outcome after, and checks the component again after a successful rollout. Ctrl-C,
 * SIGTERM, SIGHUP stop the wait (or the verification), not the change: the report is INTERRUPTED and
 * says what was done, exit 130.
 */
export async function runServiceOperation(
  op: ServiceOperation,
  options: ServiceCommandOptions,
  runtime: Runtime,
): Promise<number> {
  const { printer } = op;
  const format = printer.format;
  const timeoutMs = timeoutOf(options);
  const startedAt = new Date(runtime.clock.now());
  const env = op.session.env.name;
  const params: ServiceChangeParams = {
    command: op.command,
    title: op.title,
    component: op.component,
    names: op.names,
    verb: op.plan.action,
    lines: op.plan.lines,
    change: op.action,
    from: op.from,
    to: op.to,
    waitTarget: op.waitTarget,
    before: op.before,
    knownStoppedTasks: op.knownStoppedTasks,
    verify: op.verify,
    ...(op.danger ? { danger: op.danger } : {}),
    source: op.source,
    wait: options.wait !== false,
    timeoutMs,
    pollIntervalMs: runtime.pollIntervalMs,
    clock: runtime.clock,
  };
  const result = await runChanges(
    envChangeSession(op.session, op.identity?.arn ?? null, runtime),
    [{ action: serviceChangeAction, params }],
    {
      command: `${op.command} ${op.component}`,
      yes: options.yes,
      dryRun: options.dryRun,
      io: promptIO(format, runtime.io, runtime.stderr),
      progress: { label: `Waiting for ${op.names.service}`, format, stream: runtime.stderr },
      recheck: {
        steps: stepsFor(op.checks, verificationSteps(op.component)),
        since: new Date(runtime.clock.now() - 15 * 60_000),
        fetch: runtime.fetch,
      },
    },
  );
  if (result.stop) throw result.stop;
  const [step] = result.steps;
  if (step!.state === 'failed') {
    throw awsExitError(step!.error, `${describeAction(op.action)} failed; nothing was changed`);
  }
  if (step!.state === 'dry-run') {
    // Text has shown the plan already; machine output gets it as a report.
    if (format !== 'text')
      printer.report(
        changeReport(
          `${op.command} ${op.component}`,
          env,
          startedAt,
          () => runtime.clock.now(),
          step!.findings,
          null,
          step!.plan!.lines,
        ),
      );
    return ExitCode.ok;
  }
  const rollout = step!.findings[0];
  const followUp = `fsops deployments ${op.component} --env ${env}`;
  if (result.interruptedAt === 'changes') {
    runtime.stderr.write(
      `\nfsops: stopped waiting; the ${op.command} continues in ECS. Check it with \`${followUp}\`.\n`,
    );
  } else if (result.interruptedAt === 'recheck') {
    // The change itself is done: say so, rather than the bare "interrupted" that suggests otherwise.
    runtime.stderr.write(
      `\nfsops: stopped verifying; the ${op.command} itself completed (${rollout?.observed}). Verify with \`fsops validate ${env}\`.\n`,
    );
  }
  const notes =
    options.wait === false
      ? []
      : [`${op.title} of ${op.names.service}: ${shortTaskDef(op.from)} -> ${shortTaskDef(op.to)}`];
  if (rollout?.status === 'pass' && !op.verify)
    notes.push('Health checks skipped: the service was scaled to 0 tasks.');
  return printer.report(
    changeReport(
      `${op.command} ${op.component}`,
      env,
      startedAt,
      () => runtime.clock.now(),
      result.findings,
      result,
      notes,
    ),
  );
}

/** Runbook 002 "verify the rollback" (deployment guide §11.1): the component's ECS service and health endpoints. */
export function verificationSteps(component: string): { check: string; params: Record<string, unknown> }[] {
  return [
    { check: 'ecs.service', params: { components: [component] } },
    { check: 'health.endpoints', params: { components: [component] } },
  ];
}

export interface PreparedService {
  printer: Printer;
  session: EnvSession;
  identity: CallerIdentity | null;
  ecs: ECSClient;
  names: ServiceNames;
}

/**
 * The checks every service command makes before reading anything: flags, an explicit --env for
 * changes, a known component, and the wrong-account guard (whose identity goes into the audit).
 */
/**
 * `prepareServiceCommand` without the wrong-account guard: for a command whose first reads go beside
 * it (deploy's plan, one round trip less). It calls `verifyAccount(session, true, signal)` itself,
 * with those reads, and awaits it before it decides, changes or uses anything it read.
 */
export function openServiceCommand(
  component: string,
  options: ServiceCommandOptions,
  command: string,
  runtime: Runtime,
): Omit<PreparedService, 'identity' | 'ecs'> {
  const printer = printerFor(options, command, REPORT_FORMATS, runtime);
  timeoutOf(options);
  const envName = requireServiceEnv(options, command);
  const session = openEnvSession(options, envName, 'adaptive');
  try {
    requireComponent(session.env, component);
  } catch (error) {
    session.aws.destroy();
    throw error;
  }
  return { printer, session, names: serviceNames(session.env, component) };
}

export async function prepareServiceCommand(
  component: string,
  options: ServiceCommandOptions,
  command: string,
  mutating: boolean,
  runtime: Runtime,
  formats: readonly OutputFormat[] = REPORT_FORMATS,
): Promise<PreparedService> {
  const printer = printerFor(options, command, formats, runtime);
  if (mutating) timeoutOf(options);
  const envName = mutating ? requireServiceEnv(options, command) : undefined;
  // The wait loop polls DescribeServices for minutes: adaptive retries pace it under throttling.
  const session = openEnvSession(options, envName, 'adaptive');
  try {
    requireComponent(session.env, component);
    const identity = await readsUntilInterrupted((signal) => verifyAccount(session, mutating, signal));
    const ecs = await session.aws.ecs();
    return { printer, session, identity, ecs, names: serviceNames(session.env, component) };
  } catch (error) {
    session.aws.destroy();
    throw error;
  }
}
