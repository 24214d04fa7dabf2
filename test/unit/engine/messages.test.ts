import { describe, expect, it } from 'vitest';
import { describeAwsError } from '../../../src/base/aws/errors.js';
import { parseConfigText } from '../../../src/base/config/load.js';
import { parseDuration } from '../../../src/base/model/duration.js';
import { UnreachableError } from '../../../src/base/model/errors.js';
import { parseRunbook } from '../../../src/engine/runbook.js';
import { errorFinding } from '../../../src/engine/runner.js';

const message = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
};

describe('messages say what happened, in the words of the user', () => {
  it('a check that threw one of fsops own errors: no internal class name', () => {
    const check = {
      id: 'x',
      title: 'x',
      severity: 'high',
      source: 's',
      remediation: 'r',
      run: async () => [],
    };
    const finding = errorFinding(check as never, new UnreachableError('this run has no database connection'));
    expect(finding.observed).toBe('could not check: this run has no database connection');
  });

  it('a connection reset (the SDK calls it TimeoutError) is a reset, not a timeout', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { name: 'TimeoutError', code: 'ECONNRESET' });
    expect(describeAwsError(reset)).toMatch(
      /^the connection to the AWS endpoint was reset \(read ECONNRESET\)/,
    );
    const slow = Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' });
    expect(describeAwsError(slow)).toMatch(/^timed out waiting for AWS/);
  });

  it('--since 0m has a unit: it is too short, not unitless', () => {
    expect(message(() => parseDuration('0m', '--since'))).toBe(
      "invalid --since '0m': it must be longer than zero, e.g. 90s, 15m, 1h, 2d",
    );
    expect(message(() => parseDuration('15', '--since'))).toMatch(/use a number with a unit/);
  });

  it('config problems in plain words, not zod texts', () => {
    const text = message(() =>
      parseConfigText(
        'incident:\n  levels: []\nrunner:\n  concurrency: "x"\nmaintenance:\n  window: 5\n',
        'f.yaml',
      ),
    );
    expect(text).toContain('  - incident.levels: needs at least 1 item');
    expect(text).toContain('  - runner.concurrency: expected a number, not a string');
    expect(text).toContain('  - maintenance.window: expected a mapping, not a number');
    expect(text).not.toMatch(/Too small|Invalid input|>=/);
  });

  it('a YAML error is placed inside the file, never past its end', () => {
    expect(message(() => parseConfigText('environments:\n  prod:\n    healthUrls: [\n', 'f.yaml'))).toBe(
      'f.yaml at the end of the file (after line 3): not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ])',
    );
    expect(message(() => parseConfigText('a: 1\n b: 2\n', 'f.yaml'))).toMatch(
      /^f\.yaml line 1: not valid YAML \(Nested mappings/,
    );
    expect(message(() => parseRunbook('name: x\nsteps: [\n', 'x.yaml'))).toMatch(
      /^runbook x\.yaml at the end of the file \(after line 2\): not valid YAML/,
    );
  });
});
