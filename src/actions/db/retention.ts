import type { MaintenanceConfig } from '../../config/schema.js';
import { type MaintenanceDb, quoteQualified } from '../../db/writable.js';
import type { CheckResult, DbQuery } from '../../engine/model/check.js';
import { UsageError } from '../../engine/model/errors.js';
import { type ActionDefinition, interruptedResult } from '../types.js';

export type RetentionPolicy = MaintenanceConfig['retention'][number];

export interface RetentionCount {
  policy: RetentionPolicy;
  /** null when the table or column does not exist in this database. */
  total: number | null;
  expired: number | null;
  cutoff: Date;
  missing?: string;
}

const DAY = 86_400_000;

export function cutoffFor(policy: RetentionPolicy, now: Date): Date {
  return new Date(now.getTime() - policy.days * DAY);
}

/** Rows in the table and rows past retention (the cutoff is fixed once, so counts and deletes agree). */
export async function countRetention(
  db: DbQuery,
  policy: RetentionPolicy,
  now: Date,
): Promise<RetentionCount> {
  const cutoff = cutoffFor(policy, now);
  const [exists] = await db.query<{ table_ok: boolean; column_ok: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AS table_ok,
            EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped) AS column_ok`,
    [policy.table, policy.column],
  );
  if (!exists?.table_ok)
    return { policy, total: null, expired: null, cutoff, missing: `table ${policy.table} not found` };
  if (!exists.column_ok) {
    return {
      policy,
      total: null,
      expired: null,
      cutoff,
      missing: `column ${policy.table}.${policy.column} not found`,
    };
  }
  const [row] = await db.query<{ total: string; expired: string }>(
    `SELECT count(*) AS total, count(*) FILTER (WHERE "${policy.column}" < $1) AS expired FROM ${quoteQualified(policy.table)}`,
    [cutoff],
  );
  return { policy, total: Number(row!.total), expired: Number(row!.expired), cutoff };
}

/**
 * Deletes rows past the cutoff in batches of `batchSize`, each batch its own statement and transaction,
 * so no lock is held for long and a timeout loses one batch, not the whole run. A partitioned table is
 * cleaned partition by partition: a ctid is only unique within one, and `ctid = ANY(...)` is a TID scan.
 */
export async function deleteExpired(
  db: MaintenanceDb,
  policy: RetentionPolicy,
  cutoff: Date,
  batchSize: number,
  onBatch: (deletedSoFar: number, batches: number) => void = () => {},
  shouldStop: () => boolean = () => false,
): Promise<{ deleted: number; batches: number; stopped: boolean }> {
  const leaves = await db.query<{ name: string }>(
    'SELECT relid::regclass::text AS name FROM pg_partition_tree(to_regclass($1)) WHERE isleaf ORDER BY level, relid',
    [policy.table],
  );
  // pg_partition_tree returns nothing for a table that is not partitioned.
  const tables = leaves.length ? leaves.map((l) => l.name) : [quoteQualified(policy.table)];
  let deleted = 0;
  let batches = 0;
  for (const name of tables) {
    const sql = `DELETE FROM ${name} WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM ${name} WHERE "${policy.column}" < $1 LIMIT $2))`;
    for (;;) {
      if (shouldStop()) return { deleted, batches, stopped: true };
      const { rowCount } = await db.execute(sql, [cutoff, batchSize]);
      if (rowCount === 0) break;
      deleted += rowCount;
      batches += 1;
      onBatch(deleted, batches);
      if (rowCount < batchSize) break;
    }
  }
  return { deleted, batches, stopped: false };
}

export interface RetentionParams {
  /** Only these tables (default: every policy in maintenance.retention). */
  tables?: string[];
  batchSize?: number;
}

export function policiesFor(all: RetentionPolicy[], tables: string[] | undefined): RetentionPolicy[] {
  if (!tables?.length) return all;
  return tables.map((name) => {
    const policy = all.find((p) => p.table === name);
    if (!policy) {
      throw new UsageError(
        `no retention policy for table '${name}': configured are ${all.map((p) => p.table).join(', ')}`,
      );
    }
    return policy;
  });
}

export const retentionDeleteAction: ActionDefinition<RetentionParams> = {
  id: 'db.retention-delete',
  title: 'Delete rows past their retention',
  severity: 'medium',
  source:
    'runbook 002 Regular Maintenance Tasks (payment_attempts 90 days); runbook 003 Weekly Tasks (webhook_logs 30 days)',
  remediation:
    'Check the error (lock_timeout, statement_timeout), then run again: batches already deleted stay deleted.',
  // It vacuums the tables it deleted from.
  recheck: ['db.bloat'],
  async plan(ctx, params) {
    const db = await ctx.db();
    const batchSize = params.batchSize ?? ctx.config.maintenance.batchSize;
    const policies = policiesFor(ctx.config.maintenance.retention, params.tables);
    const counts: RetentionCount[] = [];
    for (const policy of policies) counts.push(await countRetention(db, policy, ctx.now));
    const label = (c: RetentionCount) =>
      `${c.policy.table}.${c.policy.column} < ${c.cutoff.toISOString()} (${c.policy.days} days)`;
    const missing: CheckResult[] = counts
      .filter((c) => c.missing)
      .map((c) => ({
        status: 'warn',
        resource: c.policy.table,
        expected: 'the table of a retention policy exists',
        observed: c.missing!,
        remediation: 'Correct maintenance.retention in the config, or remove the policy for this database.',
      }));
    const work = counts.filter((c) => !c.missing && (c.expired ?? 0) > 0);
    const clean: CheckResult[] = counts
      .filter((c) => !c.missing && c.expired === 0)
      .map((c) => ({
        status: 'pass',
        resource: c.policy.table,
        expected: `no rows older than ${c.policy.days} days`,
        observed: `0 of ${c.total} rows past retention`,
      }));
    return {
      lines: work.map(
        (c) =>
          `DELETE ${c.expired} of ${c.total} rows from ${label(c)}, in batches of ${batchSize}; then VACUUM (ANALYZE) ${c.policy.table}`,
      ),
      preview: [
        ...missing,
        ...clean,
        ...work.map(
          (c): CheckResult => ({
            status: 'skip',
            resource: c.policy.table,
            expected: `no rows older than ${c.policy.days} days`,
            observed: `dry run: ${c.expired} of ${c.total} rows past retention would be deleted (${label(c)})`,
          }),
        ),
      ],
      async apply() {
        const results: CheckResult[] = [...missing, ...clean];
        for (const c of work) {
          const started = Date.now();
          if (ctx.stopRequested?.()) {
            results.push(interruptedResult(c.policy.table));
            continue;
          }
          try {
            const { deleted, batches, stopped } = await deleteExpired(
              db,
              c.policy,
              c.cutoff,
              batchSize,
              (sofar, n) =>
                ctx.log(
                  `${c.policy.table}: ${sofar}/${c.expired} rows deleted (${n} batch${n === 1 ? '' : 'es'})`,
                ),
              () => ctx.stopRequested?.() ?? false,
            );
            // Reclaim the deleted rows and refresh the planner's statistics; VACUUM runs outside a transaction.
            const vacuumed = deleted > 0 ? await vacuumAfterDelete(db, c.policy.table) : 'nothing to vacuum';
            const after = await countRetention(db, c.policy, ctx.now);
            results.push({
              status: stopped ? 'skip' : (after.expired ?? 0) === 0 ? 'pass' : 'warn',
              resource: c.policy.table,
              expected: `no rows older than ${c.policy.days} days`,
              observed: `deleted ${deleted} rows in ${batches} batch${batches === 1 ? '' : 'es'} (${((Date.now() - started) / 1000).toFixed(1)}s): rows ${c.total} -> ${after.total}, past retention ${c.expired} -> ${after.expired}; ${vacuumed}${stopped ? '; stopped early: interrupted (Ctrl-C), run again to finish' : ''}`,
            });
          } catch (error) {
            const after = await countRetention(db, c.policy, ctx.now).catch(() => null);
            results.push({
              status: 'error',
              resource: c.policy.table,
              expected: `no rows older than ${c.policy.days} days`,
              observed: `stopped: ${(error as Error).message}; rows ${c.total} -> ${after?.total ?? '?'}, past retention ${c.expired} -> ${after?.expired ?? '?'}`,
            });
          }
        }
        return results;
      },
    };
  },
};

async function vacuumAfterDelete(db: MaintenanceDb, table: string): Promise<string> {
  try {
    await db.execute(`VACUUM (ANALYZE) ${quoteQualified(table)}`);
    return 'VACUUM (ANALYZE) done';
  } catch (error) {
    return `VACUUM (ANALYZE) failed: ${(error as Error).message} (autovacuum will reclaim the space)`;
  }
}
