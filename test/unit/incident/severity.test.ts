import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/base/model/finding.js';
import {
  latestValue,
  parseSeverity,
  proposeSeverity,
  runningTasks,
} from '../../../src/domain/incident/severity.js';

const f = (over: Partial<Finding>): Finding => ({
  id: 'x',
  checkId: over.id ?? 'x',
  title: 't',
  status: 'pass',
  severity: 'high',
  resource: 'r',
  detail: '',
  expected: '',
  observed: '',
  remediation: '',
  source: 's',
  ...over,
});

const healthy = [
  f({
    id: 'ecs.service.running',
    resource: 'prod-internal-pe-service',
    observed: '3 running, 0 pending, 3 desired',
    value: 3,
    unit: 'tasks',
  }),
  f({ id: 'rds.instance.available', resource: 'prod-fivestar-payments-db', observed: 'available' }),
  f({ id: 'health.endpoints', resource: 'http://x/health', observed: 'HTTP 200 in 3ms' }),
  f({
    id: 'metrics.payments.success-rate',
    observed: 'latest 99.5%, avg 99.4%, min 99.1%',
    value: 99.5,
    unit: '%',
  }),
];

describe('proposeSeverity (ops guide §11.1.1)', () => {
  it('a service at 0 running is severity 1, naming the service and the finding', () => {
    const findings = [
      ...healthy,
      f({
        id: 'ecs.service.running',
        status: 'fail',
        resource: 'prod-customer-portal-service',
        observed: '0 running, 0 pending, 3 desired',
        value: 0,
        unit: 'tasks',
      }),
      f({
        id: 'metrics.payments.success-rate',
        resource: 'rate',
        status: 'fail',
        observed: 'latest 80.0%',
        value: 80,
        unit: '%',
      }),
    ];
    const p = proposeSeverity(findings);
    expect(p).toMatchObject({
      severity: 1,
      findingId: 'ecs.service.running',
      resource: 'prod-customer-portal-service',
    });
    expect(p.reason).toBe('prod-customer-portal-service: 0 running, 0 pending, 3 desired');
    expect(p.rule).toMatch(/completely down/);
  });

  it('GuardDuty HIGH findings propose a security breach, severity 1 (ops guide §5.2.1, §11.1.1)', () => {
    const breach = proposeSeverity([
      ...healthy,
      f({
        id: 'security.guardduty.high',
        status: 'fail',
        resource: 'd1',
        observed: '1 HIGH finding(s): 8 UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration',
      }),
    ]);
    expect(breach).toMatchObject({ severity: 1, findingId: 'security.guardduty.high' });
    expect(breach.rule).toMatch(/^Severity 1: security breach/);
    // No finding, no breach.
    expect(proposeSeverity([...healthy, f({ id: 'security.guardduty.high', status: 'pass' })]).severity).toBe(
      4,
    );
  });

  it('a failed restore or recovery check proposes data loss, severity 1 (ops guide §11.1.1, §13.3.2)', () => {
    for (const id of ['maintenance.backup.pitr', 'backup.verify.row-count', 'backup.verify.restore']) {
      const loss = proposeSeverity([
        ...healthy,
        f({ id, status: 'fail', resource: 'prod-fivestar-payments-db', observed: 'no LatestRestorableTime' }),
      ]);
      expect(loss).toMatchObject({ severity: 1, findingId: id });
      expect(loss.rule).toMatch(/^Severity 1: data loss/);
    }
    // A recovery check that could not run is not data loss: it is listed as unchecked.
    const unknown = proposeSeverity([...healthy, f({ id: 'maintenance.backup.pitr', status: 'error' })]);
    expect(unknown.severity).toBe(4);
    expect(unknown.unchecked).toEqual(['maintenance.backup.pitr (r)']);
  });

  it('a missing service, an unavailable database, or every health endpoint failing is severity 1', () => {
    expect(
      proposeSeverity([
        f({ id: 'ecs.service.active', status: 'fail', observed: 'service not found in the cluster' }),
      ]).severity,
    ).toBe(1);
    const db = proposeSeverity([
      ...healthy,
      f({ id: 'rds.instance.available', status: 'fail', resource: 'db', observed: 'stopped' }),
    ]);
    expect(db).toMatchObject({
      severity: 1,
      reason: 'db: stopped',
      rule: 'Severity 1: database unavailable',
    });
    const health = [
      f({ id: 'health.endpoints', status: 'fail', resource: 'a', observed: 'HTTP 503' }),
      f({ id: 'health.endpoints', status: 'fail', resource: 'b', observed: 'HTTP 503' }),
    ];
    expect(proposeSeverity(health).severity).toBe(1);
    expect(proposeSeverity([health[0]!, f({ id: 'health.endpoints', resource: 'b' })]).severity).toBe(3);
  });

  it('a success rate of 88% alone is severity 2; 91% (critical by §6.1.1 but not below 90%) is 3', () => {
    const at = (v: string, status: Finding['status']) =>
      proposeSeverity([
        ...healthy.filter((x) => !x.id.includes('success-rate')),
        f({
          id: 'metrics.payments.success-rate',
          status,
          resource: 'Fivestar/Payments PaymentSuccessRate',
          observed: `latest ${v}%, avg 95.0%, min ${v}%`,
          value: Number(v),
          unit: '%',
        }),
      ]);
    expect(at('88.0', 'fail')).toMatchObject({ severity: 2, findingId: 'metrics.payments.success-rate' });
    expect(at('88.0', 'fail').reason).toContain('latest 88.0%');
    expect(at('91.0', 'fail').severity).toBe(3);
    expect(at('97.0', 'warn').severity).toBe(3);
  });

  it('one payment channel failing or a KPI past critical is severity 2', () => {
    expect(
      proposeSeverity([f({ id: 'payments.db.gateway', status: 'fail', resource: 'razorpay' })]).severity,
    ).toBe(2);
    expect(proposeSeverity([f({ id: 'metrics.alb.latency-p95', status: 'fail' })]).severity).toBe(2);
  });

  it('a service below desired but running is 3; nothing failing is 4; checks that could not run are listed', () => {
    const partial = proposeSeverity([
      f({
        id: 'ecs.service.running',
        status: 'fail',
        observed: '1 running, 0 pending, 3 desired',
        value: 1,
        unit: 'tasks',
      }),
    ]);
    expect(partial).toMatchObject({ severity: 3, rule: expect.stringMatching(/individual component/) });
    const none = proposeSeverity([
      ...healthy,
      f({ id: 'logs.recent-errors', status: 'error', resource: 'lg', observed: 'AccessDenied' }),
    ]);
    expect(none).toMatchObject({ severity: 4, findingId: null, unchecked: ['logs.recent-errors (lg)'] });
    // a metric without data is not a performance signal
    expect(
      proposeSeverity([
        f({ id: 'metrics.no-data.payments.success-rate', status: 'warn', observed: 'no datapoints' }),
      ]).severity,
    ).toBe(4);
  });

  it("reads the numbers it needs from the findings' structured value, never from their wording", () => {
    expect(latestValue({ value: 88.5 })).toBe(88.5);
    expect(latestValue({})).toBeNull();
    expect(runningTasks({ value: 0, unit: 'tasks' })).toBe(0);
    expect(runningTasks({ value: 0, unit: '%' })).toBeNull();
    // Reworded text changes nothing; a number only in the text is not taken for one.
    const reworded = proposeSeverity([
      f({ id: 'metrics.payments.success-rate', status: 'fail', observed: 'now 88%', value: 88, unit: '%' }),
    ]);
    expect(reworded.severity).toBe(2);
    const textOnly = proposeSeverity([
      f({ id: 'metrics.payments.success-rate', status: 'fail', observed: 'latest 88.0%' }),
    ]);
    expect(textOnly).toMatchObject({ severity: 3, rule: expect.stringMatching(/a check failed/) });
    const stopped = proposeSeverity([
      f({ id: 'ecs.service.running', status: 'fail', observed: 'no tasks at all', value: 0, unit: 'tasks' }),
    ]);
    expect(stopped.severity).toBe(1);
  });

  it('parses --severity strictly', () => {
    expect(parseSeverity('2')).toBe(2);
    for (const bad of ['0', '5', '1.5', 'high', ''])
      expect(() => parseSeverity(bad)).toThrow(/use 1, 2, 3 or 4/);
  });
});
