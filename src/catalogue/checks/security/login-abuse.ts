import { DEFAULT_CONFIG } from '../../../base/config/defaults.js';
import type { CheckResult } from '../../../base/model/check.js';
import { parseDuration } from '../../../base/model/duration.js';
import { oneLine } from '../../../base/model/text.js';
import { filterEvents } from '../../../domain/logs/fetch.js';
import type { LogEvent } from '../../../domain/logs/signature.js';
import { call, guarded } from './common.js';

const MINUTE = 60_000;

/** The client address of a failed-login line: the JSON field, or the first IPv4 address in the text. */
export function sourceOf(message: string, field: string): string {
  const text = message.trim();
  if (text.startsWith('{')) {
    try {
      const value = (JSON.parse(text) as Record<string, unknown>)[field];
      if (typeof value === 'string' || typeof value === 'number') return oneLine(String(value), 60);
    } catch {
      // not JSON after all
    }
  }
  const ip = /\b(\d{1,3}(?:\.\d{1,3}){3})\b/.exec(text);
  return ip ? ip[1]! : 'unknown';
}

export interface LoginAbuseInput {
  logGroup: string;
  events: LogEvent[];
  truncated: boolean;
  perMinute: number;
  sourceField: string;
  windowText: string;
  /** The CloudWatch Logs filter pattern the events were matched with (security.failedLogin.pattern). */
  pattern?: string;
}

/**
 * The default filter pattern is fsops's guess: the guides give the rule (ops guide §7.1.1) but not how
 * the application logs a failed login. A finding made with it says so, since "no failed logins" may
 * only mean that the pattern never matches.
 */
export const DEFAULT_FAILED_LOGIN_PATTERN = DEFAULT_CONFIG.security.failedLogin.pattern;

function patternNote(pattern: string | undefined): string {
  if (pattern === undefined) return '';
  return pattern === DEFAULT_FAILED_LOGIN_PATTERN
    ? `matched with fsops's default filter pattern ${oneLine(pattern, 200)}: a guess, as the guides do not say how the application logs a failed login; set security.failedLogin.pattern to its format (docs/security.md), or "no failed logins" may only mean the pattern never matches`
    : `matched with security.failedLogin.pattern ${oneLine(pattern, 200)}`;
}

/** Failed logins per minute against ops guide §7.1.1 (5 failures in 1 minute), with the busiest minute and top sources. */
export function evaluateLoginAbuse(input: LoginAbuseInput): CheckResult {
  const perMinute = new Map<number, number>();
  const perSource = new Map<string, number>();
  // The §7.1.1 rule's action is a temporary block of the source address: it counts per source.
  const perSourceMinute = new Map<string, { source: string; minute: number; count: number }>();
  for (const e of input.events) {
    const minute = Math.floor(e.timestamp / MINUTE) * MINUTE;
    perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
    const source = sourceOf(e.message, input.sourceField);
    perSource.set(source, (perSource.get(source) ?? 0) + 1);
    const key = `${minute} ${source}`;
    const entry = perSourceMinute.get(key) ?? { source, minute, count: 0 };
    entry.count += 1;
    perSourceMinute.set(key, entry);
  }
  let peak = 0;
  let peakAt = 0;
  for (const [minute, count] of perMinute) if (count > peak) [peak, peakAt] = [count, minute];
  const over = [...perMinute.values()].filter((c) => c >= input.perMinute).length;
  const worstSource = [...perSourceMinute.values()].sort((a, b) => b.count - a.count)[0];
  const top = [...perSource].sort((a, b) => b[1] - a[1]).slice(0, 5);
  const atLeast = input.truncated ? 'at least ' : '';
  const minuteText = (at: number) => `${new Date(at).toISOString().slice(0, 16)}Z`;
  // One source at the threshold fails (block it); the threshold reached only by several sources
  // together warns: a distributed attempt, or ordinary traffic on a busy service.
  const judged =
    worstSource && worstSource.count >= input.perMinute ? 'fail' : peak >= input.perMinute ? 'warn' : 'pass';
  // Events stopped at the cap cover part of the window: they can show abuse, never its absence.
  const status = input.truncated && judged === 'pass' ? 'error' : judged;
  return {
    id: 'security.login.failed-per-minute',
    title: 'Failed logins per minute',
    status,
    severity: 'high',
    resource: input.logGroup,
    expected: `fewer than ${input.perMinute} failed logins from one source in any minute of the last ${input.windowText} (ops guide §7.1.1); from all sources together, a warning`,
    observed: input.events.length
      ? `${atLeast}${input.events.length} failed logins; busiest minute ${minuteText(peakAt)} with ${peak}${over ? `; ${over} minute(s) at or over ${input.perMinute}` : ''}; most from one source in one minute: ${worstSource!.source} with ${worstSource!.count} at ${minuteText(worstSource!.minute)}`
      : 'no failed logins',
    detail: [
      status === 'error'
        ? `cannot judge: the failed logins stopped at security.failedLogin.eventCap (${input.events.length}) before the end of the last ${input.windowText}; the rest of the window was not counted`
        : '',
      top.length ? `top sources: ${top.map(([s, n]) => `${s} (${n})`).join(', ')}` : '',
      patternNote(input.pattern),
    ]
      .filter(Boolean)
      .join('\n'),
    remediation:
      'ops guide §7.1.1: block the top source addresses temporarily (WAF IP set or NACL), notify the security team, and look for a pattern (one IP, unusual location, outside business hours).',
  };
}

export const loginAbuseCheck = guarded({
  id: 'security.login-abuse',
  title: 'Failed-login monitoring',
  severity: 'high',
  source:
    'ops guide §3.1.1, §7.1.1; runbook 003 PCI DSS (daily: review access logs for unauthorized attempts; PCI DSS 10.4.1, 8.3.4)',
  remediation: 'Block the sources and notify the security team (ops guide §7.1.1).',
  async run(ctx) {
    const settings = ctx.env.config.security;
    const logGroup = ctx.env.nameOf('securityLogGroup');
    const windowMs = parseDuration(settings.failedLogin.window, 'security.failedLogin.window');
    const logs = await ctx.aws.logs();
    const result = await call('logs:FilterLogEvents', () =>
      filterEvents(logs, {
        logGroupName: logGroup,
        filterPattern: settings.failedLogin.pattern,
        startTime: ctx.now.getTime() - windowMs,
        endTime: ctx.now.getTime(),
        cap: settings.failedLogin.eventCap,
        signal: ctx.signal,
      }),
    );
    if (result.missing)
      return [
        {
          id: 'security.login.failed-per-minute',
          status: 'error',
          resource: logGroup,
          expected: 'the security log group of ops guide §3.1.1',
          observed: 'could not check: log group not found',
          remediation:
            'Create the log group and send authentication events to it, or set names.securityLogGroup.',
        },
      ];
    return [
      evaluateLoginAbuse({
        logGroup,
        events: result.events,
        truncated: result.truncated,
        perMinute: settings.failedLogin.perMinute,
        sourceField: settings.failedLogin.sourceField,
        windowText: settings.failedLogin.window,
        pattern: settings.failedLogin.pattern,
      }),
    ];
  },
});
