import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/base/config/load.js';

function problems(text: string): string[] {
  try {
    parseConfigText(text, 'fsops.config.yaml');
  } catch (error) {
    return (error as Error).message.split('\n').slice(1);
  }
  throw new Error('expected the config to be invalid');
}

describe('config validate: every problem with its dotted path and what is valid', () => {
  it('a misspelt setting of a new section names the one it resembles', () => {
    expect(
      problems(
        'incident:\n  updateIntervalMinute: 30\nbackup:\n  verify:\n    allowprod: true\nenvironments:\n  prod:\n    Limits: { maxDesiredCount: 5 }\n',
      ),
    ).toEqual([
      '  - environments.prod: unknown setting Limits (did you mean limits?)',
      '  - incident: unknown setting updateIntervalMinute (did you mean updateIntervalMinutes?)',
      '  - backup.verify: unknown setting allowprod (did you mean allowProd?)',
    ]);
  });

  it('a setting that resembles nothing lists the valid ones at that path', () => {
    expect(problems('security:\n  rotation: 30\n')).toEqual([
      '  - security: unknown setting rotation (valid: secretMaxAgeDays, extraSecrets, crossAccountRoles, failedLogin, findingsWindow, publicPorts)',
    ]);
    expect(problems('environments:\n  prod:\n    limits: { max: 5 }\n')).toEqual([
      '  - environments.prod.limits.maxDesiredCount: missing (a number is required)',
      '  - environments.prod.limits: unknown setting max (valid: maxDesiredCount)',
    ]);
  });

  it('a missing required setting says so instead of "received undefined"', () => {
    const lines = problems('environments:\n  qa:\n    ecs: { desiredCount: 1, cpu: 256, memory: 512 }\n');
    expect(lines).toContain('  - environments.qa.rds: missing (a mapping is required)');
    expect(lines.join('\n')).not.toContain('undefined');
  });
});
