import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import type { LmsConfig, PaymentsConfig } from '../../base/config/schema.js';
import type { CheckContext, CheckResult } from '../../base/model/check.js';
import { defineCheck, noParams } from '../../base/model/check.js';
import type { Status } from '../../base/model/finding.js';
import { joinMetricBatch } from '../../domain/metrics/batch.js';
import { held } from '../../domain/metrics/definitions.js';
import type { MetricSpec } from '../../domain/metrics/series.js';
import { gather, unreadFact } from './partial.js';
import { judgeMetrics } from './troubleshoot/metrics.js';
import { lmsQueueCheck } from './troubleshoot/payments-db.js';

export interface QueueFacts {
  /** Pending items counted (a lower bound when `capped`). */
  depth: number;
  capped: boolean;
  /**
   * The oldest is of the items read, not of the whole queue: a Scan that stopped at maxItems (a Query in
   * sort-key order finds the oldest whatever the cap).
   */
  partial?: boolean;
  /** created_at of the oldest pending item seen; null when none (or none had a readable created_at). */
  oldest: Date | null;
  /** How the facts were read, for the finding's detail. */
  how: string;
}

/** created_at as DynamoDB holds it: ISO-8601 text, or a number of epoch seconds or milliseconds. */
export function parseCreatedAt(value: AttributeValue | undefined): Date | null {
  if (!value) return null;
  if ('N' in value && value.N !== undefined) {
    const n = Number(value.N);
    if (!Number.isFinite(n)) return null;
    return new Date(n > 1e12 ? n : n * 1000);
  }
  if ('S' in value && value.S !== undefined) {
    const t = Date.parse(value.S);
    return Number.isNaN(t) ? null : new Date(t);
  }
  return null;
}

/**
 * Pending items of the DynamoDB queue. `query` (default): per pending status, a COUNT Query on the
 * status index (paged, stops at maxItems) and a Limit 1 Query in sort-key order for the oldest: the
 * index must have the status as partition key and created_at as sort key. `scan`: a bounded Scan
 * (Limit per page, projection of status and created_at only, stops after maxItems scanned).
 */
export async function gatherQueueFacts(
  client: DynamoDBClient,
  table: string,
  settings: LmsConfig['dynamodb'],
  pendingStatuses: readonly string[],
  signal?: AbortSignal,
): Promise<QueueFacts> {
  const { QueryCommand, ScanCommand } = await import('@aws-sdk/client-dynamodb');
  const names = { '#s': settings.statusAttribute, '#c': settings.createdAtAttribute };
  // Pages are bounded too, not only items: pages that count nothing but still hand back a
  // LastEvaluatedKey (a broken endpoint) end the read as capped instead of looping.
  const maxPages = Math.ceil(settings.maxItems / settings.pageSize) + 1;
  if (settings.read === 'scan') {
    const values = Object.fromEntries(pendingStatuses.map((s, i) => [`:s${i}`, { S: s }]));
    let depth = 0;
    let scanned = 0;
    let oldest: Date | null = null;
    let key: Record<string, AttributeValue> | undefined;
    let pages = 0;
    do {
      pages += 1;
      const out = await client.send(
        new ScanCommand({
          TableName: table,
          FilterExpression: `#s IN (${Object.keys(values).join(', ')})`,
          ProjectionExpression: '#s, #c',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          Limit: settings.pageSize,
          ExclusiveStartKey: key,
        }),
        { abortSignal: signal },
      );
      depth += out.Count ?? out.Items?.length ?? 0;
      scanned += out.ScannedCount ?? 0;
      for (const item of out.Items ?? []) {
        const at = parseCreatedAt(item[settings.createdAtAttribute]);
        if (at && (!oldest || at < oldest)) oldest = at;
      }
      key = out.LastEvaluatedKey;
    } while (key && scanned < settings.maxItems && pages < maxPages);
    return {
      depth,
      capped: Boolean(key),
      partial: Boolean(key),
      oldest,
      how: `bounded Scan of ${table} (${scanned} items read)`,
    };
  }
  let depth = 0;
  let capped = false;
  let oldest: Date | null = null;
  for (const status of pendingStatuses) {
    const keyCondition = {
      TableName: table,
      IndexName: settings.statusIndex,
      KeyConditionExpression: '#s = :s',
      ExpressionAttributeValues: { ':s': { S: status } },
    };
    let key: Record<string, AttributeValue> | undefined;
    let pages = 0;
    do {
      pages += 1;
      const out = await client.send(
        new QueryCommand({
          ...keyCondition,
          ExpressionAttributeNames: { '#s': settings.statusAttribute },
          Select: 'COUNT',
          Limit: settings.pageSize,
          ExclusiveStartKey: key,
        }),
        { abortSignal: signal },
      );
      depth += out.Count ?? 0;
      key = out.LastEvaluatedKey;
    } while (key && depth < settings.maxItems && pages < maxPages);
    if (key) capped = true;
    const first = await client.send(
      new QueryCommand({
        ...keyCondition,
        ExpressionAttributeNames: names,
        ProjectionExpression: '#c',
        ScanIndexForward: true,
        Limit: 1,
      }),
      { abortSignal: signal },
    );
    const at = parseCreatedAt(first.Items?.[0]?.[settings.createdAtAttribute]);
    if (at && (!oldest || at < oldest)) oldest = at;
  }
  return { depth, capped, oldest, how: `Query on ${table} index ${settings.statusIndex}` };
}

