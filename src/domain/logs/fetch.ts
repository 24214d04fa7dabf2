import { setTimeout as sleep } from 'node:timers/promises';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  groupBySignature,
  type LogEvent,
  mergeGroups,
  messageSignature,
  type SignatureGroup,
} from './signature.js';

export interface FilterOptions {
  logGroupName: string;
  filterPattern?: string;
  startTime: number;
  endTime: number;
  /** Stop paging once this many events are in hand. */
  cap: number;
  signal?: AbortSignal;
}

export interface FilterResult {
  events: LogEvent[];
  /** More events matched than the cap allowed to fetch. */
  truncated: boolean;
  /** The log group does not exist. */
  missing: boolean;
}

/** FilterLogEvents, paginated until the window is exhausted or `cap` events are in hand, oldest first. */
export async function filterEvents(
  logs: CloudWatchLogsClient,
  options: FilterOptions,
): Promise<FilterResult> {
  const { FilterLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const events: LogEvent[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await logs.send(
        new FilterLogEventsCommand({
          logGroupName: options.logGroupName,
          ...(options.filterPattern ? { filterPattern: options.filterPattern } : {}),
          startTime: options.startTime,
          endTime: options.endTime,
          nextToken,
          limit: Math.min(10_000, options.cap - events.length),
        }),
        { abortSignal: options.signal },
      );
      for (const e of page.events ?? []) {
        events.push({
          timestamp: e.timestamp ?? 0,
          message: e.message ?? '',
          eventId: e.eventId,
          logStreamName: e.logStreamName,
        });
      }
      nextToken = page.nextToken;
    } while (nextToken && events.length < options.cap);
  } catch (error) {
    if (isMissingGroup(error)) return { events: [], truncated: false, missing: true };
    throw error;
  }
  events.sort((a, b) => a.timestamp - b.timestamp);
  return { events, truncated: nextToken !== undefined, missing: false };
}

function isMissingGroup(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceNotFoundException';
}

export interface InsightsOptions {
  logGroupNames: string[];
  queryString: string;
  startTime: number;
  endTime: number;
  signal?: AbortSignal;
  /** Give up (and StopQuery) after this long. */
  timeoutMs: number;
  pollMs: number;
  /**
   * Fields every result row must carry, with a numeric value for those in `numericFields`. A row
   * without them is an answer fsops cannot read: an error, never "0 events".
   */
  requiredFields?: string[];
  numericFields?: string[];
  /** Filled with the query's statistics (records matched) when it completes. */
  statistics?: { recordsMatched?: number };
}

export class InsightsQueryError extends Error {
  override name = 'InsightsQueryError';
}

/**
 * Runs a Logs Insights query: StartQuery, then GetQueryResults until it completes. On timeout or
 * abort the query is stopped (StopQuery) so it does not keep scanning, and billing, in the background.
 */
