import { setTimeout as sleep } from 'node:timers/promises';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { filterEvents } from './fetch.js';
import type { LogEvent } from './signature.js';

export interface TailOptions {
  logGroupName: string;
  startTime: number;
  filterPattern?: string;
  follow: boolean;
  pollMs: number;
  /** Events fetched per poll at most (the first fetch of a long window stops here, oldest first). */
  cap: number;
  signal?: AbortSignal;
  /** Called with each new event, oldest first. */
  onEvent(event: LogEvent): void;
  /** Called when a fetch hit the cap (later events of that window were skipped). */
  onTruncated?(shown: number): void;
  now?: () => number;
}

export class LogGroupNotFound extends Error {
  override name = 'LogGroupNotFound';
}

/**
 * Prints the events since `startTime`, oldest first; with `follow`, polls from the last timestamp
 * seen until aborted. Events at the boundary timestamp come back again, so they are deduplicated by
 * eventId. Returns the number of events printed.
 */
export async function tailLogs(logs: CloudWatchLogsClient, options: TailOptions): Promise<number> {
  const now = options.now ?? Date.now;
  let from = options.startTime;
  let boundaryIds = new Set<string>();
  let printed = 0;
  for (;;) {
    const to = now();
    const page = await filterEvents(logs, {
      logGroupName: options.logGroupName,
      filterPattern: options.filterPattern,
      startTime: from,
      endTime: to,
      cap: options.cap,
      signal: options.signal,
    });
    if (page.missing) throw new LogGroupNotFound(`log group ${options.logGroupName} not found`);
    const fresh = page.events.filter((e) => !(e.eventId && boundaryIds.has(e.eventId)));
    for (const event of fresh) options.onEvent(event);
    printed += fresh.length;
    if (page.truncated) options.onTruncated?.(page.events.length);
    if (page.events.length) {
      const last = page.events[page.events.length - 1]!.timestamp;
      const atBoundary = page.events.filter((e) => e.timestamp === last && e.eventId).map((e) => e.eventId!);
      boundaryIds = last === from ? new Set([...boundaryIds, ...atBoundary]) : new Set(atBoundary);
      from = last;
    }
    if (!options.follow || options.signal?.aborted) return printed;
    try {
      await sleep(options.pollMs, undefined, { signal: options.signal });
    } catch {
      return printed;
    }
  }
}
