import { z } from 'zod';
import type { PaymentsConfig } from '../../../base/config/schema.js';
import type { CheckResult, DbQuery } from '../../../base/model/check.js';
import { defineCheck } from '../../../base/model/check.js';
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

/** A query that failed: its message (never a password: PostgreSQL's text) and SQLSTATE. */
export interface QueryFailure {
  failed: string;
  code?: string;
}

/** The rows of one query, or why it could not be read: one failed query never hides the others. */
export type Rows<T> = T[] | QueryFailure;

export interface ReconcileFacts {
  day: ReconcileDay;
  unposted: Rows<UnpostedRow>;
  overposted: Rows<OverpostedRow>;
  totals: Rows<TotalsRow>;
  stuck: Rows<StuckRow>;
}

async function rowsOf<T>(query: Promise<T[]>): Promise<Rows<T>> {
  try {
    return await query;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { failed: (error as Error).message, ...(typeof code === 'string' ? { code } : {}) };
  }
}

/**
 * The four queries of the day, each on its own: one that fails (a column the config names wrongly, a
 * statement timeout) is a failure of that fact, and the others are still judged.
 */
export async function gatherReconcileFacts(
  db: DbQuery,
  p: PaymentsConfig,
  day: ReconcileDay,
): Promise<ReconcileFacts> {
  const r = p.reconciliation;
  const q = reconcileQueries(p);
  const dayParams = [day.date, day.timeZone, p.succeededStatus, r.postings.postedStatuses, r.listLimit];
  const [unposted, overposted, totals, stuck] = await Promise.all([
    rowsOf(db.query<UnpostedRow>(q.unposted, dayParams)),
    rowsOf(db.query<OverpostedRow>(q.overposted, dayParams)),
    rowsOf(db.query<TotalsRow>(q.totals, dayParams.slice(0, 4))),
    rowsOf(db.query<StuckRow>(q.stuck, [r.pendingStatuses, r.pendingMinutes.warn, r.listLimit])),
  ]);
  return { day, unposted, overposted, totals, stuck };
}

function isFailure<T>(rows: Rows<T>): rows is QueryFailure {
  return !Array.isArray(rows);
}

const MISSING_RELATION = new Set(['42P01', '42703', '3F000']);

/** The `error` of one query that could not be read: a table or column the config names, or the database's error. */
function unreadQuery(id: string, what: string, resource: string, failure: QueryFailure): CheckResult {
  const schema = failure.code !== undefined && MISSING_RELATION.has(failure.code);
  return {
    id: schema ? 'payments.reconcile.schema' : id,
    status: 'error',
    resource,
    expected: schema
      ? 'the tables and columns of payments and payments.reconciliation in the config'
      : `${what} can be read`,
    observed: `cannot reconcile ${what}: ${failure.failed}`,
    remediation: schema
      ? 'Set payments.schema/table/columns and payments.reconciliation (postings table, columns, statuses) to the application schema; the other findings were judged without this query.'
      : 'Check the database error named here (a statement timeout: run it again off-peak), then run again; the other findings were judged without this query.',
  };
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
  if (isFailure(facts.unposted))
    results.push(
      unreadQuery('payments.reconcile.unposted', 'the unposted payments', resource, facts.unposted),
    );
  else results.push(judgeUnposted(facts.unposted, day, r, resource));
  if (isFailure(facts.overposted))
    results.push(
      unreadQuery('payments.reconcile.overposted', 'the payments posted twice', resource, facts.overposted),
    );
  else results.push(judgeOverposted(facts.overposted, day, resource));
  if (isFailure(facts.totals))
    results.push(
      unreadQuery('payments.reconcile.totals', 'the totals by channel and gateway', resource, facts.totals),
    );
  else results.push(...judgeTotals(facts.totals, day, resource));
  if (isFailure(facts.stuck))
    results.push(unreadQuery('payments.reconcile.pending', 'the pending payments', table, facts.stuck));
  else results.push(judgePending(facts.stuck, r, table));
  return results;
}

function judgeUnposted(
  rows: UnpostedRow[],
  day: ReconcileDay,
  r: Reconciliation,
  resource: string,
): CheckResult {
  const unposted = rows[0]?.total ?? 0;
  const failedPostings = rows.filter((row) => row.postings !== null).length;
  const listed = (n: number, shown: number) => (n > shown ? ` (first ${shown} of ${n}, largest first)` : '');
  return {
    id: 'payments.reconcile.unposted',
    title: 'COMPLETED payments posted to the LMS',
    status: unposted > 0 ? 'fail' : 'pass',
    resource,
    expected: `every COMPLETED payment of ${day.date} has a posting in ${r.postings.table} with status ${r.postings.postedStatuses.join('/')}`,
    observed:
      unposted === 0
        ? 'all posted'
        : `${plural(unposted, 'COMPLETED payment')} (${rows[0]!.total_amount}) not posted: ${failedPostings} of those listed with a posting that did not succeed, the rest with none`,
    detail: rows.length
      ? `${listed(unposted, rows.length).trim()}\n${rows
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
  };
}

function judgeOverposted(rows: OverpostedRow[], day: ReconcileDay, resource: string): CheckResult {
  const overposted = rows[0]?.total ?? 0;
  return {
    id: 'payments.reconcile.overposted',
    title: 'Payments posted once, and only when COMPLETED',
    status: overposted > 0 ? 'fail' : 'pass',
    resource,
    expected: `no payment of ${day.date} posted twice, and none posted that is not COMPLETED`,
    observed:
      overposted === 0 ? 'none' : `${plural(overposted, 'payment')} posted twice or while not COMPLETED`,
    detail: rows
      .map((row) => `${row.id}  ${row.amount}  status ${row.status}  posted ${row.posted}x`)
      .join('\n'),
    remediation:
      'Reverse the extra postings in the LMS with the finance team; the borrower was credited more than paid.',
    value: overposted,
    unit: 'payments',
  };
}

function judgeTotals(rows: TotalsRow[], day: ReconcileDay, resource: string): CheckResult[] {
  const results: CheckResult[] = [];
  if (rows.length === 0) {
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
  for (const row of rows) {
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
  return results;
}

function judgePending(rows: StuckRow[], r: Reconciliation, table: string): CheckResult {
  const stuck = rows[0]?.total ?? 0;
  const oldest = rows[0]?.minutes ?? 0;
  const level: Status = stuck === 0 ? 'pass' : oldest >= r.pendingMinutes.fail ? 'fail' : 'warn';
  return {
    id: 'payments.reconcile.pending',
    title: 'Payments stuck pending',
    status: level,
    resource: table,
    expected: `no payment ${r.pendingStatuses.join('/')} for more than ${r.pendingMinutes.warn} min (fail at ${r.pendingMinutes.fail} min)`,
    observed:
      stuck === 0
        ? 'none'
        : `${plural(stuck, 'payment')} pending past ${r.pendingMinutes.warn} min, the oldest for ${Math.round(oldest)} min`,
    detail: rows
      .map((row) => `${row.id}  ${row.amount}  ${row.status}  ${row.gateway}  ${Math.round(row.minutes)} min`)
      .join('\n'),
    remediation:
      'Ask the gateway for their final state (webhook missed? check the webhook queue: fsops redis) and settle them; ops guide §10.3.1 "Pending reconciliations".',
    value: stuck,
    unit: 'payments',
  };
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

export const paymentsReconcileCheck = defineCheck({
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
    return evaluateReconciliation(await gatherReconcileFacts(await ctx.db(), p, day), r, table);
  },
});
