import type { MaintenanceConfig } from '../../base/config/schema.js';

/** ops guide §12.1.1: the regular window, and the quarter months whose window is the database one. */
export type WindowRule = Pick<MaintenanceConfig, 'window' | 'database'>;

export interface MaintenanceWindow {
  kind: 'regular' | 'database';
  start: Date;
  end: Date;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const MINUTE = 60_000;

interface WallClock {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** The wall-clock reading of `instant` in `timeZone`. */
export function wallClockIn(instant: Date, timeZone: string): WallClock & { second: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

function offsetMs(instant: Date, timeZone: string): number {
  const w = wallClockIn(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant at which the clocks of `timeZone` show `clock`. A time skipped by a DST change resolves
 * to the instant after the gap; a repeated time to its first occurrence.
 */
export function zonedTimeToUtc(clock: WallClock, timeZone: string): Date {
  const naive = Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute);
  const DAY = 86_400_000;
  // A time zone changes its offset at most once around any instant: try the offsets a day either side.
  const offsetBefore = offsetMs(new Date(naive - DAY), timeZone);
  const offsetAfter = offsetMs(new Date(naive + DAY), timeZone);
  const matches = [naive - offsetBefore, naive - offsetAfter].filter((candidate) => {
    const w = wallClockIn(new Date(candidate), timeZone);
    return (
      w.year === clock.year &&
      w.month === clock.month &&
      w.day === clock.day &&
      w.hour === clock.hour &&
      w.minute === clock.minute
    );
  });
  // In a spring-forward gap no instant matches: shift forward by the gap (as Temporal's "compatible" does).
  return new Date(matches.length ? Math.min(...matches) : naive - offsetBefore);
}

/** Day of the month of the n-th given weekday (n = 1..4 always exists). */
export function nthWeekdayOfMonth(year: number, month: number, weekday: number, n: number): number {
  const firstWeekday = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  return 1 + ((weekday - firstWeekday + 7) % 7) + 7 * (n - 1);
}

export function windowInMonth(year: number, month: number, rule: WindowRule): MaintenanceWindow {
  const { weekday, weekOfMonth, start, durationMinutes, timeZone } = rule.window;
  const day = nthWeekdayOfMonth(year, month, WEEKDAYS.indexOf(weekday), weekOfMonth);
  const [hour, minute] = start.split(':').map(Number) as [number, number];
  const begins = zonedTimeToUtc({ year, month, day, hour, minute }, timeZone);
  const database = rule.database.months.includes(month);
  const minutes = database ? Math.max(durationMinutes, rule.database.durationMinutes) : durationMinutes;
  return {
    kind: database ? 'database' : 'regular',
    start: begins,
    end: new Date(begins.getTime() + minutes * MINUTE),
  };
}

/** The window open at `now` (if any) followed by the next ones, `count` in all. */
export function upcomingWindows(now: Date, rule: WindowRule, count: number): MaintenanceWindow[] {
  const here = wallClockIn(now, rule.window.timeZone);
  const windows: MaintenanceWindow[] = [];
  // Start a month back: a window that began last month in the rule's zone could still be open.
  let year = here.month === 1 ? here.year - 1 : here.year;
  let month = here.month === 1 ? 12 : here.month - 1;
  while (windows.length < count) {
    const window = windowInMonth(year, month, rule);
    if (window.end.getTime() > now.getTime()) windows.push(window);
    month += 1;
    if (month === 13) {
      month = 1;
      year += 1;
    }
  }
  return windows;
}

export function isOpen(window: MaintenanceWindow, now: Date): boolean {
  return window.start.getTime() <= now.getTime() && now.getTime() < window.end.getTime();
}

export function openWindow(now: Date, rule: WindowRule): MaintenanceWindow | null {
  const [next] = upcomingWindows(now, rule, 1);
  return next && isOpen(next, now) ? next : null;
}

/** The next window of a kind (`database` only matches database windows; `any` matches both). */
export function nextWindow(now: Date, rule: WindowRule, kind: 'any' | 'database' = 'any'): MaintenanceWindow {
  const candidates = upcomingWindows(now, rule, kind === 'any' ? 1 : 13);
  const found = candidates.find((w) => kind === 'any' || w.kind === kind);
  if (!found) throw new Error('no database window within a year: maintenance.database.months is empty');
  return found;
}

/** "IST", "EDT", "BST" where the locale data knows an abbreviation, else "GMT+5:30". */
export function zoneAbbreviation(instant: Date, timeZone: string): string {
  const names = ['en-US', 'en-GB', 'en-IN'].map(
    (locale) =>
      new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' })
        .formatToParts(instant)
        .find((p) => p.type === 'timeZoneName')?.value ?? timeZone,
  );
  return names.find((name) => !/^(GMT|UTC)[+-]/.test(name)) ?? names[0]!;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `Sun 2026-12-13 02:00 IST` */
export function formatInZone(instant: Date, timeZone: string): string {
  const w = wallClockIn(instant, timeZone);
  const weekday = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' }).format(instant);
  return `${weekday} ${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)} ${zoneAbbreviation(instant, timeZone)}`;
}

/** `3d 4h`, `2h 15m`, `12m` */
export function formatSpan(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / MINUTE));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${mins}m`;
  return `${mins}m`;
}

/** The user's zone: TZ when set, else the system's. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** One line on where `now` stands: "open until ..." or "closed; next opens ... (in 3d 4h)". */
export function describeWindowState(now: Date, rule: WindowRule): { open: boolean; text: string } {
  const zone = rule.window.timeZone;
  const open = openWindow(now, rule);
  if (open) {
    return {
      open: true,
      text: `open (${open.kind}) until ${formatInZone(open.end, zone)} (${formatSpan(open.end.getTime() - now.getTime())} left)`,
    };
  }
  const next = nextWindow(now, rule);
  return {
    open: false,
    text: `closed; the next ${next.kind} window opens ${formatInZone(next.start, zone)} (in ${formatSpan(next.start.getTime() - now.getTime())})`,
  };
}
