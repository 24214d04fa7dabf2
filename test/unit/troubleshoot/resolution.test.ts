import { describe, expect, it } from 'vitest';
import type { Finding, Status } from '../../../src/base/model/finding.js';
import { idMatches, planNotes, rankResolution } from '../../../src/engine/resolution.js';

function finding(id: string, status: Status): Finding {
  return {
    id,
    checkId: id,
    title: id,
    status,
    severity: 'high',
    resource: 'r',
    detail: '',
    expected: '',
    observed: '',
    remediation: '',
    source: 's',
  };
}

const resolution = [
  { step: 'Check provider status', when: ['payments.db.gateway'] },
  { step: 'Review logs', when: ['logs.errors'] },
  { step: 'Update credentials', when: ['logs.errors.auth'] },
  { step: 'Contact provider', when: [] },
];

describe('idMatches', () => {
  it('matches the id itself and ids under it, not ids that merely start with the same letters', () => {
    expect(idMatches('ecs.tasks.oom', 'ecs.tasks')).toBe(true);
    expect(idMatches('ecs.tasks', 'ecs.tasks')).toBe(true);
    expect(idMatches('ecs.tasks-extra', 'ecs.tasks')).toBe(false);
  });
});

describe('rankResolution', () => {
  it('puts steps pointed at by failing findings first, then errors, then warnings; the guide order otherwise', () => {
    const ranked = rankResolution(resolution, [
      finding('logs.errors.count', 'warn'),
      finding('logs.errors.auth', 'fail'),
      finding('payments.db.gateway', 'pass'),
    ]);
    // Both logs steps are pointed at by a failure (logs.errors covers logs.errors.auth): guide order between them.
    expect(ranked.map((r) => r.step)).toEqual([
      'Review logs',
      'Update credentials',
      'Check provider status',
      'Contact provider',
    ]);
    // Within a step, failures are listed before warnings.
    expect(ranked[0]!.because.map((f) => f.id)).toEqual(['logs.errors.auth', 'logs.errors.count']);
    expect(ranked[1]!.because.map((f) => f.id)).toEqual(['logs.errors.auth']);
    expect(ranked[2]!.because).toEqual([]);
  });

  it('ranks a step pointed at by a failure above one pointed at only by a warning', () => {
    const ranked = rankResolution(resolution, [
      finding('logs.errors.count', 'warn'),
      finding('payments.db.gateway', 'fail'),
    ]);
    expect(ranked.map((r) => r.step).slice(0, 2)).toEqual(['Check provider status', 'Review logs']);
  });

  it('ignores passing and skipped findings, keeping the guide order when nothing points anywhere', () => {
    const ranked = rankResolution(resolution, [
      finding('payments.db.gateway', 'skip'),
      finding('logs.errors', 'pass'),
    ]);
    expect(ranked.map((r) => r.position)).toEqual([1, 2, 3, 4]);
    expect(planNotes({ source: 'ops guide §13.1.1' }, ranked)[0]).toMatch(
      /^Nothing the checks found points to a step/,
    );
  });

  it('a metric without data (metrics.no-data.*) points nowhere', () => {
    const ranked = rankResolution(
      [{ step: 'Switch gateway', when: ['metrics.payments.success-rate'] }],
      [finding('metrics.no-data.payments.success-rate', 'warn')],
    );
    expect(ranked[0]!.because).toEqual([]);
  });

  it('renders the plan with the reasons and the remaining steps', () => {
    const ranked = rankResolution(resolution, [finding('payments.db.gateway', 'fail')]);
    const [note] = planNotes({ source: 'ops guide §13.1.1' }, ranked);
    expect(note).toContain('What to do first (the findings point here; ops guide §13.1.1):');
    expect(note).toContain('  1. Check provider status\n     because: FAIL payments.db.gateway [r]');
    expect(note).toContain('Other steps from the guide:\n  2. Review logs');
  });

  it('a check that could not run (error) ranks nothing: advice comes only from observed facts', () => {
    const ranked = rankResolution(resolution, [
      finding('payments.db.gateway', 'error'),
      finding('logs.errors.count', 'warn'),
    ]);
    // Only the warning, an observed fact, points: "Review logs" first; the guide's order otherwise.
    expect(ranked.map((r) => r.step)).toEqual([
      'Review logs',
      'Check provider status',
      'Update credentials',
      'Contact provider',
    ]);
    expect(ranked.find((r) => r.step === 'Check provider status')!.because).toEqual([]);
    const [note] = planNotes({ source: 'ops guide §13.1.1' }, ranked);
    expect(note).toContain('  1. Review logs\n     because: WARN logs.errors.count [r]');
    // The step behind the failed check stays in the guide's order, saying what could not be checked.
    expect(note).toContain('  2. Check provider status\n     could not check: ERROR payments.db.gateway [r]');
    expect(note).not.toMatch(/because: ERROR/);
  });

  it('only errors: nothing points to a step', () => {
    const ranked = rankResolution(resolution, [finding('payments.db.gateway', 'error')]);
    expect(ranked.map((r) => r.position)).toEqual([1, 2, 3, 4]);
    expect(planNotes({ source: 'ops guide §13.1.1' }, ranked)[0]).toMatch(
      /^Nothing the checks found points to a step/,
    );
  });
});
