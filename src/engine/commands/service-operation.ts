import type { ECSClient, Service } from '@aws-sdk/client-ecs';
import {
  type ActionResult,
  applyServiceAction,
  describeAction,
  type ServiceAction,
} from '../../actions/service.js';
import { describeAwsError, isCredentialsError } from '../../aws/errors.js';
import { requireComponent } from '../../config/load.js';
import {
  describeService,
  describeTasks,
  listStoppedTaskArns,
  type ServiceNames,
  serviceNames,
} from '../../ecs/facts.js';
import { shortTaskDef } from '../../ecs/taskdef.js';
import {
  type Clock,
  type ServiceObserver,
  type WaitOutcome,
  type WaitTarget,
  waitForService,
} from '../../ecs/wait.js';
import { applyChange, type ChangeAudit, changeAuditor, decideChange, promptIO } from '../change.js';
import { onInterrupt, readsUntilInterrupted } from '../interrupt.js';
import { formatDuration, parseDuration } from '../model/duration.js';
import { ExitCode, ExitError, UnreachableError, UsageError } from '../model/errors.js';
import type { Finding } from '../model/finding.js';
import { buildReport } from '../model/finding.js';
import { type Printer, printerFor, REPORT_FORMATS } from '../printer.js';
import { createProgress } from '../progress.js';
import type { OutputFormat } from '../render.js';
import { type CheckRegistry, runChecks, stepsFor } from '../runner.js';
import { type MutationPlan, type PromptIO, planText, type SafetyOptions, terminalIO } from '../safety.js';
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

/** What tests (and only tests) replace: the terminal, the clock and poll interval, and HTTP for health checks. */
export interface ServiceCommandDeps {
  io?: PromptIO;
  clock?: Clock;
  pollIntervalMs?: number;
  fetch?: typeof fetch;
}

export const DEFAULT_TIMEOUT = '15m';
export const DEFAULT_POLL_INTERVAL_MS = 6000;

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
  /** The check catalogue the verification resolves against (src/checks/index.ts's CHECKS). */
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

/** AWS failures before the change: one line, exit 3 (2 for missing credentials); fsops's own errors pass through. */
export function asExitError(error: unknown, what: string): Error {
  if (error instanceof ExitError) return error;
  if (isCredentialsError(error)) return new UsageError(`${what}: ${describeAwsError(error)}`);
  return new UnreachableError(`${what}: ${describeAwsError(error)}`);
}

/**
 * docs/architecture.md's mutation contract for a service operation: plan, confirm (or refuse, or stop at the dry
 * run), apply, audit, wait with live progress, verify, report. Every path leaves an audit record.
 */
export async function runServiceOperation(
  op: ServiceOperation,
  options: ServiceCommandOptions,
  deps: ServiceCommandDeps = {},
): Promise<number> {
  const { printer } = op;
  const format = printer.format;
  const timeoutMs = timeoutOf(options);
  const startedAt = new Date();
  const io = promptIO(format, deps.io ?? terminalIO());
  const report = (findings: Finding[], notes?: string[]) =>
    printer.report(
      buildReport(`${op.command} ${op.component}`, op.session.env.name, startedAt, findings, notes),
    );
  const audit = changeAuditor({
    identity: op.identity?.arn ?? null,
    env: op.session.env.name,
    command: op.command,
    component: op.component,
    from: op.from,
    to: op.to,
    target: op.session.config.audit,
    aws: op.session.aws,
  });

  const plan: MutationPlan = { ...op.plan, lines: [...op.plan.lines, `call: ${describeAction(op.action)}`] };
  const decision = await decideChange(plan, safetyOf(op, options, io), io, audit, {
    precheck: () => refuseDangerWithoutFlag(op, plan, options, io),
    dryRunDetail: '',
  });
  if (decision === 'dry-run') {
    await applyServiceAction(op.ecs, op.action, { dryRun: true });
    // Text has shown the plan already; machine output gets it as a report.
    if (format !== 'text') report([planFinding(op, plan)], plan.lines);
    return ExitCode.ok;
  }

  const followUp = `fsops deployments ${op.component} --env ${op.session.env.name}`;
  const outcome = await applyAndFollow(op, audit, options, { timeoutMs, format, deps });
  if (outcome === 'accepted') return report([acceptedFinding(op, followUp)]);
  if (outcome.result === 'interrupted') {
    process.stderr.write(
      `\nfsops: stopped waiting; the ${op.command} continues in ECS. Check it with \`${followUp}\`.\n`,
    );
    return ExitCode.interrupted;
  }
  const rollout = rolloutFinding(op, outcome.target, outcome, followUp);
  let findings: Finding[] = [rollout];
  if (outcome.result === 'succeeded' && op.verify) {
    const verification = await verifyComponent(op, format, deps);
    if (verification === 'interrupted') {
      // The change itself is done: say so, rather than the bare "interrupted" that suggests otherwise.
      process.stderr.write(
        `\nfsops: stopped verifying; the ${op.command} itself completed (${outcome.state}). Verify with \`fsops validate ${op.session.env.name}\`.\n`,
      );
      report([rollout]);
      return ExitCode.interrupted;
    }
    findings = [rollout, ...verification];
  }
  const notes = [`${op.title} of ${op.names.service}: ${shortTaskDef(op.from)} -> ${shortTaskDef(op.to)}`];
  if (outcome.result === 'succeeded' && !op.verify) {
    notes.push('Health checks skipped: the service was scaled to 0 tasks.');
  }
  return report(findings, notes);
}

