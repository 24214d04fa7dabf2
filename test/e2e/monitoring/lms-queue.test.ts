// `fsops troubleshoot lms-sync` reading the LMS queue where the deployment guide puts it (DynamoDB,
// §7.1.1), through bin/fsops and the local AWS endpoint (real SDK, real JSON 1.0 protocol).
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS, runFsops } from '../../helpers/cli.js';
import { AwsFault, type FakeAws, startFakeWorld } from '../../helpers/fake-aws.js';

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

interface Item {
  status: string;
  created_at: string;
}

/** A DynamoDB table answering the status-index Query as DynamoDB does (COUNT, or items in sort-key order). */
function queueTable(items: Item[]) {
  return {
    Query: (raw: Record<string, unknown>) => {
      const input = raw as {
        TableName: string;
        Select?: string;
        Limit?: number;
        ExpressionAttributeValues: Record<string, { S: string }>;
      };
      if (input.TableName !== 'prod-fivestar-transaction-queue') {
        throw new AwsFault('ResourceNotFoundException', 'Requested resource not found');
      }
      const status = input.ExpressionAttributeValues[':s']!.S;
      const matching = items
        .filter((i) => i.status === status)
        .sort((a, b) => a.created_at.localeCompare(b.created_at));
      if (input.Select === 'COUNT') return { Count: matching.length, ScannedCount: matching.length };
      const page = matching.slice(0, input.Limit ?? matching.length);
      return { Count: page.length, Items: page.map((i) => ({ created_at: { S: i.created_at } })) };
    },
  };
}

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

describe('troubleshoot lms-sync on the DynamoDB queue', () => {
  it('flags old pending items (the age finding fails) and reads throttling through the metrics batch', async () => {
    fake = await startFakeWorld('prod');
    fake.handlers.dynamodb = queueTable([
      { status: 'PENDING', created_at: ago(90) },
      { status: 'PENDING', created_at: ago(3) },
      { status: 'RETRY', created_at: ago(20) },
      { status: 'SENT', created_at: ago(300) },
    ]);
    Object.assign(fake.handlers.ecs!, {
      ListTasks: () => ({ taskArns: [] }),
      DescribeTasks: () => ({ tasks: [] }),
    });
    fake.handlers.monitoring!.GetMetricData = () => ({ MetricDataResults: [] });
    const result = await runFsops(
      ['troubleshoot', 'lms-sync', '--env', 'prod', '--endpoint-url', fake.url, '--output', 'json'],
      FAKE_CREDENTIALS,
    );
    const findings: { id: string; status: string; observed: string }[] = JSON.parse(result.stdout).findings;
    expect(findings.find((f) => f.id === 'payments.lms-queue.age')).toMatchObject({
      status: 'fail',
      observed: expect.stringMatching(/^oldest waiting 90 min/),
    });
    expect(findings.find((f) => f.id === 'payments.lms-queue.depth')).toMatchObject({
      status: 'pass',
      observed: '3 items PENDING/RETRY',
    });
    expect(result.code).toBe(1);
    const queries = fake.calls.filter((c) => c.service === 'dynamodb' && c.action === 'Query');
    expect(
      queries.every((c) => (c.input as { IndexName: string }).IndexName === 'status-created_at-index'),
    ).toBe(true);
    expect(fake.calls.filter((c) => c.action === 'GetMetricData')).toHaveLength(1);
  });
});
