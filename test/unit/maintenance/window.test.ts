import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/base/config/defaults.js';
import {
  describeWindowState,
  formatInZone,
  nextWindow,
  nthWeekdayOfMonth,
  openWindow,
  upcomingWindows,
  type WindowRule,
  zonedTimeToUtc,
} from '../../../src/domain/maintenance/window.js';

const rule: WindowRule = DEFAULT_CONFIG.maintenance;
const iso = (d: Date) => d.toISOString();

describe('nthWeekdayOfMonth', () => {
  it('finds the 2nd Sunday on the 8th when the month starts on a Sunday (Feb 2026)', () => {
    expect(nthWeekdayOfMonth(2026, 2, 0, 2)).toBe(8);
  });
  it('finds the 2nd Sunday on the 14th when the month starts on a Monday (Feb 2027)', () => {
    expect(nthWeekdayOfMonth(2027, 2, 0, 2)).toBe(14);
  });
  it('handles a leap-year February (Feb 2028 starts on a Tuesday)', () => {
    expect(nthWeekdayOfMonth(2028, 2, 0, 2)).toBe(13);
  });
});

describe('zonedTimeToUtc', () => {
  it('converts IST (UTC+5:30, no DST) wall-clock time', () => {
    expect(iso(zonedTimeToUtc({ year: 2026, month: 12, day: 13, hour: 2, minute: 0 }, 'Asia/Kolkata'))).toBe(
      '2026-12-12T20:30:00.000Z',
    );
  });
  it('resolves a time skipped by the spring-forward gap to the instant after it', () => {
    // 02:30 does not exist in New York on 2026-03-08; 03:00 EDT is 07:00Z
    expect(
      iso(zonedTimeToUtc({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, 'America/New_York')),
    ).toBe('2026-03-08T07:30:00.000Z');
  });
  it('resolves a repeated fall-back time to its first occurrence (EDT)', () => {
    expect(
      iso(zonedTimeToUtc({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, 'America/New_York')),
    ).toBe('2026-11-01T05:30:00.000Z');
  });
});

describe('upcomingWindows (2nd Sunday 02:00-05:00 IST, database in Jan/Apr/Jul/Oct)', () => {
  it('lists the next windows across a year boundary with the database quarter months', () => {
    const windows = upcomingWindows(new Date('2026-11-21T10:00:00Z'), rule, 4);
    expect(windows.map((w) => [iso(w.start), iso(w.end), w.kind])).toEqual([
      ['2026-12-12T20:30:00.000Z', '2026-12-12T23:30:00.000Z', 'regular'],
      ['2027-01-09T20:30:00.000Z', '2027-01-09T23:30:00.000Z', 'database'],
      ['2027-02-13T20:30:00.000Z', '2027-02-13T23:30:00.000Z', 'regular'],
      ['2027-03-13T20:30:00.000Z', '2027-03-13T23:30:00.000Z', 'regular'],
    ]);
  });

  it('includes the window that is open now, and says so', () => {
    // Sunday 2026-02-08 03:00 IST = Saturday 21:30Z
    const now = new Date('2026-02-07T21:30:00Z');
    const open = openWindow(now, rule);
    expect(open && iso(open.start)).toBe('2026-02-07T20:30:00.000Z');
    expect(describeWindowState(now, rule)).toEqual({
      open: true,
      text: 'open (regular) until Sun 2026-02-08 05:00 IST (2h 0m left)',
    });
  });

  it('treats the end of the window as closed and moves on to the next month', () => {
    const end = new Date('2026-02-07T23:30:00Z');
    expect(openWindow(end, rule)).toBeNull();
    expect(iso(upcomingWindows(end, rule, 1)[0]!.start)).toBe('2026-03-07T20:30:00.000Z');
  });

  it('keeps the database window inside the regular 02:00-05:00 (ops guide §12.1.1), or as long as configured', () => {
    expect(openWindow(new Date('2026-04-11T23:15:00Z'), rule)?.kind).toBe('database'); // 04:45 IST
    expect(openWindow(new Date('2026-04-11T23:31:00Z'), rule)).toBeNull(); // 05:01 IST
    const fourHours: WindowRule = { ...rule, database: { ...rule.database, durationMinutes: 240 } };
    expect(openWindow(new Date('2026-04-12T00:15:00Z'), fourHours)?.kind).toBe('database'); // 05:45 IST
    expect(openWindow(new Date('2026-04-12T00:31:00Z'), fourHours)).toBeNull();
  });

  it('finds the window on the evening before in UTC (the 2nd Sunday in IST starts on Saturday UTC)', () => {
    const w = upcomingWindows(new Date('2026-12-31T23:00:00Z'), rule, 1)[0]!;
    expect(iso(w.start)).toBe('2027-01-09T20:30:00.000Z');
  });

  it('finds the next database window from any month', () => {
    expect(iso(nextWindow(new Date('2026-11-21T10:00:00Z'), rule, 'database').start)).toBe(
      '2027-01-09T20:30:00.000Z',
    );
    expect(iso(nextWindow(new Date('2026-05-01T00:00:00Z'), rule, 'database').start)).toBe(
      '2026-07-11T20:30:00.000Z',
    );
  });

  it('computes windows in a DST-observing rule zone on both sides of the change', () => {
    const london: WindowRule = { ...rule, window: { ...rule.window, timeZone: 'Europe/London' } };
    const [march, april] = upcomingWindows(new Date('2026-03-01T00:00:00Z'), london, 2);
    expect(iso(march!.start)).toBe('2026-03-08T02:00:00.000Z'); // GMT
    expect(iso(april!.start)).toBe('2026-04-12T01:00:00.000Z'); // BST
  });

  it('honours a different rule (1st Saturday, 22:00, 2 hours)', () => {
    const custom: WindowRule = {
      window: { weekday: 'saturday', weekOfMonth: 1, start: '22:00', durationMinutes: 120, timeZone: 'UTC' },
      database: { months: [6], durationMinutes: 240 },
    };
    const [first, second] = upcomingWindows(new Date('2026-05-10T00:00:00Z'), custom, 2);
    expect([iso(first!.start), iso(first!.end), first!.kind]).toEqual([
      '2026-06-06T22:00:00.000Z',
      '2026-06-07T02:00:00.000Z',
      'database',
    ]);
    expect(iso(second!.start)).toBe('2026-07-04T22:00:00.000Z');
  });
});

describe('formatInZone', () => {
  const start = new Date('2026-12-12T20:30:00Z');
  it('shows IST and local zones, with their DST abbreviations', () => {
    expect(formatInZone(start, 'Asia/Kolkata')).toBe('Sun 2026-12-13 02:00 IST');
    expect(formatInZone(start, 'America/New_York')).toBe('Sat 2026-12-12 15:30 EST');
    expect(formatInZone(new Date('2026-07-11T20:30:00Z'), 'America/New_York')).toBe(
      'Sat 2026-07-11 16:30 EDT',
    );
    expect(formatInZone(new Date('2026-07-11T20:30:00Z'), 'Europe/London')).toBe('Sat 2026-07-11 21:30 BST');
    expect(formatInZone(start, 'Europe/London')).toBe('Sat 2026-12-12 20:30 GMT');
  });
});
