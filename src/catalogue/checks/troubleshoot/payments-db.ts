import type { PaymentsConfig } from '../../../base/config/schema.js';
import type { CheckResult } from '../../../base/model/check.js';
import { defineCheck, noParams } from '../../../base/model/check.js';
import type { Status } from '../../../base/model/finding.js';
import { windowText } from './load-balancer-facts.js';

/** SQLSTATE undefined_table / undefined_column: the config names a table or column the database lacks. */
const MISSING_RELATION = new Set(['42P01', '42703', '3F000']);

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

export interface GatewayCounts {
  gateway: string;
  failed: number;
  succeeded: number;
}

export interface ErrorCodeCount {
  gateway: string;
  error_code: string;
  count: number;
  avg_amount: number | null;
}

/** Runbook 003's failure analysis, with the schema, table and columns from the config. */
export function paymentQueries(p: PaymentsConfig) {
  const table = `${quote(p.schema)}.${quote(p.table)}`;
  const c = Object.fromEntries(Object.entries(p.columns).map(([k, v]) => [k, quote(v)])) as Record<
    keyof PaymentsConfig['columns'],
    string
  >;
  return {
    byGateway: `SELECT COALESCE(${c.gateway}::text, '(none)') AS gateway,
       COUNT(*) FILTER (WHERE ${c.status} = $1)::int AS failed,
       COUNT(*) FILTER (WHERE ${c.status} = $2)::int AS succeeded
  FROM ${table}
 WHERE ${c.createdAt} > $3
 GROUP BY 1`,
    byErrorCode: `SELECT COALESCE(${c.gateway}::text, '(none)') AS gateway,
       COALESCE(${c.errorCode}::text, '(none)') AS error_code,
       COUNT(*)::int AS count,
       AVG(${c.amount})::float8 AS avg_amount
  FROM ${table}
 WHERE ${c.status} = $1
   AND ${c.createdAt} > $2
 GROUP BY 1, 2
 ORDER BY count DESC
 LIMIT 50`,
    lmsQueue: `SELECT COUNT(*)::int AS depth,
       EXTRACT(EPOCH FROM (now() - MIN(${quote(p.lmsQueue.createdAtColumn)})))::float8 AS oldest_seconds
  FROM ${quote(p.schema)}.${quote(p.lmsQueue.table)}
 WHERE ${quote(p.lmsQueue.statusColumn)}::text = ANY($1)`,
  };
}

function rate(g: { failed: number; succeeded: number }): number {
  return (100 * g.succeeded) / (g.failed + g.succeeded);
}

function level(successPercent: number, t: { warn: number; fail: number }): Status {
  return successPercent <= t.fail ? 'fail' : successPercent < t.warn ? 'warn' : 'pass';
}

/** Judges payment outcomes: overall success rate, then each gateway with its top error codes (pure). */
export function evaluatePaymentFailures(
  gateways: readonly GatewayCounts[],
  errors: readonly ErrorCodeCount[],
  thresholds: { warn: number; fail: number },
  window: string,
  table: string,
): CheckResult[] {
  const total = gateways.reduce(
    (acc, g) => ({ failed: acc.failed + g.failed, succeeded: acc.succeeded + g.succeeded }),
    { failed: 0, succeeded: 0 },
  );
  const expected = `success rate >= ${thresholds.warn}% (fail <= ${thresholds.fail}%, ops guide §6.1.1)`;
  if (total.failed + total.succeeded === 0) {
    return [
      {
        id: 'payments.db.volume',
        title: 'Payments recorded in the database',
        status: 'warn',
        resource: table,
        expected: 'payments in the window',
        observed: `no completed or failed payments in the last ${window}`,
        remediation:
          'No payments at all: the service may be down or not receiving traffic (`fsops troubleshoot service-unavailable`).',
      },
    ];
  }
  const overall = rate(total);
  const results: CheckResult[] = [
    {
      id: 'payments.db.success-rate',
      title: 'Payment success rate (database)',
      status: level(overall, thresholds),
      resource: table,
      expected,
      observed: `${overall.toFixed(1)}%: ${total.failed} failed of ${total.failed + total.succeeded} in the last ${window}`,
      remediation: 'Find the failing gateway and error code below (runbook 003: high payment failure rate).',
    },
  ];
  const sorted = [...gateways].sort((a, b) => b.failed - a.failed);
  for (const g of sorted) {
    if (g.failed + g.succeeded === 0) continue;
    const codes = errors.filter((e) => e.gateway === g.gateway).slice(0, 5);
    const gatewayRate = rate(g);
    results.push({
      id: 'payments.db.gateway',
      title: `Payment gateway ${g.gateway}`,
      status: level(gatewayRate, thresholds),
      resource: `${table} gateway=${g.gateway}`,
      expected,
      observed: `${gatewayRate.toFixed(1)}% success: ${g.failed} failed of ${g.failed + g.succeeded}`,
      detail: codes.length
        ? `failures by error code: ${codes
            .map(
              (e) =>
                `${e.error_code} ${e.count}×${e.avg_amount === null ? '' : ` (avg amount ${Number(e.avg_amount).toFixed(2)})`}`,
            )
            .join('; ')}`
        : '',
      remediation: `Check ${g.gateway}'s status page and credentials; if it is down, switch to the backup gateway (ops guide §13.1.1).`,
    });
  }
  return results;
}

