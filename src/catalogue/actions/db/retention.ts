import { z } from 'zod';
import type { MaintenanceConfig } from '../../../base/config/schema.js';
import type { CheckResult, DbQuery } from '../../../base/model/check.js';
import { UsageError } from '../../../base/model/errors.js';
import { type MaintenanceDb, quoteQualified } from '../../../domain/db/writable.js';
import { defineAction, interruptedResult } from '../../action.js';

export type RetentionPolicy = MaintenanceConfig['retention'][number];

export interface RetentionCount {
  policy: RetentionPolicy;
  /** The table the policy resolved to, `schema.table` (absent when not found). */
  relation?: string;
  /** How it was found, when not through the search path. */
  resolvedVia?: string;
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

export type ResolvedTable = { relation: string; via?: string } | { missing: string };

/**
 * The table a policy names, as PostgreSQL resolves it. `schema.table` is taken as written. A bare
 * name is looked up through the search path, then in the configured schema (`payments.schema`, e.g.
 * `payment`), then in any other schema when exactly one holds it; two or more is ambiguous. A
 * schema-qualified database (tables in `payment`, not `public`) is found, not silently skipped.
 */
export async function resolveTable(db: DbQuery, table: string, schema?: string): Promise<ResolvedTable> {
  if (table.includes('.')) {
    const [row] = await db.query<{ relation: string | null }>(
      `SELECT n.nspname || '.' || c.relname AS relation FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = to_regclass($1)`,
      [quoteQualified(table)],
    );
    return row?.relation ? { relation: row.relation } : { missing: `table ${table} not found` };
  }
  const rows = await db.query<{ relation: string; schema: string; rank: number }>(
    `SELECT n.nspname || '.' || c.relname AS relation, n.nspname AS schema,
            CASE WHEN c.oid = to_regclass(quote_ident($1)) THEN 0 WHEN n.nspname = $2 THEN 1 ELSE 2 END AS rank
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = $1 AND c.relkind IN ('r', 'p')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        AND n.nspname NOT LIKE 'pg_temp%'
      ORDER BY 3, 2`,
    [table, schema ?? null],
  );
  const best = rows[0];
  if (!best) {
    return {
      missing: `table ${table} not found (not in the search path${schema ? `, not in schema ${schema}` : ''}, nor in any other schema)`,
    };
  }
  if (best.rank === 0) return { relation: best.relation };
  if (best.rank === 1) return { relation: best.relation, via: `found in the configured schema ${schema}` };
  if (rows.length > 1) {
    return {
      missing: `table ${table} is ambiguous: not in the search path${schema ? ` or schema ${schema}` : ''}, but in ${rows.map((r) => r.relation).join(', ')}; write the policy's table as schema.table`,
    };
  }
  return { relation: best.relation, via: `found in schema ${best.schema}, outside the search path` };
}

/** Rows in the table and rows past retention (the cutoff is fixed once, so counts and deletes agree). */
export async function countRetention(
  db: DbQuery,
  policy: RetentionPolicy,
  now: Date,
  schema?: string,
): Promise<RetentionCount> {
  const cutoff = cutoffFor(policy, now);
  const resolved = await resolveTable(db, policy.table, schema);
  if ('missing' in resolved) return { policy, total: null, expired: null, cutoff, missing: resolved.missing };
  const base = {
    policy,
    relation: resolved.relation,
    ...(resolved.via ? { resolvedVia: resolved.via } : {}),
  };
  const [exists] = await db.query<{ column_ok: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped) AS column_ok`,
    [quoteQualified(resolved.relation), policy.column],
  );
  if (!exists?.column_ok) {
    return {
      ...base,
      total: null,
      expired: null,
      cutoff,
      missing: `column ${resolved.relation}.${policy.column} not found`,
    };
  }
  const [row] = await db.query<{ total: string; expired: string }>(
    `SELECT count(*) AS total, count(*) FILTER (WHERE "${policy.column}" < $1) AS expired FROM ${quoteQualified(resolved.relation)}`,
    [cutoff],
  );
  return { ...base, total: Number(row!.total), expired: Number(row!.expired), cutoff };
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
    [quoteQualified(policy.table)],
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

const retentionParams = z
  .object({
    /** Only these tables (default: every policy in maintenance.retention). */
    tables: z.array(z.string()).optional(),
    batchSize: z.number().int().optional(),
  })
  .strict();

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

export const retentionDeleteAction = defineAction({
  id: 'db.retention-delete',
  title: 'Delete rows past their retention',
  severity: 'medium',
  source:
    'runbook 002 Regular Maintenance Tasks (payment_attempts 90 days); runbook 003 Weekly Tasks (webhook_logs 30 days)',
  remediation:
    'Check the error (lock_timeout, statement_timeout), then run again: batches already deleted stay deleted.',
  // It vacuums the tables it deleted from.
  params: retentionParams,
  recheck: ['db.bloat'],
  async plan(ctx, params) {
    const db = await ctx.db();
    const batchSize = params.batchSize ?? ctx.config.maintenance.batchSize;
    const policies = policiesFor(ctx.config.maintenance.retention, params.tables);
    const counts: RetentionCount[] = [];
    const schema = ctx.config.payments?.schema;
    for (const policy of policies) counts.push(await countRetention(db, policy, ctx.now, schema));
    const relation = (c: RetentionCount) => c.relation ?? c.policy.table;
    const label = (c: RetentionCount) =>
      `${relation(c)}.${c.policy.column} < ${c.cutoff.toISOString()} (${c.policy.days} days)`;
    const via = (c: RetentionCount) => (c.resolvedVia ? ` [${relation(c)}: ${c.resolvedVia}]` : '');
    // A policy that targets nothing means retention never runs for that data: a failure, not a warning.
    const missing: CheckResult[] = counts
      .filter((c) => c.missing)
      .map((c) => ({
        status: 'fail',
        resource: c.policy.table,
        expected: 'the table of a retention policy exists',
        observed: `${c.missing!}: this policy deletes nothing${
          counts.every((x) => x.missing)
            ? '; no retention policy targets any table, retention never runs'
            : ''
        }`,
        remediation:
          'Correct maintenance.retention in the config (write the table as schema.table when it lives outside the search path), or remove the policy for this database.',
      }));
    const work = counts.filter((c) => !c.missing && (c.expired ?? 0) > 0);
    const clean: CheckResult[] = counts
      .filter((c) => !c.missing && c.expired === 0)
      .map((c) => ({
        status: 'pass',
        resource: c.policy.table,
        expected: `no rows older than ${c.policy.days} days`,
        observed: `0 of ${c.total} rows past retention${via(c)}`,
      }));
    return {
      lines: work.map(
        (c) =>
          `DELETE ${c.expired} of ${c.total} rows from ${label(c)}, in batches of ${batchSize}; then VACUUM (ANALYZE) ${relation(c)}`,
      ),
      preview: [
        ...missing,
        ...clean,
        ...work.map(
          (c): CheckResult => ({
            status: 'skip',
            resource: c.policy.table,
            expected: `no rows older than ${c.policy.days} days`,
            observed: `dry run: ${c.expired} of ${c.total} rows past retention would be deleted (${label(c)})${via(c)}`,
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
              { ...c.policy, table: relation(c) },
              c.cutoff,
              batchSize,
              (sofar, n) =>
                ctx.log(
                  `${c.policy.table}: ${sofar}/${c.expired} rows deleted (${n} batch${n === 1 ? '' : 'es'})`,
                ),
              () => ctx.stopRequested?.() ?? false,
            );
            // Reclaim the deleted rows and refresh the planner's statistics; VACUUM runs outside a transaction.
            const vacuumed =
              deleted > 0
                ? await vacuumAfterDelete(db, relation(c))
                : { text: 'nothing to vacuum', done: true };
            const after = await countRetention(db, c.policy, ctx.now, schema);
            results.push({
              status: stopped ? 'skip' : (after.expired ?? 0) === 0 && vacuumed.done ? 'pass' : 'warn',
              resource: c.policy.table,
              expected: `no rows older than ${c.policy.days} days`,
              observed: `deleted ${deleted} rows in ${batches} batch${batches === 1 ? '' : 'es'} (${((Date.now() - started) / 1000).toFixed(1)}s): rows ${c.total} -> ${after.total}, past retention ${c.expired} -> ${after.expired}; ${vacuumed.text}${stopped ? '; stopped early: interrupted (Ctrl-C), run again to finish' : ''}`,
            });
          } catch (error) {
            const after = await countRetention(db, c.policy, ctx.now, schema).catch(() => null);
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
});

/** VACUUM after the deletes; a WARNING (e.g. "skipping ... only table or database owner") means it was not done. */
async function vacuumAfterDelete(db: MaintenanceDb, table: string): Promise<{ text: string; done: boolean }> {
  try {
    const { notices } = await db.execute(`VACUUM (ANALYZE) ${quoteQualified(table)}`);
    const warnings = notices.filter((n) => n.severity === 'WARNING').map((n) => n.message);
    if (warnings.length) {
      return {
        text: `VACUUM (ANALYZE) not done: PostgreSQL answered WARNING: ${warnings.join('; WARNING: ')}`,
        done: false,
      };
    }
    return { text: 'VACUUM (ANALYZE) done', done: true };
  } catch (error) {
    return {
      text: `VACUUM (ANALYZE) failed: ${(error as Error).message} (autovacuum will reclaim the space)`,
      done: false,
    };
  }
}
