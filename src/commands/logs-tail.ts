import { describeAwsError } from '../aws/errors.js';
import { requireComponent } from '../config/load.js';
import { onInterrupt } from '../engine/interrupt.js';
import { parseDuration } from '../engine/model/duration.js';
import { UnreachableError, UsageError } from '../engine/model/errors.js';
import { outputFormat, VIEW_FORMATS } from '../engine/printer.js';
import { clean, makeChalk } from '../engine/render.js';
import { type GlobalOptions, openEnvSession, verifyAccount } from '../engine/session.js';
import type { LogEvent } from '../logs/signature.js';
import { LogGroupNotFound, tailLogs } from '../logs/tail.js';

export interface LogsTailOptions extends GlobalOptions {
  since?: string;
  follow?: boolean;
  filter?: string;
  source?: string;
}

const POLL_MS = 2000;
const CAP = 10_000;

/** One event as a line: time, short stream name, message (JSON lines under --output json). */
export function formatEvent(event: LogEvent, json: boolean, dim: (s: string) => string = (s) => s): string {
  if (json) {
    return JSON.stringify({
      timestamp: new Date(event.timestamp).toISOString(),
      stream: event.logStreamName ?? null,
      message: event.message.replace(/\n$/, ''),
    });
  }
  const stream = (event.logStreamName ?? '').split('/').pop() ?? '';
  // Log lines are not fsops's text: control and escape sequences are shown, not sent to the terminal.
  return `${dim(new Date(event.timestamp).toISOString())} ${dim(clean(stream.slice(0, 12)))} ${clean(event.message.replace(/\n$/, ''))}`;
}

/**
 * `fsops logs tail <component>` (ops guide §13.2.1, deployment guide §12.1.1): the log group's events
 * oldest first; `--follow` keeps polling until Ctrl-C. `--source rds` reads the PostgreSQL log group.
 */
export async function logsTail(component: string | undefined, options: LogsTailOptions): Promise<number> {
  const format = outputFormat(options, 'logs tail', VIEW_FORMATS);
  const source = options.source ?? 'app';
  if (source !== 'app' && source !== 'rds')
    throw new UsageError(`unknown --source '${source}': valid sources are app, rds`);
  const sinceMs = parseDuration(options.since ?? '10m', '--since');
  // --follow polls FilterLogEvents until Ctrl-C: adaptive retries pace it under throttling.
  const session = openEnvSession(options, undefined, options.follow ? 'adaptive' : 'standard');
  const group =
    source === 'rds'
      ? session.env.nameOf('dbLogGroup')
      : session.env.nameOf('logGroup', requireComponent(session.env, component));
  const controller = new AbortController();
  const release = onInterrupt(() => controller.abort());
  const c = makeChalk(options.color);
  try {
    await verifyAccount(session);
    await tailLogs(await session.aws.logs(), {
      logGroupName: group,
      startTime: Date.now() - sinceMs,
      filterPattern: options.filter,
      follow: Boolean(options.follow),
      pollMs: POLL_MS,
      cap: CAP,
      signal: controller.signal,
      onEvent: (event) => process.stdout.write(`${formatEvent(event, format === 'json', c.dim)}\n`),
      onTruncated: (shown) =>
        process.stderr.write(
          `fsops: showing the first ${shown} events of the window; narrow --since or --filter\n`,
        ),
    });
    return controller.signal.aborted ? 130 : 0;
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
