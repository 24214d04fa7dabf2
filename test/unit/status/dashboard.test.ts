import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/base/model/finding.js';
import { dashboardView, renderDashboard, toCells } from '../../../src/domain/status/dashboard.js';

/** The check of runbooks/status.yaml that emits a row of this id (the runner sets `checkId`). */
const CHECK_OF: [RegExp, string][] = [
  [/^ecs\.service\b/, 'ecs.service'],
  [/^ecs\.deployment\.last$/, 'ecs.deployment.last'],
  [/^rds\.instance\b/, 'rds.instance'],
  [/^metrics\.(no-data\.)?payments\b/, 'metrics.payments'],
  [/^metrics\.(no-data\.)?rds\b/, 'metrics.rds'],
  [/^(db\.replication\.rds-|rds\.replicas$)/, 'rds.replicas'],
  [/^(payments\.lms-queue\.|lms\.queue$)/, 'lms.queue'],
  [/^cloudwatch\.alarm/, 'cloudwatch.alarms'],
];
const checkOf = (id: string) => CHECK_OF.find(([pattern]) => pattern.test(id))?.[1] ?? id;

const f = (over: Partial<Finding>): Finding => ({
  checkId: checkOf(over.id ?? 'x'),
  id: 'x',
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

const t0 = new Date('2026-11-29T10:00:00Z');
const t1 = new Date('2026-11-29T10:00:30Z');
const t2 = new Date('2026-11-29T10:01:00Z');

describe('status dashboard', () => {
  const findings = [
    f({ id: 'ecs.service.active', resource: 'prod-internal-pe-service', observed: 'ACTIVE' }),
    f({
      id: 'ecs.service.running',
      status: 'fail',
      resource: 'prod-internal-pe-service',
      observed: '0 running, 0 pending, 3 desired',
    }),
    f({ id: 'ecs.service.desired-count', resource: 'prod-internal-pe-service', observed: '3' }),
    f({ id: 'rds.instance.class', resource: 'db', observed: 'db.r6g.large' }),
    f({
      id: 'metrics.payments.success-rate',
      title: 'Payment success rate',
      status: 'fail',
      observed: 'latest 88%, avg 92.7%, min 88%  █▅▁',
    }),
    f({ id: 'cloudwatch.alarms', resource: 'all alarms', observed: 'none in ALARM' }),
  ];

  it('keeps the dashboard cells, takes each color from the check, shortens metric values', () => {
    const cells = toCells(findings, t0);
    expect(cells.map((c) => [c.section, c.label, c.value, c.status])).toEqual([
      ['Services', 'prod-internal-pe-service tasks', '0 running, 0 pending, 3 desired', 'fail'],
      ['KPIs', 'Payment success rate', '88%  █▅▁', 'fail'],
      ['Alarms', 'all alarms', 'none in ALARM', 'pass'],
    ]);
    const text = renderDashboard(
      { env: 'prod', at: t0.toISOString(), cells, incidents: [] },
      new Chalk({ level: 1 }),
      t0,
      (s) => s,
    );
    expect(text).toContain('\u001b[31m\u001b[1m88%  █▅▁');
    expect(text).toContain('none in ALARM');
    expect(text).toContain('none open');
  });

  it('a cell whose poll failed keeps its last value and shows the error and its age', () => {
    const before = toCells(findings, t0);
    const failing = findings.map((x) =>
      x.id === 'metrics.payments.success-rate'
        ? { ...x, status: 'error' as const, observed: 'ThrottlingException: Rate exceeded' }
        : x,
    );
    const after1 = toCells(failing, t1, before);
    const after2 = toCells(failing, t2, after1);
    const cell = after2.find((c) => c.label === 'Payment success rate')!;
    expect(cell).toMatchObject({
      value: '88%  █▅▁',
      status: 'fail',
      at: t0.toISOString(),
      error: { since: t1.toISOString() },
    });
    const text = renderDashboard(
      { env: 'prod', at: t2.toISOString(), cells: after2, incidents: [] },
      new Chalk({ level: 0 }),
      t2,
      (s) => s,
    );
    expect(text).toContain('88%  █▅▁  (60s old) error for 30s: ThrottlingException: Rate exceeded');
    const whole = renderDashboard(
      {
        env: 'prod',
        at: t0.toISOString(),
        cells: before,
        incidents: [
          {
            id: 'INC-2026-001',
            severity: 1,
            title: 'down',
            startedAt: t0.toISOString(),
            updateOverdue: true,
          },
        ],
        pollError: { message: 'timeout', since: t1.toISOString() },
      },
      new Chalk({ level: 0 }),
      t2,
      (s) => s,
    );
    expect(whole).toContain('last poll failed (30s ago): timeout; showing the last good values');
    expect(whole).toContain('INC-2026-001 SEV1 down open for 60s UPDATE OVERDUE');
  });

  it('a whole check that fails keeps its rows with their last values (the runner names the check, not the rows)', () => {
    const good = toCells(
      [
        f({ id: 'ecs.service.running', resource: 'prod-internal-pe-service', observed: '3 running' }),
        f({ id: 'ecs.service.running', resource: 'prod-customer-portal-service', observed: '2 running' }),
        f({ id: 'metrics.payments.success-rate', title: 'Payment success rate', observed: 'latest 99%' }),
      ],
      t0,
    );
    const failed = [
      f({
        id: 'ecs.service',
        status: 'error',
        resource: 'ecs.service',
        observed: 'could not check: throttled',
      }),
      f({ id: 'metrics.payments.success-rate', title: 'Payment success rate', observed: 'latest 98%' }),
    ];
    const after = toCells(failed, t1, good);
    expect(after.map((c) => [c.key, c.value, c.at, c.error?.message])).toEqual([
      [
        'ecs.service.running prod-internal-pe-service',
        '3 running',
        t0.toISOString(),
        'could not check: throttled',
      ],
      [
        'ecs.service.running prod-customer-portal-service',
        '2 running',
        t0.toISOString(),
        'could not check: throttled',
      ],
      ['metrics.payments.success-rate r', '98%', t1.toISOString(), undefined],
    ]);
    // Failing again: still the same rows, failing since the first failure.
    const again = toCells(failed, t2, after);
    expect(again[0]).toMatchObject({ value: '3 running', error: { since: t1.toISOString() } });
  });

  it("shows each replica's lag under Database and the LMS queue in its own section; a right replica count is not repeated", () => {
    const cells = toCells(
      [
        f({ id: 'db.replication.rds-replicas', resource: 'prod-db', observed: '2 read replicas: ...' }),
        f({
          id: 'db.replication.rds-lag',
          title: 'RDS replica lag (CloudWatch ReplicaLag)',
          status: 'fail',
          resource: 'prod-db-replica-1',
          observed: 'available, ReplicaLag 7m 0s',
        }),
        f({
          id: 'db.replication.rds-lag',
          title: 'RDS replica lag (CloudWatch ReplicaLag)',
          status: 'fail',
          resource: 'prod-db-replica-2',
          observed: 'rebooting, ReplicaLag 1s',
        }),
        f({
          id: 'payments.lms-queue.depth',
          title: 'LMS transaction queue depth',
          observed: '3 items PENDING/RETRY',
        }),
        f({
          id: 'rds.replicas',
          title: 'RDS read replicas and their lag',
          status: 'error',
          observed: 'AccessDenied',
        }),
      ],
      t0,
    );
    expect(cells.map((c) => [c.section, c.label, c.value, c.status])).toEqual([
      ['Database', 'Replica lag prod-db-replica-1', 'ReplicaLag 7m 0s', 'fail'],
      ['Database', 'Replica lag prod-db-replica-2', 'rebooting, ReplicaLag 1s', 'fail'],
      ['Queue', 'LMS transaction queue depth', '3 items PENDING/RETRY', 'pass'],
      ['Database', 'RDS read replicas and their lag', '', 'error'],
    ]);
    const text = renderDashboard(
      { env: 'prod', at: t0.toISOString(), cells, incidents: [] },
      new Chalk({ level: 0 }),
      t0,
      (x) => x,
    );
    expect(text).toMatch(/Database\n.*Replica lag prod-db-replica-1 +ReplicaLag 7m 0s/s);
    expect(text).toMatch(/KPIs\n {2}\(nothing reported\)\n\nQueue\n {2}LMS transaction queue depth +3 items/);
  });
});

describe('status dashboard: rows by the check that produced them (checkId), not by their ids', () => {
  const rows = [
    f({
      id: 'db.replication.rds-lag',
      checkId: 'rds.replicas',
      title: 'RDS replica lag (CloudWatch ReplicaLag)',
      resource: 'prod-db-replica-1',
      observed: 'available, ReplicaLag 2s',
    }),
    f({
      id: 'payments.lms-queue.depth',
      checkId: 'lms.queue',
      title: 'LMS transaction queue depth',
      resource: 'lms-transaction-queue',
      observed: '3 items PENDING/RETRY',
    }),
    f({
      id: 'metrics.no-data.rds.cpu',
      checkId: 'metrics.rds',
      title: 'RDS CPU',
      status: 'warn',
      resource: 'prod-db',
      observed: 'no datapoints in the last 15m',
    }),
  ];

  it("a finding whose id does not start with its check's id lands in its check's section", () => {
    const lookalike = f({
      // `fsops db replication`'s own row: not a check of the dashboard, whatever its id looks like.
      id: 'db.replication.rds-lag',
      checkId: 'db.replication',
      resource: 'replica-from-another-run',
      observed: 'streaming, 1s behind',
    });
    const cells = toCells([...rows, lookalike], t0);
    expect(cells.map((c) => [c.section, c.checkId, c.label])).toEqual([
      ['Database', 'rds.replicas', 'Replica lag prod-db-replica-1'],
      ['Queue', 'lms.queue', 'LMS transaction queue depth'],
      ['Database', 'metrics.rds', 'RDS CPU'],
    ]);
  });

  it('status --watch: when the whole check fails, its rows keep their last values whatever their ids', () => {
    const first = toCells(rows, t0);
    // The runner reports a check that throws or times out under the check's own id and resource.
    const failed = (checkId: string) =>
      f({ id: checkId, checkId, status: 'error', resource: checkId, observed: 'could not check: throttled' });
    const polls = [failed('rds.replicas'), failed('lms.queue'), failed('metrics.rds')];
    const second = toCells(polls, t1, first);
    const third = toCells(polls, t2, second);
    expect(third.map((c) => [c.key, c.value, c.at, c.error])).toEqual([
      [
        'db.replication.rds-lag prod-db-replica-1',
        'ReplicaLag 2s',
        t0.toISOString(),
        { message: 'could not check: throttled', since: t1.toISOString() },
      ],
      [
        'payments.lms-queue.depth lms-transaction-queue',
        '3 items PENDING/RETRY',
        t0.toISOString(),
        { message: 'could not check: throttled', since: t1.toISOString() },
      ],
      [
        'metrics.no-data.rds.cpu prod-db',
        'no datapoints in the last 15m',
        t0.toISOString(),
        { message: 'could not check: throttled', since: t1.toISOString() },
      ],
    ]);
    const text = renderDashboard(
      dashboardView({ env: 'prod', at: t2.toISOString(), cells: third, incidents: [] }),
      new Chalk({ level: 0 }),
      t2,
      (x) => x,
    );
    expect(text).toMatch(
      /Replica lag prod-db-replica-1 +ReplicaLag 2s {2}\(60s old\) error for 30s: could not check: throttled/,
    );
  });

  it('the JSON view leaves checkId out of the cells and the findings', () => {
    const cells = toCells(rows, t0);
    const view = dashboardView({ env: 'prod', at: t0.toISOString(), cells, incidents: [] }, rows);
    expect(JSON.stringify(view)).not.toContain('checkId');
    expect(view.cells).toHaveLength(3);
    expect(view.findings).toHaveLength(3);
  });
});
