import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentsReconcileCheck } from '../../../src/catalogue/checks/payments/reconcile.js';
import { adminQuery, createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';
import { byId, runCheck } from '../database/check-helpers.js';

const check = paymentsReconcileCheck;

/**
 * Payments of 2026-12-06 in Asia/Kolkata (the default reconciliation time zone): the day runs from
 * 2026-12-05T18:30Z to 2026-12-06T18:30Z.
 */
describe('payments reconcile against real PostgreSQL with planted mismatches', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('reconcile');
    await adminQuery(
      `CREATE SCHEMA payment;
       CREATE TABLE payment.payments (id text PRIMARY KEY, amount numeric(12,2) NOT NULL, status text NOT NULL,
         gateway text, channel text, error_code text, created_at timestamptz NOT NULL);
       CREATE TABLE payment.lms_postings (id serial PRIMARY KEY, payment_id text NOT NULL, status text NOT NULL);
       INSERT INTO payment.payments VALUES
         ('pay_ok1', 1500.00, 'COMPLETED', 'razorpay', 'upi',  NULL, '2026-12-06T04:00:00Z'),
         ('pay_ok2',  250.50, 'COMPLETED', 'juspay',   'card', NULL, '2026-12-06T10:00:00Z'),
         ('pay_nopost', 999.99, 'COMPLETED', 'razorpay', 'upi', NULL, '2026-12-06T12:00:00Z'),
         ('pay_failpost', 120.00, 'COMPLETED', 'juspay', 'card', NULL, '2026-12-05T19:00:00Z'),
         ('pay_twice', 75.00, 'COMPLETED', 'razorpay', 'upi', NULL, '2026-12-06T08:00:00Z'),
         ('pay_failed_posted', 60.00, 'FAILED', 'razorpay', 'upi', 'E1', '2026-12-06T09:00:00Z'),
         ('pay_other_day', 10.00, 'COMPLETED', 'razorpay', 'upi', NULL, '2026-12-06T18:31:00Z'),
         ('pay_ok3', 42.00, 'COMPLETED', 'razorpay', 'upi', NULL, '2026-12-07T05:00:00Z'),
         ('pay_stuck', 500.00, 'PENDING', 'juspay', 'card', NULL, now() - interval '3 hours'),
         ('pay_recent', 5.00, 'PENDING', 'juspay', 'card', NULL, now() - interval '5 minutes');
       INSERT INTO payment.lms_postings (payment_id, status) VALUES
         ('pay_ok1', 'POSTED'), ('pay_ok2', 'FAILED'), ('pay_ok2', 'POSTED'),
         ('pay_failpost', 'FAILED'),
         ('pay_twice', 'POSTED'), ('pay_twice', 'POSTED'),
         ('pay_failed_posted', 'POSTED'), ('pay_other_day', 'POSTED'), ('pay_ok3', 'POSTED');`,
      [],
      db.name,
    );
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it('lists every mismatch by id with its amount; totals by channel and gateway; stuck pending payments', async () => {
    const findings = await runCheck(check, db.url, { params: { date: '2026-12-06' } });
    const unposted = byId(findings, 'payments.reconcile.unposted')[0]!;
    expect(unposted.status).toBe('fail');
    expect(unposted.resource).toBe('payment.payments 2026-12-06 (Asia/Kolkata)');
    expect(unposted.observed).toMatch(/^2 COMPLETED payments \(1119\.99\) not posted/);
    expect(unposted.detail.split('\n')).toEqual([
      'pay_nopost  999.99  razorpay/upi  posting: none',
      'pay_failpost  120.00  juspay/card  posting: FAILED',
    ]);
    const over = byId(findings, 'payments.reconcile.overposted')[0]!;
    expect(over.status).toBe('fail');
    expect(over.detail.split('\n').sort()).toEqual([
      'pay_failed_posted  60.00  status FAILED  posted 1x',
      'pay_twice  75.00  status COMPLETED  posted 2x',
    ]);
    const totals = byId(findings, 'payments.reconcile.totals');
    expect(totals.map((f) => [f.resource.split(' ').pop(), f.status, f.observed])).toEqual([
      ['card/juspay', 'fail', 'COMPLETED 2 (370.50), posted 1 (250.50)'],
      ['upi/razorpay', 'fail', 'COMPLETED 3 (2574.99), posted 2 (1575.00)'],
    ]);
    const pending = byId(findings, 'payments.reconcile.pending')[0]!;
    expect(pending.status).toBe('fail');
    expect(pending.observed).toMatch(/^1 payment pending past 30 min, the oldest for 18\d min$/);
    expect(pending.detail).toMatch(/^pay_stuck {2}500\.00 {2}PENDING {2}juspay {2}18\d min$/);
  });

  it('a clean day passes; a day without payments warns; the session stays read-only', async () => {
    const clean = await runCheck(check, db.url, {
      params: { date: '2026-12-07' },
      configYaml: 'payments:\n  reconciliation:\n    pendingStatuses: [NONE]\n',
    });
    expect(clean.map((f) => `${f.id}:${f.status}`)).toEqual([
      'payments.reconcile.unposted:pass',
      'payments.reconcile.overposted:pass',
      'payments.reconcile.totals:pass',
      'payments.reconcile.pending:pass',
    ]);
    const empty = await runCheck(check, db.url, {
      params: { date: '2020-01-01' },
      configYaml: 'payments:\n  reconciliation:\n    pendingStatuses: [NONE]\n',
    });
    expect(byId(empty, 'payments.reconcile.totals')[0]!.status).toBe('warn');
  });

  it('a postings table the database lacks is an error naming the config for each query that needs it; the pending payments are still judged', async () => {
    const findings = await runCheck(check, db.url, {
      params: { date: '2026-12-06' },
      configYaml: 'payments:\n  reconciliation:\n    postings:\n      table: lms_posting_log\n',
    });
    const schema = byId(findings, 'payments.reconcile.schema');
    expect(schema.map((f) => f.status)).toEqual(['error', 'error', 'error']);
    expect(schema.map((f) => f.observed.split(':')[0])).toEqual([
      'cannot reconcile the unposted payments',
      'cannot reconcile the payments posted twice',
      'cannot reconcile the totals by channel and gateway',
    ]);
    for (const f of schema) expect(f.observed).toContain('lms_posting_log');
    // The stuck payment needs no posting: it is still found.
    const pending = byId(findings, 'payments.reconcile.pending')[0]!;
    expect(pending.status).toBe('fail');
    expect(pending.detail).toMatch(/^pay_stuck /);
    expect(findings.some((f) => f.status === 'pass')).toBe(false);
  });

  it('one query that cannot be read never hides the others: a wrong channel column errors the two queries that read it, the rest are judged', async () => {
    const findings = await runCheck(check, db.url, {
      params: { date: '2026-12-06' },
      configYaml: 'payments:\n  reconciliation:\n    channelColumn: pay_channel\n',
    });
    expect(findings.map((f) => `${f.id}:${f.status}`)).toEqual([
      'payments.reconcile.schema:error',
      'payments.reconcile.overposted:fail',
      'payments.reconcile.schema:error',
      'payments.reconcile.pending:fail',
    ]);
    expect(findings[0]!.observed).toMatch(/^cannot reconcile the unposted payments: .*pay_channel/);
    expect(findings[2]!.observed).toMatch(
      /^cannot reconcile the totals by channel and gateway: .*pay_channel/,
    );
    expect(findings[1]!.detail.split('\n').sort()).toEqual([
      'pay_failed_posted  60.00  status FAILED  posted 1x',
      'pay_twice  75.00  status COMPLETED  posted 2x',
    ]);
  });
});