export const paymentFailuresCheck = defineCheck({
  id: 'payments.db.failures',
  title: 'Payment failures by gateway and error code',
  severity: 'critical',
  source: 'runbook 003 (Troubleshooting: High Payment Failure Rate); ops guide §13.1.1',
  remediation: 'Follow the failing gateway (ops guide §13.1.1).',
  params: noParams,
  async run(ctx) {
    const p = ctx.env.config.payments;
    const table = `${p.schema}.${p.table}`;
    const db = await ctx.db();
    const queries = paymentQueries(p);
    try {
      // The error codes only detail the gateways' verdicts: a query of them that fails (a wrong
      // payments.columns.errorCode, a statement timeout) is its own error, the gateways still judged.
      const [gateways, errors] = await Promise.allSettled([
        db.query<GatewayCounts>(queries.byGateway, [p.failedStatus, p.succeededStatus, ctx.since]),
        db.query<ErrorCodeCount>(queries.byErrorCode, [p.failedStatus, ctx.since]),
      ]);
      if (gateways.status === 'rejected') throw gateways.reason;
      const judged = evaluatePaymentFailures(
        gateways.value,
        errors.status === 'fulfilled' ? errors.value : [],
        ctx.env.thresholds.paymentSuccessRatePercent,
        windowText(ctx),
        table,
      );
      if (errors.status === 'fulfilled') return judged;
      return [
        {
          id: 'payments.db.error-codes',
          status: 'error',
          resource: table,
          expected: 'the failures by error code can be read',
          observed: `could not query the failures by error code: ${(errors.reason as Error).message}`,
          remediation: MISSING_RELATION.has((errors.reason as { code?: string }).code ?? '')
            ? "Set payments.columns.errorCode (and the other payments.columns) to the application's names; the success rates were judged without the error codes."
            : 'Check the database error named here, then run again; the success rates were judged without the error codes.',
        },
        ...judged,
      ];
    } catch (error) {
      if (!MISSING_RELATION.has((error as { code?: string }).code ?? '')) throw error;
      return [
        {
          id: 'payments.db.table',
          status: 'error',
          resource: table,
          expected: 'the payments table with the configured columns',
          observed: `could not query: ${(error as Error).message}`,
          remediation:
            "Set payments.schema, payments.table and payments.columns in the config to the application's names (runbook 003 uses payment.payments).",
        },
      ];
    }
  },
});

/** Judges the LMS sync queue: how many transactions wait, and how long the oldest has waited (pure). */
export function evaluateLmsQueue(
  depth: number,
  oldestSeconds: number | null,
  q: PaymentsConfig['lmsQueue'],
  table: string,
): CheckResult[] {
  const over = (value: number, t: { warn: number; fail: number }): Status =>
    value >= t.fail ? 'fail' : value >= t.warn ? 'warn' : 'pass';
  const minutes = oldestSeconds === null ? 0 : oldestSeconds / 60;
  // No guide names the queue table, its columns or its statuses: say what was read, every time.
  const detail = `assumed queue table: ${table} where ${q.statusColumn} in (${q.pendingStatuses.join(', ')}), age from ${q.createdAtColumn}; no guide names it (payments.lmsQueue in the config)`;
  return [
    {
      id: 'payments.lms-queue.depth',
      title: 'LMS sync queue depth',
      status: over(depth, q.depth),
      resource: table,
      expected: `fewer than ${q.depth.warn} waiting (fail at ${q.depth.fail})`,
      observed: `${depth} transaction${depth === 1 ? '' : 's'} ${q.pendingStatuses.join('/')}`,
      detail,
      remediation:
        'Transactions are piling up: check LMS connectivity and the queue processor (ops guide §13.1.1).',
    },
    {
      id: 'payments.lms-queue.age',
      title: 'Oldest transaction waiting for LMS',
      status: over(minutes, q.oldestMinutes),
      resource: table,
      expected: `none older than ${q.oldestMinutes.warn} min (fail at ${q.oldestMinutes.fail})`,
      observed: depth === 0 ? 'queue empty' : `oldest waiting ${Math.round(minutes)} min`,
      detail,
      remediation:
        'Transactions are stuck: restart the queue processor, then push them manually (ops guide §13.1.1).',
    },
  ];
}

export const lmsQueueCheck = defineCheck({
  id: 'payments.lms-queue',
  title: 'Transactions waiting for LMS',
  severity: 'high',
  source: 'ops guide §13.1.1 (LMSSyncFailures), §9.1.1',
  remediation: 'Check the LMS integration (ops guide §13.1.1).',
  params: noParams,
  async run(ctx) {
    const p = ctx.env.config.payments;
    const table = `${p.schema}.${p.lmsQueue.table}`;
    const db = await ctx.db();
    try {
      const [row] = await db.query<{ depth: number; oldest_seconds: number | null }>(
        paymentQueries(p).lmsQueue,
        [p.lmsQueue.pendingStatuses],
      );
      return evaluateLmsQueue(row?.depth ?? 0, row?.oldest_seconds ?? null, p.lmsQueue, table);
    } catch (error) {
      if (!MISSING_RELATION.has((error as { code?: string }).code ?? '')) throw error;
      return [
        {
          id: 'payments.lms-queue.table',
          status: 'skip',
          resource: table,
          expected: 'the LMS sync queue table (payments.lmsQueue in the config)',
          observed: `could not query: ${(error as Error).message}`,
          remediation:
            "No guide names the queue table: set payments.lmsQueue.table, statusColumn, createdAtColumn and pendingStatuses to the application's.",
        },
      ];
    }
  },
});