export async function runInsightsQuery(
  logs: CloudWatchLogsClient,
  options: InsightsOptions,
): Promise<Record<string, string>[]> {
  const { StartQueryCommand, GetQueryResultsCommand, StopQueryCommand } = await import(
    '@aws-sdk/client-cloudwatch-logs'
  );
  const started = await logs.send(
    new StartQueryCommand({
      logGroupNames: options.logGroupNames,
      queryString: options.queryString,
      startTime: Math.floor(options.startTime / 1000),
      endTime: Math.ceil(options.endTime / 1000),
    }),
    { abortSignal: options.signal },
  );
  const queryId = started.queryId;
  if (!queryId) throw new InsightsQueryError('Logs Insights returned no query id');
  const deadline = Date.now() + options.timeoutMs;
  const stop = () =>
    // Not the run's signal (it may be why the query is stopped), but never longer than a few seconds.
    logs.send(new StopQueryCommand({ queryId }), { abortSignal: AbortSignal.timeout(5000) }).then(
      () => undefined,
      () => undefined,
    );
  try {
    for (;;) {
      const out = await logs.send(new GetQueryResultsCommand({ queryId }), { abortSignal: options.signal });
      switch (out.status) {
        case 'Complete': {
          if (options.statistics && out.statistics?.recordsMatched !== undefined) {
            options.statistics.recordsMatched = out.statistics.recordsMatched;
          }
          const rows = (out.results ?? []).map(
            (row): Record<string, string> =>
              Object.fromEntries(row.filter((f) => f.field).map((f) => [f.field!, f.value ?? ''])),
          );
          checkFields(rows, options.requiredFields ?? [], options.numericFields ?? []);
          return rows;
        }
        case 'Failed':
        case 'Cancelled':
        case 'Timeout':
          throw new InsightsQueryError(
            `Logs Insights query ${out.status.toLowerCase()}: no result, the events were not counted`,
          );
        default:
          if (Date.now() + options.pollMs > deadline) {
            await stop();
            throw new InsightsQueryError(
              `Logs Insights query did not finish within ${Math.round(options.timeoutMs / 1000)}s (stopped)`,
            );
          }
          await sleep(options.pollMs, undefined, { signal: options.signal });
      }
    }
  } catch (error) {
    if (options.signal?.aborted) await stop();
    throw error;
  }
}

function checkFields(rows: Record<string, string>[], required: string[], numeric: string[]): void {
  for (const row of rows) {
    const absent = required.filter((field) => !(field in row));
    const notNumbers = numeric.filter((field) => field in row && !/^\d+(\.\d+)?$/.test(row[field]!.trim()));
    if (absent.length || notNumbers.length) {
      const got = Object.keys(row).slice(0, 8).join(', ') || 'no fields';
      throw new InsightsQueryError(
        `Logs Insights answered without what was asked: ${[
          ...(absent.length ? [`missing ${absent.join(', ')}`] : []),
          ...(notNumbers.length ? [`not a number: ${notNumbers.join(', ')}`] : []),
        ].join('; ')} (row has ${got}); the events were not counted`,
      );
    }
  }
}

/**
 * The Logs Insights `filter` lines equivalent to a FilterLogEvents pattern, or null when the pattern
 * uses syntax that has no simple equivalent (JSON/space-delimited patterns, `?` OR terms, `-` exclusions).
 */
export function insightsFilterFor(pattern: string): string[] | null {
  const trimmed = pattern.trim();
  if (trimmed === '') return [];
  const phrase = /^"([^"]+)"$/.exec(trimmed);
  if (phrase) return [`filter @message like /${escapeRegex(phrase[1]!)}/`];
  if (!/^[\w.:@/]+(?:\s+[\w.:@/]+)*$/.test(trimmed)) return null;
  return trimmed.split(/\s+/).map((term) => `filter @message like /${escapeRegex(term)}/`);
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/**
 * A coarse server-side grouping key: the message without digits (Logs Insights has no regex
 * replace), cut to 160 characters. Rows are re-keyed client-side with the full signature.
 */
const COARSE_KEY = `substr(${'0123456789'.split('').reduce((expr, digit) => `replace(${expr}, "${digit}", "")`, '@message')}, 0, 160)`;

export function errorGroupsQuery(filters: string[]): string {
  return [
    'fields @timestamp, @message',
    ...filters,
    `fields ${COARSE_KEY} as sigKey`,
    'stats count(*) as eventCount, min(@timestamp) as firstSeen, max(@timestamp) as lastSeen, latest(@message) as example by sigKey',
    'sort eventCount desc',
    'limit 10000',
  ].join('\n| ');
}

/** Insights timestamps are `2026-11-21 10:00:00.000` in UTC (or epoch milliseconds). */
export function parseInsightsTime(value: string | undefined): number {
  if (!value) return 0;
  if (/^\d+$/.test(value)) return Number(value);
  const parsed = Date.parse(`${value.replace(' ', 'T')}${/Z|[+-]\d\d:?\d\d$/.test(value) ? '' : 'Z'}`);
  return Number.isNaN(parsed) ? 0 : parsed;
}

