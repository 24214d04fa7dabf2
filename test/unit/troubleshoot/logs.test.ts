import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  classifySignature,
  logErrorSignaturesCheck,
  rdsSlowStatementsCheck,
} from '../../../src/catalogue/checks/troubleshoot/log-errors.js';
import {
  collectErrorGroups,
  errorGroupsQuery,
  filterEvents,
  insightsFilterFor,
  longerThan,
  parseInsightsTime,
  runInsightsQuery,
} from '../../../src/domain/logs/fetch.js';
import { groupSlowStatements, parseSlowStatement } from '../../../src/domain/logs/slow-statements.js';
import { tailLogs } from '../../../src/domain/logs/tail.js';
import { testContext } from '../../helpers/context.js';

const logs = mockClient(CloudWatchLogsClient);
const client = () => new CloudWatchLogsClient({ region: 'ap-south-1' });
const T0 = Date.parse('2026-11-21T09:00:00Z');

beforeEach(() => logs.reset());

const event = (i: number, message: string) => ({
  eventId: `e${i}`,
  timestamp: T0 + i * 1000,
  message,
  logStreamName: 'ecs/internal-pe/abc123',
});

describe('filterEvents', () => {
  it('follows nextToken over several pages and returns the events oldest first', async () => {
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [event(3, 'ERROR c')], nextToken: 't1' })
      .resolvesOnce({ events: [], nextToken: 't2' })
      .resolvesOnce({ events: [event(1, 'ERROR a'), event(2, 'ERROR b')] });
    const result = await filterEvents(client(), {
      logGroupName: '/ecs/prod-fivestar-internal-pe',
      filterPattern: 'ERROR',
      startTime: T0,
      endTime: T0 + 3_600_000,
      cap: 100,
    });
    expect(result.events.map((e) => e.message)).toEqual(['ERROR a', 'ERROR b', 'ERROR c']);
    expect(result.truncated).toBe(false);
    const calls = logs.commandCalls(FilterLogEventsCommand);
    expect(calls.map((c) => c.args[0].input.nextToken)).toEqual([undefined, 't1', 't2']);
    expect(calls[0]!.args[0].input).toMatchObject({
      filterPattern: 'ERROR',
      startTime: T0,
      endTime: T0 + 3_600_000,
    });
  });

  it('stops at the cap and says the window was truncated', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [event(1, 'x'), event(2, 'y')], nextToken: 'more' });
    const result = await filterEvents(client(), { logGroupName: 'g', startTime: 0, endTime: 1, cap: 4 });
    expect(result.events).toHaveLength(4);
    expect(result.truncated).toBe(true);
    expect(logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input.limit)).toEqual([4, 2]);
  });

  it('reports a missing log group instead of throwing', async () => {
    logs
      .on(FilterLogEventsCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' }));
    expect(await filterEvents(client(), { logGroupName: 'g', startTime: 0, endTime: 1, cap: 4 })).toEqual({
      events: [],
      truncated: false,
      missing: true,
    });
  });
});

