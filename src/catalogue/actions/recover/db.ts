import type { DBInstance } from '@aws-sdk/client-rds';
import { z } from 'zod';
import type { CheckResult } from '../../../base/model/check.js';
import { UsageError } from '../../../base/model/errors.js';
import { oneLine } from '../../../base/model/text.js';
import { evaluateRpo, formatMinutes, minutes } from '../../../domain/backup/evaluate.js';
import { describeDbInstance } from '../../../domain/backup/rds.js';
import {
  markStep,
  type RecoveryJournal,
  type RecoveryStore,
  secondRecovery,
  stepDone,
} from '../../../domain/backup/recovery-journal.js';
import {
  isRecoveryCopy,
  protectInstance,
  RECOVERY_TAG,
  ROLE_TAG,
  renameInstance,
  waitInstanceAvailable,
} from '../../../domain/backup/rename.js';
import {
  compareCopy,
  connectCopy,
  describeSource,
  pitrSource,
  type RestoreSource,
  requestRestore,
  snapshotSource,
  waitAvailable,
} from '../../../domain/backup/restore.js';
import { type DbSession, openDbSession } from '../../../domain/db/connection.js';
import { applyTunnel, envDbTarget } from '../../../domain/db/target.js';
import { openStore } from '../../../domain/incident/flow.js';
import type { ActionContext } from '../../action.js';
import { built, defineAction } from '../../action.js';
import { healthEndpointsCheck } from '../../checks/health-endpoints.js';
import { interpretMaintenanceMode, readMaintenanceMode } from '../../checks/maintenance-mode.js';
import { writeMaintenanceMode } from '../maintenance/maintenance-mode.js';

/**
 * `fsops recover db`: point-in-time recovery of the environment's database with cut-over, as catalogue
 * steps on the one change path (docs/recover.md maps each to runbooks 002 and 003). Every step reads and
 * writes the recovery's journal (src/domain/backup/recovery-journal.ts) so that a crash or Ctrl-C at any step
 * can be resumed, and an abort knows what to undo. A step already done (journal) plans nothing. They
 * are not in the runbook registry (src/catalogue/actions/index.ts): each needs the recovery's journal, which only
 * `fsops recover db` gives.
 */

/** What every recovery step is given: the journal (shared, written after each change) and its store. */
export const recoverDbParams = z
  .object({
    /** The recovery's journal: one object shared by the steps, each writes it after its change. */
    journal: built<RecoveryJournal>('the recovery journal'),
    store: built<RecoveryStore>('the recovery journal store'),
    /** The engineer's assertions (--verify-sql): each query must return true on the copy. */
    assertions: z.array(z.object({ sql: z.string(), label: z.string() }).strict()),
    /** A tunnel to the restored copy. */
    dbHost: z.string().optional(),
    dbPort: z.string().optional(),
  })
  .strict();
export type RecoverDbParams = z.infer<typeof recoverDbParams>;

const SOURCE_002 = 'runbook 002 Recovery Procedures (Full Service Recovery)';
const SOURCE_003 = 'runbook 003 Data Corruption; runbook 003 Recovery Procedures (point-in-time recovery)';

function env(ctx: ActionContext) {
  if (!ctx.env || !ctx.aws) throw new UsageError('recover db needs an environment (--env)');
  return ctx.env;
}

/** Marks a step in the journal, writes it, and appends the event to the incident's timeline (--incident). */
async function record(
  ctx: ActionContext,
  p: RecoverDbParams,
  step: string,
  state: 'started' | 'done',
  event: string,
): Promise<void> {
  markStep(p.journal, step, state, event);
  p.store.write(p.journal);
  const incident = p.journal.request.incident;
  if (!incident) return;
  try {
    const at = new Date().toISOString();
    await openStore(ctx.config.incident).update(incident, (r) => ({
      ...r,
      timeline: [...r.timeline, { at, event: `recovery ${p.journal.id}: ${event}` }],
    }));
  } catch (error) {
    ctx.log(`could not append to the timeline of ${incident}: ${oneLine((error as Error).message)}`);
  }
}

const doneEarlier = (p: RecoverDbParams, resource: string, what: string): CheckResult => ({
  status: 'pass',
  resource,
  expected: what,
  observed: `done earlier in recovery ${p.journal.id} (journal)`,
});

