import { describe, expect, it } from 'vitest';
import { chooseSeverity } from '../../../src/commands/incident-open.js';
import type { SeverityProposal } from '../../../src/domain/incident/severity.js';
import { testRuntime } from '../../helpers/runtime.js';

const proposal: SeverityProposal = {
  severity: 2,
  reason: 'Fivestar/Payments PaymentSuccessRate: latest 88%',
  findingId: 'metrics.payments.success-rate',
  resource: 'Fivestar/Payments PaymentSuccessRate',
  rule: 'Severity 2: payment success rate below 90%',
  unchecked: [],
};

describe('chooseSeverity on a terminal', () => {
  it('the fact behind the proposal (AWS text) reaches the prompt without escapes or bidi overrides', async () => {
    const t = testRuntime({ answers: [''] });
    const hostile = { ...proposal, reason: 'svc: \u001b[2Jdown \u202eTRATS\u2066x\u2069 \u200f' };
    await chooseSeverity(hostile, null, false, t);
    expect(t.err()).toContain('because svc: down TRATS x\n');
    expect(t.err()).not.toMatch(/[\u001b\u202e\u2066\u2069\u200f]/);
  });

  it('Enter accepts the proposal, after showing the fact behind it', async () => {
    const t = testRuntime({ answers: [''] });
    expect(await chooseSeverity(proposal, null, false, t)).toBe(2);
    expect(t.err()).toContain(
      'Proposed severity 2: Severity 2: payment success rate below 90%\n  because Fivestar/Payments PaymentSuccessRate: latest 88%',
    );
    expect(t.asked).toEqual(['Severity [Enter accepts 2, or type 1-4]: ']);
  });
  it('a typed level overrides; a bad answer is explained and asked again', async () => {
    const t = testRuntime({ answers: ['high', '1'] });
    expect(await chooseSeverity(proposal, null, false, t)).toBe(1);
    expect(t.err()).toContain("invalid severity 'high': use 1, 2, 3 or 4");
    expect(t.asked).toHaveLength(2);
  });
  it('--severity N and --yes never ask', async () => {
    const t = testRuntime({ answers: [] });
    expect(await chooseSeverity(proposal, 4, false, t)).toBe(4);
    expect(await chooseSeverity(proposal, null, true, t)).toBe(2);
    expect(t.asked).toEqual([]);
  });
});
