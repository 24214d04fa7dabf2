import type { Redis as RedisClient } from 'ioredis';
import { UnreachableError } from '../../base/model/errors.js';
import { redactSecrets } from '../db/redact.js';
import { parseInfo, type RedisInfo } from './info.js';
import { type RedisTarget, redisLabel } from './target.js';

/** A queue (list) key to measure, from `redis.queues` in the config. */
export interface QueueSpec {
  key: string;
  /** Where the oldest item sits: `tail` for LPUSH producers and RPOP/BRPOP consumers, `head` for RPUSH/LPOP. */
  oldestEnd: 'head' | 'tail';
  /** JSON fields of an item that may hold its enqueue time (ISO-8601 text or epoch seconds/milliseconds). */
  timestampFields: readonly string[];
}

export interface QueueFacts {
  key: string;
  /** LLEN; null when it could not be read (`problem`). */
  length: number | null;
  /** The enqueue time of the oldest item when it carries one; the item itself is never kept (payloads). */
  oldestAt: Date | null;
  /** Which field held it, or why there is none ("not JSON", "no timestamp field"). */
  oldestHow: string;
  /** e.g. WRONGTYPE: the key is not a list. */
  problem?: string;
}

export interface RedisFacts {
  /** rediss://host:port, no credentials. */
  label: string;
  source: string;
  /** Round trips of a few PINGs, in ms. */
  pingMs: number[];
  info: RedisInfo;
  queues: QueueFacts[];
}

export interface GatherSettings {
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  pings: number;
  queues: readonly QueueSpec[];
}

/** The enqueue time an item carries in one of `fields` (JSON object), or why it has none. */
export function itemTimestamp(item: string, fields: readonly string[]): { at: Date | null; how: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(item);
  } catch {
    return { at: null, how: 'the oldest item is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null)
    return { at: null, how: 'the oldest item is not a JSON object' };
  for (const field of fields) {
    const value = (parsed as Record<string, unknown>)[field];
    const at = timestampValue(value);
    if (at) return { at, how: `field ${field}` };
  }
  return { at: null, how: `the oldest item has none of the fields ${fields.join(', ')}` };
}

function timestampValue(value: unknown): Date | null {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    return new Date(value > 1e12 ? value : value * 1000);
  }
  if (typeof value === 'string' && value.trim() !== '') {
    if (/^\d+(\.\d+)?$/.test(value.trim())) return timestampValue(Number(value));
    const t = Date.parse(value);
    return Number.isNaN(t) ? null : new Date(t);
  }
  return null;
}

/**
 * Connects, reads, disconnects: PING (a few round trips), INFO, and for each queue key LLEN and the
 * oldest item (LINDEX). Read-only commands only; one connection, closed before returning. The password
 * never appears in what is returned or thrown.
 */
export async function gatherRedisFacts(
  target: RedisTarget,
  settings: GatherSettings,
  signal?: AbortSignal,
): Promise<RedisFacts> {
  const ioredis = await import('ioredis');
  // ioredis is CommonJS: Node's ESM view has `Redis`, the bundle's (esbuild) only `default`, the same class.
  const Redis = ioredis.Redis ?? ioredis.default;
  const label = redisLabel(target);
  const client: RedisClient = new Redis({
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.tls ? { tls: { servername: target.tlsServerName ?? target.host } } : {}),
    lazyConnect: true,
    connectTimeout: settings.connectTimeoutMs,
    commandTimeout: settings.commandTimeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableReadyCheck: false,
    connectionName: 'fsops',
  });
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
  });
  const stop = () => client.disconnect();
  signal?.addEventListener('abort', stop, { once: true });
  const fail = (error: unknown, what: string): never => {
    if (signal?.aborted) throw signal.reason ?? new Error('interrupted');
    const message = redactSecrets(
      String((error as Error)?.message ?? lastError?.message ?? error),
      target.password ? [target.password] : [],
    );
    throw new UnreachableError(`${what} ${label} (${target.source}): ${message}`);
  };
  try {
    await client.connect().catch((error: unknown) => fail(error, 'cannot connect to'));
    const pingMs: number[] = [];
    for (let i = 0; i < settings.pings; i += 1) {
      const started = performance.now();
      await client.ping().catch((error: unknown) => fail(error, 'no answer to PING from'));
      pingMs.push(performance.now() - started);
    }
    const info = parseInfo(await client.info().catch((error: unknown) => fail(error, 'INFO failed on')));
    const queues: QueueFacts[] = [];
    for (const queue of settings.queues) queues.push(await queueFacts(client, queue));
    return { label, source: target.source, pingMs, info, queues };
  } finally {
    signal?.removeEventListener('abort', stop);
    client.disconnect();
  }
}

async function queueFacts(client: RedisClient, queue: QueueSpec): Promise<QueueFacts> {
  let length: number;
  try {
    length = await client.llen(queue.key);
  } catch (error) {
    return { key: queue.key, length: null, oldestAt: null, oldestHow: '', problem: (error as Error).message };
  }
  if (length === 0) return { key: queue.key, length, oldestAt: null, oldestHow: 'empty' };
  const item = await client.lindex(queue.key, queue.oldestEnd === 'tail' ? -1 : 0);
  if (item === null) return { key: queue.key, length, oldestAt: null, oldestHow: 'drained while reading' };
  const { at, how } = itemTimestamp(item, queue.timestampFields);
  return { key: queue.key, length, oldestAt: at, oldestHow: how };
}