async function ecs(ctx: ActionContext) {
  const [{ DescribeServicesCommand, UpdateServiceCommand }, client] = await Promise.all([
    import('@aws-sdk/client-ecs'),
    ctx.aws.ecs(),
  ]);
  return { DescribeServicesCommand, UpdateServiceCommand, client };
}

// ---------------------------------------------------------------------------------------------------
// 1. Stop writes

export const recoverStopWritesAction = defineAction({
  id: 'recover.stop-writes',
  title: 'Stop writes: maintenance mode on, writer services scaled to 0',
  severity: 'critical',
  source: `runbook 003 Data Corruption (1. stop writes immediately); deployment guide §4.2.1 (maintenance_mode)`,
  remediation: 'Turn maintenance mode on by hand (fsops maintenance mode on) before going on.',
  params: recoverDbParams,
  async plan(ctx, p) {
    const e = env(ctx);
    const parameter = e.nameOf('maintenanceModeParameter');
    const writers = ctx.config.backup.recover.writerComponents;
    if (stepDone(p.journal, 'stop-writes')) {
      return { lines: [], preview: [doneEarlier(p, parameter, 'writes stopped')], apply: async () => [] };
    }
    const holder = p.store.active(e.name);
    if (holder && holder !== p.journal.id) throw secondRecovery(e.name, holder);
    const lines = [
      `stop writes: SSM PutParameter ${parameter} -> true (the value before is recorded to restore it)`,
      ...writers.map(
        (c) =>
          `  ECS UpdateService ${e.nameOf('service', c)} --desired-count 0 (its count recorded, restored at the end)`,
      ),
    ];
    return {
      lines,
      preview: [
        {
          status: 'skip',
          resource: parameter,
          expected: 'writes stopped',
          observed: 'not changed (dry run)',
        },
      ],
      async apply() {
        p.store.claim(e.name, p.journal.id);
        await record(ctx, p, 'stop-writes', 'started', 'stopping writes');
        const checkCtx = { aws: ctx.aws, env: e, signal: ctx.signal };
        const before = await readMaintenanceMode(checkCtx);
        if (p.journal.maintenanceBefore === undefined) p.journal.maintenanceBefore = before ?? null;
        p.store.write(p.journal);
        await writeMaintenanceMode(checkCtx, true, before !== undefined);
        const results: CheckResult[] = [
          {
            status: 'pass',
            resource: parameter,
            expected: 'maintenance mode on',
            observed: `on (was ${p.journal.maintenanceBefore ?? 'not set'})`,
          },
        ];
        if (writers.length > 0) {
          const { DescribeServicesCommand, UpdateServiceCommand, client } = await ecs(ctx);
          const cluster = e.nameOf('cluster');
          const names = writers.map((c) => e.nameOf('service', c));
          if (!p.journal.writers) {
            const out = await client.send(new DescribeServicesCommand({ cluster, services: names }));
            p.journal.writers = names.map((service) => ({
              service,
              desired: out.services?.find((s) => s.serviceName === service)?.desiredCount ?? 0,
            }));
            p.store.write(p.journal);
          }
          for (const w of p.journal.writers) {
            await client.send(new UpdateServiceCommand({ cluster, service: w.service, desiredCount: 0 }));
            results.push({
              status: 'pass',
              resource: w.service,
              expected: 'desired count 0 (no writer)',
              observed: `scaled to 0 (was ${w.desired})`,
            });
          }
        }
        await record(ctx, p, 'stop-writes', 'done', 'writes stopped (maintenance mode on, writers at 0)');
        return results;
      },
    };
  },
});

// ---------------------------------------------------------------------------------------------------
// 2. Restore the copy

async function sourceOf(ctx: ActionContext, p: RecoverDbParams): Promise<DBInstance> {
  const rds = await ctx.aws.rds();
  const source = await describeDbInstance(rds, p.journal.names.live);
  if (!source)
    throw new UsageError(`RDS instance ${p.journal.names.live} not found (names.dbInstance in the config)`);
  return source;
}

/** Resolves the restore source of the journal's request, the time checked against the exact window. */
export async function recoverySource(
  ctx: ActionContext,
  p: RecoverDbParams,
  source: DBInstance,
): Promise<RestoreSource> {
  const rds = await ctx.aws.rds();
  const { toTime, snapshot } = p.journal.request;
  return toTime
    ? pitrSource(rds, source, new Date(toTime), toTime)
    : snapshotSource(rds, source, snapshot!, '--snapshot');
}

