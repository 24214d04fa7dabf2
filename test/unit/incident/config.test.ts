import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/base/config/load.js';

describe('incident config (zod-validated)', () => {
  it("defaults to the guide's structure: four levels, four severities, no phone numbers invented", () => {
    const { incident } = parseConfigText('{}');
    expect(incident.directory).toBe('~/.local/state/fsops/incidents');
    expect(incident.levels.map((l) => l.id)).toEqual(['email', 'slack', 'pagerduty', 'executive']);
    expect(incident.severities[2].minutes).toEqual({ email: 0, slack: 5, pagerduty: 15 });
    expect(incident.contacts.every((c) => c.phone === null || !/\d{4}/.test(c.phone))).toBe(true);
  });

  it('reports every problem with its path: an unknown level, a literal URL instead of a variable name', () => {
    const text = [
      'incident:',
      '  severities:',
      '    2:',
      '      minutes: { email: 0, sms: 3 }',
      '  notify:',
      '    slack:',
      '      url: { env: "https://hooks.slack.com/services/T0/B0/x", secretId: null, secretKey: null }',
    ].join('\n');
    expect(() => parseConfigText(text, 'cfg')).toThrow(
      /incident\.severities\.2\.minutes\.sms: unknown escalation level 'sms'/,
    );
    expect(() => parseConfigText(text, 'cfg')).toThrow(
      /incident\.notify\.slack\.url\.env: an environment variable name/,
    );
  });
});
