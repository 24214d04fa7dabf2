import { z } from 'zod';
import { describeAwsError } from '../../../base/aws/errors.js';
import type { CheckResult } from '../../../base/model/check.js';
import { UsageError } from '../../../base/model/errors.js';
import { oneLine } from '../../../base/model/text.js';
import { formatMinutes } from '../../../domain/backup/evaluate.js';
import { fsopsTags, RECOVER_TABLE_PURPOSE, recoverTableInstanceName } from '../../../domain/backup/naming.js';
import { describeDbInstance } from '../../../domain/backup/rds.js';
import {
  connectCopy,
  deleteTemporaryInstance,
  describeSource,
  Interrupted,
  parseRestoreTime,
  pitrSource,
  type RestoreSource,
  requestRestore,
  snapshotSource,
  waitAvailable,
} from '../../../domain/backup/restore.js';
import {
  diffByKey,
  evaluateTableDiff,
  mergeSql,
  parseTableName,
  sideSchemaName,
  sideTableSql,
  type TableFacts,
  tableFacts,
} from '../../../domain/backup/table-recovery.js';
import { openDbSession } from '../../../domain/db/connection.js';
import { openCopyClient, streamRows } from '../../../domain/db/copy.js';
import { applyTunnel, type DbTarget, envDbTarget, targetLabel } from '../../../domain/db/target.js';
import { maintenanceSettings, quoteQualified } from '../../../domain/db/writable.js';
import type { ActionContext } from '../../action.js';
import { defineAction } from '../../action.js';

/** `fsops recover table` flags, as the action's parameters. */
export const recoverTableParams = z
  .object({
    /** schema.table */
    table: z.string(),
    /** ISO 8601 point in time (or `snapshot`). */
    toTime: z.string().optional(),
    snapshot: z.string().optional(),
    /** A tunnel to the restored instance. */
    dbHost: z.string().optional(),
    dbPort: z.string().optional(),
  })
  .strict();
export type RecoverTableParams = z.infer<typeof recoverTableParams>;

interface TablePlan {
  rds: Awaited<ReturnType<ActionContext['aws']['rds']>>;
  sourceId: string;
  source: Awaited<ReturnType<typeof describeDbInstance>> & object;
  from: RestoreSource;
  name: string;
  live: string;
  side: string;
  facts: TableFacts;
  liveTarget: DbTarget;
}

/**
 * Restores one table as it was at a point in time next to the live one (runbook 002 Partial Recovery:
 * "restore specific tables", "verify data consistency"; runbook 003 Data Corruption "identify corruption
 * extent"): a temporary instance restored to T, the table streamed (COPY) into a new side schema of the
 * live database, the differences by key, the SQL to merge; the temporary instance is ALWAYS deleted
 * (success, failure, Ctrl-C). The live table is only read.
 */
