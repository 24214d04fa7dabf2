import { z } from 'zod';
import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { componentsOf, componentsParam, defineCheck } from '../../../base/model/check.js';
import { formatDuration, parseDuration } from '../../../base/model/duration.js';
import { hideUrlCredentials, oneLine } from '../../../base/model/text.js';
import { collectErrorGroups, type ErrorGroups } from '../../../domain/logs/fetch.js';
import { judgeEach } from '../partial.js';

/**
 * The shortest window "before the deploy" that a new signature is compared with: an error the old
 * revision logs every few minutes is not new because the deploy took one minute.
 */
export const MIN_BASELINE_MS = 15 * 60_000;
/** New signatures shown as results of their own (the rest are counted in the last one). */
const SHOWN = 5;
const POLL_MS = 1000;

export interface SignatureWindows {
  /** Since the deploy began (the gate's window). */
  after: { start: number; end: number };
  /** An equal window before the deploy began (at least MIN_BASELINE_MS). */
  before: { start: number; end: number };
}

/** The windows compared: since the deploy began, and an equal one (at least 15 minutes) before it. */
export function signatureWindows(since: Date, now: Date): SignatureWindows {
  const length = Math.max(now.getTime() - since.getTime(), 0);
  return {
    after: { start: since.getTime(), end: now.getTime() },
    before: { start: since.getTime() - Math.max(length, MIN_BASELINE_MS), end: since.getTime() },
  };
}

/**
 * Error signatures seen since the deploy began that were not seen in the window before it (pure): a
 * new one fails, with its sample line as one safe line. A window that could not be read whole is not
 * a pass: the comparison could call an old error new, or miss a new one.
 */
export function evaluateNewSignatures(
  logGroup: string,
  before: ErrorGroups,
  after: ErrorGroups,
  windows: SignatureWindows,
): CheckResult[] {
  const afterText = formatDuration(windows.after.end - windows.after.start);
  const beforeText = formatDuration(windows.before.end - windows.before.start);
  const expected = `no error signature since the deploy began (${afterText}) that the ${beforeText} before it did not have`;
  if (after.missing) {
    return [
      { status: 'skip', resource: logGroup, expected, observed: 'log group not found (see logs.groups)' },
    ];
  }
  const known = new Set(before.groups.map((g) => g.signature));
  const fresh = after.groups.filter((g) => !known.has(g.signature));
  const partial = [
    ...(before.truncated ? [`only the first ${before.total} events before the deploy were grouped`] : []),
    ...(after.truncated ? [`only the first ${after.total} events since the deploy were grouped`] : []),
  ];
  if (fresh.length === 0) {
    return [
      {
        status: partial.length ? 'warn' : 'pass',
        resource: logGroup,
        expected,
        observed: `${after.total} error event(s) in ${after.groups.length} signature(s) since the deploy began, none new (${before.groups.length} signature(s) in the ${beforeText} before)${partial.length ? `; cannot judge fully: ${partial.join('; ')}` : ''}`,
      },
    ];
  }
  const results: CheckResult[] = fresh.slice(0, SHOWN).map((g) => ({
    status: 'fail',
    resource: logGroup,
    expected,
    observed: `new since the deploy began: ${oneLine(g.signature, 200)} (${g.count}×)`,
    detail: `sample: ${oneLine(hideUrlCredentials(g.example), 400)}`,
  }));
  if (fresh.length > SHOWN) {
    results.push({
      status: 'fail',
      resource: logGroup,
      expected,
      observed: `${fresh.length - SHOWN} more new signature(s) not shown`,
    });
  }
  return results;
}

/**
 * The release gate's "no new error signature in its log group since the deploy began" (issue 20): the
 * errors since `ctx.since` grouped by signature (src/domain/logs/signature.ts), compared with an equal
 * window before it.
 */
export const newErrorSignaturesCheck = defineCheck({
  id: 'deploy.new-errors',
  title: 'No new error signature since the deploy began',
  severity: 'high',
  source: 'ops guide §12.2.1 "Post-deployment validation"; runbook 002 "Rolling Updates" (verify health)',
  remediation:
    'A release that logs an error the old one did not: read the sample; `fsops logs errors <component>` groups them.',
  params: z.object({ ...componentsParam, pattern: z.string().min(1).optional() }).strict(),
  async run(ctx, params) {
    const pattern = params.pattern ?? ctx.env.config.logs.errorPattern;
    const windows = signatureWindows(ctx.since, ctx.now);
    return judgeEach(
      componentsOf(ctx, params),
      'deploy.new-errors',
      (component) => ({ resource: ctx.env.nameOf('logGroup', component), what: 'the log group' }),
      async (component) => {
        const logGroup = ctx.env.nameOf('logGroup', component);
        // Both windows at once: the comparison needs both, neither waits for the other.
        const [before, after] = await Promise.all([
          errorGroups(ctx, logGroup, pattern, windows.before),
          errorGroups(ctx, logGroup, pattern, windows.after),
        ]);
        return evaluateNewSignatures(logGroup, before, after, windows).map((r) => ({
          ...r,
          remediation:
            r.status === 'fail'
              ? `The release logs an error the old revision did not: read the sample; \`fsops logs errors ${component} --env ${ctx.env.name}\` groups them.`
              : '',
        }));
      },
    );
  },
});

function errorGroups(
  ctx: CheckContext,
  logGroupName: string,
  pattern: string,
  window: { start: number; end: number },
): Promise<ErrorGroups> {
  return ctx.once(
    `logs.error-groups.${logGroupName}.${pattern}.${window.start}-${window.end}`,
    async (signal) => {
      const settings = ctx.env.config.troubleshoot;
      return collectErrorGroups(await ctx.aws.logs(), {
        logGroupName,
        pattern,
        startTime: window.start,
        endTime: window.end,
        insightsAboveMs: parseDuration(settings.insightsAbove, 'troubleshoot.insightsAbove'),
        eventCap: settings.eventCap,
        queryTimeoutMs: settings.queryTimeoutMs,
        pollMs: POLL_MS,
        signal,
      });
    },
  );
}
