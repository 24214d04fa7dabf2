import type { ServiceDeployment, TaskDefinition } from '@aws-sdk/client-ecs';
import { awsExitError, describeAwsError } from '../base/aws/errors.js';
import { mapWithConcurrency } from '../base/model/concurrency.js';
import { UsageError } from '../base/model/errors.js';
import { describeTaskDefinition, gatherRollbackFacts } from '../domain/ecs/service-facts.js';
import { chooseRollbackTarget, type RollbackChoice, type RollbackFacts } from '../domain/ecs/target.js';
import { imagesOf, imageTag, parseTaskDef, sameTaskDef, shortTaskDef } from '../domain/ecs/taskdef.js';
import { describeServiceState } from '../domain/ecs/wait.js';
import { findDeploymentGroup, getDeployment, inFlightDeployment } from '../domain/release/codedeploy.js';
import { deploymentState } from '../domain/release/lifecycle.js';
import { controllerOf } from '../domain/release/strategy.js';
import { prepareServiceCommand } from '../engine/commands/service-operation.js';
import { readsUntilInterrupted } from '../engine/interrupt.js';
import { VIEW_FORMATS } from '../engine/printer.js';
import { makeChalk } from '../engine/render.js';
import type { Runtime } from '../engine/runtime.js';
import type { GlobalOptions } from '../engine/session.js';

/** How many revisions and deployments the listing shows. */
const SHOWN = 10;
/**
 * How long the listing waits for the task definitions it shows images of. They only decorate the
 * listing: an endpoint that does not answer costs this much, not the SDK's request timeout times its
 * retries, and the revisions are listed without images.
 */
export const IMAGE_LOOKUP_TIMEOUT_MS = 5000;

export interface DeploymentRow {
  createdAt: string | null;
  finishedAt: string | null;
  status: string;
  revision: number | null;
  taskDefinition: string | null;
  images: string[];
  reason: string | null;
  /** The deployment the service runs now (the newest one of the running revision). */
  running: boolean;
  /** The newest deployment of the revision `fsops rollback` would go to. */
  rollbackTarget: boolean;
}

export interface RevisionRow {
  revision: number;
  taskDefinition: string;
  registeredAt: string | null;
  images: string[];
  running: boolean;
  rollbackTarget: boolean;
}

/** The deployment in flight, as ECS native blue/green reports it (`fsops deploy` follows the same stages). */
export interface InFlightRow {
  deploymentArn: string;
  status: string;
  strategy: string | null;
  stage: string | null;
  /** Which side holds production traffic: blue (the revision being replaced) or green (the new one). */
  traffic: string;
  /** The revision that holds production traffic, when it can be told. */
  trafficRevision: number | null;
  bakeTimeInMinutes: number | null;
  /** Minutes of bake left (approximate: from the stage's last update), in BAKE_TIME only. */
  bakeLeftMinutes: number | null;
  triggeredAlarms: string[];
}

export interface DeploymentsView {
  command: 'deployments';
  env: string;
  component: string;
  cluster: string;
  service: string;
  /** The service's deployment controller and strategy (ECS ROLLING or BLUE_GREEN, CODE_DEPLOY, EXTERNAL). */
  strategy: string;
  inFlight: InFlightRow | null;
  running: { taskDefinition: string | null; state: string };
  rollback:
    | { action: RollbackChoice['kind']; to: string; reason: string; notes: string[] }
    | { refused: string };
  history: { available: boolean; reason?: string; deployments: DeploymentRow[] };
  revisions: RevisionRow[];
  /** A CODE_DEPLOY service: its deployment group and the CodeDeploy deployment in flight (GetDeployment). */
  codeDeploy?: CodeDeployRow;
}

export type CodeDeployRow =
  | {
      application: string;
      deploymentGroup: string;
      inFlight: {
        deploymentId: string;
        status: string;
        traffic: string;
        originalTaskSetKept: boolean;
        reason: string | null;
      } | null;
    }
  | { unavailable: string };

