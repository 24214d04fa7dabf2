import { z } from 'zod';
import type { PaymentsConfig } from '../../../base/config/schema.js';
import type { CheckDefinition, CheckResult, DbQuery } from '../../../base/model/check.js';
import type { Status } from '../../../base/model/finding.js';

type Reconciliation = PaymentsConfig['reconciliation'];

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/** The day being reconciled: [from, to) as instants, from a calendar date in the configured time zone. */
export interface ReconcileDay {
  date: string;
  timeZone: string;
}

/**
 * The read-only SQL of the reconciliation, names from the config (payments.* and
 * payments.reconciliation.*). $1 date, $2 time zone for the day's bounds (computed by PostgreSQL).
 */
export function reconcileQueries(p: PaymentsConfig) {
  const r = p.reconciliation;
  const payments = `${quote(p.schema)}.${quote(p.table)}`;
  const postings = `${quote(r.postings.schema ?? p.schema)}.${quote(r.postings.table)}`;
  const c = {
    id: quote(r.paymentIdColumn),
    channel: quote(r.channelColumn),
    gateway: quote(p.columns.gateway),
    amount: quote(p.columns.amount),
    status: quote(p.columns.status),
    createdAt: quote(p.columns.createdAt),
  };
  const l = { paymentId: quote(r.postings.paymentIdColumn), status: quote(r.postings.statusColumn) };
  const day = `p.${c.createdAt} >= ($1::date::timestamp AT TIME ZONE $2)
   AND p.${c.createdAt} < (($1::date + 1)::timestamp AT TIME ZONE $2)`;
  const posted = `EXISTS (SELECT 1 FROM ${postings} l WHERE l.${l.paymentId} = p.${c.id} AND l.${l.status}::text = ANY($4))`;
  return {
    /** COMPLETED that day without a posted LMS posting: missing, or only failed/other postings. */
    unposted: `SELECT p.${c.id}::text AS id, p.${c.amount}::numeric::text AS amount,
       COALESCE(p.${c.gateway}::text, '(none)') AS gateway, COALESCE(p.${c.channel}::text, '(none)') AS channel,
       (SELECT string_agg(DISTINCT l.${l.status}::text, ',') FROM ${postings} l WHERE l.${l.paymentId} = p.${c.id}) AS postings,
       COUNT(*) OVER ()::int AS total, SUM(p.${c.amount}) OVER ()::numeric::text AS total_amount
  FROM ${payments} p
 WHERE p.${c.status}::text = $3
   AND ${day}
   AND NOT ${posted}
 ORDER BY p.${c.amount} DESC, p.${c.id}::text
 LIMIT $5`,
    /** Payments of that day posted more than once, or posted while not COMPLETED. */
    overposted: `SELECT p.${c.id}::text AS id, p.${c.amount}::numeric::text AS amount, p.${c.status}::text AS status,
       (SELECT COUNT(*) FROM ${postings} l WHERE l.${l.paymentId} = p.${c.id} AND l.${l.status}::text = ANY($4))::int AS posted,
       COUNT(*) OVER ()::int AS total
  FROM ${payments} p
 WHERE ${day}
   AND ${posted}
   AND (p.${c.status}::text <> $3
        OR (SELECT COUNT(*) FROM ${postings} l WHERE l.${l.paymentId} = p.${c.id} AND l.${l.status}::text = ANY($4)) > 1)
 ORDER BY p.${c.amount} DESC, p.${c.id}::text
 LIMIT $5`,
    /** COMPLETED totals by channel and gateway, and how much of each is posted. */
    totals: `SELECT COALESCE(p.${c.channel}::text, '(none)') AS channel, COALESCE(p.${c.gateway}::text, '(none)') AS gateway,
       COUNT(*)::int AS payments, COALESCE(SUM(p.${c.amount}), 0)::numeric::text AS amount,
       COUNT(*) FILTER (WHERE ${posted})::int AS posted,
       COALESCE(SUM(p.${c.amount}) FILTER (WHERE ${posted}), 0)::numeric::text AS posted_amount
  FROM ${payments} p
 WHERE p.${c.status}::text = $3
   AND ${day}
 GROUP BY 1, 2
 ORDER BY 1, 2`,
    /** Payments still pending past the limit (any day): $1 statuses, $2 minutes, $3 list limit. */
    stuck: `SELECT p.${c.id}::text AS id, p.${c.amount}::numeric::text AS amount, p.${c.status}::text AS status,
       COALESCE(p.${c.gateway}::text, '(none)') AS gateway,
       EXTRACT(EPOCH FROM (now() - p.${c.createdAt}))::float8 / 60 AS minutes,
       COUNT(*) OVER ()::int AS total
  FROM ${payments} p
 WHERE p.${c.status}::text = ANY($1)
   AND p.${c.createdAt} < now() - make_interval(mins => $2)
 ORDER BY p.${c.createdAt}
 LIMIT $3`,
  };
}