export const recoverRestoreAction = defineAction({
  id: 'recover.restore',
  title: 'Restore the database to a new instance at the restore point',
  severity: 'critical',
  source: `${SOURCE_003} (3. restore from backup); ${SOURCE_002} (1. restore database)`,
  remediation: 'See RDS events for the new instance (aws rds describe-events); resume with --resume.',
  params: recoverDbParams,
  async plan(ctx, p) {
    env(ctx);
    const { copy } = p.journal.names;
    if (stepDone(p.journal, 'restore')) {
      return { lines: [], preview: [doneEarlier(p, copy, 'restored')], apply: async () => [] };
    }
    const rds = await ctx.aws.rds();
    const source = await sourceOf(ctx, p);
    const from = await recoverySource(ctx, p, source);
    p.journal.restorePoint = from.restorePoint.toISOString();
    const requested = p.journal.steps.restore !== undefined && (await describeDbInstance(rds, copy)) !== null;
    const securityGroups = (source.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId!).filter(Boolean);
    const parameterGroup = source.DBParameterGroups?.[0]?.DBParameterGroupName;
    const ownTags = (source.TagList ?? [])
      .filter(
        (t) =>
          t.Key &&
          t.Value !== undefined &&
          !t.Key.startsWith('aws:') &&
          t.Key !== RECOVERY_TAG &&
          t.Key !== ROLE_TAG,
      )
      .map((t) => ({ Key: t.Key!, Value: t.Value! }));
    const timeoutMs = ctx.config.backup.recover.timeoutMinutes * 60_000;
    const lines = requested
      ? [`wait for ${copy} (restore requested earlier in recovery ${p.journal.id})`]
      : [
          `restore ${describeSource(p.journal.names.live, from)} into a new instance ${copy}`,
          `  as the source: ${source.DBInstanceClass ?? '?'}, ${source.MultiAZ ? 'Multi-AZ' : 'single-AZ'}, subnet group ${source.DBSubnetGroup?.DBSubnetGroupName ?? '(default)'}, security groups ${securityGroups.join(', ') || '(default)'}, parameter group ${parameterGroup ?? '(default)'}, ${source.StorageEncrypted ? `encrypted with the source's key${source.KmsKeyId ? ` (${source.KmsKeyId})` : ''}` : 'NOT encrypted (as the source)'}, backup retention ${source.BackupRetentionPeriod ?? '?'} days, deletion protection ${source.DeletionProtection ? 'on' : 'off'} (as the source), its ${ownTags.length} tag(s) + ${RECOVERY_TAG}=${p.journal.id}`,
          `  cost: one more ${source.DBInstanceClass ?? ''} instance${source.MultiAZ ? ' (Multi-AZ)' : ''} and its storage from now on (it becomes the live database)`,
          `  wait until it is available (at most ${ctx.config.backup.recover.timeoutMinutes} min)`,
        ];
    return {
      lines,
      preview: [
        {
          status: 'skip',
          resource: copy,
          expected: `a restore of ${describeSource(p.journal.names.live, from)}`,
          observed: 'not restored (dry run)',
        },
      ],
      async apply() {
        await record(
          ctx,
          p,
          'restore',
          'started',
          `restore of ${copy} to ${from.restorePoint.toISOString()} requested`,
        );
        if (!(await describeDbInstance(rds, copy))) {
          await requestRestore(rds, {
            name: copy,
            sourceId: p.journal.names.live,
            from,
            instanceClass: source.DBInstanceClass,
            subnetGroup: source.DBSubnetGroup?.DBSubnetGroupName,
            securityGroups,
            multiAZ: source.MultiAZ ?? false,
            parameterGroup,
            backupRetentionPeriod: source.BackupRetentionPeriod,
            storageType: source.StorageType,
            copyTagsToSnapshot: source.CopyTagsToSnapshot,
            // The copy becomes the live database: protected as the source is.
            deletionProtection: source.DeletionProtection ?? false,
            tags: [
              ...ownTags,
              { Key: 'managed-by', Value: 'fsops' },
              { Key: RECOVERY_TAG, Value: p.journal.id },
              { Key: ROLE_TAG, Value: 'copy' },
            ],
          });
        }
        const ready = await waitAvailable(rds, copy, {
          log: ctx.log,
          stop: ctx.stopRequested,
          deadline: Date.now() + timeoutMs,
          pollMs: ctx.config.backup.pollSeconds * 1000,
          timeoutSetting: 'backup.recover.timeoutMinutes',
        });
        await record(ctx, p, 'restore', 'done', `${copy} restored and available`);
        return [
          {
            status: 'pass',
            resource: copy,
            expected: `restored to ${from.restorePoint.toISOString()}`,
            observed: `available at ${ready.Endpoint?.Address ?? '?'} (${formatMinutes(Date.now() - Date.parse(p.journal.requestedAt))} since the recovery was asked for)`,
          },
        ];
      },
    };
  },
});

