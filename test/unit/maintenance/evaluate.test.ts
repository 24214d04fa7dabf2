import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/base/config/defaults.js';
import { parseConfigText } from '../../../src/base/config/load.js';
import {
  covers,
  monthRange,
  type Partition,
  parseMonths,
  parseRangeBound,
} from '../../../src/catalogue/actions/db/partitions.js';
import { selectVacuumTargets, vacuumThresholds } from '../../../src/catalogue/actions/db/vacuum.js';
import { ACTIONS } from '../../../src/catalogue/actions/index.js';
import { CHECKS } from '../../../src/catalogue/checks/index.js';
import { evaluateBackupIntegrity } from '../../../src/catalogue/checks/maintenance/backups.js';
import { evaluateParameters } from '../../../src/catalogue/checks/maintenance/parameters.js';
import {
  evaluateMinorVersions,
  evaluatePendingActions,
} from '../../../src/catalogue/checks/maintenance/rds-upgrades.js';
import { evaluateRollbackTargets } from '../../../src/catalogue/checks/maintenance/rollback-targets.js';
import {
  evaluateCapacity,
  evaluateStorage,
  growthPerDay,
} from '../../../src/catalogue/checks/maintenance/storage.js';
import {
  evaluateRdsWindows,
  parseRdsMaintenanceWindow,
} from '../../../src/domain/maintenance/rds-windows.js';
import { changeSteps } from '../../../src/engine/changes.js';
import { resolveSteps } from '../../../src/engine/run-runbook.js';
import { type ActionStep, listRunbooks } from '../../../src/engine/runbook.js';