export interface UnpostedRow {
  id: string;
  amount: string;
  gateway: string;
  channel: string;
  postings: string | null;
  total: number;
  total_amount: string;
}
export interface OverpostedRow {
  id: string;
  amount: string;
  status: string;
  posted: number;
  total: number;
}
export interface TotalsRow {
  channel: string;
  gateway: string;
  payments: number;
  amount: string;
  posted: number;
  posted_amount: string;
}
export interface StuckRow {
  id: string;
  amount: string;
  status: string;
  gateway: string;
  minutes: number;
  total: number;
}

export interface ReconcileFacts {
  day: ReconcileDay;
  unposted: UnpostedRow[];
  overposted: OverpostedRow[];
  totals: TotalsRow[];
  stuck: StuckRow[];
}

export async function gatherReconcileFacts(
  db: DbQuery,
  p: PaymentsConfig,
  day: ReconcileDay,
): Promise<ReconcileFacts> {
  const r = p.reconciliation;
  const q = reconcileQueries(p);
  const dayParams = [day.date, day.timeZone, p.succeededStatus, r.postings.postedStatuses, r.listLimit];
  const [unposted, overposted, totals, stuck] = await Promise.all([
    db.query<UnpostedRow>(q.unposted, dayParams),
    db.query<OverpostedRow>(q.overposted, dayParams),
    db.query<TotalsRow>(q.totals, dayParams.slice(0, 4)),
    db.query<StuckRow>(q.stuck, [r.pendingStatuses, r.pendingMinutes.warn, r.listLimit]),
  ]);
  return { day, unposted, overposted, totals, stuck };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Judges the day's reconciliation (pure): every mismatch listed by id with its amount. */
export function evaluateReconciliation(
  facts: ReconcileFacts,
  r: Reconciliation,
  table: string,
): CheckResult[] {
  const { day } = facts;
  const resource = `${table} ${day.date} (${day.timeZone})`;
  const results: CheckResult[] = [];
  const unposted = facts.unposted[0]?.total ?? 0;
  const failedPostings = facts.unposted.filter((row) => row.postings !== null).length;
  const listed = (n: number, shown: number) => (n > shown ? ` (first ${shown} of ${n}, largest first)` : '');
  results.push({
    id: 'payments.reconcile.unposted',
    title: 'COMPLETED payments posted to the LMS',
    status: unposted > 0 ? 'fail' : 'pass',
    resource,
    expected: `every COMPLETED payment of ${day.date} has a posting in ${r.postings.table} with status ${r.postings.postedStatuses.join('/')}`,
    observed:
      unposted === 0
        ? 'all posted'
        : `${plural(unposted, 'COMPLETED payment')} (${facts.unposted[0]!.total_amount}) not posted: ${failedPostings} of those listed with a posting that did not succeed, the rest with none`,
    detail: facts.unposted.length
      ? `${listed(unposted, facts.unposted.length).trim()}\n${facts.unposted
          .map(
            (row) =>
              `${row.id}  ${row.amount}  ${row.gateway}/${row.channel}  posting: ${row.postings ?? 'none'}`,
          )
          .join('\n')}`.trim()
      : '',
    remediation:
      'Post them to the LMS (the queue processor, or by hand for failed postings) and re-run; ops guide §10.3.1 "Failed LMS postings", §13.1.1 LMSSyncFailures.',
    value: unposted,
    unit: 'payments',
  });
  const overposted = facts.overposted[0]?.total ?? 0;
  results.push({
    id: 'payments.reconcile.overposted',
    title: 'Payments posted once, and only when COMPLETED',
    status: overposted > 0 ? 'fail' : 'pass',
    resource,
    expected: `no payment of ${day.date} posted twice, and none posted that is not COMPLETED`,
    observed:
      overposted === 0 ? 'none' : `${plural(overposted, 'payment')} posted twice or while not COMPLETED`,
    detail: facts.overposted
      .map((row) => `${row.id}  ${row.amount}  status ${row.status}  posted ${row.posted}x`)
      .join('\n'),
    remediation:
      'Reverse the extra postings in the LMS with the finance team; the borrower was credited more than paid.',
    value: overposted,
    unit: 'payments',
  });
  if (facts.totals.length === 0) {
    results.push({
      id: 'payments.reconcile.totals',
      title: 'COMPLETED totals by channel and gateway',
      status: 'warn',
      resource,
      expected: `COMPLETED payments on ${day.date}`,
      observed:
        'no COMPLETED payment that day: nothing to reconcile (a quiet day, or a wrong --date / time zone?)',
      remediation:
        'Check --date and payments.reconciliation.timeZone; a business day without payments is unusual.',
    });
  }
  for (const row of facts.totals) {
    const matched = row.payments === row.posted && row.amount === row.posted_amount;
    results.push({
      id: 'payments.reconcile.totals',
      title: 'COMPLETED totals by channel and gateway',
      status: matched ? 'pass' : 'fail',
      resource: `${resource} ${row.channel}/${row.gateway}`,
      expected: 'posted = COMPLETED (count and amount)',
      observed: `COMPLETED ${row.payments} (${row.amount}), posted ${row.posted} (${row.posted_amount})`,
      remediation: 'The difference is listed under payments.reconcile.unposted.',
    });
  }
  const stuck = facts.stuck[0]?.total ?? 0;
  const oldest = facts.stuck[0]?.minutes ?? 0;
  const level: Status = stuck === 0 ? 'pass' : oldest >= r.pendingMinutes.fail ? 'fail' : 'warn';
  results.push({
    id: 'payments.reconcile.pending',
    title: 'Payments stuck pending',
    status: level,
    resource: table,
    expected: `no payment ${r.pendingStatuses.join('/')} for more than ${r.pendingMinutes.warn} min (fail at ${r.pendingMinutes.fail} min)`,
    observed:
      stuck === 0
        ? 'none'
        : `${plural(stuck, 'payment')} pending past ${r.pendingMinutes.warn} min, the oldest for ${Math.round(oldest)} min`,
    detail: facts.stuck
      .map((row) => `${row.id}  ${row.amount}  ${row.status}  ${row.gateway}  ${Math.round(row.minutes)} min`)
      .join('\n'),
    remediation:
      'Ask the gateway for their final state (webhook missed? check the webhook queue: fsops redis) and settle them; ops guide §10.3.1 "Pending reconciliations".',
    value: stuck,
    unit: 'payments',
  });
  return results;
}

/** Yesterday in the time zone: the last closed business day. */
export function defaultReconcileDate(now: Date, timeZone: string): string {
  const yesterday = new Date(now.getTime() - 86_400_000);
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(yesterday);
}

const MISSING_RELATION = new Set(['42P01', '42703', '3F000']);

export const paymentsReconcileCheck: CheckDefinition<{ date?: string }> = {
  id: 'payments.reconcile',
  title: 'Payment reconciliation with the LMS',
  severity: 'high',
  source:
    'runbook 003 Daily Tasks (daily-reconciliation.sh); ops guide §10.3.1 (Pending reconciliations, Overdue reconciliations, Failed LMS postings)',
  remediation: 'Post the missing payments to the LMS and settle the pending ones.',
  params: z.object({ date: z.string().min(1).optional() }).strict(),
  async run(ctx, params) {
    const p = ctx.env.config.payments;
    const r = p.reconciliation;
    const day = { date: params.date ?? defaultReconcileDate(ctx.now, r.timeZone), timeZone: r.timeZone };
    const table = `${p.schema}.${p.table}`;
    try {
      return evaluateReconciliation(await gatherReconcileFacts(await ctx.db(), p, day), r, table);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (!code || !MISSING_RELATION.has(code)) throw error;
      return [
        {
          id: 'payments.reconcile.schema',
          status: 'error',
          resource: table,
          expected: `the tables and columns of payments and payments.reconciliation in the config`,
          observed: `cannot reconcile: ${(error as Error).message}`,
          remediation:
            'Set payments.schema/table/columns and payments.reconciliation (postings table, columns, statuses) to the application schema.',
        },
      ];
    }
  },
};
