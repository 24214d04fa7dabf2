import { z } from 'zod';
import type { CheckContext, CheckResult } from '../../base/model/check.js';
import { componentsOf, componentsParam, defineCheck } from '../../base/model/check.js';
import { formatDuration } from '../../base/model/duration.js';
import type { Status } from '../../base/model/finding.js';
import { judgeEach } from './partial.js';

export interface ErrorSample {
  /** Events counted, stopping once the fail threshold is reached (`capped`). */
  count: number;
  capped: boolean;
  example?: string;
  missing?: boolean;
}

/** Counts matching events since `since`, paging only until the fail threshold is reached. */
export async function countLogEvents(
  ctx: CheckContext,
  logGroupName: string,
  pattern: string,
  cap: number,
): Promise<ErrorSample> {
  const { FilterLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const logs = await ctx.aws.logs();
  let count = 0;
  let example: string | undefined;
  let nextToken: string | undefined;
  try {
    do {
      const out = await logs.send(
        new FilterLogEventsCommand({
          logGroupName,
          filterPattern: pattern,
          startTime: ctx.since.getTime(),
          endTime: ctx.now.getTime(),
          nextToken,
          limit: Math.min(10_000, Math.max(cap - count, 1)),
        }),
        { abortSignal: ctx.signal },
      );
      count += out.events?.length ?? 0;
      example ??= out.events?.[0]?.message?.trim();
      nextToken = out.nextToken;
    } while (nextToken && count < cap);
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException')
      return { count: 0, capped: false, missing: true };
    throw error;
  }
  return { count, capped: count >= cap && nextToken !== undefined, example };
}

export function evaluateErrors(
  logGroup: string,
  sample: ErrorSample,
  window: string,
  thresholds: { warn: number; fail: number },
): CheckResult {
  if (sample.missing) {
    return { status: 'skip', resource: logGroup, observed: 'log group not found (see logs.groups)' };
  }
  const status: Status =
    sample.count >= thresholds.fail ? 'fail' : sample.count >= thresholds.warn ? 'warn' : 'pass';
  return {
    status,
    resource: logGroup,
    expected: `fewer than ${thresholds.warn} ERROR events in the last ${window} (fail at ${thresholds.fail})`,
    observed: `${sample.count}${sample.capped ? '+' : ''} ERROR events in the last ${window}`,
    detail: sample.example ? `example: ${sample.example.slice(0, 300)}` : '',
  };
}

export const recentErrorsCheck = defineCheck({
  id: 'logs.recent-errors',
  title: 'Recent ERROR events in application logs',
  severity: 'high',
  source: 'deployment guide §12.2.2',
  remediation:
    'Group the errors by message with `fsops logs errors` and follow the matching symptom (`fsops troubleshoot`).',
  params: z.object({ ...componentsParam, pattern: z.string().min(1).optional() }).strict(),
  async run(ctx, params) {
    const pattern = params.pattern ?? ctx.env.config.logs.errorPattern;
    const thresholds = ctx.env.thresholds.recentErrors;
    const window = formatDuration(ctx.now.getTime() - ctx.since.getTime());
    // One log group that cannot be read is its own error; the others are counted.
    return judgeEach(
      componentsOf(ctx, params),
      'logs.recent-errors',
      (component) => ({ resource: ctx.env.nameOf('logGroup', component), what: 'the log group' }),
      async (component) => {
        const group = ctx.env.nameOf('logGroup', component);
        const result = evaluateErrors(
          group,
          await countLogEvents(ctx, group, pattern, thresholds.fail),
          window,
          thresholds,
        );
        return {
          ...result,
          remediation: `Group the errors by message with \`fsops logs errors ${component} --env ${ctx.env.name} --since ${window}\` and follow the matching symptom (\`fsops troubleshoot\`).`,
        };
      },
    );
  },
});
