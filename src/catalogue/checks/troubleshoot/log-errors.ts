import { z } from 'zod';
import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { componentsOf, componentsParam, defineCheck } from '../../../base/model/check.js';
import { parseDuration } from '../../../base/model/duration.js';
import type { Status } from '../../../base/model/finding.js';
import { collectErrorGroups, type ErrorGroups } from '../../../domain/logs/fetch.js';
import type { SignatureGroup } from '../../../domain/logs/signature.js';
import { collectSlowStatements, type SlowStatements } from '../../../domain/logs/slow-statements.js';
import { judgeEach } from '../partial.js';
import { windowText } from './load-balancer-facts.js';

const POLL_MS = 1000;
const DEFAULT_SHOWN = 10;

/** What kind of error a signature is, as a finding id suffix the runbooks' resolution steps can point at. */
const KINDS: [string, RegExp][] = [
  ['gateway', /gateway|razorpay|juspay|fiuu|stripe|bbps|upi|nach|payment (?:provider|processor)/i],
  [
    'auth',
    /unauthori[sz]ed|forbidden|\b40[13]\b|expired|invalid (?:token|credential|signature|api key)|authenticat/i,
  ],
  [
    'db-connection',
    /too many (?:connections|clients)|remaining connection slots|connection (?:refused|terminated|reset)|ECONNREFUSED|could not connect|connection pool|acquire (?:a )?connection|pool exhausted/i,
  ],
  ['timeout', /time(?:d)? ?out|ETIMEDOUT|deadline exceeded|statement_timeout|canceling statement/i],
  ['lms', /\blms\b|mulesoft|receipt posting/i],
  ['memory', /out of memory|OutOfMemory|heap|\bOOM\b|ENOMEM/i],
  [
    'config',
    /missing (?:env|environment|config)|not set|undefined variable|invalid configuration|ConfigError/i,
  ],
];

export function classifySignature(signature: string): string {
  return KINDS.find(([, pattern]) => pattern.test(signature))?.[0] ?? 'other';
}

