import { describeAwsError } from '../base/aws/errors.js';
import { requireComponent } from '../base/config/load.js';
import { parseDuration } from '../base/model/duration.js';
import { UnreachableError, UsageError } from '../base/model/errors.js';
import type { LogEvent } from '../domain/logs/signature.js';
import { LogGroupNotFound, tailLogs } from '../domain/logs/tail.js';
import { onInterrupt } from '../engine/interrupt.js';
import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import { clean } from '../engine/render.js';
import type { Runtime } from '../engine/runtime.js';
import { type GlobalOptions, openEnvSession, verifyAccount } from '../engine/session.js';

export interface LogsTailOptions extends GlobalOptions {
  since?: string;
  follow?: boolean;
  filter?: string;
  source?: string;
}

const POLL_MS = 2000;
const CAP = 10_000;

/** One event as data: what `--output json` prints as one line. */
export interface EventLine {
  timestamp: string;
  stream: string | null;
  message: string;
}

export function eventLine(event: LogEvent): EventLine {
  return {
    timestamp: new Date(event.timestamp).toISOString(),
    stream: event.logStreamName ?? null,
    message: event.message.replace(/\n$/, ''),
  };
}

/** One event for a person: time, short stream name, message (already neutralised by the printer). */
export function eventText(line: EventLine, dim: (s: string) => string = (s) => s): string {
  const stream = (line.stream ?? '').split('/').pop() ?? '';
  return `${dim(line.timestamp)} ${dim(stream.slice(0, 12))} ${line.message}`;
}

const DEFAULT_SINCE = '10m';

/**
 * `fsops logs tail <component>` (ops guide §13.2.1, deployment guide §12.1.1): the log group's events
 * oldest first; `--follow` keeps polling until Ctrl-C. `--source rds` reads the PostgreSQL log group.
 */
export async function logsTail(
  component: string | undefined,
  options: LogsTailOptions,
  runtime: Runtime,
): Promise<number> {
  const printer = printerFor(options, 'logs tail', VIEW_FORMATS, runtime);
  const source = options.source ?? 'app';
  if (source !== 'app' && source !== 'rds')
    throw new UsageError(`unknown --source '${source}': valid sources are app, rds`);
  const sinceMs = parseDuration(options.since ?? DEFAULT_SINCE, '--since');
  // --follow polls FilterLogEvents until Ctrl-C: adaptive retries pace it under throttling.
  const session = openEnvSession(options, undefined, options.follow ? 'adaptive' : 'standard');
  const group =
    source === 'rds'
      ? session.env.nameOf('dbLogGroup')
      : session.env.nameOf('logGroup', requireComponent(session.env, component));
  const controller = new AbortController();
  const release = onInterrupt(() => controller.abort());
  try {
    await verifyAccount(session);
    const printed = await tailLogs(await session.aws.logs(), {
      logGroupName: group,
      startTime: Date.now() - sinceMs,
      filterPattern: options.filter,
      follow: Boolean(options.follow),
      pollMs: POLL_MS,
      cap: CAP,
      signal: controller.signal,
      // Log lines are not fsops's text: the printer shows control and escape sequences, never sends them.
      onEvent: (event) =>
        printer.view({ data: eventLine(event), jsonLine: true, text: (line, c) => eventText(line, c.dim) }),
      onTruncated: (shown) =>
        runtime.stderr.write(
          `fsops: showing the first ${shown} events of the window; narrow --since or --filter\n`,
        ),
    });
    if (controller.signal.aborted) return 130;
    // Silence would read like a hung command or a wrong group: say that the window was empty.
    if (printed === 0 && !options.follow)
      runtime.stderr.write(
        `fsops: no events in ${group} in the last ${options.since ?? DEFAULT_SINCE}${options.filter ? ` matching ${clean(JSON.stringify(options.filter))}` : ''}\n`,
      );
    return 0;
  } catch (error) {
    if (controller.signal.aborted) return 130;
    if (error instanceof LogGroupNotFound)
      throw new UsageError(`${error.message} (names.logGroup / names.dbLogGroup in the config)`);
    if (error instanceof UsageError) throw error;
    throw new UnreachableError(`cannot read ${group}: ${describeAwsError(error)}`);
  } finally {
    release();
    session.aws.destroy();
  }
}
