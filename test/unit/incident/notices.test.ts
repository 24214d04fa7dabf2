import { describe, expect, it } from 'vitest';
import { DEFAULT_INCIDENT } from '../../../src/base/config/incident.js';
import type { Finding } from '../../../src/base/model/finding.js';
import { escalationPlan } from '../../../src/domain/incident/escalation.js';
import {
  humanDuration,
  initialNotice,
  resolutionNotice,
  updateNotice,
} from '../../../src/domain/incident/notices.js';
import { affectedServices, diffSnapshots } from '../../../src/domain/incident/record.js';

describe('notices (ops guide §11.3.1)', () => {
  it('fills the three templates exactly', () => {
    const open = initialNotice({
      severity: 'SEV1 (Critical)',
      description: 'internal-pe down',
      startTime: '2026-11-29 10:00 UTC',
      affectedServices: 'prod-internal-pe-service',
      status: 'Investigating',
      eta: 'unknown',
      commander: 'asha',
    });
    expect(open.subject).toBe('[INCIDENT] Fivestar Payments - SEV1 (Critical) - internal-pe down');
    expect(open.body).toBe(
      'Incident Details:\n- Severity: SEV1 (Critical)\n- Start Time: 2026-11-29 10:00 UTC\n- Affected Services: prod-internal-pe-service\n- Current Status: Investigating\n- Estimated Resolution: unknown\n- Incident Commander: asha\n\nWe are actively investigating and will provide updates every 30 minutes.',
    );
    const update = updateNotice({
      incidentId: 'INC-2026-001',
      updateNumber: 2,
      timestamp: 'T',
      currentStatus: 'S',
      actionsTaken: 'A',
      nextSteps: 'N',
      eta: 'E',
    });
    expect(update.subject).toBe('[UPDATE] Fivestar Payments Incident - INC-2026-001');
    expect(update.body).toBe('Update #2 - T\n\nCurrent Status: S\nActions Taken: A\nNext Steps: N\nETA: E');
    const resolved = resolutionNotice({
      incidentId: 'INC-2026-001',
      resolutionTime: 'R',
      rootCause: 'C',
      resolution: 'F',
      duration: '1h 5m',
    });
    expect(resolved.subject).toBe('[RESOLVED] Fivestar Payments Incident - INC-2026-001');
    expect(resolved.body).toBe(
      'The incident has been resolved at R.\n\nRoot Cause: C\nResolution: F\nDuration: 1h 5m\n\nA detailed post-mortem will be conducted and shared within 48 hours.',
    );
  });

  it('durations read like people write them', () => {
    expect(humanDuration(0)).toBe('0m');
    expect(humanDuration(7 * 60_000)).toBe('7m');
    expect(humanDuration(65 * 60_000)).toBe('1h 5m');
    expect(humanDuration(120 * 60_000)).toBe('2h');
    expect(humanDuration((26 * 60 + 1) * 60_000)).toBe('1d 2h 1m');
  });
});

describe('escalation (ops guide §5.1.1, §11.1.1)', () => {
  const start = new Date('2026-11-29T10:00:00Z');
  it('severity 2 goes Email now, Slack at 5, PagerDuty at 15, no executives', () => {
    const plan = escalationPlan(DEFAULT_INCIDENT, 2, start, new Date('2026-11-29T10:06:00Z'));
    expect(plan.map((s) => [s.level, s.afterMinutes, s.due])).toEqual([
      ['email', 0, true],
      ['slack', 5, true],
      ['pagerduty', 15, false],
    ]);
    expect(plan[2]!.dueAt).toBe('2026-11-29T10:15:00.000Z');
  });
  it('severity 1 is everyone at once, executives included', () => {
    const plan = escalationPlan(DEFAULT_INCIDENT, 1, start, start);
    expect(plan.every((s) => s.due)).toBe(true);
    expect(plan.map((s) => s.level)).toContain('executive');
  });
});

describe('diffSnapshots', () => {
  const f = (id: string, status: Finding['status'], observed = ''): Finding => ({
    id,
    checkId: id,
    title: id,
    status,
    severity: 'high',
    resource: 'r',
    detail: '',
    expected: '',
    observed,
    remediation: '',
    source: 's',
  });
  it('names what cleared, what is new and what is still failing', () => {
    const changes = diffSnapshots(
      [f('ecs.service.running', 'fail', '0 running'), f('alarm', 'fail', 'ALARM'), f('rds', 'pass')],
      [
        f('ecs.service.running', 'pass', '3 running'),
        f('alarm', 'fail', 'ALARM'),
        f('rds', 'fail', 'stopped'),
      ],
    );
    expect(changes.cleared).toEqual(['ecs.service.running [r]: 0 running -> 3 running']);
    expect(changes.newProblems).toEqual(['rds [r] fail: stopped']);
    expect(changes.stillFailing).toEqual(['alarm [r] fail: ALARM']);
  });
});

describe('affectedServices', () => {
  const f = (id: string, status: Finding['status'], resource: string): Finding => ({
    id,
    checkId: id,
    title: id,
    status,
    severity: 'high',
    resource,
    detail: '',
    expected: '',
    observed: '',
    remediation: '',
    source: 's',
  });
  it('names the failing services and database, not every failing check', () => {
    expect(
      affectedServices([
        f('ecs.service.running', 'fail', 'prod-internal-pe-service'),
        f('ecs.service.failed-tasks', 'fail', 'prod-internal-pe-service'),
        f('ecs.service.running', 'pass', 'prod-customer-portal-service'),
        f('rds.instance.available', 'fail', 'prod-fivestar-payments-db'),
        f('cloudwatch.alarms', 'fail', 'Fivestar-High-Error-Rate'),
      ]),
    ).toEqual(['prod-internal-pe-service', 'prod-fivestar-payments-db']);
  });
});