// ---------------------------------------------------------------------------------------------------
// 3. Verify the copy

/** The later steps, for the first plan (the whole recovery is shown before anything changes). */
export function laterStepLines(p: RecoverDbParams, components: string[]): string[] {
  const { live, copy, old } = p.journal.names;
  return [
    'then, ONLY after a second confirmation showing this verification:',
    `  cut over: rename ${live} to ${old}, then ${copy} to ${live} (the endpoint stays), waiting for each rename`,
    `  ${old}: deletion protection on, tagged ${RECOVERY_TAG}=${p.journal.id}; it is never deleted`,
    `  restart ${components.join(', ')} (force a new deployment, wait), validate the health endpoints, maintenance mode back off, writer counts restored`,
  ];
}

/** Assertions: each query's first column of its first row must be true. */
async function runAssertions(copy: DbSession, p: RecoverDbParams, resource: string): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const a of p.assertions) {
    let observed: string;
    let ok = false;
    try {
      const rows = await copy.query<Record<string, unknown>>(a.sql);
      const value = rows[0] ? Object.values(rows[0])[0] : undefined;
      ok = value === true;
      observed = rows[0] ? `returned ${oneLine(String(value), 80)}` : 'returned no row';
    } catch (error) {
      observed = `failed: ${oneLine((error as Error).message)}`;
    }
    results.push({
      id: 'recover.verify.assertion',
      title: `Assertion holds on the copy: ${a.label}`,
      status: ok ? 'pass' : 'fail',
      resource,
      expected: 'true',
      observed,
    });
  }
  return results;
}

