import type { RedisConfig } from '../../../base/config/schema.js';
import type { CheckResult } from '../../../base/model/check.js';
import { defineCheck, noParams } from '../../../base/model/check.js';
import type { RedisFacts } from '../../../domain/redis/server-facts.js';
import { above, redisFacts, round } from './redis-facts.js';

type QueueConfig = RedisConfig['queues'][number];

/**
 * Each configured queue key: its length (LLEN) and, when the oldest item carries an enqueue time, its
 * age. A key that is not a list or cannot be read is an error; an item without a timestamp leaves the
 * age unjudged (skip), never a pass.
 */
export function evaluateQueues(facts: RedisFacts, queues: readonly QueueConfig[], now: Date): CheckResult[] {
  return queues.flatMap((queue): CheckResult[] => {
    const seen = facts.queues.find((q) => q.key === queue.key);
    const resource = `${facts.label} ${queue.key}`;
    if (!seen || seen.length === null) {
      return [
        {
          id: 'redis.queue.length',
          status: 'error',
          resource,
          expected: `${queue.key} is a list (LLEN)`,
          observed: `cannot read its length: ${seen?.problem ?? 'not read'}`,
          remediation: `Check redis.queues in the config: ${queue.key} must be the list the webhook producers push to.`,
        },
      ];
    }
    const length: CheckResult = {
      id: 'redis.queue.length',
      status: above(seen.length, queue.length),
      resource,
      expected: `fewer than ${queue.length.warn} item${queue.length.warn === 1 ? '' : 's'} (fail at ${queue.length.fail})`,
      observed: `${seen.length} item${seen.length === 1 ? '' : 's'} (LLEN ${queue.key})`,
      remediation: queue.key.includes('dlq')
        ? `Webhooks failed for good: inspect them (LRANGE ${queue.key} 0 10), fix the cause, then replay them (runbook 003 Webhook Processing Issues).`
        : 'Webhooks are piling up: check the webhook workers (running tasks, errors) and the downstream they call (runbook 003 Webhook Processing Issues).',
      value: seen.length,
      unit: 'items',
    };
    if (seen.length === 0) {
      return [
        length,
        {
          id: 'redis.queue.age',
          status: 'pass',
          resource,
          expected: ageExpected(queue),
          observed: 'queue empty',
        },
      ];
    }
    if (!seen.oldestAt) {
      return [
        length,
        {
          id: 'redis.queue.age',
          status: 'skip',
          resource,
          expected: ageExpected(queue),
          observed: `cannot tell the oldest item's age: ${seen.oldestHow}`,
          remediation: `Set redis.queues[].timestampFields to the item field holding its enqueue time, or oldestEnd if producers push to the other end.`,
        },
      ];
    }
    const minutes = Math.max(0, (now.getTime() - seen.oldestAt.getTime()) / 60_000);
    return [
      length,
      {
        id: 'redis.queue.age',
        status: above(minutes, queue.oldestMinutes),
        resource,
        expected: ageExpected(queue),
        observed: `oldest item waiting ${round(minutes)} min (enqueued ${seen.oldestAt.toISOString()}, ${seen.oldestHow})`,
        remediation:
          'The queue is not draining: restart or scale the webhook workers, then watch the length fall.',
        value: minutes,
        unit: 'min',
      },
    ];
  });
}

function ageExpected(queue: QueueConfig): string {
  return `oldest item younger than ${queue.oldestMinutes.warn} min (fail at ${queue.oldestMinutes.fail} min)`;
}

export const redisQueueCheck = defineCheck({
  id: 'redis.queue',
  title: 'Webhook queue in Redis',
  severity: 'high',
  source: 'runbook 003 Daily Tasks (redis-cli llen webhook_queue), Webhook Processing Issues (webhook_dlq)',
  remediation: 'Check the webhook workers and the dead-letter queue (runbook 003).',
  params: noParams,
  async run(ctx) {
    return evaluateQueues(await redisFacts(ctx), ctx.env.config.redis.queues, ctx.now);
  },
});