/** Judges the queue's depth and the age of its oldest pending item (pure); same ids as the PostgreSQL form. */
export function evaluateQueue(
  facts: QueueFacts,
  q: PaymentsConfig['lmsQueue'],
  table: string,
  now: Date,
): CheckResult[] {
  const over = (value: number, t: { warn: number; fail: number }): Status =>
    value >= t.fail ? 'fail' : value >= t.warn ? 'warn' : 'pass';
  const minutes = facts.oldest ? (now.getTime() - facts.oldest.getTime()) / 60_000 : 0;
  const detail = `${facts.how}; pending = ${q.pendingStatuses.join(', ')} (payments.lmsQueue, lms.dynamodb in the config)`;
  const ageUnknown = facts.depth > 0 && !facts.oldest;
  // A count or an age of part of the queue can show a problem, never the absence of one.
  const depthStatus = over(facts.depth, q.depth);
  const ageStatus = ageUnknown ? 'error' : over(minutes, q.oldestMinutes);
  const stopped = 'the read stopped at lms.dynamodb.maxItems before the end of the table';
  return [
    {
      id: 'payments.lms-queue.depth',
      title: 'LMS transaction queue depth',
      status: facts.capped && depthStatus === 'pass' ? 'error' : depthStatus,
      resource: table,
      expected: `fewer than ${q.depth.warn} waiting (fail at ${q.depth.fail})`,
      observed: `${facts.capped ? 'at least ' : ''}${facts.depth} item${facts.depth === 1 ? '' : 's'} ${q.pendingStatuses.join('/')}${facts.capped ? ' (stopped counting at lms.dynamodb.maxItems)' : ''}`,
      detail,
      remediation:
        facts.capped && depthStatus === 'pass'
          ? `Not all counted: raise lms.dynamodb.maxItems, or read the status index (lms.dynamodb.read: query).`
          : 'Transactions are piling up: check LMS connectivity and the queue processor (ops guide §13.1.1).',
    },
    {
      id: 'payments.lms-queue.age',
      title: 'Oldest transaction waiting for LMS',
      status: facts.partial && ageStatus === 'pass' ? 'error' : ageStatus,
      resource: table,
      expected: `none older than ${q.oldestMinutes.warn} min (fail at ${q.oldestMinutes.fail})`,
      observed:
        facts.partial && ageStatus === 'pass'
          ? `cannot judge: ${stopped}; ${facts.oldest ? `oldest of the items read waiting ${Math.round(minutes)} min` : 'no pending item among the items read'}`
          : facts.depth === 0
            ? 'queue empty'
            : ageUnknown
              ? 'pending items have no readable created_at: cannot judge their age'
              : `oldest waiting ${Math.round(minutes)} min (since ${facts.oldest!.toISOString()})`,
      detail,
      remediation:
        facts.partial && ageStatus === 'pass'
          ? 'A Scan finds the oldest item only if it reads the whole table: use the status index (lms.dynamodb.read: query) or raise lms.dynamodb.maxItems.'
          : ageUnknown
            ? 'Set lms.dynamodb.createdAtAttribute to the attribute holding the enqueue time (ISO-8601 or epoch).'
            : 'Transactions are stuck: restart the queue processor, then push them manually (ops guide §13.1.1).',
    },
  ];
}

/** Throttling and latency of the queue table (ops guide §8.2.1), through the run's GetMetricData batch. */
export function queueMetricSpecs(ctx: CheckContext, table: string): MetricSpec[] {
  const t = ctx.env.thresholds;
  const metric = (name: string, stat: string, extra: Record<string, string> = {}) => ({
    namespace: 'AWS/DynamoDB',
    name,
    dimensions: { TableName: table, ...extra },
    stat,
  });
  return [
    {
      key: 'dynamodb.throttled-requests',
      title: 'LMS queue throttled requests (read + write)',
      resource: table,
      // Throttle metrics exist only while throttling happens: no datapoint is 0, not "no data".
      expression: {
        text: 'FILL({reads}, 0) + FILL({writes}, 0)',
        inputs: { reads: metric('ReadThrottleEvents', 'Sum'), writes: metric('WriteThrottleEvents', 'Sum') },
      },
      unit: 'count',
      thresholds: t.dynamodbThrottledRequests,
      ...held('dynamodbThrottledRequests'),
      higherIsWorse: true,
      whenMissing: 'skip',
      expected: 'no throttling (ops guide §8.2.1: any throttling events)',
      remediation:
        'Throttled: raise the table capacity or switch to on-demand, and look for hot partitions (ops guide §8.2.1).',
    },
    {
      key: 'dynamodb.latency',
      title: 'LMS queue Query latency',
      resource: table,
      metric: metric('SuccessfulRequestLatency', 'Average', { Operation: 'Query' }),
      unit: 'ms',
      thresholds: t.dynamodbLatencyMs,
      ...held('dynamodbLatencyMs'),
      higherIsWorse: true,
      whenMissing: 'skip',
      remediation: 'High latency: investigate query patterns and indexes (ops guide §8.2.1).',
    },
  ];
}