describe('Logs Insights', () => {
  it('translates simple filter patterns and refuses the ones it cannot express', () => {
    expect(insightsFilterFor('ERROR')).toEqual(['filter @message like /ERROR/']);
    expect(insightsFilterFor('ERROR payment')).toEqual([
      'filter @message like /ERROR/',
      'filter @message like /payment/',
    ]);
    expect(insightsFilterFor('"payment failed"')).toEqual(['filter @message like /payment failed/']);
    expect(insightsFilterFor('{ $.level = "error" }')).toBeNull();
    expect(insightsFilterFor('?ERROR ?WARN')).toBeNull();
    expect(errorGroupsQuery(['filter @message like /ERROR/'])).toMatch(
      /^fields @timestamp, @message\n\| filter @message like \/ERROR\/\n\| fields substr\(replace\(.*\| stats count\(\*\) as eventCount.* by sigKey/s,
    );
  });

  it('measures windows in whole minutes, so --since 1h is not "over 1h" by a few milliseconds', () => {
    expect(longerThan(3_600_000 + 25, 3_600_000)).toBe(false);
    expect(longerThan(3_660_000, 3_600_000)).toBe(true);
  });

  it('parses Insights timestamps as UTC', () => {
    expect(parseInsightsTime('2026-11-21 09:00:05.250')).toBe(T0 + 5250);
    expect(parseInsightsTime(String(T0))).toBe(T0);
    expect(parseInsightsTime(undefined)).toBe(0);
  });

  it('polls GetQueryResults until the query completes', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    logs
      .on(GetQueryResultsCommand)
      .resolvesOnce({ status: 'Running' })
      .resolvesOnce({
        status: 'Complete',
        results: [
          [
            { field: 'eventCount', value: '3' },
            { field: 'example', value: 'ERROR x' },
          ],
        ],
      });
    const rows = await runInsightsQuery(client(), {
      logGroupNames: ['g'],
      queryString: 'fields @message',
      startTime: T0,
      endTime: T0 + 7_200_000,
      timeoutMs: 5000,
      pollMs: 10,
    });
    expect(rows).toEqual([{ eventCount: '3', example: 'ERROR x' }]);
    expect(logs.commandCalls(StartQueryCommand)[0]!.args[0].input).toMatchObject({
      startTime: T0 / 1000,
      endTime: T0 / 1000 + 7200,
    });
    expect(logs.commandCalls(StopQueryCommand)).toHaveLength(0);
  });

  it('stops the query when it outlives its timeout', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q-2' });
    logs.on(GetQueryResultsCommand).resolves({ status: 'Running' });
    logs.on(StopQueryCommand).resolves({ success: true });
    await expect(
      runInsightsQuery(client(), {
        logGroupNames: ['g'],
        queryString: 'q',
        startTime: 0,
        endTime: 1,
        timeoutMs: 50,
        pollMs: 20,
      }),
    ).rejects.toThrow(/did not finish within/);
    expect(logs.commandCalls(StopQueryCommand)[0]!.args[0].input).toEqual({ queryId: 'q-2' });
  });

  it('stops the query when the run is aborted', async () => {
    const controller = new AbortController();
    logs.on(StartQueryCommand).resolves({ queryId: 'q-3' });
    // Ctrl-C while the query runs: at its second poll, not after a wall-clock delay racing the timeout.
    let polls = 0;
    logs.on(GetQueryResultsCommand).callsFake(async () => {
      if (++polls === 2) controller.abort();
      return { status: 'Scheduled' };
    });
    logs.on(StopQueryCommand).resolves({ success: true });
    await expect(
      runInsightsQuery(client(), {
        logGroupNames: ['g'],
        queryString: 'q',
        startTime: 0,
        endTime: 1,
        timeoutMs: 10_000,
        pollMs: 10,
        signal: controller.signal,
      }),
    ).rejects.toThrow();
    expect(logs.commandCalls(StopQueryCommand)).toHaveLength(1);
  });

  it('fails clearly when the query fails', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q-4' });
    logs.on(GetQueryResultsCommand).resolves({ status: 'Failed' });
    await expect(
      runInsightsQuery(client(), {
        logGroupNames: ['g'],
        queryString: 'q',
        startTime: 0,
        endTime: 1,
        timeoutMs: 1000,
        pollMs: 5,
      }),
    ).rejects.toThrow('Logs Insights query failed');
  });
});