export const recoverTableAction = defineAction({
  id: 'recover.table',
  title: 'Recover a table as it was at a point in time',
  severity: 'critical',
  source:
    'runbook 002 Recovery Procedures (Partial Recovery: restore specific tables, verify data consistency); runbook 003 Data Corruption (identify corruption extent), Recovery Procedures (point-in-time recovery)',
  remediation: 'Review the differences, then merge with the SQL shown (fsops never changes the live table).',
  params: recoverTableParams,
  async plan(ctx, params) {
    const env = ctx.env;
    if (!env || !ctx.aws) throw new UsageError('recover table needs an environment (--env)');
    const { schema, table } = parseTableName(params.table);
    if ((params.toTime === undefined) === (params.snapshot === undefined)) {
      throw new UsageError('recover table needs exactly one of --to-time <ISO 8601 time> or --snapshot <id>');
    }
    const time = params.toTime !== undefined ? parseRestoreTime(params.toTime, '--to-time') : null;
    const rds = await ctx.aws.rds();
    const dbName = env.nameOf('dbInstance');
    const source = await describeDbInstance(rds, dbName);
    if (!source) throw new UsageError(`RDS instance ${dbName} not found (names.dbInstance in the config)`);
    const from = time
      ? await pitrSource(rds, source, time, params.toTime)
      : await snapshotSource(rds, source, params.snapshot!, '--snapshot');
    const liveTarget = ctx.dbTarget
      ? await ctx.dbTarget()
      : await envDbTarget({ config: ctx.config, env, aws: ctx.aws });
    const reader = await openDbSession(liveTarget, {
      readOnly: true,
      settings: ctx.config.database.session,
      poolSize: 1,
    });
    let facts: TableFacts | null;
    try {
      facts = await tableFacts(reader, schema, table);
    } finally {
      await reader.close();
    }
    const live = `${schema}.${table}`;
    if (!facts) throw new UsageError(`table ${live} does not exist in ${targetLabel(liveTarget)}`);
    if (facts.key.length === 0) {
      throw new UsageError(`table ${live} has no primary key: its rows cannot be compared by key`);
    }
    const name = recoverTableInstanceName(env.name, ctx.now);
    const side = `${sideSchemaName(ctx.now)}.${table}`;
    const instanceClass =
      ctx.config.backup.verify.instanceClass ?? source.DBInstanceClass ?? 'the source class';
    const lines = [
      `restore ${describeSource(dbName, from)} into a temporary instance ${name}`,
      `  ${instanceClass}, single-AZ, not publicly accessible, the source's subnet group and security groups, tags managed-by=fsops purpose=${RECOVER_TABLE_PURPOSE}`,
      `  cost: one ${instanceClass} instance and its storage until the table is copied (typically 20-90 min)`,
      `create schema ${sideSchemaName(ctx.now)} in ${targetLabel(liveTarget)} and stream (COPY) ${live} of the copy into ${side}; the live table is only read`,
      `compare ${side} with ${live} by key (${facts.key.join(', ')}): rows only in the copy, only live, changed; print the SQL to merge (not run)`,
      `delete ${name} without a final snapshot afterwards: also on failure or Ctrl-C`,
    ];
    const plan: TablePlan = {
      rds,
      sourceId: dbName,
      source,
      from,
      name,
      live,
      side,
      facts,
      liveTarget,
    };
    return {
      lines,
      preview: [
        {
          status: 'skip',
          resource: side,
          expected: `${live} as of ${from.restorePoint.toISOString()}`,
          observed: 'not restored (dry run)',
        },
      ],
      apply: () => recoverTable(ctx, params, plan),
    };
  },
});