/**
 * The change through applyChange: audit "started" before UpdateService, then wait for the rollout
 * (unless --no-wait) and audit its outcome. Ctrl-C stops waiting, not the change: it carries on in ECS.
 */
function applyAndFollow(
  op: ServiceOperation,
  audit: ChangeAudit,
  options: ServiceCommandOptions,
  wait: { timeoutMs: number; format: string; deps: ServiceCommandDeps },
): Promise<(WaitOutcome & { target: WaitTarget }) | 'accepted'> {
  return applyChange(
    audit,
    async (signal): Promise<(WaitOutcome & { target: WaitTarget }) | 'accepted'> => {
      let applied: ActionResult;
      try {
        applied = await applyServiceAction(op.ecs, op.action, { dryRun: false });
      } catch (error) {
        throw asExitError(error, `${describeAction(op.action)} failed; nothing was changed`);
      }
      if (options.wait === false) return 'accepted';
      return follow(op, op.waitTarget(applied), wait.timeoutMs, wait.format, wait.deps, signal);
    },
    {
      interruptible: true,
      outcome: (result) =>
        result === 'accepted'
          ? { result: 'accepted', detail: 'not waited for (--no-wait)' }
          : {
              result: result.result,
              detail: result.result === 'interrupted' ? result.state : (result.reason ?? result.state),
            },
    },
  );
}

function acceptedFinding(op: ServiceOperation, followUp: string): Finding {
  return {
    id: `${op.command}.deployment`,
    title: `${op.title} started (not waited for)`,
    status: 'skip',
    severity: 'info',
    resource: op.names.service,
    detail: '',
    expected: `${shortTaskDef(op.to)} deployed and stable`,
    observed: `${describeAction(op.action)} accepted by ECS (--no-wait)`,
    remediation: `Follow it with \`${followUp}\`.`,
    source: op.source,
  };
}

/**
 * The confirmation an operation needs. A dangerous variant (scaling a protected environment to 0)
 * needs more: on a terminal the danger word must be typed even with --yes; without one, --yes and the
 * flag that names the danger (refuseDangerWithoutFlag).
 */
function safetyOf(op: ServiceOperation, options: ServiceCommandOptions, io: PromptIO): SafetyOptions {
  const protectedEnv = op.session.env.settings.protected;
  if (!op.danger || options.dryRun) return { yes: options.yes, dryRun: options.dryRun, protectedEnv };
  if (io.isTTY) return { yes: false, protectedEnv, dangerWord: op.danger.word };
  return { yes: options.yes, protectedEnv };
}

function refuseDangerWithoutFlag(
  op: ServiceOperation,
  plan: MutationPlan,
  options: ServiceCommandOptions,
  io: PromptIO,
): void {
  if (!op.danger || options.dryRun || io.isTTY || op.danger.flagGiven) return;
  io.print(planText(plan));
  throw new UsageError(
    `refusing to ${plan.action} without ${op.danger.flag}: there is no terminal to type '${op.danger.word}' on; pass ${op.danger.flag} --yes to confirm. Nothing was changed.`,
  );
}

async function follow(
  op: ServiceOperation,
  target: WaitTarget,
  timeoutMs: number,
  format: string,
  deps: ServiceCommandDeps,
  signal: AbortSignal,
): Promise<WaitOutcome & { target: WaitTarget }> {
  const observer: ServiceObserver = {
    service: (signal) => describeService(op.ecs, op.names, signal),
    stoppedTaskArns: (signal) => listStoppedTaskArns(op.ecs, op.names, signal),
    describeTasks: (arns, signal) => describeTasks(op.ecs, op.names.cluster, arns, signal),
  };
  const progress = await createProgress(`Waiting for ${op.names.service}`, format);
  try {
    progress.log(
      `Waiting for ${op.names.service} to settle (up to ${formatDuration(timeoutMs)}; Ctrl-C stops waiting, not the ${op.command})`,
    );
    const outcome = await waitForService(observer, target, {
      timeoutMs,
      intervalMs: deps.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      clock: deps.clock,
      signal,
      knownEventIds: (op.before.events ?? []).map((e) => e.id ?? ''),
      knownStoppedTasks: op.knownStoppedTasks,
      onEvent(event) {
        if (event.kind === 'state') {
          progress.update(`${op.names.service}: ${event.text}`);
          if (event.changed) progress.log(`  ${event.text}`);
        } else if (event.kind === 'service-event') {
          progress.log(`  event: ${event.text}`);
        } else {
          progress.log(`  ${event.text}`);
        }
      },
    });
    return { ...outcome, target };
  } finally {
    progress.stop();
  }
}