describe('collectErrorGroups', () => {
  const base = {
    logGroupName: '/ecs/prod-fivestar-internal-pe',
    pattern: 'ERROR',
    insightsAboveMs: 3_600_000,
    eventCap: 5,
    queryTimeoutMs: 5000,
    pollMs: 5,
  };

  it('pulls and groups events itself for a short window', async () => {
    logs.on(FilterLogEventsCommand).resolves({
      events: [event(1, 'ERROR order 1 failed'), event(2, 'ERROR order 2 failed'), event(3, 'ERROR other')],
    });
    const result = await collectErrorGroups(client(), { ...base, startTime: T0, endTime: T0 + 900_000 });
    expect(result).toMatchObject({ method: 'filter', total: 3, truncated: false });
    expect(result.groups.map((g) => [g.signature, g.count])).toEqual([
      ['ERROR order <n> failed', 2],
      ['ERROR other', 1],
    ]);
    expect(logs.commandCalls(StartQueryCommand)).toHaveLength(0);
  });

  it('aggregates a long window server-side with Logs Insights, re-keying rows by the full signature', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q' });
    logs.on(GetQueryResultsCommand).resolves({
      status: 'Complete',
      results: [
        [
          { field: 'sigKey', value: 'ERROR payment  failed for ' },
          { field: 'eventCount', value: '120' },
          { field: 'firstSeen', value: '2026-11-21 03:00:00.000' },
          { field: 'lastSeen', value: '2026-11-21 08:59:00.000' },
          { field: 'example', value: 'ERROR payment 991 failed for abcdef12-3456-7890-abcd-ef1234567890' },
        ],
        [
          { field: 'sigKey', value: 'ERROR payment  failed for ' },
          { field: 'eventCount', value: '30' },
          { field: 'firstSeen', value: '2026-11-21 01:00:00.000' },
          { field: 'lastSeen', value: '2026-11-21 04:00:00.000' },
          { field: 'example', value: 'ERROR payment 17 failed for 00000000-1111-2222-3333-444444444444' },
        ],
      ],
    });
    const result = await collectErrorGroups(client(), { ...base, startTime: T0 - 86_400_000, endTime: T0 });
    expect(result.method).toBe('insights');
    expect(result.total).toBe(150);
    expect(result.groups).toEqual([
      {
        signature: 'ERROR payment <n> failed for <uuid>',
        count: 150,
        firstSeen: Date.parse('2026-11-21T01:00:00Z'),
        lastSeen: Date.parse('2026-11-21T08:59:00Z'),
        example: 'ERROR payment 991 failed for abcdef12-3456-7890-abcd-ef1234567890',
      },
    ]);
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(0);
  });

  it('switches to Logs Insights when a short window holds more events than the cap', async () => {
    logs
      .on(FilterLogEventsCommand)
      .resolves({ events: [1, 2, 3, 4, 5].map((i) => event(i, 'ERROR x')), nextToken: 'more' });
    logs.on(StartQueryCommand).resolves({ queryId: 'q' });
    logs.on(GetQueryResultsCommand).resolves({
      status: 'Complete',
      results: [
        [
          { field: 'eventCount', value: '9000' },
          { field: 'example', value: 'ERROR x' },
        ],
      ],
    });
    const result = await collectErrorGroups(client(), { ...base, startTime: T0, endTime: T0 + 600_000 });
    expect(result).toMatchObject({ method: 'insights', total: 9000 });
  });

  it('keeps the capped sample, marked truncated, when the pattern cannot run in Logs Insights', async () => {
    logs
      .on(FilterLogEventsCommand)
      .resolves({ events: [1, 2, 3, 4, 5].map((i) => event(i, 'ERROR x')), nextToken: 'more' });
    const result = await collectErrorGroups(client(), {
      ...base,
      pattern: '{ $.level = "error" }',
      startTime: T0,
      endTime: T0 + 600_000,
    });
    expect(result).toMatchObject({ method: 'filter', total: 5, truncated: true });
    expect(logs.commandCalls(StartQueryCommand)).toHaveLength(0);
  });
});

describe('logs.errors check', () => {
  it('reports a summary and one finding per signature, classified for the resolution steps', async () => {
    logs.on(FilterLogEventsCommand).resolves({
      events: [
        event(1, 'ERROR RazorPay gateway returned 502 for order 1'),
        event(2, 'ERROR RazorPay gateway returned 502 for order 2'),
        event(3, 'ERROR token expired for merchant 7'),
      ],
    });
    const results = await logErrorSignaturesCheck.run(testContext(), { components: ['internal-pe'] });
    expect(results).toMatchObject([
      {
        id: 'logs.errors.count',
        status: 'warn',
        resource: '/ecs/prod-fivestar-internal-pe',
        observed: expect.stringMatching(/^3 events in 2 signatures in the last 15m \(FilterLogEvents\)/),
      },
      {
        id: 'logs.errors.gateway',
        status: 'warn',
        title: 'ERROR RazorPay gateway returned <n> for order <n>',
        observed: expect.stringMatching(/^2× between 2026-11-21T09:00:01Z and 2026-11-21T09:00:02Z/),
      },
      { id: 'logs.errors.auth', status: 'warn' },
    ]);
  });

  it('passes with no error events, and skips a missing log group', async () => {
    logs
      .on(FilterLogEventsCommand, { logGroupName: '/ecs/prod-fivestar-internal-pe' })
      .resolves({ events: [] });
    logs
      .on(FilterLogEventsCommand, { logGroupName: '/ecs/prod-fivestar-customer-portal' })
      .rejects(Object.assign(new Error('nope'), { name: 'ResourceNotFoundException' }));
    const results = await logErrorSignaturesCheck.run(testContext(), {});
    expect(results).toMatchObject([
      {
        id: 'logs.errors.count',
        status: 'pass',
        observed: expect.stringMatching(/^0 events in 0 signatures/),
      },
      { id: 'logs.errors.group', status: 'skip', resource: '/ecs/prod-fivestar-customer-portal' },
    ]);
  });

  it('classifies signatures by kind', () => {
    expect(classifySignature('ERROR JusPay callback failed')).toBe('gateway');
    expect(classifySignature('FATAL: remaining connection slots are reserved')).toBe('db-connection');
    expect(classifySignature('ERROR request timed out after <n>ms')).toBe('timeout');
    expect(classifySignature('ERROR MuleSoft receipt posting rejected')).toBe('lms');
    expect(classifySignature('ERROR something odd')).toBe('other');
  });
});