async function recoverTable(
  ctx: ActionContext,
  params: RecoverTableParams,
  plan: TablePlan,
): Promise<CheckResult[]> {
  const settings = ctx.config.backup;
  const results: CheckResult[] = [];
  const requestedAt = new Date();
  const deadline = requestedAt.getTime() + settings.recover.timeoutMinutes * 60_000;
  const closers: (() => Promise<void>)[] = [];
  const wait = {
    log: ctx.log,
    stop: ctx.stopRequested,
    deadline,
    pollMs: settings.pollSeconds * 1000,
    timeoutSetting: 'backup.recover.timeoutMinutes',
  };
  const [sideSchema] = plan.side.split('.') as [string];
  let sideCreated = false;
  let copied = false;
  try {
    await requestRestore(plan.rds, {
      name: plan.name,
      sourceId: plan.sourceId,
      from: plan.from,
      instanceClass: settings.verify.instanceClass,
      subnetGroup: plan.source.DBSubnetGroup?.DBSubnetGroupName,
      securityGroups: (plan.source.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId!).filter(Boolean),
      multiAZ: false,
      deletionProtection: false,
      tags: fsopsTags(RECOVER_TABLE_PURPOSE, { 'source-db': plan.sourceId, table: plan.live }),
    });
    ctx.log(`Restore of ${plan.name} requested.`);
    const ready = await waitAvailable(plan.rds, plan.name, wait);
    const copyTarget = applyTunnel(
      {
        ...plan.liveTarget,
        host: ready.Endpoint!.Address!,
        port: ready.Endpoint!.Port ?? plan.liveTarget.port,
        tlsServerName: undefined,
        source: `restored instance ${plan.name}`,
      },
      params,
    );
    const probe = await connectCopy(copyTarget, ctx.config.database.session, {
      ...wait,
      deadline: Math.min(deadline, Date.now() + settings.verify.connectTimeoutMinutes * 60_000),
      timeoutSetting: 'backup.verify.connectTimeoutMinutes',
    });
    closers.push(() => probe.db.close());
    ctx.log(`Connected to the copy after ${formatMinutes(probe.at.getTime() - requestedAt.getTime())}.`);
    const [schema, table] = plan.live.split('.') as [string, string];
    const copyFacts = await tableFacts(probe.db, schema, table);
    const missing = copyFacts ? plan.facts.columns.filter((c) => !copyFacts.columns.includes(c)) : null;
    if (!copyFacts || missing!.length > 0) {
      throw new Error(
        copyFacts
          ? `the copy's ${plan.live} lacks column(s) ${missing!.join(', ')} (the table changed after the restore point)`
          : `${plan.live} does not exist on the copy (created after the restore point?)`,
      );
    }
    if (ctx.stopRequested?.()) throw new Interrupted();
    const maintenance = maintenanceSettings(ctx.config);
    const from = await openCopyClient(copyTarget, maintenance, { readOnly: true, applicationName: 'fsops' });
    closers.push(() => from.close());
    const to = await openCopyClient(plan.liveTarget, maintenance, {
      readOnly: false,
      applicationName: 'fsops-recover',
    });
    closers.push(() => to.close());
    for (const sql of sideTableSql(plan.live, plan.side, plan.facts)) {
      await to.client.query(sql);
      sideCreated = true;
    }
    const columns = plan.facts.columns.map((c) => `"${c.replace(/"/g, '""')}"`).join(', ');
    ctx.log(`Copying ${plan.live} into ${plan.side} (COPY, streaming) ...`);
    const secrets = [plan.liveTarget.password ?? ''].filter(Boolean);
    const rows = await streamRows(
      from.client,
      to.client,
      `SELECT ${columns} FROM ${quoteQualified(plan.live)}`,
      `COPY ${quoteQualified(plan.side)} (${columns}) FROM STDIN`,
      { signal: ctx.signal, secrets },
    );
    copied = true;
    results.push({
      id: 'recover.table.copy',
      title: 'The table as it was at the restore point is in the side schema',
      status: 'pass',
      resource: plan.side,
      expected: `${plan.live} as of ${plan.from.restorePoint.toISOString()}`,
      observed: `${rows} row(s) copied (COPY, streaming) from ${plan.name}; the live table was only read`,
    });
    const reader = await openDbSession(plan.liveTarget, {
      readOnly: true,
      settings: maintenance,
      poolSize: 1,
    });
    closers.push(() => reader.close());
    const diff = await diffByKey(reader, plan.live, plan.side, plan.facts);
    results.push(...evaluateTableDiff(plan.live, plan.side, diff));
    const differs = diff.onlyCopy.count + diff.changed.count + diff.onlyLive.count > 0;
    results.push({
      id: 'recover.table.merge-sql',
      title: 'SQL to merge the recovered rows (review, then run it yourself)',
      status: differs ? 'warn' : 'pass',
      resource: plan.live,
      expected: 'the live table as it should be',
      observed: differs
        ? `${diff.onlyCopy.count} row(s) to put back, ${diff.changed.count} to restore, ${diff.onlyLive.count} written since (kept)`
        : 'nothing differs: no merge needed',
      detail: mergeSql(plan.live, plan.side, plan.facts),
      remediation: differs
        ? `Review ${plan.side}, then run the SQL above in one transaction; DROP SCHEMA ${sideSchema} CASCADE when done.`
        : `DROP SCHEMA ${sideSchema} CASCADE when done.`,
    });
  } catch (error) {
    const interrupted = error instanceof Interrupted || ctx.stopRequested?.() === true;
    results.push({
      id: 'recover.table.restore',
      title: 'The table is recovered from the restore point',
      status: interrupted ? 'skip' : 'error',
      resource: plan.side,
      expected: `${plan.live} as of ${plan.from.restorePoint.toISOString()} in ${plan.side}`,
      observed: interrupted
        ? 'not finished: interrupted (Ctrl-C)'
        : `failed: ${oneLine(error instanceof Error && '$metadata' in error ? describeAwsError(error) : (error as Error).message)}`,
      remediation: interrupted
        ? 'Run it again.'
        : 'See RDS events for the instance (aws rds describe-events).',
    });
  } finally {
    // A side schema without its rows helps no one: it was created by this run under a new name.
    if (sideCreated && !copied) await dropSideSchema(plan.liveTarget, ctx, sideSchema, results);
    for (const close of closers.reverse()) await close().catch(() => {});
    ctx.log(`Deleting ${plan.name} ...`);
    results.push(await deleteTemporaryInstance(plan.rds, plan.name, 'recover.table.cleanup'));
  }
  return results;
}

async function dropSideSchema(
  target: DbTarget,
  ctx: ActionContext,
  schema: string,
  results: CheckResult[],
): Promise<void> {
  try {
    const writer = await openCopyClient(target, maintenanceSettings(ctx.config), {
      readOnly: false,
      applicationName: 'fsops-recover',
    });
    try {
      await writer.client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await writer.close();
    }
  } catch (error) {
    results.push({
      id: 'recover.table.side-schema',
      title: 'An unfinished side schema is removed',
      status: 'warn',
      resource: schema,
      expected: 'dropped',
      observed: `could not drop it: ${oneLine((error as Error).message)}`,
      remediation: `DROP SCHEMA ${schema} CASCADE`,
    });
  }
}