export const recoverVerifyAction = defineAction({
  id: 'recover.verify',
  title: 'Verify the copy before any cut-over',
  severity: 'critical',
  source: `runbook 003 Data Corruption (2. identify corruption extent, 4. verify data integrity); runbook 002 Recovery Procedures (verify data consistency)`,
  remediation: 'Do not cut over: look at the copy, fix the assertions or the restore point, or --abort.',
  params: recoverDbParams,
  async plan(ctx, p) {
    const e = env(ctx);
    const keyTables = ctx.config.backup.verify.keyTables;
    if (p.journal.steps.cutover && p.journal.verification) {
      // The copy has (begun to) take the live name: its verification before the cut-over stands.
      return {
        lines: [],
        preview: [doneEarlier(p, p.journal.names.copy, 'verified before the cut-over')],
        apply: async () => [],
      };
    }
    return {
      lines: [
        `verify ${p.journal.names.copy} against the live database: every schema and table, counts of ${keyTables.map((k) => k.table).join(', ') || '(no key tables)'} (their difference is the damage), newest row not after the restore point, healthy and writable${p.assertions.length ? `, and ${p.assertions.length} assertion(s) of --verify-sql` : ''}`,
        ...laterStepLines(p, e.components),
      ],
      preview: [
        {
          status: 'skip',
          resource: p.journal.names.copy,
          expected: 'verified',
          observed: 'not verified (dry run)',
        },
      ],
      async apply() {
        await record(ctx, p, 'verify', 'started', `verifying ${p.journal.names.copy}`);
        const rds = await ctx.aws.rds();
        const copyDb = await describeDbInstance(rds, p.journal.names.copy);
        if (!copyDb?.Endpoint?.Address)
          throw new Error(`${p.journal.names.copy} has no endpoint (not restored?)`);
        const liveTarget = ctx.dbTarget
          ? await ctx.dbTarget()
          : await envDbTarget({ config: ctx.config, env: e, aws: ctx.aws });
        const copyTarget = applyTunnel(
          {
            ...liveTarget,
            host: copyDb.Endpoint.Address,
            port: copyDb.Endpoint.Port ?? liveTarget.port,
            tlsServerName: undefined,
            source: `restored instance ${p.journal.names.copy}`,
          },
          p,
        );
        const sessions: DbSession[] = [];
        try {
          const { db: copy } = await connectCopy(copyTarget, ctx.config.database.session, {
            log: ctx.log,
            stop: ctx.stopRequested,
            deadline: Date.now() + ctx.config.backup.verify.connectTimeoutMinutes * 60_000,
            pollMs: ctx.config.backup.pollSeconds * 1000,
            timeoutSetting: 'backup.verify.connectTimeoutMinutes',
          });
          sessions.push(copy);
          const live = await openDbSession(liveTarget, {
            readOnly: true,
            settings: ctx.config.database.session,
            poolSize: 1,
          });
          sessions.push(live);
          const restorePoint = new Date(p.journal.restorePoint ?? p.journal.requestedAt);
          const compared = await compareCopy(live, copy, {
            resource: p.journal.names.copy,
            keyTables,
            tolerancePercent: 100,
            restorePoint,
            // The RPO of a recovery: how far before the restore point the copy's data ends.
            requestedAt: restorePoint,
            rpoMinutes: ctx.config.maintenance.rpoMinutes,
            judgeRpo: p.journal.request.toTime !== null,
            stop: ctx.stopRequested,
          });
          p.journal.newestRow = compared.newestRow?.toISOString() ?? null;
          // The counts are not a tolerance here: their difference is the extent of the damage.
          const results = compared.results.filter((r) => r.id !== 'backup.verify.row-count');
          for (const c of compared.counts) {
            const differs = c.live !== null && c.copy !== null && c.live !== c.copy;
            results.push({
              id: 'recover.verify.damage',
              title: `Extent of the damage: rows of ${c.table}, live against the copy`,
              status: c.live === null || c.copy === null ? 'error' : differs ? 'warn' : 'pass',
              resource: `${p.journal.names.copy} ${c.table}`,
              expected: 'the difference the recovery undoes',
              observed:
                c.live === null || c.copy === null
                  ? `not counted: ${c.problem ?? 'no count'}`
                  : `live ${c.live}, copy ${c.copy} (${c.copy - c.live >= 0 ? '+' : ''}${c.copy - c.live} after the recovery)`,
              remediation:
                'The damage the recovery undoes; rows written after the restore point are lost with it unless merged back (fsops recover table on the instance kept as <db>-pre-recovery-<stamp>).',
            });
          }
          results.push(...(await runAssertions(copy, p, p.journal.names.copy)));
          const passed = !results.some((r) => r.status === 'fail' || r.status === 'error');
          p.journal.verification = {
            passed,
            at: new Date().toISOString(),
            lines: results.map((r) => `${r.status.toUpperCase()} ${r.title ?? r.id ?? ''}: ${r.observed}`),
          };
          await record(ctx, p, 'verify', 'done', `copy verified: ${passed ? 'passed' : 'FAILED'}`);
          return results;
        } finally {
          await Promise.all(sessions.map((s) => s.close()));
        }
      },
    };
  },
});

// ---------------------------------------------------------------------------------------------------
// 4. Cut over

function renameWait(ctx: ActionContext) {
  return {
    log: ctx.log,
    stop: ctx.stopRequested,
    pollMs: ctx.config.backup.pollSeconds * 1000,
    timeoutMs: ctx.config.backup.recover.timeoutMinutes * 60_000,
  };
}

