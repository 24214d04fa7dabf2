import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/base/model/duration.js';
import { UsageError } from '../../../src/base/model/errors.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['250ms', 250],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '15', 'm', '1x', '-5m', '0m', '15 minutes'])(
    'rejects %j with a usage error naming the flag',
    (text) => {
      expect(() => parseDuration(text, '--since')).toThrow(UsageError);
      expect(() => parseDuration(text, '--since')).toThrow(/invalid --since .*e\.g\. 90s, 15m/);
    },
  );
});

describe('formatDuration', () => {
  it('picks a readable unit', () => {
    expect(formatDuration(450)).toBe('450ms');
    expect(formatDuration(15 * 60_000)).toBe('15m');
    expect(formatDuration(3 * 3_600_000)).toBe('3h');
    expect(formatDuration(3 * 86_400_000)).toBe('3d');
  });
});