function planFinding(op: ServiceOperation, plan: MutationPlan): Finding {
  return {
    id: `${op.command}.plan`,
    title: `${op.title} plan`,
    status: 'skip',
    severity: 'info',
    resource: op.names.service,
    detail: plan.lines.join('\n'),
    expected: `${shortTaskDef(op.to)}`,
    observed: 'dry run: nothing was changed',
    remediation: 'Run again without --dry-run to apply the plan.',
    source: op.source,
  };
}

function rolloutFinding(
  op: ServiceOperation,
  waitTarget: WaitTarget,
  outcome: WaitOutcome,
  followUp: string,
): Finding {
  const target = shortTaskDef(waitTarget.taskDefinition);
  const passed = outcome.result === 'succeeded';
  const detail = [
    outcome.reason ? `reason: ${outcome.reason}` : '',
    ...outcome.stoppedTasks.slice(-10),
  ].filter(Boolean);
  const next: Record<Exclude<WaitOutcome['result'], 'succeeded' | 'interrupted'>, string> = {
    failed:
      op.command === 'rollback'
        ? `The deployment failed: read the stopped tasks above, then \`${followUp}\`; pick another revision with \`fsops rollback ${op.component} --env ${op.session.env.name} --to <revision>\`.`
        : `The ${op.command} did not complete: read the reason and any stopped tasks above, then \`${followUp}\`.`,
    'rolled-back': `ECS rolled the deployment back (circuit breaker): the service returns to the revision under "observed". ${shortTaskDef(waitTarget.taskDefinition)} did not start: read the stopped tasks above and \`${followUp}\` ${op.command === 'rollback' ? 'before picking another revision with --to' : 'before trying again'}.`,
    'timed-out': `The deployment is still running in ECS: follow it with \`${followUp}\`; if it does not settle, \`fsops rollback ${op.component} --env ${op.session.env.name}\` rolls an in-progress deployment back.`,
  };
  const verb: Record<WaitOutcome['result'], string> = {
    succeeded: 'completed',
    failed: 'failed',
    'rolled-back': 'was rolled back by ECS',
    'timed-out': `did not settle within ${Math.round(outcome.elapsedMs / 1000)}s`,
    interrupted: 'was not followed to the end',
  };
  return {
    id: `${op.command}.deployment`,
    title: `${op.title} deployment ${verb[outcome.result]}`,
    status: passed ? 'pass' : 'fail',
    severity: 'critical',
    resource: op.names.service,
    detail: detail.join('\n'),
    expected: `PRIMARY deployment on ${target} COMPLETED, running = desired${waitTarget.desiredCount !== undefined ? ` = ${waitTarget.desiredCount}` : ''}`,
    observed: outcome.state,
    remediation: passed ? '' : next[outcome.result as keyof typeof next],
    source: op.source,
  };
}

/** Runbook 002 "verify the rollback" (deployment guide §11.1): the component's ECS service and health endpoints. */
export function verificationSteps(component: string): { check: string; params: Record<string, unknown> }[] {
  return [
    { check: 'ecs.service', params: { components: [component] } },
    { check: 'health.endpoints', params: { components: [component] } },
  ];
}

/** The component's checks after a successful change; Ctrl-C stops them (the change is already done). */
async function verifyComponent(
  op: ServiceOperation,
  format: string,
  deps: ServiceCommandDeps,
): Promise<Finding[] | 'interrupted'> {
  const progress = await createProgress(`Verifying ${op.component}`, format);
  let release = () => {};
  const interrupted = new Promise<'interrupted'>((resolve) => {
    release = onInterrupt(() => resolve('interrupted'));
  });
  try {
    return await Promise.race([
      runChecks(op.session, stepsFor(op.checks, verificationSteps(op.component)), {
        since: new Date(Date.now() - 15 * 60_000),
        fetch: deps.fetch,
        onCheckStart: progress.onCheckStart,
        onCheckDone: progress.onCheckDone,
      }).then((run) => run.findings),
      interrupted,
    ]);
  } finally {
    release();
    progress.stop();
  }
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
export async function prepareServiceCommand(
  component: string,
  options: ServiceCommandOptions,
  command: string,
  mutating: boolean,
  formats: readonly OutputFormat[] = REPORT_FORMATS,
): Promise<PreparedService> {
  const printer = printerFor(options, command, formats);
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