export function groupsFromInsightsRows(rows: Record<string, string>[]): SignatureGroup[] {
  return mergeGroups(
    rows.map((row) => ({
      signature: messageSignature(row.example ?? ''),
      count: Number(row.eventCount ?? 0),
      firstSeen: parseInsightsTime(row.firstSeen),
      lastSeen: parseInsightsTime(row.lastSeen),
      example: (row.example ?? '').trim(),
    })),
  );
}

/**
 * Whether a window is longer than a limit, in whole minutes: `--since 1h` measured from a start
 * taken a few milliseconds before the run's "now" is still 1h, not "over 1h".
 */
export function longerThan(windowMs: number, limitMs: number): boolean {
  return Math.round(windowMs / 60_000) > Math.round(limitMs / 60_000);
}

export interface ErrorGroupOptions {
  logGroupName: string;
  pattern: string;
  startTime: number;
  endTime: number;
  /** Windows longer than this go to Logs Insights. */
  insightsAboveMs: number;
  /** FilterLogEvents stops at this many events; past it, Logs Insights counts the rest. */
  eventCap: number;
  queryTimeoutMs: number;
  pollMs: number;
  signal?: AbortSignal;
}

export interface ErrorGroups {
  groups: SignatureGroup[];
  total: number;
  method: 'filter' | 'insights';
  /** Only the first `eventCap` events were grouped (the pattern could not run in Logs Insights). */
  truncated: boolean;
  missing: boolean;
}

/**
 * Error events grouped by signature. Short windows pull events with FilterLogEvents; long windows,
 * or more events than the cap, are aggregated server-side by Logs Insights instead.
 */
export async function collectErrorGroups(
  logs: CloudWatchLogsClient,
  options: ErrorGroupOptions,
): Promise<ErrorGroups> {
  const filters = insightsFilterFor(options.pattern);
  /** `seen`: events FilterLogEvents already returned for this window (the answer cannot be fewer). */
  const insights = async (seen = 0): Promise<ErrorGroups> => {
    try {
      const statistics: { recordsMatched?: number } = {};
      const rows = await runInsightsQuery(logs, {
        logGroupNames: [options.logGroupName],
        queryString: errorGroupsQuery(filters!),
        startTime: options.startTime,
        endTime: options.endTime,
        signal: options.signal,
        timeoutMs: options.queryTimeoutMs,
        pollMs: options.pollMs,
        requiredFields: ['eventCount', 'example'],
        numericFields: ['eventCount'],
        statistics,
      });
      const groups = groupsFromInsightsRows(rows);
      const total = groups.reduce((sum, g) => sum + g.count, 0);
      if (total < seen) {
        throw new InsightsQueryError(
          `Logs Insights counted ${total} events, but FilterLogEvents already returned ${seen}+ for the same window: the answer contradicts what was seen and is not trusted`,
        );
      }
      if (statistics.recordsMatched !== undefined && total < statistics.recordsMatched) {
        throw new InsightsQueryError(
          `Logs Insights results are incomplete: the query matched ${statistics.recordsMatched} events but its rows count ${total}`,
        );
      }
      return {
        groups,
        total: groups.reduce((sum, g) => sum + g.count, 0),
        method: 'insights',
        truncated: false,
        missing: false,
      };
    } catch (error) {
      if (isMissingGroup(error))
        return { groups: [], total: 0, method: 'insights', truncated: false, missing: true };
      throw error;
    }
  };
  if (filters && longerThan(options.endTime - options.startTime, options.insightsAboveMs)) return insights();
  const pulled = await filterEvents(logs, {
    logGroupName: options.logGroupName,
    filterPattern: options.pattern,
    startTime: options.startTime,
    endTime: options.endTime,
    cap: options.eventCap,
    signal: options.signal,
  });
  if (pulled.truncated && filters) return insights(pulled.events.length);
  return {
    groups: groupBySignature(pulled.events),
    total: pulled.events.length,
    method: 'filter',
    truncated: pulled.truncated,
    missing: pulled.missing,
  };
}
