// `logs errors` and `troubleshoot high-error-rate` when more events match than FilterLogEvents pages
// (10,000+): the count moves to Logs Insights. An answer that is missing its fields, contradicts the
// 10,000 events already seen, is incomplete, or a query that failed, must be an error, never "0, PASS".
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS, runFsops } from '../../helpers/cli.js';
import { type FakeAws, startFakeWorld } from '../../helpers/fake-aws.js';

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

type Row = { field: string; value: string }[];

/** A world whose error log holds more than 10,000 events, and a Logs Insights answer to choose. */
async function world(answer: { status: string; results?: Row[]; statistics?: Record<string, number> }) {
  fake = await startFakeWorld('prod');
  const now = Date.now();
  const page = Array.from({ length: 10_000 }, (_, i) => ({
    eventId: String(i),
    timestamp: now - 60_000 + i,
    message: `ERROR RazorPay gateway returned 502 for order ${i}`,
    logStreamName: 'ecs/app/abc',
  }));
  Object.assign(fake.handlers.logs!, {
    FilterLogEvents: () => ({ events: page, nextToken: 'more' }),
    StartQuery: () => ({ queryId: 'q-1' }),
    GetQueryResults: () => answer,
    StopQuery: () => ({ success: true }),
  });
  fake.handlers.monitoring!.GetMetricData = () => ({ MetricDataResults: [] });
}

const logsErrors = () =>
  runFsops(
    [
      'logs',
      'errors',
      'internal-pe',
      '--env',
      'prod',
      '--since',
      '30m',
      '--output',
      'json',
      '--endpoint-url',
      fake!.url,
    ],
    FAKE_CREDENTIALS,
  );

function finding(stdout: string, id: string) {
  const report = JSON.parse(stdout) as {
    status: string;
    findings: { id: string; status: string; observed: string }[];
  };
  return { report, found: report.findings.filter((f) => f.id === id || f.id.startsWith(`${id}.`)) };
}

describe('logs errors past 10,000 events (Logs Insights)', () => {
  it('an answer without the fields it asked for is an error, not "0 events, PASS"', async () => {
    await world({ status: 'Complete', results: [[{ field: '@ptr', value: 'x' }]] });
    const result = await logsErrors();
    const { report, found } = finding(result.stdout, 'logs.errors');
    expect(found.map((f) => f.status)).toEqual(['error']);
    expect(found[0]!.observed).toMatch(
      /Logs Insights answered without what was asked: missing eventCount, example/,
    );
    expect(report.status).toBe('error');
    expect(result.code).not.toBe(0);
  });

  it('an empty answer contradicts the 10,000 events already seen: error', async () => {
    await world({ status: 'Complete', results: [] });
    const result = await logsErrors();
    const { found } = finding(result.stdout, 'logs.errors');
    expect(found.map((f) => f.status)).toEqual(['error']);
    expect(found[0]!.observed).toMatch(/counted 0 events, but FilterLogEvents already returned 10000\+/);
    expect(result.code).not.toBe(0);
  });

  it('incomplete results (fewer counted than the query matched) are an error', async () => {
    await world({
      status: 'Complete',
      results: [
        [
          { field: 'eventCount', value: '12000' },
          { field: 'example', value: 'ERROR RazorPay gateway returned 502 for order 1' },
        ],
      ],
      statistics: { recordsMatched: 30_000, recordsScanned: 40_000, bytesScanned: 1 },
    });
    const result = await logsErrors();
    const { found } = finding(result.stdout, 'logs.errors');
    expect(found.map((f) => f.status)).toEqual(['error']);
    expect(found[0]!.observed).toMatch(/incomplete: the query matched 30000 events but its rows count 12000/);
  });

  it.each(['Failed', 'Cancelled', 'Timeout'])('a query that ended %s is an error', async (status) => {
    await world({ status });
    const result = await logsErrors();
    const { found } = finding(result.stdout, 'logs.errors');
    expect(found.map((f) => f.status)).toEqual(['error']);
    expect(found[0]!.observed).toMatch(new RegExp(`Logs Insights query ${status.toLowerCase()}`));
  });

  it('a complete, consistent answer is judged on its count', async () => {
    await world({
      status: 'Complete',
      results: [
        [
          { field: 'eventCount', value: '12000' },
          { field: 'example', value: 'ERROR RazorPay gateway returned 502 for order 1' },
        ],
      ],
      statistics: { recordsMatched: 12_000 },
    });
    const result = await logsErrors();
    const { found } = finding(result.stdout, 'logs.errors');
    expect(found.find((f) => f.id === 'logs.errors.count')).toMatchObject({ status: 'fail' });
    expect(found.every((f) => f.status !== 'error')).toBe(true);
  });
});

describe('troubleshoot high-error-rate takes the same path', () => {
  it('an Insights answer missing its fields makes logs.errors an error there too', async () => {
    await world({ status: 'Complete', results: [[{ field: '@ptr', value: 'x' }]] });
    const result = await runFsops(
      ['troubleshoot', 'high-error-rate', '--env', 'prod', '--output', 'json', '--endpoint-url', fake!.url],
      FAKE_CREDENTIALS,
    );
    const { found } = finding(result.stdout, 'logs.errors');
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.status === 'error')).toBe(true);
    expect(found.some((f) => f.status === 'pass')).toBe(false);
  });
});