describe('RDS slow statements', () => {
  const line = (ms: number, sql: string) =>
    `2026-11-21 09:00:00 UTC:10.0.1.5(5432):app@fivestar_payments:[123]:LOG:  duration: ${ms} ms  statement: ${sql}`;

  it('parses duration lines and groups statements by shape, slowest first', () => {
    expect(parseSlowStatement(line(1234.5, 'SELECT 1'))).toEqual({ ms: 1234.5, statement: 'SELECT 1' });
    expect(parseSlowStatement('LOG: checkpoint starting: time')).toBeNull();
    const groups = groupSlowStatements([
      { timestamp: 1, message: line(800, 'SELECT * FROM payment.payments WHERE id = 42') },
      { timestamp: 2, message: line(2500, 'SELECT * FROM payment.payments WHERE id = 77') },
      { timestamp: 3, message: line(9000, "UPDATE payment.payments SET status = 'FAILED' WHERE id = 1") },
    ]);
    expect(groups.map((g) => [g.signature, g.count, g.maxMs, g.totalMs])).toEqual([
      ["UPDATE payment.payments SET status = '<str>' WHERE id = <n>", 1, 9000, 9000],
      ['SELECT * FROM payment.payments WHERE id = <n>', 2, 2500, 3300],
    ]);
  });

  it('judges the PostgreSQL log group from the duration filter', async () => {
    logs.on(FilterLogEventsCommand, { filterPattern: 'duration' }).resolves({
      events: [
        event(1, line(6000, 'SELECT pg_sleep(6)')),
        event(2, line(1500, 'SELECT count(*) FROM payment.payments')),
      ],
    });
    const results = await rdsSlowStatementsCheck.run(testContext(), {});
    expect(results).toMatchObject([
      {
        status: 'fail',
        resource: '/aws/rds/instance/prod-fivestar-payments-db/postgresql',
        title: 'SELECT pg_sleep(<n>)',
      },
      { status: 'warn', observed: expect.stringMatching(/^1× max 1500 ms/) },
    ]);
  });
});

describe('tailLogs', () => {
  it('prints the window oldest first, then follows from the last timestamp without repeating events', async () => {
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [event(1, 'a'), event(2, 'b')] })
      .resolvesOnce({ events: [event(2, 'b'), event(3, 'c')] })
      .resolves({ events: [event(3, 'c')] });
    const controller = new AbortController();
    const seen: string[] = [];
    const printed = await tailLogs(client(), {
      logGroupName: 'g',
      startTime: T0,
      follow: true,
      pollMs: 5,
      cap: 100,
      signal: controller.signal,
      onEvent: (e) => {
        seen.push(e.message);
        if (e.message === 'c') setTimeout(() => controller.abort(), 20);
      },
    });
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(printed).toBe(3);
    const starts = logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input.startTime);
    expect(starts.slice(0, 3)).toEqual([T0, T0 + 2000, T0 + 3000]);
  });

  it('without --follow prints once and returns', async () => {
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    expect(
      await tailLogs(client(), {
        logGroupName: 'g',
        startTime: T0,
        follow: false,
        pollMs: 5,
        cap: 10,
        onEvent: () => {},
      }),
    ).toBe(0);
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(1);
  });
});
