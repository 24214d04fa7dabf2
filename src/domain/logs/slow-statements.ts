import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  type ErrorGroupOptions,
  filterEvents,
  longerThan,
  parseInsightsTime,
  runInsightsQuery,
} from './fetch.js';
import { type LogEvent, messageSignature } from './signature.js';

/** Statements of one shape from the PostgreSQL log (`log_min_duration_statement`), with their durations. */
export interface SlowStatementGroup {
  signature: string;
  count: number;
  maxMs: number;
  totalMs: number;
  firstSeen: number;
  lastSeen: number;
  example: string;
}

// `... LOG:  duration: 1234.567 ms  statement: SELECT ...` (also `execute <name>:` and `parse`/`bind`).
const DURATION_LINE =
  /duration:\s*([\d.]+)\s*ms\s+(?:statement|execute[^:]*|parse[^:]*|bind[^:]*):\s*([\s\S]*)$/;

export function parseSlowStatement(message: string): { ms: number; statement: string } | null {
  const match = DURATION_LINE.exec(message);
  if (!match) return null;
  return { ms: Number(match[1]), statement: match[2]!.trim() };
}

/** Groups slow-statement log lines by normalized statement (literals and numbers removed), slowest first. */
export function groupSlowStatements(events: readonly LogEvent[]): SlowStatementGroup[] {
  const groups = new Map<string, SlowStatementGroup>();
  for (const event of events) {
    const parsed = parseSlowStatement(event.message);
    if (!parsed) continue;
    addToGroup(groups, {
      signature: messageSignature(parsed.statement),
      count: 1,
      maxMs: parsed.ms,
      totalMs: parsed.ms,
      firstSeen: event.timestamp,
      lastSeen: event.timestamp,
      example: parsed.statement,
    });
  }
  return sortGroups(groups);
}

function addToGroup(groups: Map<string, SlowStatementGroup>, group: SlowStatementGroup): void {
  const current = groups.get(group.signature);
  if (!current) {
    groups.set(group.signature, { ...group });
    return;
  }
  current.count += group.count;
  current.totalMs += group.totalMs;
  if (group.maxMs > current.maxMs) {
    current.maxMs = group.maxMs;
    current.example = group.example;
  }
  current.firstSeen = Math.min(current.firstSeen, group.firstSeen);
  current.lastSeen = Math.max(current.lastSeen, group.lastSeen);
}

function sortGroups(groups: Map<string, SlowStatementGroup>): SlowStatementGroup[] {
  return [...groups.values()].sort((a, b) => b.maxMs - a.maxMs || b.count - a.count);
}

const SLOW_QUERY = [
  'fields @timestamp, @message',
  'filter @message like /duration:/',
  'parse @message /duration:\\s*(?<ms>[\\d.]+)\\s*ms\\s+[^:]*:\\s*(?<stmt>.*)/',
  'filter ispresent(ms)',
  `fields substr(${'0123456789'.split('').reduce((expr, d) => `replace(${expr}, "${d}", "")`, 'stmt')}, 0, 160) as sigKey`,
  'stats count(*) as eventCount, max(ms) as maxMs, sum(ms) as totalMs, min(@timestamp) as firstSeen, max(@timestamp) as lastSeen, latest(stmt) as example by sigKey',
  'sort maxMs desc',
  'limit 1000',
].join('\n| ');

/** The error-group options without a filter pattern: slow statements are found by their `duration`. */
export type SlowStatementOptions = Omit<ErrorGroupOptions, 'pattern'>;

export interface SlowStatements {
  groups: SlowStatementGroup[];
  method: 'filter' | 'insights';
  truncated: boolean;
  missing: boolean;
}

/** Slow statements from the RDS PostgreSQL log group (deployment guide §12.2.2, filter pattern `duration`). */
export async function collectSlowStatements(
  logs: CloudWatchLogsClient,
  options: SlowStatementOptions,
): Promise<SlowStatements> {
  const insights = async (): Promise<SlowStatements> => {
    try {
      const rows = await runInsightsQuery(logs, {
        logGroupNames: [options.logGroupName],
        queryString: SLOW_QUERY,
        startTime: options.startTime,
        endTime: options.endTime,
        signal: options.signal,
        timeoutMs: options.queryTimeoutMs,
        pollMs: options.pollMs,
        requiredFields: ['eventCount', 'maxMs', 'example'],
        numericFields: ['eventCount', 'maxMs', 'totalMs'],
      });
      const groups = new Map<string, SlowStatementGroup>();
      for (const row of rows) {
        addToGroup(groups, {
          signature: messageSignature(row.example ?? ''),
          count: Number(row.eventCount ?? 0),
          maxMs: Number(row.maxMs ?? 0),
          totalMs: Number(row.totalMs ?? 0),
          firstSeen: parseInsightsTime(row.firstSeen),
          lastSeen: parseInsightsTime(row.lastSeen),
          example: (row.example ?? '').trim(),
        });
      }
      return { groups: sortGroups(groups), method: 'insights', truncated: false, missing: false };
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') {
        return { groups: [], method: 'insights', truncated: false, missing: true };
      }
      throw error;
    }
  };
  if (longerThan(options.endTime - options.startTime, options.insightsAboveMs)) return insights();
  const pulled = await filterEvents(logs, {
    logGroupName: options.logGroupName,
    filterPattern: 'duration',
    startTime: options.startTime,
    endTime: options.endTime,
    cap: options.eventCap,
    signal: options.signal,
  });
  if (pulled.truncated) return insights();
  return {
    groups: groupSlowStatements(pulled.events),
    method: 'filter',
    truncated: false,
    missing: pulled.missing,
  };
}
