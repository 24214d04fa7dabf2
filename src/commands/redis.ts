import { UsageError } from '../base/model/errors.js';
import { checkRedisFlags } from '../domain/redis/target.js';
import type { Runtime } from '../engine/runtime.js';
import { type ReadCommandOptions, redisEndpoint, runReadCommand } from './kit/read.js';

export interface RedisCommandOptions extends ReadCommandOptions {
  /** Only the ElastiCache side from AWS: no connection to Redis (none allowed, no tunnel). */
  awsOnly?: boolean;
  /** `--no-aws`: only the connection's checks (a local or self-managed Redis). */
  aws?: boolean;
}

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

/** What AWS shows without a connection: the replication group, its snapshots and its CloudWatch metrics. */
export const REDIS_AWS_STEPS = ['redis.elasticache', 'metrics.redis'] as const;

/**
 * `fsops redis --env E`: the Redis server and the webhook queue through one read-only connection
 * (--redis-url, or the environment's SSM redis_url; --redis-host/--redis-port for a tunnel), and the
 * ElastiCache side from AWS.
 */
export async function redis(options: RedisCommandOptions, runtime: Runtime): Promise<number> {
  if (options.awsOnly && options.aws === false) {
    throw new UsageError('--aws-only and --no-aws exclude each other: pass one (or neither for both sides)');
  }
  if (!options.awsOnly) checkRedisFlags(redisEndpoint(options));
  const checks = [
    ...(options.awsOnly ? [] : REDIS_SERVER_STEPS),
    ...(options.aws === false ? [] : REDIS_AWS_STEPS),
  ];
  return runReadCommand(
    { label: 'redis', procedure: { steps: checks.map((check) => ({ check })) }, defaultSince: '1h' },
    options,
    runtime,
  );
}
