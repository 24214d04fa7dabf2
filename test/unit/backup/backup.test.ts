import { describe, expect, it } from 'vitest';
import { evaluateLeftovers, evaluateSnapshotAges } from '../../../src/catalogue/checks/backup/status.js';
import { drillRefusal, evaluateFailover, summarizeProbes } from '../../../src/domain/backup/drill.js';
import {
  checkRestoreTime,
  compareSchemas,
  evaluateCrossRegion,
  evaluateRowCount,
  evaluateRpo,
  evaluateRto,
} from '../../../src/domain/backup/evaluate.js';
import {
  isRestoreTestTagged,
  premaintSnapshotName,
  restoreTestName,
} from '../../../src/domain/backup/naming.js';

const at = new Date('2026-11-29T23:05:00Z');
const minutesBefore = (m: number) => new Date(at.getTime() - m * 60_000);

describe('naming', () => {
  it('names the pre-maintenance snapshot and the restore-test instance as RDS allows', () => {
    expect(premaintSnapshotName('prod', at, 'CHG-123')).toBe('prod-fivestar-premaint-20261129-chg-123');
    expect(premaintSnapshotName('prod', at, ' weird//ref__ ')).toBe(
      'prod-fivestar-premaint-20261129-weird-ref',
    );
    expect(premaintSnapshotName('prod', at, undefined)).toBe('prod-fivestar-premaint-20261129-2305');
    expect(restoreTestName('staging', at)).toBe('staging-fivestar-restore-test-20261129-230500');
  });

  it('recognises fsops restore tests by both tags only', () => {
    expect(
      isRestoreTestTagged([
        { Key: 'managed-by', Value: 'fsops' },
        { Key: 'purpose', Value: 'restore-test' },
      ]),
    ).toBe(true);
    expect(isRestoreTestTagged([{ Key: 'managed-by', Value: 'fsops' }])).toBe(false);
    expect(isRestoreTestTagged(undefined)).toBe(false);
    expect(
      evaluateLeftovers('prod', [
        { DBInstanceIdentifier: 'prod-fivestar-payments-db', TagList: [] },
        { DBInstanceIdentifier: 'prod-fivestar-restore-test-20261101-0200', DBInstanceStatus: 'available' },
      ]),
    ).toMatchObject({
      status: 'fail',
      observed: expect.stringMatching(/^prod-fivestar-restore-test-20261101-0200 \(available/),
    });
  });
});

describe("recover table's temporary copy is a leftover too", () => {
  it('a recover-table copy left by a killed run (by tags or by name) fails backup status; one being deleted does not', () => {
    const tagged = {
      DBInstanceIdentifier: 'scratch-copy',
      DBInstanceStatus: 'available',
      TagList: [
        { Key: 'managed-by', Value: 'fsops' },
        { Key: 'purpose', Value: 'recover-table' },
      ],
    };
    const named = {
      DBInstanceIdentifier: 'prod-fivestar-recover-table-20261201-031500',
      DBInstanceStatus: 'available',
    };
    expect(evaluateLeftovers('prod', [tagged, named])).toMatchObject({
      status: 'fail',
      observed: expect.stringMatching(
        /^scratch-copy \(recover table copy, available.*prod-fivestar-recover-table-20261201-031500 \(recover table copy/,
      ),
    });
    expect(evaluateLeftovers('prod', [{ ...named, DBInstanceStatus: 'deleting' }])).toMatchObject({
      status: 'pass',
      observed: expect.stringContaining('being deleted: prod-fivestar-recover-table-20261201-031500'),
    });
    // Another environment's copy is not this one's leftover.
    expect(
      evaluateLeftovers('prod', [{ DBInstanceIdentifier: 'staging-fivestar-recover-table-20261201-031500' }])
        .status,
    ).toBe('pass');
  });
});

describe('comparison of the copy with the source', () => {
  it('reports missing schemas once and missing tables of present schemas', () => {
    const source = [
      { schema: 'payment', table: 'payments' },
      { schema: 'payment', table: 'refunds' },
      { schema: 'audit', table: 'events' },
    ];
    expect(
      compareSchemas(source, [
        { schema: 'payment', table: 'payments' },
        { schema: 'extra', table: 'x' },
      ]),
    ).toEqual({
      missingSchemas: ['audit'],
      missingTables: ['payment.refunds'],
    });
  });

  it('judges row counts within the tolerance; a missing count is an error', () => {
    expect(evaluateRowCount('copy', { table: 't', source: 1000, copy: 960 }, 5).status).toBe('pass');
    expect(evaluateRowCount('copy', { table: 't', source: 1000, copy: 940 }, 5)).toMatchObject({
      status: 'fail',
      observed: 'copy 940, source 1000 (-60, 6.0%)',
    });
    expect(evaluateRowCount('copy', { table: 't', source: 0, copy: 0 }, 0).status).toBe('pass');
    expect(
      evaluateRowCount('copy', { table: 't', source: 5, copy: null, problem: 'relation does not exist' }, 5),
    ).toMatchObject({
      status: 'error',
      observed: 'not compared: relation does not exist',
    });
  });
});

describe('RPO and RTO', () => {
  const rpo = (newest: Date | null, judged = true) =>
    evaluateRpo({
      resource: 'copy',
      newestRow: newest,
      table: 'payment.payments',
      restorePoint: minutesBefore(5),
      requestedAt: at,
      targetMinutes: 60,
      judged,
    });

  it('RPO is restore requested - newest row, judged for point-in-time restores', () => {
    expect(rpo(minutesBefore(7))).toMatchObject({
      status: 'pass',
      observed: expect.stringMatching(/2\.0 min before the restore point; RPO of this recovery 7\.0 min$/),
    });
    expect(rpo(minutesBefore(90)).status).toBe('fail');
    expect(rpo(minutesBefore(90), false)).toMatchObject({
      status: 'pass',
      observed: expect.stringMatching(/not judged/),
    });
  });

  it('a newest row after the restore point is a contradiction; no row is an error', () => {
    expect(rpo(minutesBefore(1)).status).toBe('fail');
    expect(rpo(null).status).toBe('error');
  });

  it('RTO from the request to the first query, against the target', () => {
    expect(evaluateRto('copy', minutesBefore(30), at, 240)).toMatchObject({
      status: 'pass',
      observed: expect.stringMatching(/^30\.0 min/),
    });
    expect(evaluateRto('copy', minutesBefore(300), at, 240).status).toBe('fail');
    expect(evaluateRto('copy', at, null, 240).status).toBe('error');
  });

  it('a restore time must lie in the restorable window', () => {
    const window = { earliest: minutesBefore(600), latest: minutesBefore(5) };
    expect(checkRestoreTime(minutesBefore(60), window)).toBeNull();
    expect(checkRestoreTime(at, window)).toMatch(/^is after the latest restorable time/);
    expect(checkRestoreTime(minutesBefore(700), window)).toMatch(/^is before the earliest restorable time/);
    expect(checkRestoreTime(at, { earliest: null, latest: null })).toMatch(/no LatestRestorableTime/);
  });
});

describe('newest manual snapshot', () => {
  it('passes only when it is fresh (maintenance.backupMaxAgeHours); an old one warns like none', () => {
    const now = new Date('2026-11-29T12:00:00Z');
    const snap = (hoursAgo: number) => ({
      DBSnapshotIdentifier: `premaint-${hoursAgo}`,
      SnapshotType: 'manual',
      Status: 'available',
      Encrypted: true,
      SnapshotCreateTime: new Date(now.getTime() - hoursAgo * 3_600_000),
    });
    const judge = (hoursAgo: number[]) =>
      evaluateSnapshotAges('prod', 'db', hoursAgo.map(snap), { backupMaxAgeHours: 24 }, now)[0]!;
    expect(judge([3, 400]).status).toBe('pass');
    const old = judge([4000]);
    expect(old.status).toBe('warn');
    expect(old.observed).toMatch(/^premaint-4000 at .* \(4000\.0 h ago\)$/);
    expect(judge([]).status).toBe('warn');
  });
});

describe('cross-region copies', () => {
  const base = { resource: 'db', rpoMinutes: 60, copyMaxAgeHours: 26, now: at };
  it('replication lag against the RPO, copies against their age, nothing is a fail, no region a skip', () => {
    expect(
      evaluateCrossRegion({
        ...base,
        drRegion: 'ap-southeast-1',
        replicatedLatest: minutesBefore(10),
        newestCopy: null,
      }).status,
    ).toBe('pass');
    expect(
      evaluateCrossRegion({
        ...base,
        drRegion: 'ap-southeast-1',
        replicatedLatest: minutesBefore(61),
        newestCopy: null,
      }).status,
    ).toBe('fail');
    expect(
      evaluateCrossRegion({
        ...base,
        drRegion: 'ap-southeast-1',
        replicatedLatest: null,
        newestCopy: { id: 'c', at: minutesBefore(27 * 60) },
      }).status,
    ).toBe('fail');
    expect(
      evaluateCrossRegion({ ...base, drRegion: 'ap-southeast-1', replicatedLatest: null, newestCopy: null })
        .status,
    ).toBe('fail');
    expect(
      evaluateCrossRegion({ ...base, drRegion: null, replicatedLatest: null, newestCopy: null }).status,
    ).toBe('skip');
  });
});

describe('drills', () => {
  const sample = (s: number, write: boolean, read = write) => ({ at: s * 1000, write, read });

  it('write downtime is the first failed write to the first good one after the last failure', () => {
    const summary = summarizeProbes([
      sample(0, true),
      sample(1, false),
      sample(2, false, true),
      sample(3, true),
      sample(4, false),
      sample(5, true),
    ]);
    expect(summary).toEqual({
      samples: 6,
      writesLost: 3,
      readsLost: 2,
      writeDowntimeMs: 4000,
      recovered: true,
    });
    expect(summarizeProbes([sample(0, true), sample(1, false)]).recovered).toBe(false);
    expect(summarizeProbes([sample(0, true)]).writeDowntimeMs).toBe(0);
  });

  it('judges downtime against the target and the AZ change', () => {
    const [downtime, , az] = evaluateFailover({
      resource: 'db',
      summary: { samples: 60, writesLost: 30, readsLost: 20, writeDowntimeMs: 150_000, recovered: true },
      targetSeconds: 120,
      azBefore: 'ap-south-1a',
      azAfter: 'ap-south-1a',
      intervalMs: 1000,
    });
    expect(downtime!.status).toBe('fail');
    expect(az).toMatchObject({ status: 'fail', observed: 'ap-south-1a -> ap-south-1a' });
  });

  it('a drill that did not see the failover through has not measured it: no write lost then is not a pass', () => {
    const input = {
      resource: 'db',
      targetSeconds: 120,
      azBefore: 'ap-south-1a',
      azAfter: 'ap-south-1a',
      intervalMs: 1000,
    };
    const quiet = summarizeProbes([sample(0, true), sample(1, true)]);
    // Ctrl-C two seconds after the reboot: nothing failed yet, nothing moved yet.
    const [downtime, , az] = evaluateFailover({ ...input, summary: quiet, ended: 'interrupted' });
    expect(downtime).toMatchObject({
      status: 'skip',
      observed: expect.stringMatching(/^not measured: interrupted/),
    });
    expect(az!.status).toBe('skip');
    // Ctrl-C after writes failed and came back: the outage was measured whole.
    const whole = summarizeProbes([sample(0, false), sample(30, true)]);
    expect(evaluateFailover({ ...input, summary: whole, ended: 'interrupted' })[0]!.status).toBe('pass');
    // The time ran out and no write ever failed: the probe never saw a failover.
    expect(evaluateFailover({ ...input, summary: quiet, ended: 'timed-out' })[0]!.status).toBe('error');
    expect(evaluateFailover({ ...input, summary: summarizeProbes([]), ended: 'recovered' })[0]!.status).toBe(
      'error',
    );
  });

  it('refuses during an incident, and in a protected environment outside the window without override', () => {
    const base = {
      env: 'prod',
      openIncident: null,
      protectedEnv: true,
      windowOpen: false,
      windowText: 'closed',
      overrideWindow: false,
    };
    expect(drillRefusal(base)).toMatch(/outside the maintenance window/);
    expect(drillRefusal({ ...base, overrideWindow: true })).toBeNull();
    expect(drillRefusal({ ...base, windowOpen: true, openIncident: 'open' })).toMatch(
      /open incident \(open\)/,
    );
    expect(drillRefusal({ ...base, protectedEnv: false })).toBeNull();
  });
});