export const lmsQueueStoreCheck = defineCheck({
  id: 'lms.queue',
  title: 'LMS transaction queue',
  severity: 'high',
  source: 'deployment guide §7.1.1 (transaction-queue table); ops guide §8.2.1, §13.1.1 (LMSSyncFailures)',
  remediation: 'Check the LMS integration and the queue processor (ops guide §13.1.1).',
  params: z.object({ metrics: z.boolean().optional(), database: z.boolean().optional() }).strict(),
  async run(ctx, params) {
    // Deployments that queue in the payments database: the PostgreSQL form, unless the run opens no
    // database session (`database: false`, e.g. `fsops status`): then it says where to look.
    if (ctx.env.config.lms.queue === 'postgres') {
      if (params.database === false) {
        return [
          {
            id: 'payments.lms-queue.depth',
            title: 'LMS transaction queue depth',
            status: 'skip',
            resource: 'the payments database (lms.queue: postgres)',
            expected: 'the queue read without a database session',
            observed: 'the queue is in the payments database: not read here (no database session)',
            remediation: `fsops troubleshoot lms-sync --env ${ctx.env.name} reads it.`,
          },
        ];
      }
      return lmsQueueCheck.run(ctx, {});
    }
    const settings = ctx.env.config.lms.dynamodb;
    const table = settings.table.replaceAll('{env}', ctx.env.name);
    const ticket = params.metrics === false ? null : joinMetricBatch(ctx);
    const specs = queueMetricSpecs(ctx, table);
    const metrics = ticket ? judgeMetrics(ctx, specs, ticket) : Promise.resolve([]);
    const queue = (async (): Promise<CheckResult[]> => {
      try {
        const facts = await gatherQueueFacts(
          await ctx.aws.dynamodb(),
          table,
          settings,
          ctx.env.config.payments.lmsQueue.pendingStatuses,
          ctx.signal,
        );
        return evaluateQueue(facts, ctx.env.config.payments.lmsQueue, table, ctx.now);
      } catch (error) {
        const name = (error as Error).name;
        if (name !== 'ResourceNotFoundException' && name !== 'ValidationException') throw error;
        return [
          {
            id: 'payments.lms-queue.table',
            status: name === 'ResourceNotFoundException' ? 'fail' : 'error',
            resource: table,
            expected: `the LMS transaction queue table${settings.read === 'query' ? ` and its index ${settings.statusIndex}` : ''} (deployment guide §7.1.1)`,
            observed:
              name === 'ResourceNotFoundException'
                ? 'table not found'
                : `cannot read it: ${(error as Error).message.replace(/\p{Cc}/gu, ' ')}`,
            remediation:
              'Check lms.dynamodb in the config (table, statusIndex, attributes), or set lms.dynamodb.read: scan; lms.queue: postgres for a queue in the database.',
          },
        ];
      }
    })();
    // The queue and its metrics are separate facts: one that fails never hides the other.
    const [queued, judged] = await gather(queue, metrics);
    return [
      ...(queued.ok
        ? queued.value
        : [unreadFact('payments.lms-queue', table, 'the LMS queue', queued.reason)]),
      ...(judged.ok
        ? judged.value
        : [unreadFact('payments.lms-queue.metrics', table, 'the LMS queue metrics', judged.reason)]),
    ];
  },
});

/** `fsops metrics dynamodb`: the queue table's throttling and latency alone (ops guide §8.2.1). */
export const metricsDynamodbCheck = defineCheck({
  id: 'metrics.dynamodb',
  title: 'LMS queue table throttling and latency',
  severity: 'high',
  source: 'ops guide §8.2.1; deployment guide §7.1.1, §12.2.1',
  remediation: 'Raise the table capacity (or on-demand) and check the query patterns (ops guide §8.2.1).',
  params: noParams,
  async run(ctx) {
    const table = ctx.env.config.lms.dynamodb.table.replaceAll('{env}', ctx.env.name);
    return judgeMetrics(ctx, queueMetricSpecs(ctx, table));
  },
});
