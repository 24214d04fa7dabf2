import type { ExportTask, LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import { z } from 'zod';
import type { CheckResult } from '../../../base/model/check.js';
import { UsageError } from '../../../base/model/errors.js';
import { oneLine } from '../../../base/model/text.js';
import {
  archivePrefix,
  bucketMissing,
  describeGroups,
  type ExportEnd,
  exportOf,
  guideLogGroups,
  lastClosedMonth,
  listExportTasks,
  type Month,
  monthProblem,
  parseMonth,
  readBucketFacts,
  runExport,
  stamp,
} from '../../../domain/logs/archive.js';
import { type ActionPlan, defineAction, interruptedResult } from '../../action.js';
import {
  ARCHIVE_SOURCE,
  evaluateLifecycle,
  evaluateObjectLock,
  missingBucketResult,
} from '../../checks/logs/archive.js';

export const archiveExportParams = z
  .object({
    /** `YYYY-MM`, a closed month (default: the last closed month). */
    month: z.string().optional(),
    /**
     * From the monthly run (runbooks/maintenance/monthly.yaml): nothing where the environment needs no
     * archive, and a month or bucket not ready is a finding of the run rather than a refusal of it.
     */
    monthly: z.boolean().optional(),
  })
  .strict();
export type ArchiveExportParams = z.infer<typeof archiveExportParams>;

const DAY_MS = 86_400_000;

/** One group's part of the plan. */
interface Item {
  group: string;
  prefix: string;
  /** An export of this month already PENDING/RUNNING (an earlier run's): waited for, not created again. */
  running?: ExportTask;
  /** The group's own retention has already expired part of the month. */
  partialFrom?: Date;
}

function resultOf(item: Item, bucket: string, end: ExportEnd): CheckResult {
  const where = `s3://${bucket}/${item.prefix}`;
  const base = { resource: item.group, expected: `exported to ${where}` };
  const took = `${Math.round(end.ms / 1000)} s`;
  const task = end.taskId ? `task ${oneLine(end.taskId, 80)}` : 'no task created';
  const partial = item.partialFrom
    ? ` (partial: events before ${stamp(item.partialFrom)} had expired from the log group)`
    : '';
  switch (end.state) {
    case 'COMPLETED':
      return {
        ...base,
        status: item.partialFrom ? 'warn' : 'pass',
        observed: `COMPLETED in ${took} (${task})${partial}`,
      };
    case 'FAILED':
    case 'CANCELLED':
      return {
        ...base,
        status: 'fail',
        observed: `${end.state} (${task}): ${end.reason}`,
        remediation:
          'See the reason; a denied write usually means the bucket policy does not let logs.<region>.amazonaws.com write (docs/logs.md), then run again.',
      };
    case 'timed-out':
      return {
        ...base,
        status: 'warn',
        observed: `still ${end.last} after ${took} (${task}; logArchive.timeoutMinutes): CloudWatch Logs carries on`,
        remediation:
          'Check it later (fsops runbook run maintenance/monthly, or aws logs describe-export-tasks), then run again for the rest.',
      };
    case 'interrupted':
      return end.taskId
        ? {
            ...base,
            status: 'skip',
            observed: `not done: interrupted (Ctrl-C) while ${task} was ${end.last}; CloudWatch Logs carries on with it (run again to wait for it)`,
          }
        : interruptedResult(item.group);
    case 'error':
      return {
        ...base,
        status: 'error',
        observed: end.reason,
        remediation:
          'Fix the cause (permissions: logs:CreateExportTask, logs:DescribeExportTasks) and run again.',
      };
  }
}

/**
 * The monthly export of the log groups of ops guide §3.1.1 to the archive bucket (runbook 002 "Log
 * Archival"; PCI DSS 10.5.1): CreateExportTask of each group for one closed month, one at a time (one
 * active export task per account), to `{group}/{yyyy}/{mm}`. Refused for an open or future month and
 * for a bucket that would not keep the archive (no Object Lock, a lifecycle that expires it early).
 */
export const archiveExportAction = defineAction({
  id: 'logs.archive-export',
  title: 'Export the log groups of a closed month to the archive bucket',
  severity: 'high',
  source: ARCHIVE_SOURCE,
  remediation: 'Export the month: fsops logs archive --env <env> --month YYYY-MM (docs/logs.md).',
  params: archiveExportParams,
  recheck: ['logs.archive'],
  async plan(ctx, params) {
    const env = ctx.env;
    if (!env) throw new UsageError('logs archive needs an environment (--env)');
    const settings = ctx.config.logArchive;
    const bucket = env.nameOf('logArchiveBucket');
    const groups = guideLogGroups(env);
    const notNow = (
      observed: string,
      status: 'skip' | 'fail' = 'skip',
      remediation?: string,
    ): ActionPlan => ({
      lines: [],
      preview: [
        {
          status,
          resource: `s3://${bucket}`,
          expected: 'the log groups of the last closed month exported (PCI DSS 10.5.1)',
          observed,
          ...(remediation ? { remediation } : {}),
        },
      ],
      apply: async () => [],
    });
    if (params.monthly && !env.settings.logs.archiveRequired) {
      return notNow(
        `not exported: not required in ${env.name} (environments.${env.name}.logs.archiveRequired is off)`,
      );
    }
    const month: Month = params.month ? parseMonth(params.month) : lastClosedMonth(ctx.now);
    const problem = monthProblem(month, ctx.now);
    if (problem) {
      if (params.monthly) return notNow(`not exported yet: ${problem}`);
      throw new UsageError(`refusing to export: ${problem}`);
    }
    const refuse = (why: string, fix: string): ActionPlan => {
      if (params.monthly) return notNow(`not exported: ${why}`, 'fail', fix);
      throw new UsageError(`refusing to export to s3://${bucket}: ${why}; fix: ${fix}`);
    };
    const [s3, logs] = await Promise.all([ctx.aws.s3(), ctx.aws.logs()]);
    // The bucket must keep what is exported: locked, and not expired before 12 months.
    const facts = await readBucketFacts(s3, bucket, ctx.signal);
    if (bucketMissing(facts)) {
      const missing = missingBucketResult(bucket, settings.keepDays);
      return refuse('the bucket does not exist (names.logArchiveBucket)', missing.remediation!);
    }
    for (const verdict of [
      evaluateObjectLock(bucket, facts.objectLock, settings.keepDays),
      evaluateLifecycle(
        bucket,
        facts.lifecycle,
        settings.keepDays,
        groups.map((g) => archivePrefix(g, month)),
        ctx.now,
      ),
    ]) {
      // A setting that cannot be read cannot be vouched for: an error of the run (exit 3), nothing exported.
      if (verdict.status === 'error') {
        throw new Error(
          `cannot verify s3://${bucket} before exporting: ${verdict.observed}; ${verdict.remediation}`,
        );
      }
      if (verdict.status === 'fail') return refuse(verdict.observed, verdict.remediation!);
    }
    const described: LogGroup[] = await describeGroups(logs, groups, ctx.signal);
    const tasks = await listExportTasks(logs, ctx.signal);
    const done: CheckResult[] = [];
    const todo: Item[] = [];
    for (const group of groups) {
      const prefix = archivePrefix(group, month);
      const found = described.find((g) => g.logGroupName === group);
      if (!found) {
        done.push({
          status: 'fail',
          resource: group,
          expected: `exported to s3://${bucket}/${prefix}`,
          observed: 'log group not found: nothing to export',
          remediation:
            'Create the log group (ops guide §3.1.1) or correct its name in the config (names.*LogGroup).',
        });
        continue;
      }
      const task = exportOf(tasks, group, bucket, month);
      const code = task?.status?.code;
      if (code === 'COMPLETED') {
        done.push({
          status: 'pass',
          resource: group,
          expected: `exported to s3://${bucket}/${prefix}`,
          observed: `already exported (task ${oneLine(task!.taskId ?? '?', 80)})`,
        });
        continue;
      }
      const retention = found.retentionInDays;
      const kept = retention ? new Date(ctx.now.getTime() - retention * DAY_MS) : null;
      todo.push({
        group,
        prefix,
        ...(code === 'PENDING' || code === 'RUNNING' ? { running: task } : {}),
        ...(kept && kept.getTime() > month.start.getTime() ? { partialFrom: kept } : {}),
      });
    }
    const range = `${stamp(month.start)} .. ${stamp(month.end)}`;
    const lines = todo.length
      ? [
          `${month.label} (${range}), one export at a time (CloudWatch Logs runs one per account), to s3://${bucket}:`,
          ...todo.map(
            (item) =>
              `  ${item.group} -> ${item.prefix}/${item.running ? ` (wait for the running task ${oneLine(item.running.taskId ?? '?', 80)})` : ''}${item.partialFrom ? ` (partial: events before ${stamp(item.partialFrom)} have expired)` : ''}`,
          ),
          ...(done.length
            ? [
                `  (${done.length} not exported: ${done.map((d) => `${d.resource} ${d.observed}`).join('; ')})`,
              ]
            : []),
        ]
      : [];
    return {
      lines,
      preview: [
        ...done,
        ...todo.map(
          (item): CheckResult => ({
            status: 'skip',
            resource: item.group,
            expected: `exported to s3://${bucket}/${item.prefix}`,
            observed: 'not exported (dry run)',
          }),
        ),
      ],
      verb: `export ${todo.length} log group(s) of ${month.label} to s3://${bucket}`,
      audit: {
        summary: `export ${todo.map((i) => i.group).join(', ')} for ${month.label} to s3://${bucket}`,
      },
      async apply(run) {
        const results: CheckResult[] = [...done];
        for (const [index, item] of todo.entries()) {
          if (run.signal.aborted) {
            results.push(...todo.slice(index).map((rest) => interruptedResult(rest.group)));
            break;
          }
          run.status?.(`exporting ${item.group} (${index + 1}/${todo.length})`);
          const end = await runExport(
            logs,
            {
              group: item.group,
              bucket,
              prefix: item.prefix,
              month,
              ...(item.running?.taskId ? { existingTaskId: item.running.taskId } : {}),
            },
            {
              signal: run.signal,
              pollMs: settings.pollSeconds * 1000,
              timeoutMs: settings.timeoutMinutes * 60_000,
              log: run.log,
            },
          );
          results.push(resultOf(item, bucket, end));
          if (end.state === 'interrupted') {
            results.push(...todo.slice(index + 1).map((rest) => interruptedResult(rest.group)));
            break;
          }
          if (end.state === 'timed-out') {
            run.auditOutcome({ result: 'timed-out', detail: `${item.group}: still ${end.last}` });
            // The account's one export slot is still taken: the next would only wait for it.
            results.push(
              ...todo.slice(index + 1).map(
                (rest): CheckResult => ({
                  status: 'skip',
                  resource: rest.group,
                  expected: `exported to s3://${bucket}/${rest.prefix}`,
                  observed: `not started: the export of ${item.group} is still running; run again later`,
                }),
              ),
            );
            break;
          }
        }
        return results;
      },
    };
  },
});