export const recoverCutoverAction = defineAction({
  id: 'recover.cutover',
  title: 'Cut over: the verified copy takes the live name',
  severity: 'critical',
  source: `${SOURCE_002} (1. restore database); ${SOURCE_003}`,
  remediation: 'Undo with fsops recover db --abort <id> (renames back), or finish with --resume <id>.',
  params: recoverDbParams,
  async plan(ctx, p) {
    env(ctx);
    const { live, copy, old } = p.journal.names;
    if (stepDone(p.journal, 'cutover')) {
      return { lines: [], preview: [doneEarlier(p, live, 'cut over')], apply: async () => [] };
    }
    const v = p.journal.verification;
    if (!v?.passed) {
      throw new UsageError(
        `recovery ${p.journal.id}: the copy ${copy} has not passed its verification: no cut-over (look at it, then --resume ${p.journal.id} or --abort ${p.journal.id})`,
      );
    }
    return {
      lines: [
        `the verification of ${copy} (${v.at}):`,
        ...v.lines.map((l) => `  ${l}`),
        `cut over: rename ${live} to ${old}, then ${copy} to ${live} (the endpoint stays), waiting for each rename`,
        `${old}: deletion protection on, tagged ${RECOVERY_TAG}=${p.journal.id} (never deleted)`,
      ],
      preview: [{ status: 'skip', resource: live, expected: 'cut over', observed: 'not cut over (dry run)' }],
      async apply() {
        await record(ctx, p, 'cutover', 'started', `cut-over: ${live} -> ${old}, ${copy} -> ${live}`);
        const rds = await ctx.aws.rds();
        const wait = renameWait(ctx);
        const atLive = await describeDbInstance(rds, live);
        if (!isRecoveryCopy(atLive, p.journal.id)) {
          if (atLive) await renameInstance(rds, live, old, wait);
          else await waitInstanceAvailable(rds, old, wait);
          await record(ctx, p, 'cutover', 'started', `${live} renamed to ${old}`);
          await renameInstance(rds, copy, live, wait);
        } else {
          await waitInstanceAvailable(rds, live, wait);
        }
        await record(ctx, p, 'cutover', 'started', `${copy} renamed to ${live}`);
        const previous = await describeDbInstance(rds, old);
        if (previous) {
          await protectInstance(rds, previous, [
            { Key: RECOVERY_TAG, Value: p.journal.id },
            { Key: ROLE_TAG, Value: 'pre-recovery' },
          ]);
        }
        await record(
          ctx,
          p,
          'cutover',
          'done',
          `cut over: ${live} is the recovered copy; ${old} kept (deletion protection)`,
        );
        return [
          {
            status: 'pass',
            resource: live,
            expected: `${live} is the copy restored to ${p.journal.restorePoint}`,
            observed: `renamed: ${live} -> ${old}, ${copy} -> ${live}`,
          },
          {
            status: previous ? 'pass' : 'error',
            resource: old,
            expected: 'kept, deletion protection on, tagged with the recovery id',
            observed: previous
              ? `deletion protection on, ${RECOVERY_TAG}=${p.journal.id}`
              : 'not found after the rename',
          },
        ];
      },
    };
  },
});

// ---------------------------------------------------------------------------------------------------
// 5. Restart, validate, writes back on

async function waitServicesStable(
  ctx: ActionContext,
  cluster: string,
  services: string[],
  timeoutMs: number,
): Promise<string[]> {
  const { DescribeServicesCommand, client } = await ecs(ctx);
  const started = Date.now();
  for (;;) {
    const out = await client.send(new DescribeServicesCommand({ cluster, services }));
    const waiting = services.filter((name) => {
      const s = out.services?.find((x) => x.serviceName === name);
      const primary = s?.deployments?.find((d) => d.status === 'PRIMARY');
      return (
        !s ||
        s.runningCount !== s.desiredCount ||
        (s.deployments?.length ?? 0) > 1 ||
        primary?.rolloutState === 'IN_PROGRESS'
      );
    });
    if (waiting.length === 0 || Date.now() - started >= timeoutMs) return waiting;
    await new Promise((resolve) => setTimeout(resolve, ctx.config.backup.pollSeconds * 1000));
    if (ctx.stopRequested?.()) return waiting;
  }
}