const GIB = 1024 ** 3;
const NOW = new Date('2026-11-21T10:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

describe('maintenance runbooks', () => {
  it('name only checks and actions that exist', () => {
    const maintenance = listRunbooks().filter((r) => r.name.startsWith('maintenance/'));
    expect(maintenance.map((r) => r.name)).toEqual([
      'maintenance/daily',
      'maintenance/monthly',
      'maintenance/pre-checklist',
      'maintenance/quarterly',
      'maintenance/weekly',
    ]);
    for (const runbook of maintenance) {
      expect(() => resolveSteps(runbook, CHECKS)).not.toThrow();
      expect(() =>
        changeSteps(
          runbook.steps.filter((s): s is ActionStep => 'action' in s),
          ACTIONS,
        ),
      ).not.toThrow();
    }
  });
  it('rejects an unknown action id', () => {
    expect(() => changeSteps([{ action: 'db.vacuum-everything', params: {} }], ACTIONS)).toThrow(
      /unknown action 'db.vacuum-everything'/,
    );
  });
});

describe('maintenance config', () => {
  it('reports bad window settings with their paths', () => {
    expect(() =>
      parseConfigText('maintenance:\n  window: { start: "25:00", weekOfMonth: 5, timeZone: Mars/Olympus }\n'),
    ).toThrow(
      /maintenance\.window\.weekOfMonth[\s\S]*maintenance\.window\.start[\s\S]*maintenance\.window\.timeZone|maintenance\.window/,
    );
  });
});

describe('selectVacuumTargets', () => {
  const base = {
    schema: 'public',
    liveTuples: 9000,
    deadTuples: 0,
    modsSinceAnalyze: 0,
    lastVacuum: daysAgo(1),
    lastAnalyze: daysAgo(1),
  };
  it('picks tables over the dead-tuple thresholds or changed since a stale vacuum', () => {
    const targets = selectVacuumTargets(
      [
        { ...base, table: 'bloated', deadTuples: 1000 },
        { ...base, table: 'small', liveTuples: 10, deadTuples: 9 },
        { ...base, table: 'stale', deadTuples: 5, lastVacuum: daysAgo(9) },
        { ...base, table: 'idle', lastVacuum: null, lastAnalyze: null },
      ],
      vacuumThresholds(DEFAULT_CONFIG),
      NOW,
    );
    expect(targets.map((t) => [t.table, t.reason])).toEqual([
      ['bloated', '10.0% dead tuples (1000 of 10000)'],
      ['stale', 'changed (5 dead, 0 modified) since vacuum 9d ago / analyze 1d ago (> 7d)'],
    ]);
  });

  it('takes its thresholds from database.thresholds, the ones db.bloat warns by, unless maintenance.vacuum overrides them', () => {
    const config = parseConfigText(
      'database:\n  thresholds:\n    deadTuplePercent: { warn: 20, fail: 40 }\n    minDeadTuples: 500\n    vacuumStaleDays: { warn: 3, fail: 10 }\n',
    );
    expect(vacuumThresholds(config)).toEqual({ deadTuplePercent: 20, minDeadTuples: 500, staleDays: 3 });
    expect(vacuumThresholds(DEFAULT_CONFIG)).toEqual({
      deadTuplePercent: DEFAULT_CONFIG.database.thresholds.deadTuplePercent.warn,
      minDeadTuples: DEFAULT_CONFIG.database.thresholds.minDeadTuples,
      staleDays: DEFAULT_CONFIG.database.thresholds.vacuumStaleDays.warn,
    });
    const overridden = parseConfigText(
      'maintenance:\n  vacuum: { deadTuplePercent: 5, minDeadTuples: 100, staleDays: 14 }\n',
    );
    expect(vacuumThresholds(overridden)).toEqual({ deadTuplePercent: 5, minDeadTuples: 100, staleDays: 14 });
  });
});

describe('partitions', () => {
  const p = (from: string, to: string): Partition => ({
    name: `p_${from}`,
    bound: `FOR VALUES FROM ('${from}') TO ('${to}')`,
    from,
    to,
    isDefault: false,
  });
  it('parses date and timestamptz bounds', () => {
    expect(
      parseRangeBound("FOR VALUES FROM ('2026-11-01 00:00:00+00') TO ('2026-12-01 00:00:00+00')"),
    ).toEqual({
      from: '2026-11-01',
      to: '2026-12-01',
    });
    expect(parseRangeBound("FOR VALUES FROM (MINVALUE) TO ('2020-01-01')")).toEqual({
      from: null,
      to: '2020-01-01',
    });
  });
  it('computes month ranges across the year boundary', () => {
    expect(monthRange(new Date('2026-12-31T23:59:00Z'), 1)).toEqual({
      from: '2027-01-01',
      to: '2027-02-01',
      suffix: '2027_01',
    });
    expect(monthRange(new Date('2026-03-15T00:00:00Z'), -14)).toMatchObject({ from: '2025-01-01' });
  });
  it('treats adjacent partitions (daily or monthly) as covering a month, and a gap as not', () => {
    expect(
      covers([p('2026-12-01', '2026-12-16'), p('2026-12-16', '2027-01-01')], '2026-12-01', '2027-01-01'),
    ).toBe(true);
    expect(
      covers([p('2026-12-01', '2026-12-15'), p('2026-12-16', '2027-01-01')], '2026-12-01', '2027-01-01'),
    ).toBe(false);
    expect(covers([p('2026-01-01', '2027-01-01')], '2026-12-01', '2027-01-01')).toBe(true);
  });
  it('parses --drop-older-than', () => {
    expect(parseMonths('12mo', 'x')).toBe(12);
    expect(parseMonths('2y', 'x')).toBe(24);
    expect(() => parseMonths('0mo', '--drop-older-than')).toThrow(/invalid --drop-older-than/);
    expect(() => parseMonths('30d', '--drop-older-than')).toThrow(/e\.g\. 12mo/);
  });
});

describe('RDS windows (deployment guide §6.1.1 vs ops guide §12.1.1)', () => {
  it("flags the guide's own settings: backup touching maintenance, RDS maintenance outside the ops window", () => {
    const results = evaluateRdsWindows(
      'prod-db',
      'sun:04:00-sun:05:00',
      '03:00-04:00',
      DEFAULT_CONFIG.maintenance,
    );
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['maintenance.rds-window.aligned', 'warn'],
      ['maintenance.rds-window.backup-gap', 'warn'],
    ]);
    expect(results[0]!.expected).toMatch(/inside sat:20:30-sat:23:30 UTC/);
    expect(results[1]!.observed).toMatch(/they touch/);
  });
  it('passes aligned windows with a gap', () => {
    const results = evaluateRdsWindows(
      'prod-db',
      'sat:21:00-sat:22:00',
      '18:00-19:00',
      DEFAULT_CONFIG.maintenance,
    );
    expect(results.every((r) => r.status === 'pass')).toBe(true);
  });
  it('parses a window that wraps the week', () => {
    expect(parseRdsMaintenanceWindow('sat:23:30-sun:00:30')).toEqual({
      start: 6 * 1440 + 1410,
      end: 7 * 1440 + 30,
    });
  });
});

describe('storage and capacity', () => {
  const trend = (freeGib: number[]) => ({
    allocatedBytes: 1000 * GIB,
    points: freeGib.map((g, i) => ({ at: daysAgo(freeGib.length - 1 - i), freeBytes: g * GIB })),
  });
  it('measures growth by least squares', () => {
    expect(growthPerDay(trend([300, 290, 280]).points)! / GIB).toBeCloseTo(10);
  });
  it('judges free space against thresholds and projects days until full', () => {
    const [free] = evaluateStorage('db', trend([300, 250]), DEFAULT_CONFIG.thresholds.rdsFreeStoragePercent);
    expect(free).toMatchObject({ status: 'warn', observed: '250.0 GiB free of 1000.0 GiB (25.0%)' });
    const [low] = evaluateStorage('db', trend([300, 150]), DEFAULT_CONFIG.thresholds.rdsFreeStoragePercent);
    expect(low).toMatchObject({ status: 'fail', observed: '150.0 GiB free of 1000.0 GiB (15.0%)' });
    expect(evaluateCapacity('db', trend([300, 295, 290]))).toMatchObject({
      status: 'warn',
      observed: 'full in ~58 days (290.0 GiB free, +5.0 GiB/day)',
    });
    expect(evaluateCapacity('db', trend([300, 290, 280])).status).toBe('fail');
    expect(evaluateCapacity('db', trend([500, 499])).status).toBe('pass');
    expect(evaluateCapacity('db', trend([100, 95, 90])).status).toBe('fail');
    expect(evaluateCapacity('db', trend([500, 510])).observed).toBe('used storage is not growing');
    expect(evaluateCapacity('db', trend([500])).status).toBe('error');
  });
});