function at(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface ErrorEvaluation {
  logGroup: string;
  pattern: string;
  window: string;
  thresholds: { warn: number; fail: number };
  /** Signatures shown as findings of their own (the rest are summed in the summary). */
  shown: number;
}

/** Judges grouped error events: one summary for the log group, then one finding per signature (most frequent first). */
export function evaluateErrorGroups(result: ErrorGroups, e: ErrorEvaluation): CheckResult[] {
  if (result.missing) {
    return [
      {
        id: 'logs.errors.group',
        status: 'skip',
        resource: e.logGroup,
        expected: 'the log group exists',
        observed: 'log group not found',
        remediation: 'Check names.logGroup in the config (deployment guide §8.1.1).',
      },
    ];
  }
  const level = (count: number): Status =>
    count >= e.thresholds.fail ? 'fail' : count >= e.thresholds.warn ? 'warn' : 'pass';
  const how = result.method === 'insights' ? 'aggregated by Logs Insights' : 'FilterLogEvents';
  const more = result.truncated ? '+' : '';
  const summary: CheckResult = {
    id: 'logs.errors.count',
    title: `Log events matching "${e.pattern}"`,
    status: level(result.total),
    resource: e.logGroup,
    expected: `fewer than ${e.thresholds.warn} in the last ${e.window} (fail at ${e.thresholds.fail})`,
    observed: `${result.total}${more} events in ${result.groups.length} signature${result.groups.length === 1 ? '' : 's'} in the last ${e.window} (${how})`,
    detail: result.truncated
      ? `only the first ${result.total} events were grouped: the pattern cannot run in Logs Insights`
      : result.groups.length > e.shown
        ? `${result.groups.length - e.shown} rarer signatures not shown`
        : '',
    remediation:
      'Read the most frequent signatures below and follow the matching symptom (`fsops troubleshoot`).',
  };
  return [summary, ...result.groups.slice(0, e.shown).map((g) => signatureFinding(g, e, level(g.count)))];
}

function signatureFinding(group: SignatureGroup, e: ErrorEvaluation, status: Status): CheckResult {
  const kind = classifySignature(group.signature);
  return {
    id: `logs.errors.${kind}`,
    title: group.signature,
    status: status === 'pass' ? 'warn' : status,
    severity: 'medium',
    resource: e.logGroup,
    expected: 'no recurring errors',
    observed: `${group.count}× between ${at(group.firstSeen)} and ${at(group.lastSeen)}`,
    detail: `example: ${group.example.slice(0, 400)}`,
    remediation: REMEDIATION[kind] ?? REMEDIATION.other!,
  };
}

const REMEDIATION: Record<string, string> = {
  gateway:
    'Gateway errors: check the provider status (RazorPay, JusPay) and the credentials (ops guide §13.1.1).',
  auth: 'Authentication errors: update expired credentials or tokens (ops guide §13.1.1).',
  'db-connection':
    'Database connection errors: `fsops troubleshoot db-connection-timeout` (deployment guide §12.1.2).',
  timeout: 'Timeouts: check downstream latency and the database (`fsops troubleshoot slow-api`).',
  lms: 'LMS errors: `fsops troubleshoot lms-sync` (ops guide §13.1.1).',
  memory: 'Memory errors: tasks may be OOM-killed; `fsops ecs tasks <component>` and `fsops metrics ecs`.',
  config: 'Configuration errors: check the task definition environment and SSM parameters (runbook 002).',
  other: 'Read the example and the surrounding lines with `fsops logs tail <component> --since 15m`.',
};

export interface LogErrorParams {
  components?: string[];
  /** A CloudWatch Logs filter pattern; default `logs.errorPattern` (ERROR). */
  pattern?: string;
  /** How many signatures become findings of their own. */
  show?: number;
}

/** Grouped errors of one component's log group, gathered once per run and pattern. */
export function componentErrorGroups(
  ctx: CheckContext,
  component: string,
  pattern: string,
): Promise<ErrorGroups> {
  return ctx.once(`logs.error-groups.${component}.${pattern}`, async (signal) => {
    const settings = ctx.env.config.troubleshoot;
    return collectErrorGroups(await ctx.aws.logs(), {
      logGroupName: ctx.env.nameOf('logGroup', component),
      pattern,
      startTime: ctx.since.getTime(),
      endTime: ctx.now.getTime(),
      insightsAboveMs: parseDuration(settings.insightsAbove, 'troubleshoot.insightsAbove'),
      eventCap: settings.eventCap,
      queryTimeoutMs: settings.queryTimeoutMs,
      pollMs: POLL_MS,
      signal: signal,
    });
  });
}

export const logErrorSignaturesCheck = defineCheck({
  id: 'logs.errors',
  title: 'Application errors grouped by message',
  severity: 'high',
  source: 'deployment guide §12.2.2; ops guide §13.2.1',
  remediation: 'Follow the most frequent error signature.',
  params: z
    .object({
      ...componentsParam,
      pattern: z.string().min(1).optional(),
      show: z.number().int().positive().optional(),
    })
    .strict(),
  async run(ctx, params) {
    const pattern = params.pattern ?? ctx.env.config.logs.errorPattern;
    // One log group that cannot be read (a denied query, a throttle, a query that failed) is its own
    // error; the other components' errors are grouped and judged.
    return judgeEach(
      componentsOf(ctx, params),
      'logs.errors',
      (component) => ({
        resource: ctx.env.nameOf('logGroup', component),
        what: `the errors of ${ctx.env.nameOf('logGroup', component)}`,
      }),
      async (component) =>
        evaluateErrorGroups(await componentErrorGroups(ctx, component, pattern), {
          logGroup: ctx.env.nameOf('logGroup', component),
          pattern,
          window: windowText(ctx),
          thresholds: ctx.env.thresholds.recentErrors,
          shown: params.show ?? DEFAULT_SHOWN,
        }),
    );
  },
});

/** Judges slow statements from the PostgreSQL log: the slowest shapes first. */
export function evaluateSlowStatements(
  result: SlowStatements,
  logGroup: string,
  window: string,
  thresholds: { warn: number; fail: number },
  shown = DEFAULT_SHOWN,
): CheckResult[] {
  if (result.missing) {
    return [
      {
        id: 'logs.slow-statements.group',
        status: 'skip',
        resource: logGroup,
        expected: 'the RDS PostgreSQL log group exists (log exports enabled)',
        observed: 'log group not found',
        remediation:
          'Enable PostgreSQL log exports to CloudWatch on the instance, or check names.dbLogGroup (deployment guide §12.2.2).',
      },
    ];
  }
  if (result.groups.length === 0) {
    return [
      {
        id: 'logs.slow-statements',
        status: 'pass',
        resource: logGroup,
        expected: 'no slow statements logged',
        observed: `no statement logged with a duration in the last ${window}`,
      },
    ];
  }
  return result.groups.slice(0, shown).map((g) => {
    const status: Status = g.maxMs >= thresholds.fail ? 'fail' : g.maxMs >= thresholds.warn ? 'warn' : 'pass';
    return {
      id: 'logs.slow-statements',
      title: g.signature,
      status,
      resource: logGroup,
      expected: `every statement under ${thresholds.warn} ms (fail at ${thresholds.fail} ms)`,
      observed: `${g.count}× max ${Math.round(g.maxMs)} ms, avg ${Math.round(g.totalMs / g.count)} ms, last ${at(g.lastSeen)}`,
      detail: `example: ${g.example.slice(0, 400)}`,
      remediation:
        'EXPLAIN the statement, add the missing index or rewrite it (ops guide §13.1.2); `fsops db slow-queries` shows pg_stat_statements.',
    };
  });
}

export const rdsSlowStatementsCheck = defineCheck({
  id: 'logs.slow-statements',
  title: 'Slow statements in the PostgreSQL log',
  severity: 'medium',
  source: 'deployment guide §12.2.2; ops guide §13.1.2',
  remediation: 'Optimise the slow statements (ops guide §13.1.2).',
  params: z.object({ show: z.number().int().positive().optional() }).strict(),
  async run(ctx, params) {
    const settings = ctx.env.config.troubleshoot;
    const logGroup = ctx.env.nameOf('dbLogGroup');
    const result = await ctx.once('logs.slow-statements', async (signal) =>
      collectSlowStatements(await ctx.aws.logs(), {
        logGroupName: logGroup,
        startTime: ctx.since.getTime(),
        endTime: ctx.now.getTime(),
        insightsAboveMs: parseDuration(settings.insightsAbove, 'troubleshoot.insightsAbove'),
        eventCap: settings.eventCap,
        queryTimeoutMs: settings.queryTimeoutMs,
        pollMs: POLL_MS,
        signal: signal,
      }),
    );
    return evaluateSlowStatements(result, logGroup, windowText(ctx), settings.slowStatementMs, params.show);
  },
});
