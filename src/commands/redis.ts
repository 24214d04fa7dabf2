import { processRuntime, type Runtime } from '../engine/runtime.js';
import { checkRedisFlags } from '../redis/target.js';
import { type ReadCommandOptions, redisEndpoint, runReadCommand } from './kit/read.js';

export type RedisCommandOptions = ReadCommandOptions;

/** What the connection shows (runbook 002 connectivity, runbook 003 Redis performance and the webhook queue). */
export const REDIS_SERVER_STEPS = [
  'redis.ping',
  'redis.replication',
  'redis.memory',
  'redis.clients',
  'redis.keyspace',
  'redis.persistence',
  'redis.queue',
] as const;

/**
 * `fsops redis --env E`: the Redis server and the webhook queue through one read-only connection
 * (--redis-url, or the environment's SSM redis_url; --redis-host/--redis-port for a tunnel).
 */
export async function redis(
  options: RedisCommandOptions,
  runtime: Runtime = processRuntime(),
): Promise<number> {
  checkRedisFlags(redisEndpoint(options));
  return runReadCommand(
    {
      label: 'redis',
      procedure: { steps: REDIS_SERVER_STEPS.map((check) => ({ check })) },
      defaultSince: '1h',
    },
    options,
    runtime,
  );
}
