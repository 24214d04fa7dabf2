import { describe, expect, it } from 'vitest';
import { evaluateLmsQueue } from '../../../src/catalogue/checks/troubleshoot/payments-db.js';
import { paymentMetricSpecs } from '../../../src/domain/metrics/definitions.js';
import { testEnv } from '../../helpers/context.js';

describe('names no guide gives are reported as assumptions', () => {
  it('the LMS queue findings say which table, columns and statuses were read, and that they are assumed', () => {
    const queue = testEnv().config.payments.lmsQueue;
    const results = evaluateLmsQueue(3, 1200, queue, 'payment.lms_sync_queue');
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['payments.lms-queue.depth', 'pass'],
      ['payments.lms-queue.age', 'warn'],
    ]);
    for (const r of results) {
      expect(r.detail).toMatch(/^assumed queue table: payment\.lms_sync_queue where status in \(/);
      expect(r.detail).toContain('payments.lmsQueue in the config');
    }
  });

  it('the payment processing time metric says the guide names only the KPI', () => {
    const spec = paymentMetricSpecs(testEnv()).find((s) => s.key === 'payments.processing-time')!;
    expect(spec.metric!.name).toBe('PaymentProcessingTime');
    expect(spec.note).toMatch(/^assumed metric: ops guide §6\.1\.1 names the KPI/);
    expect(spec.note).toContain('payments.metrics.processingTime');
    const guideMetrics = paymentMetricSpecs(testEnv()).filter((s) => s.key !== 'payments.processing-time');
    expect(guideMetrics.map((s) => s.note)).toEqual([undefined, undefined]);
  });
});
