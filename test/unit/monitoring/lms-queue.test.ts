import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  lmsQueueStoreCheck,
  metricsDynamodbCheck,
  parseCreatedAt,
} from '../../../src/catalogue/checks/lms-queue.js';
import { testContext } from '../../helpers/context.js';

const dynamo = mockClient(DynamoDBClient);
const cloudwatch = mockClient(CloudWatchClient);
const NOW = new Date('2026-11-21T10:00:00Z'); // testContext's now
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();

beforeEach(() => {
  dynamo.reset();
  cloudwatch.reset();
});

/** A quiet table in CloudWatch: no throttling (0s), 8 ms latency, one datapoint a minute for 15 minutes. */
function quietMetrics(throttles = 0) {
  cloudwatch.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: MetricDataQuery[] }) => ({
    MetricDataResults: input.MetricDataQueries.filter((q) => q.ReturnData !== false).map((q) => ({
      Id: q.Id,
      Timestamps: Array.from({ length: 15 }, (_, i) => new Date(NOW.getTime() - (15 - i) * 60_000)),
      Values: Array<number>(15).fill(q.Expression ? throttles : 8),
      StatusCode: 'Complete',
    })),
  }));
}

describe('lms.queue on DynamoDB (deployment guide §7.1.1; ops guide §8.2.1)', () => {
  it('flags old pending items: COUNT Query per pending status on the status index, oldest by sort key', async () => {
    quietMetrics();
    dynamo
      .on(QueryCommand, { ExpressionAttributeValues: { ':s': { S: 'PENDING' } }, Select: 'COUNT' })
      .resolves({ Count: 40 })
      .on(QueryCommand, { ExpressionAttributeValues: { ':s': { S: 'RETRY' } }, Select: 'COUNT' })
      .resolves({ Count: 2 })
      .on(QueryCommand, { ExpressionAttributeValues: { ':s': { S: 'PENDING' } }, Limit: 1 })
      .resolves({ Items: [{ created_at: { S: minutesAgo(75) } }] })
      .on(QueryCommand, { ExpressionAttributeValues: { ':s': { S: 'RETRY' } }, Limit: 1 })
      .resolves({ Items: [{ created_at: { N: String((NOW.getTime() - 5 * 60_000) / 1000) } }] });
    const results = await lmsQueueStoreCheck.run(testContext(), {});
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['payments.lms-queue.depth', 'pass'],
      ['payments.lms-queue.age', 'fail'],
      ['metrics.dynamodb.throttled-requests', 'pass'],
      ['metrics.dynamodb.latency', 'pass'],
    ]);
    expect(results[1]).toMatchObject({
      resource: 'prod-fivestar-transaction-queue',
      observed: `oldest waiting 75 min (since ${minutesAgo(75)})`,
    });
    const count = dynamo.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(count).toMatchObject({
      TableName: 'prod-fivestar-transaction-queue',
      IndexName: 'status-created_at-index',
      KeyConditionExpression: '#s = :s',
      Select: 'COUNT',
      Limit: 1000,
    });
    // Throttling and latency came through the run's one GetMetricData call.
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(1);
  });

  it('scan mode: a bounded Scan with a projection; stops at maxItems and says the depth is a lower bound', async () => {
    quietMetrics(3);
    dynamo.on(ScanCommand).resolves({
      Items: [{ status: { S: 'PENDING' }, created_at: { S: minutesAgo(20) } }],
      Count: 1,
      ScannedCount: 1000,
      LastEvaluatedKey: { id: { S: 'x' } },
    });
    const ctx = testContext({
      configYaml: 'lms:\n  dynamodb:\n    read: scan\n    maxItems: 2000\n',
    });
    const results = await lmsQueueStoreCheck.run(ctx, {});
    expect(dynamo.commandCalls(ScanCommand)).toHaveLength(2);
    expect(dynamo.commandCalls(ScanCommand)[0]!.args[0].input).toMatchObject({
      ProjectionExpression: '#s, #c',
      FilterExpression: '#s IN (:s0, :s1)',
      Limit: 1000,
    });
    expect(results.find((r) => r.id === 'payments.lms-queue.depth')!.observed).toBe(
      'at least 2 items PENDING/RETRY (stopped counting at lms.dynamodb.maxItems)',
    );
    expect(results.find((r) => r.id === 'payments.lms-queue.age')!.status).toBe('warn');
    // Any throttling (ops guide §8.2.1) fails.
    expect(results.find((r) => r.id === 'metrics.dynamodb.throttled-requests')!.status).toBe('fail');
  });

  it('scan mode stopped at maxItems: no pending item among those read is not an empty queue (error, never pass)', async () => {
    quietMetrics();
    // 2000 completed items read, the pending ones further on: the cap stops the Scan first.
    dynamo
      .on(ScanCommand)
      .resolves({ Items: [], Count: 0, ScannedCount: 1000, LastEvaluatedKey: { id: { S: 'x' } } });
    const ctx = testContext({ configYaml: 'lms:\n  dynamodb:\n    read: scan\n    maxItems: 2000\n' });
    const results = await lmsQueueStoreCheck.run(ctx, {});
    const depth = results.find((r) => r.id === 'payments.lms-queue.depth')!;
    const age = results.find((r) => r.id === 'payments.lms-queue.age')!;
    expect([depth.status, age.status]).toEqual(['error', 'error']);
    expect(age.observed).toMatch(/^cannot judge: the read stopped at lms.dynamodb.maxItems/);
    // A recent item among those read says nothing of older ones further on.
    dynamo.on(ScanCommand).resolves({
      Items: [{ status: { S: 'PENDING' }, created_at: { S: minutesAgo(2) } }],
      Count: 1,
      ScannedCount: 1000,
      LastEvaluatedKey: { id: { S: 'x' } },
    });
    const recent = await lmsQueueStoreCheck.run(ctx, {});
    expect(recent.find((r) => r.id === 'payments.lms-queue.age')!.status).toBe('error');
    // The whole table read: an empty queue passes.
    dynamo.on(ScanCommand).resolves({ Items: [], Count: 0, ScannedCount: 10 });
    const whole = await lmsQueueStoreCheck.run(ctx, {});
    expect(whole.filter((r) => r.id?.startsWith('payments.lms-queue')).map((r) => r.status)).toEqual([
      'pass',
      'pass',
    ]);
  });

  it('pages are bounded: pages that count nothing but keep a LastEvaluatedKey end as capped, never a loop', async () => {
    quietMetrics();
    let calls = 0;
    // The fake gives up after 1000 calls so that an unbounded loop ends.
    dynamo
      .on(QueryCommand, { Select: 'COUNT' })
      .callsFake(() => ({ Count: 0, LastEvaluatedKey: ++calls < 1000 ? { id: { S: 'x' } } : undefined }))
      .on(QueryCommand, { Limit: 1 })
      .resolves({ Items: [] });
    const results = await lmsQueueStoreCheck.run(testContext(), {});
    // maxItems 10000, pageSize 1000: at most 11 pages per pending status (PENDING, RETRY).
    expect(calls).toBe(22);
    expect(results.find((r) => r.id === 'payments.lms-queue.depth')).toMatchObject({
      status: 'error',
      observed: 'at least 0 items PENDING/RETRY (stopped counting at lms.dynamodb.maxItems)',
    });
  });

  it('a missing table fails; access denied is an error finding of the queue, and its metrics are still judged', async () => {
    quietMetrics();
    dynamo
      .on(QueryCommand)
      .rejects(
        Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' }),
      );
    const missing = await lmsQueueStoreCheck.run(testContext(), {});
    expect(missing[0]).toMatchObject({
      id: 'payments.lms-queue.table',
      status: 'fail',
      observed: 'table not found',
    });
    dynamo
      .on(QueryCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const denied = await lmsQueueStoreCheck.run(testContext(), {});
    expect(denied[0]).toMatchObject({
      id: 'payments.lms-queue',
      status: 'error',
      observed: 'could not read the LMS queue: access denied (AccessDeniedException): not authorized',
    });
    expect(denied.slice(1).map((r) => r.status)).not.toContain('error');
    expect(denied.length).toBeGreaterThan(1);
  });

  it('pending items without a readable created_at are an error, never a pass', async () => {
    quietMetrics();
    dynamo
      .on(QueryCommand, { Select: 'COUNT' })
      .resolves({ Count: 3 })
      .on(QueryCommand, { Limit: 1 })
      .resolves({
        Items: [{ created_at: { S: 'yesterday' } }],
      });
    const results = await lmsQueueStoreCheck.run(testContext(), {});
    expect(results.find((r) => r.id === 'payments.lms-queue.age')!.status).toBe('error');
    expect(parseCreatedAt({ N: '1732183200' })!.toISOString()).toBe('2024-11-21T10:00:00.000Z');
    expect(parseCreatedAt({ N: '1732183200000' })!.toISOString()).toBe('2024-11-21T10:00:00.000Z');
  });

  it('lms.queue: postgres keeps the payments-database form', async () => {
    const ctx = testContext({ configYaml: 'lms:\n  queue: postgres\n' });
    await expect(lmsQueueStoreCheck.run(ctx, {})).rejects.toThrow('no database in this test');
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('database: false (fsops status) reads the DynamoDB queue, and skips a queue kept in the database without opening it', async () => {
    const inDb = testContext({ configYaml: 'lms:\n  queue: postgres\n' });
    const skipped = await lmsQueueStoreCheck.run(inDb, { database: false, metrics: false });
    expect(skipped).toMatchObject([
      {
        id: 'payments.lms-queue.depth',
        status: 'skip',
        remediation: expect.stringContaining('troubleshoot lms-sync'),
      },
    ]);
    expect(dynamo.calls()).toHaveLength(0);
    dynamo.on(QueryCommand).resolves({ Count: 0, Items: [] });
    const read = await lmsQueueStoreCheck.run(testContext(), { database: false, metrics: false });
    expect(read.map((r) => [r.id, r.status])).toEqual([
      ['payments.lms-queue.depth', 'pass'],
      ['payments.lms-queue.age', 'pass'],
    ]);
    expect(cloudwatch.calls()).toHaveLength(0);
  });

  it('metrics.dynamodb (`fsops metrics dynamodb`): throttles as FILL(read, 0) + FILL(write, 0), latency of Query', async () => {
    quietMetrics(0);
    const results = await metricsDynamodbCheck.run(testContext(), {});
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['metrics.dynamodb.throttled-requests', 'pass'],
      ['metrics.dynamodb.latency', 'pass'],
    ]);
    const queries = cloudwatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries!;
    expect(queries.find((q) => q.Expression)!.Expression).toBe('FILL(q0_reads, 0) + FILL(q0_writes, 0)');
    expect(
      queries.find((q) => q.MetricStat?.Metric?.MetricName === 'SuccessfulRequestLatency')!.MetricStat!
        .Metric!.Dimensions,
    ).toEqual([
      { Name: 'TableName', Value: 'prod-fivestar-transaction-queue' },
      { Name: 'Operation', Value: 'Query' },
    ]);
    expect(dynamo.calls()).toHaveLength(0);
  });
});
