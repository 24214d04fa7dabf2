import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/base/model/finding.js';
import { fromCheck, mergeRechecked } from '../../../src/engine/recheck.js';

const finding = (
  id: string,
  status: Finding['status'],
  resource = 'r',
  observed = '',
  checkId = id,
): Finding => ({
  id,
  checkId,
  title: id,
  status,
  severity: 'medium',
  resource,
  detail: '',
  expected: '',
  observed,
  remediation: '',
  source: '',
});

describe('mergeRechecked', () => {
  it('replaces the findings of the re-checked checks in place and keeps the problems before as a note', () => {
    const before = [
      finding('db.connections', 'pass'),
      finding('db.bloat.dead-tuples', 'fail', 'payments', '32,000 dead rows', 'db.bloat'),
      finding('db.bloat.autovacuum-queue', 'pass', 'r', '', 'db.bloat'),
      finding('db.bloater', 'warn'),
      finding('db.vacuum-analyze', 'pass', 'payments', 'VACUUM (ANALYZE) done'),
    ];
    const after = [
      finding('db.bloat.dead-tuples', 'pass', 'r', '', 'db.bloat'),
      finding('db.bloat.autovacuum-queue', 'pass', 'r', '', 'db.bloat'),
    ];
    const { findings, note } = mergeRechecked(before, after, ['db.bloat']);
    expect(findings.map((f) => `${f.id}:${f.status}`)).toEqual([
      'db.connections:pass',
      'db.bloat.dead-tuples:pass',
      'db.bloat.autovacuum-queue:pass',
      'db.bloater:warn',
      'db.vacuum-analyze:pass',
    ]);
    expect(note).toBe(
      'Checked again after the changes: db.bloat. Before the changes:\n  FAIL  db.bloat.dead-tuples [payments]: 32,000 dead rows',
    );
  });

  it('changes nothing when no check was re-run', () => {
    const before = [finding('db.bloat.stale', 'warn')];
    expect(mergeRechecked(before, [], [])).toEqual({ findings: before, note: null });
  });

  it('asks the check that produced the finding, never its id', () => {
    expect(fromCheck(finding('db.bloat', 'pass'), 'db.bloat')).toBe(true);
    expect(fromCheck(finding('db.bloat.stale', 'pass', 'r', '', 'db.bloat'), 'db.bloat')).toBe(true);
    expect(fromCheck(finding('db.bloater', 'pass'), 'db.bloat')).toBe(false);
    // A finding named like a check's sub-finding but made by another step is not that check's.
    expect(fromCheck(finding('db.bloat.stale', 'pass', 'r', '', 'db.vacuum-analyze'), 'db.bloat')).toBe(
      false,
    );
  });
});

describe('fromCheck: by the check that produced the finding', () => {
  it('knows a check whose findings are named otherwise (logs.groups emits logs.group.*)', () => {
    const retention = { ...finding('logs.group.retention', 'warn'), checkId: 'logs.groups' };
    expect(fromCheck(retention, 'logs.groups')).toBe(true);
    // A finding named like another check's sub-finding is not that check's when the runner says otherwise.
    const lookalike = { ...finding('db.bloat.stale', 'warn'), checkId: 'db.bloater' };
    expect(fromCheck(lookalike, 'db.bloat')).toBe(false);
  });

  it('replaces the findings of a re-checked check whose ids do not start with its id', () => {
    const before = [
      { ...finding('logs.group.retention', 'warn', '/ecs/prod'), checkId: 'logs.groups' },
      { ...finding('db.connections', 'pass'), checkId: 'db.connections' },
    ];
    const after = [{ ...finding('logs.group.retention', 'pass', '/ecs/prod'), checkId: 'logs.groups' }];
    const { findings } = mergeRechecked(before, after, ['logs.groups']);
    expect(findings.map((f) => `${f.id}:${f.status}`)).toEqual([
      'logs.group.retention:pass',
      'db.connections:pass',
    ]);
  });
});