export const recoverResumeServiceAction = defineAction({
  id: 'recover.resume-service',
  title: 'Restart the services, validate, writes back on',
  severity: 'critical',
  source: `${SOURCE_002} (3. restart services, 4. verify recovery); deployment guide §2.2.3 (RTO/RPO)`,
  remediation: 'Look at the services (fsops validate); maintenance mode stays on until they are healthy.',
  params: recoverDbParams,
  async plan(ctx, p) {
    const e = env(ctx);
    const cluster = e.nameOf('cluster');
    const services = e.components.map((c) => e.nameOf('service', c));
    const before = p.journal.maintenanceBefore;
    const back = interpretMaintenanceMode(before) === 'on' ? 'true' : 'false';
    return {
      lines: [
        `restart ${services.join(', ')}: ECS UpdateService --force-new-deployment${p.journal.writers?.length ? `; writers back to ${p.journal.writers.map((w) => `${w.service}=${w.desired}`).join(', ')}` : ''}; wait until stable`,
        `validate: the health endpoints of ${e.components.join(', ')}; then SSM PutParameter ${e.nameOf('maintenanceModeParameter')} -> ${back} (as before the recovery)`,
      ],
      preview: [
        {
          status: 'skip',
          resource: cluster,
          expected: 'services restarted',
          observed: 'not restarted (dry run)',
        },
      ],
      async apply() {
        await record(ctx, p, 'resume-service', 'started', `restarting ${services.join(', ')}`);
        const { UpdateServiceCommand, client } = await ecs(ctx);
        for (const service of services) {
          const writer = p.journal.writers?.find((w) => w.service === service);
          await client.send(
            new UpdateServiceCommand({
              cluster,
              service,
              forceNewDeployment: true,
              ...(writer ? { desiredCount: writer.desired } : {}),
            }),
          );
        }
        const results: CheckResult[] = [];
        const waiting = await waitServicesStable(
          ctx,
          cluster,
          services,
          ctx.config.backup.recover.timeoutMinutes * 60_000,
        );
        results.push({
          status: waiting.length ? 'fail' : 'pass',
          resource: services.join(', '),
          expected: 'a new deployment, stable (running = desired)',
          observed: waiting.length ? `not stable: ${waiting.join(', ')}` : 'restarted and stable',
        });
        const health = ctx.checkContext ? await healthEndpointsCheck.run(ctx.checkContext(), {}) : [];
        const healthy = health.length > 0 && health.every((r) => r.status === 'pass' || r.status === 'warn');
        results.push(
          ...health.map((r) => ({
            ...r,
            id: 'recover.validate.health',
            title: 'Health endpoint answers after the recovery',
          })),
        );
        if (waiting.length || !healthy) {
          results.push({
            status: 'fail',
            resource: e.nameOf('maintenanceModeParameter'),
            expected: `maintenance mode back to ${back}`,
            observed: 'left ON: the services did not validate',
          });
          await record(
            ctx,
            p,
            'resume-service',
            'started',
            'services did not validate: maintenance mode left on',
          );
          return results;
        }
        const validatedAt = new Date();
        p.journal.validatedAt = validatedAt.toISOString();
        await writeMaintenanceMode({ aws: ctx.aws, env: e }, back === 'true', true);
        results.push({
          status: 'pass',
          resource: e.nameOf('maintenanceModeParameter'),
          expected: `maintenance mode back to ${back}`,
          observed: back,
        });
        results.push(...measureRecovery(ctx, p, validatedAt));
        p.journal.state = 'done';
        await record(ctx, p, 'resume-service', 'done', 'service validated, writes back on: recovery done');
        p.store.release(e.name, p.journal.id);
        return results;
      },
    };
  },
});

/** RTO (asked for -> validated service) and RPO (restore point against the newest row) against the targets. */
export function measureRecovery(ctx: ActionContext, p: RecoverDbParams, validatedAt: Date): CheckResult[] {
  const requestedAt = new Date(p.journal.requestedAt);
  const rtoMs = validatedAt.getTime() - requestedAt.getTime();
  const target = ctx.config.backup.rtoMinutes;
  const restorePoint = new Date(p.journal.restorePoint ?? p.journal.requestedAt);
  return [
    {
      id: 'recover.rto',
      title: 'Recovery time: recovery asked for to validated service',
      status: minutes(rtoMs) <= target ? 'pass' : 'fail',
      resource: p.journal.names.live,
      expected: `<= ${target} min (deployment guide §2.2.3: RTO < 4 hours; runbook 002: 4 hours)`,
      observed: `${formatMinutes(rtoMs)} (${requestedAt.toISOString()} -> ${validatedAt.toISOString()})`,
    },
    {
      ...evaluateRpo({
        resource: p.journal.names.live,
        newestRow: p.journal.newestRow ? new Date(p.journal.newestRow) : null,
        table: ctx.config.backup.verify.keyTables.find((k) => k.timestampColumn)?.table ?? null,
        restorePoint,
        requestedAt: restorePoint,
        targetMinutes: ctx.config.maintenance.rpoMinutes,
        judged: p.journal.request.toTime !== null,
      }),
      id: 'recover.rpo',
    },
  ];
}

