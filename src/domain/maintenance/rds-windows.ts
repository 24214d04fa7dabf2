import type { CheckResult } from '../../base/model/check.js';
import { type WindowRule, windowInMonth } from './window.js';

const WEEK = 7 * 1440;
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** A weekly interval in minutes since Sunday 00:00 UTC; `end` may pass the end of the week. */
export interface WeeklyInterval {
  start: number;
  end: number;
}

const clockMinutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/** RDS PreferredMaintenanceWindow, `ddd:hh24:mi-ddd:hh24:mi` in UTC. */
export function parseRdsMaintenanceWindow(text: string): WeeklyInterval | null {
  const match = /^(\w{3}):(\d\d:\d\d)-(\w{3}):(\d\d:\d\d)$/.exec(text.trim().toLowerCase());
  if (!match) return null;
  const startDay = DAYS.indexOf(match[1]!);
  const endDay = DAYS.indexOf(match[3]!);
  if (startDay < 0 || endDay < 0) return null;
  const start = startDay * 1440 + clockMinutes(match[2]!);
  let end = endDay * 1440 + clockMinutes(match[4]!);
  if (end <= start) end += WEEK;
  return { start, end };
}

/** RDS PreferredBackupWindow, daily `hh24:mi-hh24:mi` in UTC, as minutes of the day. */
export function parseRdsBackupWindow(text: string): { start: number; end: number } | null {
  const match = /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(text.trim());
  if (!match) return null;
  const start = clockMinutes(match[1]!);
  let end = clockMinutes(match[2]!);
  if (end <= start) end += 1440;
  return { start, end };
}

export function formatWeekly(interval: WeeklyInterval): string {
  const at = (minutes: number) => {
    const m = ((minutes % WEEK) + WEEK) % WEEK;
    const hh = String(Math.floor((m % 1440) / 60)).padStart(2, '0');
    const mm = String(m % 60).padStart(2, '0');
    return `${DAYS[Math.floor(m / 1440)]}:${hh}:${mm}`;
  };
  return `${at(interval.start)}-${at(interval.end)}`;
}

/** The ops window's weekly slot in UTC (its weekday and time; the rule picks one week of the month). */
export function opsWindowSlot(rule: WindowRule, year = 2026, month = 2): WeeklyInterval {
  // A regular month, so the slot has the regular duration; any month gives the same weekday and time in IST.
  const regularMonth = rule.database.months.includes(month) ? (month % 12) + 1 : month;
  const window = windowInMonth(year, regularMonth, rule);
  const start =
    window.start.getUTCDay() * 1440 + window.start.getUTCHours() * 60 + window.start.getUTCMinutes();
  return { start, end: start + rule.window.durationMinutes };
}

function within(inner: WeeklyInterval, outer: WeeklyInterval): boolean {
  for (const shift of [-WEEK, 0, WEEK]) {
    if (inner.start + shift >= outer.start && inner.end + shift <= outer.end) return true;
  }
  return false;
}

/**
 * Deployment guide §6.1.1 sets PreferredBackupWindow 03:00-04:00 and PreferredMaintenanceWindow
 * sun:04:00-sun:05:00 (UTC): the backup ends the minute RDS maintenance may begin, and RDS maintenance
 * (09:30 IST) falls outside the ops guide's window (§12.1.1, 02:00-05:00 IST).
 */
export function evaluateRdsWindows(
  instance: string,
  preferredMaintenance: string | undefined,
  preferredBackup: string | undefined,
  rule: WindowRule,
): CheckResult[] {
  const maintenance = preferredMaintenance ? parseRdsMaintenanceWindow(preferredMaintenance) : null;
  const backup = preferredBackup ? parseRdsBackupWindow(preferredBackup) : null;
  const slot = opsWindowSlot(rule);
  const results: CheckResult[] = [];
  if (!maintenance) {
    results.push({
      id: 'maintenance.rds-window.aligned',
      title: 'RDS maintenance window lies inside the ops maintenance window',
      status: 'warn',
      resource: instance,
      expected: `inside ${formatWeekly(slot)} UTC`,
      observed: `PreferredMaintenanceWindow ${preferredMaintenance ?? 'not reported'}`,
      remediation: `Set it inside the ops window: aws rds modify-db-instance --db-instance-identifier ${instance} --preferred-maintenance-window ${formatWeekly({ start: slot.start, end: slot.start + 60 })}`,
    });
  } else {
    const inside = within(maintenance, slot);
    results.push({
      id: 'maintenance.rds-window.aligned',
      title: 'RDS maintenance window lies inside the ops maintenance window',
      status: inside ? 'pass' : 'warn',
      resource: instance,
      expected: `inside ${formatWeekly(slot)} UTC (${rule.window.start} ${rule.window.timeZone}, ${rule.window.durationMinutes} min)`,
      observed: `${preferredMaintenance} UTC`,
      remediation: `RDS may apply pending maintenance outside the agreed window: aws rds modify-db-instance --db-instance-identifier ${instance} --preferred-maintenance-window ${formatWeekly({ start: slot.start, end: slot.start + 60 })}`,
    });
  }
  if (maintenance && backup) {
    const maintStart = maintenance.start % 1440;
    const maintEnd = maintenance.end % 1440;
    const touching = backup.end % 1440 === maintStart || maintEnd === backup.start % 1440;
    const overlapping = [-1440, 0, 1440].some(
      (shift) =>
        backup.start + shift < maintStart + (maintenance.end - maintenance.start) &&
        maintStart < backup.end + shift,
    );
    results.push({
      id: 'maintenance.rds-window.backup-gap',
      title: 'RDS backup window leaves a gap before and after the maintenance window',
      status: overlapping || touching ? 'warn' : 'pass',
      resource: instance,
      expected: 'at least a minute between PreferredBackupWindow and PreferredMaintenanceWindow',
      observed: `backup ${preferredBackup} UTC, maintenance ${preferredMaintenance} UTC${overlapping ? ' (overlap)' : touching ? ' (they touch)' : ''}`,
      remediation:
        'A backup that runs long collides with maintenance (deployment guide §6.1.1 sets 03:00-04:00 and sun:04:00): move the backup window, e.g. --preferred-backup-window 02:00-03:00.',
    });
  }
  return results;
}
