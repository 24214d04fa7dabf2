import { oneLine } from '../../base/model/text.js';

/**
 * The three notices of ops guide §11.3.1, filled. Pure: values in, text out. Every value is made one
 * safe line here, whoever calls: a newline in a title can never add a `Subject:` line to a notice.
 */

export interface Notice {
  kind: 'INCIDENT' | 'UPDATE' | 'RESOLVED';
  subject: string;
  body: string;
}

export interface InitialValues {
  severity: string;
  description: string;
  startTime: string;
  affectedServices: string;
  status: string;
  eta: string;
  commander: string;
}

/** Every string value as one safe line (src/base/model/text.ts). */
function fields<T extends object>(values: T): T {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? oneLine(v) : v]),
  ) as T;
}

export function initialNotice(values: InitialValues): Notice {
  const v = fields(values);
  return {
    kind: 'INCIDENT',
    subject: `[INCIDENT] Fivestar Payments - ${v.severity} - ${v.description}`,
    body: [
      'Incident Details:',
      `- Severity: ${v.severity}`,
      `- Start Time: ${v.startTime}`,
      `- Affected Services: ${v.affectedServices}`,
      `- Current Status: ${v.status}`,
      `- Estimated Resolution: ${v.eta}`,
      `- Incident Commander: ${v.commander}`,
      '',
      'We are actively investigating and will provide updates every 30 minutes.',
    ].join('\n'),
  };
}

export interface UpdateValues {
  incidentId: string;
  updateNumber: number;
  timestamp: string;
  currentStatus: string;
  actionsTaken: string;
  nextSteps: string;
  eta: string;
}

export function updateNotice(values: UpdateValues): Notice {
  const v = fields(values);
  return {
    kind: 'UPDATE',
    subject: `[UPDATE] Fivestar Payments Incident - ${v.incidentId}`,
    body: [
      `Update #${v.updateNumber} - ${v.timestamp}`,
      '',
      `Current Status: ${v.currentStatus}`,
      `Actions Taken: ${v.actionsTaken}`,
      `Next Steps: ${v.nextSteps}`,
      `ETA: ${v.eta}`,
    ].join('\n'),
  };
}

export interface ResolutionValues {
  incidentId: string;
  resolutionTime: string;
  rootCause: string;
  resolution: string;
  duration: string;
}

export function resolutionNotice(values: ResolutionValues): Notice {
  const v = fields(values);
  return {
    kind: 'RESOLVED',
    subject: `[RESOLVED] Fivestar Payments Incident - ${v.incidentId}`,
    body: [
      `The incident has been resolved at ${v.resolutionTime}.`,
      '',
      `Root Cause: ${v.rootCause}`,
      `Resolution: ${v.resolution}`,
      `Duration: ${v.duration}`,
      '',
      'A detailed post-mortem will be conducted and shared within 48 hours.',
    ].join('\n'),
  };
}

/** "1h 25m", "7m", "2d 3h": a duration for people (the notices and the post-mortem). */
export function humanDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts = [days && `${days}d`, hours && `${hours}h`, (rest || (!days && !hours)) && `${rest}m`];
  return parts.filter(Boolean).join(' ');
}

/** Notice text as one block: subject line, blank line, body. */
export function noticeText(notice: Notice): string {
  return `Subject: ${notice.subject}\n\n${notice.body}\n`;
}
