import type { RedisConfig } from '../../../base/config/schema.js';
import type { CheckContext } from '../../../base/model/check.js';
import type { Status } from '../../../base/model/finding.js';
import { gatherRedisFacts, type RedisFacts } from '../../../domain/redis/server-facts.js';
import { resolveRedisTarget } from '../../../domain/redis/target.js';

/**
 * The Redis facts of the run, gathered once for every Redis check: one connection (--redis-url or the
 * environment's SSM redis_url, --redis-host/--redis-port for a tunnel), PING, INFO and the queue
 * keys, closed before the checks judge. A failure is every Redis check's `error`, never a pass.
 */
export function redisFacts(ctx: CheckContext): Promise<RedisFacts> {
  return ctx.once('redis.facts', async (signal) => {
    const config = ctx.env.config.redis;
    const target = await resolveRedisTarget(ctx.env, ctx.aws, ctx.redis ?? {}, signal);
    return gatherRedisFacts(
      target,
      {
        connectTimeoutMs: config.connectTimeoutMs,
        commandTimeoutMs: config.commandTimeoutMs,
        pings: 3,
        queues: config.queues,
      },
      signal,
    );
  });
}

export type Levels = RedisConfig['thresholds']['pingMs'];

/** warn/fail for a value where higher is worse. */
export function above(value: number, levels: Levels): Status {
  return value >= levels.fail ? 'fail' : value >= levels.warn ? 'warn' : 'pass';
}

/** warn/fail for a value where lower is worse (hit rate). */
export function below(value: number, levels: Levels): Status {
  return value <= levels.fail ? 'fail' : value <= levels.warn ? 'warn' : 'pass';
}

export function expectedBelow(levels: Levels, unit: string): string {
  return `below ${levels.warn}${unit} (fail at ${levels.fail}${unit})`;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