describe('backup integrity', () => {
  it('fails backups off, unencrypted snapshots and a restorable time past the RPO', () => {
    const results = evaluateBackupIntegrity(
      'db',
      { BackupRetentionPeriod: 0, LatestRestorableTime: new Date(NOW.getTime() - 2 * 3_600_000) },
      [
        {
          DBSnapshotIdentifier: 'manual-1',
          SnapshotType: 'manual',
          Status: 'available',
          SnapshotCreateTime: daysAgo(3),
          Encrypted: false,
        },
      ],
      { rpoMinutes: 60, retentionDays: 35 },
      NOW,
    );
    expect(Object.fromEntries(results.map((r) => [r.id, r.status]))).toEqual({
      'maintenance.backup.enabled': 'fail',
      'maintenance.backup.daily': 'fail',
      'maintenance.backup.pitr': 'fail',
      'maintenance.backup.encrypted': 'fail',
    });
  });
});

describe('quarterly RDS reviews', () => {
  it('lists newer minor versions only', () => {
    const r = evaluateMinorVersions('db', '15.4', {
      ValidUpgradeTarget: [
        { EngineVersion: '15.5', IsMajorVersionUpgrade: false },
        { EngineVersion: '15.10', IsMajorVersionUpgrade: false },
        { EngineVersion: '16.6', IsMajorVersionUpgrade: true },
      ],
    });
    expect(r).toMatchObject({ status: 'warn', observed: 'running 15.4; available: 15.5, 15.10' });
    expect(
      evaluateMinorVersions('db', '15.10', {
        ValidUpgradeTarget: [{ EngineVersion: '16.6', IsMajorVersionUpgrade: true }],
      }).status,
    ).toBe('pass');
  });
  it('fails a pending action that will be forced within two weeks', () => {
    const [soon, later] = evaluatePendingActions(
      'db',
      [
        { Action: 'system-update', ForcedApplyDate: daysAgo(-5) },
        { Action: 'db-upgrade', AutoAppliedAfterDate: daysAgo(-60) },
      ],
      NOW,
    );
    expect([soon!.status, later!.status]).toEqual(['fail', 'warn']);
    expect(evaluatePendingActions('db', [], NOW)[0]!.status).toBe('pass');
  });
  it('reviews the parameter group', () => {
    const results = evaluateParameters('pg15', [
      { ParameterName: 'shared_preload_libraries', ParameterValue: 'pg_stat_statements,pg_cron' },
      { ParameterName: 'log_min_duration_statement', ParameterValue: '-1' },
    ]);
    expect(Object.fromEntries(results.map((r) => [r.id, r.status]))).toEqual({
      'maintenance.parameters.pg-stat-statements': 'pass',
      'maintenance.parameters.slow-log': 'warn',
      'maintenance.parameters.force-ssl': 'warn',
      'maintenance.parameters.autovacuum': 'pass',
    });
    expect(evaluateParameters('pg15', [])[0]!.status).toBe('fail');
  });
});

describe('rollback targets', () => {
  it('needs an ACTIVE revision older than the running one', () => {
    const arn = (r: number) => `arn:aws:ecs:ap-south-1:1:task-definition/f:${r}`;
    const results = evaluateRollbackTargets([
      { component: 'a', family: 'f', current: arn(10), active: [arn(10), arn(9)] },
      { component: 'b', family: 'g', current: arn(3), active: [arn(4), arn(3)] },
      { component: 'c', family: 'h', current: null, active: [] },
    ]);
    expect(results.map((r) => r.status)).toEqual(['pass', 'fail', 'fail']);
  });
});

describe('action steps in a read-only runbook run', () => {
  it('are reported as skipped, and run only through runActions', async () => {
    const { executeRunbook } = await import('../../../src/engine/run-runbook.js');
    const { testAws, testEnv } = await import('../../helpers/context.js');
    const env = testEnv('staging');
    const session = { config: env.config, env, aws: testAws() };
    const runbook = {
      name: 'maintenance/test',
      title: 't',
      source: 'ops guide §12.3.1',
      description: '',
      kind: 'maintenance' as const,
      resolution: [],
      steps: [{ action: 'db.vacuum-analyze', params: {} }],
    };
    const readOnly = await executeRunbook(runbook, session, { checks: CHECKS, since: NOW });
    expect(readOnly).toEqual([
      expect.objectContaining({
        id: 'action.db.vacuum-analyze',
        status: 'skip',
        observed: 'not run: this is a read-only run',
      }),
    ]);
    const seen: string[] = [];
    await executeRunbook(runbook, session, {
      checks: CHECKS,
      since: NOW,
      runActions: async (steps) => {
        seen.push(...steps.map((s) => s.action));
        return [];
      },
    });
    expect(seen).toEqual(['db.vacuum-analyze']);
  });
});