/** Builds the listing from facts (pure): what runs, what rollback would pick, and the recent past. */
export function buildDeploymentsView(
  facts: RollbackFacts,
  definitions: Map<string, TaskDefinition>,
  meta: { env: string; component: string; cluster: string; service: string; now?: Date },
): DeploymentsView {
  const running = facts.service.taskDefinition;
  const preview = previewRollback(facts);
  const choice = 'refused' in preview ? null : preview;
  const refused = 'refused' in preview ? preview.refused : '';
  const imagesOfArn = (arn: string | undefined) =>
    imagesOf(arn ? definitions.get(arn) : undefined).map((i) => `${i.container}:${imageTag(i.image)}`);
  const deployments: DeploymentRow[] = facts.history.available
    ? facts.history.deployments.slice(0, SHOWN).map((d) => ({
        createdAt: d.createdAt ? new Date(d.createdAt).toISOString() : null,
        finishedAt: d.finishedAt ? new Date(d.finishedAt).toISOString() : null,
        status: d.status,
        revision: parseTaskDef(d.targetTaskDefinition)?.revision ?? null,
        taskDefinition: d.targetTaskDefinition ?? null,
        images: d.targetImages.length
          ? d.targetImages.map((i) => `${i.container}:${imageTag(i.image)}`)
          : imagesOfArn(d.targetTaskDefinition),
        reason: d.statusReason ?? null,
        running: sameTaskDef(d.targetTaskDefinition, running),
        rollbackTarget: Boolean(choice && sameTaskDef(d.targetTaskDefinition, choice.to)),
      }))
    : (facts.service.deployments ?? []).map((d) => ({
        createdAt: d.createdAt ? new Date(d.createdAt).toISOString() : null,
        finishedAt: null,
        status: `${d.status ?? '?'} ${d.rolloutState ?? ''}`.trim(),
        revision: parseTaskDef(d.taskDefinition)?.revision ?? null,
        taskDefinition: d.taskDefinition ?? null,
        images: imagesOfArn(d.taskDefinition),
        reason: d.rolloutStateReason ?? null,
        running: sameTaskDef(d.taskDefinition, running),
        rollbackTarget: Boolean(choice && sameTaskDef(d.taskDefinition, choice.to)),
      }));
  // Only the newest row of a revision is the deployment in question; older rows of it are history.
  const firstOnly = (key: 'running' | 'rollbackTarget') => {
    const first = deployments.findIndex((d) => d[key]);
    deployments.forEach((d, i) => {
      d[key] = i === first;
    });
  };
  firstOnly('running');
  firstOnly('rollbackTarget');
  const revisions: RevisionRow[] = shownRevisions(facts, choice).map((arn) => ({
    revision: parseTaskDef(arn)?.revision ?? 0,
    taskDefinition: arn,
    registeredAt: definitions.get(arn)?.registeredAt
      ? new Date(definitions.get(arn)!.registeredAt!).toISOString()
      : null,
    images: imagesOfArn(arn),
    running: sameTaskDef(arn, running),
    rollbackTarget: Boolean(choice && sameTaskDef(arn, choice.to)),
  }));
  return {
    command: 'deployments',
    ...meta,
    strategy: strategyOf(facts),
    inFlight: inFlightOf(facts, meta.now ?? new Date()),
    running: { taskDefinition: running ?? null, state: describeServiceState(facts.service) },
    rollback: choice
      ? { action: choice.kind, to: choice.to, reason: choice.reason, notes: choice.notes }
      : { refused },
    history: {
      available: facts.history.available,
      ...(facts.history.available ? {} : { reason: facts.history.reason }),
      deployments,
    },
    revisions,
  };
}

function strategyOf(facts: RollbackFacts): string {
  const controller = controllerOf(facts.service);
  if (controller !== 'ECS') return controller;
  return `ECS ${facts.service.deploymentConfiguration?.strategy ?? 'ROLLING'}`;
}

/** The newest deployment still in flight, with its stage and which revision holds the traffic (pure). */
export function inFlightOf(facts: RollbackFacts, now: Date): InFlightRow | null {
  if (!facts.history.available) return null;
  const d = facts.history.deployments.find((h) => !FINISHED.has(h.status));
  if (!d) return null;
  const state = deploymentState(
    {
      serviceDeploymentArn: d.arn,
      status: d.status as ServiceDeployment['status'],
      lifecycleStage: d.lifecycleStage as ServiceDeployment['lifecycleStage'],
      deploymentConfiguration:
        d.bakeTimeInMinutes !== undefined ? { bakeTimeInMinutes: d.bakeTimeInMinutes } : {},
      ...(d.updatedAt ? { updatedAt: d.updatedAt } : {}),
      alarms: { triggeredAlarmNames: d.triggeredAlarms ?? [] },
    },
    now,
  );
  const side =
    state.traffic === 'green'
      ? d.targetTaskDefinition
      : state.traffic === 'blue' || state.traffic === 'returning to blue'
        ? d.sourceTaskDefinitions[0]
        : undefined;
  return {
    deploymentArn: d.arn,
    status: d.status,
    strategy: d.strategy ?? null,
    stage: state.stage,
    traffic: state.traffic,
    trafficRevision: parseTaskDef(side)?.revision ?? null,
    bakeTimeInMinutes: state.bakeTimeInMinutes,
    bakeLeftMinutes: state.bakeLeftMs === null ? null : Math.ceil(state.bakeLeftMs / 60_000),
    triggeredAlarms: state.triggeredAlarms,
  };
}

