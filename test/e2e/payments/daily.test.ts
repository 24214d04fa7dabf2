import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FAKE_CREDENTIALS, runFsops } from '../../helpers/cli.js';
import { type FakeAws, startFakeWorld } from '../../helpers/fake-aws.js';
import { adminQuery, createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';

interface JsonFinding {
  id: string;
  status: string;
  resource: string;
  observed: string;
  detail: string;
}

describe('fsops payments reconcile and maintenance run daily (bin/fsops, real PostgreSQL and Redis)', () => {
  let db: TestDatabase;
  let fake: FakeAws;
  let redis: Redis;
  const redisUrl = `${inject('redisUrl')}/6`;
  beforeAll(async () => {
    db = await createTestDatabase('daily');
    await adminQuery(
      `CREATE SCHEMA payment;
       CREATE TABLE payment.payments (id text PRIMARY KEY, amount numeric(12,2) NOT NULL, status text NOT NULL,
         gateway text, channel text, error_code text, created_at timestamptz NOT NULL);
       CREATE TABLE payment.lms_postings (id serial PRIMARY KEY, payment_id text NOT NULL, status text NOT NULL);
       INSERT INTO payment.payments VALUES
         ('pay_a', 100.00, 'COMPLETED', 'razorpay', 'upi', NULL, '2026-12-01T06:00:00Z'),
         ('pay_b', 2500.00, 'COMPLETED', 'juspay', 'card', NULL, '2026-12-01T07:00:00Z'),
         ('pay_y', 40.00, 'COMPLETED', 'razorpay', 'upi', NULL, (now() AT TIME ZONE 'Asia/Kolkata')::date - 1 + time '12:00' AT TIME ZONE 'Asia/Kolkata');
       INSERT INTO payment.lms_postings (payment_id, status) VALUES ('pay_a', 'POSTED'), ('pay_b', 'FAILED'), ('pay_y', 'POSTED');`,
      [],
      db.name,
    );
    redis = new Redis(redisUrl);
    await redis.flushdb();
    await redis.lpush('webhook_queue', JSON.stringify({ id: 'wh_1', timestamp: new Date().toISOString() }));
    fake = await startFakeWorld('dev', { redisUrl });
  });
  afterAll(async () => {
    await redis?.flushdb();
    await redis?.quit();
    await fake?.close();
    await db?.cleanup();
  });

  it('reconcile lists the payment whose posting failed, by id with its amount, and exits 1', async () => {
    const result = await runFsops(
      [
        'payments',
        'reconcile',
        '--env',
        'dev',
        '--endpoint-url',
        fake.url,
        '--db-url',
        db.url,
        '--date',
        '2026-12-01',
        '--output',
        'json',
      ],
      FAKE_CREDENTIALS,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { command: string; findings: JsonFinding[] };
    expect(report.command).toBe('payments reconcile');
    const unposted = report.findings.find((f) => f.id === 'payments.reconcile.unposted')!;
    expect(unposted).toMatchObject({
      status: 'fail',
      detail: 'pay_b  2500.00  juspay/card  posting: FAILED',
    });
  });

  it('a date that does not exist is exit 2 with one line, before anything is read', async () => {
    const result = await runFsops(['payments', 'reconcile', '--env', 'dev', '--date', '2026-02-30']);
    expect(result).toMatchObject({
      code: 2,
      stderr:
        "fsops: --date '2026-02-30' is not a date: give YYYY-MM-DD, e.g. 2026-12-06 (default: yesterday)\n",
    });
  });

  it('maintenance run daily: health, errors, yesterday reconciled, the webhook queue from the SSM redis_url, storage, backups, certificates', async () => {
    const result = await runFsops(
      [
        'maintenance',
        'run',
        'daily',
        '--env',
        'dev',
        '--endpoint-url',
        fake.url,
        '--db-url',
        db.url,
        '--output',
        'json',
      ],
      FAKE_CREDENTIALS,
    );
    const report = JSON.parse(result.stdout) as { command: string; findings: JsonFinding[] };
    expect(report.command).toBe('maintenance run daily');
    const status = (id: string) => report.findings.filter((f) => f.id === id).map((f) => f.status);
    // Yesterday (IST) is reconciled: pay_y is posted.
    expect(status('payments.reconcile.unposted')).toEqual(['pass']);
    expect(report.findings.find((f) => f.id === 'payments.reconcile.totals')!.resource).toMatch(
      /upi\/razorpay$/,
    );
    expect(status('redis.ping')).toEqual(['pass']);
    expect(
      report.findings.find((f) => f.id === 'redis.queue.length' && f.resource.endsWith('webhook_queue')),
    ).toMatchObject({
      status: 'pass',
      observed: '1 item (LLEN webhook_queue)',
    });
    for (const id of [
      'ecs.service',
      'health.endpoints',
      'logs.errors',
      'maintenance.storage',
      // the check maintenance.backup-recent reports maintenance.backup.recent (the fake world now serves
      // last night's snapshot; before, only the check's own error finding matched the check id)
      'maintenance.backup.recent',
      'tls.cert',
    ]) {
      expect(
        report.findings.some((f) => f.id.startsWith(id)),
        id,
      ).toBe(true);
    }
    // A read-only run: nothing planned, nothing audited as a change.
    expect(report.findings.some((f) => f.id.startsWith('action.'))).toBe(false);
  });
});