// ---------------------------------------------------------------------------------------------------
// --abort

export const recoverAbortAction = defineAction({
  id: 'recover.abort',
  title: 'Undo a recovery: renames back, writers and maintenance mode as before',
  severity: 'critical',
  source: `${SOURCE_002}; ${SOURCE_003}`,
  remediation: 'Finish by hand what the abort says it could not undo.',
  params: recoverDbParams,
  async plan(ctx, p) {
    const e = env(ctx);
    const { live, copy, old } = p.journal.names;
    const rds = await ctx.aws.rds();
    const [atLive = null, atOld = null, atCopy = null] = await Promise.all(
      [live, old, copy].map((n) => describeDbInstance(rds, n)),
    );
    const cutOver = isRecoveryCopy(atLive, p.journal.id);
    const liveGone = !atLive && atOld !== null;
    const before = p.journal.maintenanceBefore;
    const lines = [
      ...(cutOver
        ? [`rename ${live} (the copy) back to ${copy}, then ${old} back to ${live}, waiting for each`]
        : []),
      ...(liveGone ? [`rename ${old} back to ${live} (the cut-over stopped half-way)`] : []),
      ...(p.journal.writers ?? []).map(
        (w) => `ECS UpdateService ${w.service} --desired-count ${w.desired} (as before)`,
      ),
      ...(p.journal.steps['stop-writes']
        ? [
            `SSM PutParameter ${e.nameOf('maintenanceModeParameter')} -> ${before ?? 'false'} (as before the recovery)`,
          ]
        : []),
      `the copy ${cutOver ? copy : atCopy ? copy : '(none)'} is NOT deleted: delete it yourself once sure`,
    ];
    return {
      lines,
      preview: [
        { status: 'skip', resource: p.journal.id, expected: 'undone', observed: 'not undone (dry run)' },
      ],
      async apply() {
        const results: CheckResult[] = [];
        const wait = renameWait(ctx);
        if (cutOver) {
          await renameInstance(rds, live, copy, wait);
          await renameInstance(rds, old, live, wait);
          results.push({
            status: 'pass',
            resource: live,
            expected: 'the instance before the recovery at the live name',
            observed: `renamed back: ${live} -> ${copy}, ${old} -> ${live}`,
          });
        } else if (liveGone) {
          await renameInstance(rds, old, live, wait);
          results.push({
            status: 'pass',
            resource: live,
            expected: 'the instance before the recovery at the live name',
            observed: `renamed back: ${old} -> ${live}`,
          });
        }
        if (p.journal.writers?.length) {
          const { UpdateServiceCommand, client } = await ecs(ctx);
          for (const w of p.journal.writers) {
            await client.send(
              new UpdateServiceCommand({
                cluster: e.nameOf('cluster'),
                service: w.service,
                desiredCount: w.desired,
              }),
            );
            results.push({
              status: 'pass',
              resource: w.service,
              expected: `desired count ${w.desired}`,
              observed: 'restored',
            });
          }
        }
        if (p.journal.steps['stop-writes']) {
          const value = before ?? 'false';
          await writeMaintenanceMode(
            { aws: ctx.aws, env: e },
            interpretMaintenanceMode(value) === 'on',
            true,
          );
          results.push({
            status: 'pass',
            resource: e.nameOf('maintenanceModeParameter'),
            expected: `as before (${value})`,
            observed: 'restored',
          });
        }
        const copyNow = await describeDbInstance(rds, copy);
        results.push({
          status: copyNow ? 'warn' : 'pass',
          resource: copy,
          expected: 'nothing left of the recovery',
          observed: copyNow ? 'still running: fsops never deletes a database in a recovery' : 'not there',
          remediation: copyNow
            ? `aws rds delete-db-instance --db-instance-identifier ${copy} --final-db-snapshot-identifier ${copy}-final`
            : undefined,
        });
        p.journal.state = 'aborted';
        await record(ctx, p, 'abort', 'done', 'recovery aborted: undone what could be');
        p.store.release(e.name, p.journal.id);
        return results;
      },
    };
  },
});