const FINISHED = new Set(['SUCCESSFUL', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED', 'STOPPED']);

/** What `fsops rollback` would do now, or why it would refuse. */
export function previewRollback(facts: RollbackFacts): RollbackChoice | { refused: string } {
  try {
    return chooseRollbackTarget(facts);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { refused: error.message };
  }
}

/** The newest ACTIVE revisions, plus the running one and the rollback target when they are older. */
function shownRevisions(facts: RollbackFacts, choice: RollbackChoice | null): string[] {
  const shown = facts.activeRevisions.slice(0, SHOWN);
  for (const extra of [facts.service.taskDefinition, choice?.to]) {
    const match = facts.activeRevisions.find((arn) => sameTaskDef(arn, extra));
    if (match && !shown.includes(match)) shown.push(match);
  }
  return shown.sort((a, b) => (parseTaskDef(b)?.revision ?? 0) - (parseTaskDef(a)?.revision ?? 0));
}

export function renderDeploymentsText(view: DeploymentsView, color?: boolean): string {
  const c = makeChalk(color);
  const rollback = view.rollback;
  const lines = [
    `${c.bold(view.service)} ${c.dim(`(${view.env}, cluster ${view.cluster})`)}`,
    `  strategy: ${view.strategy}`,
    `  running: ${view.running.state}`,
  ];
  const cd = view.codeDeploy;
  if (cd && 'unavailable' in cd) lines.push(`  codedeploy: ${cd.unavailable}`);
  else if (cd) {
    lines.push(`  codedeploy: application ${cd.application}, deployment group ${cd.deploymentGroup}`);
    const d = cd.inFlight;
    lines.push(
      d
        ? `  in flight: CodeDeploy ${d.deploymentId} ${c.bold(d.status)}: production traffic on ${d.traffic}${d.originalTaskSetKept ? ', original task set kept (termination wait): a stop with rollback returns traffic at once' : ''}`
        : '  in flight: no CodeDeploy deployment',
    );
    if (d)
      lines.push(`  rollback would: stop ${d.deploymentId} with auto-rollback (CodeDeploy StopDeployment)`);
  }
  const f = view.inFlight;
  if (f) {
    const traffic = `production traffic on ${f.traffic}${f.trafficRevision !== null ? ` (revision ${f.trafficRevision})` : ''}`;
    const bake =
      f.bakeLeftMinutes !== null
        ? `, bake ${f.bakeLeftMinutes} of ${f.bakeTimeInMinutes} min left`
        : f.bakeTimeInMinutes !== null
          ? `, bake time ${f.bakeTimeInMinutes} min`
          : '';
    const alarms = f.triggeredAlarms.length ? `, alarms fired: ${f.triggeredAlarms.join(', ')}` : '';
    lines.push(
      `  in flight: ${f.deploymentArn.split('/').pop()} ${f.status}${f.stage ? ` ${c.bold(f.stage)}` : ''}${f.strategy ? ` (${f.strategy})` : ''}: ${traffic}${bake}${alarms}`,
    );
  }
  if (cd && !('unavailable' in cd) && cd.inFlight) {
    // said above
  } else if ('refused' in rollback) {
    lines.push(`  rollback would: refuse (${rollback.refused})`);
  } else {
    const how =
      rollback.action === 'stop-deployment'
        ? 'let ECS roll back the deployment in progress to'
        : 'update the service to';
    lines.push(`  rollback would: ${how} ${c.bold(shortTaskDef(rollback.to))} (${rollback.reason})`);
    for (const note of rollback.notes) lines.push(c.dim(`    note: ${note}`));
  }
  lines.push('');
  lines.push(
    view.history.available
      ? c.bold('Recent deployments (ECS service deployment history, newest first)')
      : `${c.bold('Current deployments')} ${c.dim(`(deployment history unavailable: ${view.history.reason})`)}`,
  );
  lines.push(
    ...table(
      ['STARTED', 'FINISHED', 'STATUS', 'REV', 'IMAGES', ''],
      view.history.deployments.map((d) => [
        when(d.createdAt),
        when(d.finishedAt),
        d.status,
        d.revision === null ? '?' : String(d.revision),
        d.images.join(' ') || '-',
        [
          d.running ? 'running' : '',
          d.rollbackTarget ? '<- rollback target' : '',
          d.reason && d.status !== 'SUCCESSFUL' ? d.reason : '',
        ]
          .filter(Boolean)
          .join('; '),
      ]),
    ),
  );
  if (view.history.deployments.length === 0) lines.push(c.dim('  (none)'));
  lines.push(
    '',
    c.bold(`ACTIVE revisions of ${parseTaskDef(view.running.taskDefinition ?? '')?.family ?? 'the family'}`),
  );
  lines.push(
    ...table(
      ['REV', 'REGISTERED', 'IMAGES', ''],
      view.revisions.map((r) => [
        String(r.revision),
        when(r.registeredAt),
        r.images.join(' ') || '-',
        [r.running ? 'running' : '', r.rollbackTarget ? '<- rollback target' : ''].filter(Boolean).join(', '),
      ]),
    ),
  );
  if (view.revisions.length === 0) lines.push(c.dim('  (none)'));
  return `${lines.join('\n')}\n`;
}

function when(iso: string | null): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : '-';
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `  ${cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `fsops deployments <component> --env E`: recent deployments and revisions, and what rollback would pick. */
export async function deployments(
  component: string,
  options: GlobalOptions,
  runtime: Runtime,
): Promise<number> {
  const { printer, session, ecs, names } = await prepareServiceCommand(
    component,
    options,
    'deployments',
    false,
    runtime,
    VIEW_FORMATS,
  );
  try {
    // Reads only, under the run's signal: Ctrl-C/SIGTERM/SIGHUP end a hanging call at once (exit 130).
    const { facts, definitions } = await readsUntilInterrupted(async (signal) => {
      const facts = await gatherRollbackFacts(ecs, names, { stoppedTasks: false, signal }).catch((error) => {
        throw awsExitError(error, `cannot read ${names.service}`);
      });
      const preview = previewRollback(facts);
      const wanted = new Set<string>([
        ...shownRevisions(facts, 'refused' in preview ? null : preview),
        ...(facts.history.available
          ? facts.history.deployments
              .slice(0, SHOWN)
              .flatMap((d) => (d.targetImages.length ? [] : [d.targetTaskDefinition ?? '']))
          : (facts.service.deployments ?? []).map((d) => d.taskDefinition ?? '')),
      ]);
      wanted.delete('');
      const definitions = new Map<string, TaskDefinition>();
      const lookups = AbortSignal.any([signal, AbortSignal.timeout(IMAGE_LOOKUP_TIMEOUT_MS)]);
      await mapWithConcurrency([...wanted], 5, async (arn) => {
        if (lookups.aborted) return;
        try {
          definitions.set(arn, await describeTaskDefinition(ecs, arn, lookups));
        } catch {
          // A revision that cannot be described is listed without images.
        }
      });
      return { facts, definitions };
    });
    const view = buildDeploymentsView(facts, definitions, {
      env: session.env.name,
      component,
      cluster: names.cluster,
      service: names.service,
    });
    if (controllerOf(facts.service) === 'CODE_DEPLOY') {
      view.codeDeploy = await readsUntilInterrupted((signal) =>
        codeDeployRow(session, component, names, signal),
      );
    }
    printer.view({ data: view, text: (data) => renderDeploymentsText(data, options.color) });
    return 0;
  } finally {
    session.aws.destroy();
  }
}

/** The CodeDeploy side of a CODE_DEPLOY service: its deployment group and the deployment in flight. */
async function codeDeployRow(
  session: Awaited<ReturnType<typeof prepareServiceCommand>>['session'],
  component: string,
  names: { cluster: string; service: string },
  signal: AbortSignal,
): Promise<CodeDeployRow> {
  try {
    const cd = await session.aws.codedeploy();
    const group = await findDeploymentGroup(cd, names, session.config.deploy.codeDeploy[component], signal);
    if (!group) return { unavailable: 'no CodeDeploy deployment group names this service' };
    const id = await inFlightDeployment(cd, group, signal);
    const state = id ? await getDeployment(cd, id, signal) : null;
    return {
      application: group.application,
      deploymentGroup: group.group,
      inFlight: state
        ? {
            deploymentId: state.id,
            status: state.status,
            traffic: state.traffic,
            originalTaskSetKept: state.blueKept,
            reason: state.reason,
          }
        : null,
    };
  } catch (error) {
    if (signal.aborted) throw error;
    return { unavailable: `cannot read CodeDeploy: ${describeAwsError(error)}` };
  }
}
