import { describe, expect, it } from 'vitest';
import { chooseSeverity } from '../../../src/commands/incident-open.js';
import type { SeverityProposal } from '../../../src/domain/incident/severity.js';

const proposal: SeverityProposal = {
  severity: 2,
  reason: 'Fivestar/Payments PaymentSuccessRate: latest 88%',
  findingId: 'metrics.payments.success-rate',
  resource: 'Fivestar/Payments PaymentSuccessRate',
  rule: 'Severity 2: payment success rate below 90%',
  unchecked: [],
};

function terminal(answers: string[]) {
  const said: string[] = [];
  return {
    said,
    ask: async () => answers.shift() ?? '',
    say: (text: string) => {
      said.push(text);
    },
  };
}

describe('chooseSeverity on a terminal', () => {
  it('the fact behind the proposal (AWS text) reaches the prompt without escapes or bidi overrides', async () => {
    const t = terminal(['']);
    const hostile = { ...proposal, reason: 'svc: \u001b[2Jdown \u202eTRATS\u2066x\u2069 \u200f' };
    await chooseSeverity(hostile, null, false, t.ask, t.say);
    expect(t.said.join('')).toContain('because svc: down TRATS x\n');
    expect(t.said.join('')).not.toMatch(/[\u001b\u202e\u2066\u2069\u200f]/);
  });

  it('Enter accepts the proposal, after showing the fact behind it', async () => {
    const t = terminal(['']);
    expect(await chooseSeverity(proposal, null, false, t.ask, t.say)).toBe(2);
    expect(t.said.join('')).toContain(
      'Proposed severity 2: Severity 2: payment success rate below 90%\n  because Fivestar/Payments PaymentSuccessRate: latest 88%',
    );
  });
  it('a typed level overrides; a bad answer is explained and asked again', async () => {
    const t = terminal(['high', '1']);
    expect(await chooseSeverity(proposal, null, false, t.ask, t.say)).toBe(1);
    expect(t.said.join('')).toContain("invalid severity 'high': use 1, 2, 3 or 4");
  });
  it('--severity N and --yes never ask', async () => {
    const t = terminal([]);
    const never = async () => {
      throw new Error('asked');
    };
    expect(await chooseSeverity(proposal, 4, false, never, t.say)).toBe(4);
    expect(await chooseSeverity(proposal, null, true, never, t.say)).toBe(2);
  });
});
