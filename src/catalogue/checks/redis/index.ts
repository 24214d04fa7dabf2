import type { Check } from '../../../base/model/check.js';
import { metricsRedisCheck, redisElastiCacheCheck } from './elasticache.js';
import { redisQueueCheck } from './queue.js';
import {
  redisClientsCheck,
  redisKeyspaceCheck,
  redisMemoryCheck,
  redisPersistenceCheck,
  redisPingCheck,
  redisReplicationCheck,
} from './server.js';

/** Redis (ElastiCache) and the webhook queue: runbook 003, runbook 002, deployment guide §4.2.1. */
export const redisChecks: Check[] = [
  redisPingCheck,
  redisReplicationCheck,
  redisMemoryCheck,
  redisClientsCheck,
  redisKeyspaceCheck,
  redisPersistenceCheck,
  redisQueueCheck,
  redisElastiCacheCheck,
  metricsRedisCheck,
];
