import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Finding } from '../../../src/base/model/finding.js';
import { CHECKS } from '../../../src/catalogue/checks/index.js';
import { type LocalRedis, startLocalRedis } from '../../../src/domain/redis/local-server.js';
import { runChecks, stepsFor } from '../../../src/engine/runner.js';
import { testAws, testEnv } from '../../helpers/context.js';

const STEPS = [
  'redis.ping',
  'redis.replication',
  'redis.memory',
  'redis.clients',
  'redis.keyspace',
  'redis.persistence',
  'redis.queue',
];

function session(yaml = '') {
  const env = testEnv('dev', yaml);
  return { env, aws: testAws(), config: env.config };
}

async function run(endpoint: { url?: string; host?: string; port?: string }, yaml = '', now = new Date()) {
  const { findings } = await runChecks(
    session(yaml),
    stepsFor(
      CHECKS,
      STEPS.map((check) => ({ check })),
    ),
    {
      now,
      redis: endpoint,
    },
  );
  return findings;
}

const byId = (findings: Finding[], id: string, resource?: string) =>
  findings.filter((f) => f.id === id && (!resource || f.resource.endsWith(resource)));

describe('Redis checks against a real redis-server (the run shares one: test/helpers/global-setup.ts)', () => {
  const url = inject('redisUrl');
  let client: Redis;
  // Database 9 of the shared server: the queue keys of this file do not meet another file's.
  const dbUrl = `${url}/9`;
  beforeAll(() => {
    client = new Redis(dbUrl);
  });
  afterEach(async () => {
    await client.flushdb();
  });
  afterAll(async () => {
    await client.quit();
  });

  it('an empty queue and a healthy server pass; the report says where it connected, never a password', async () => {
    const findings = await run({ url: dbUrl });
    expect(byId(findings, 'redis.ping')[0]).toMatchObject({ status: 'pass' });
    expect(byId(findings, 'redis.ping')[0]!.observed).toMatch(/^PONG in [\d.]+ ms \(median of 3/);
    expect(byId(findings, 'redis.role')[0]).toMatchObject({
      status: 'pass',
      observed: expect.stringMatching(/^role master/),
    });
    expect(byId(findings, 'redis.queue.length', 'webhook_queue')[0]).toMatchObject({
      status: 'pass',
      observed: '0 items (LLEN webhook_queue)',
    });
    expect(byId(findings, 'redis.queue.age', 'webhook_queue')[0]).toMatchObject({
      status: 'pass',
      observed: 'queue empty',
    });
    expect(byId(findings, 'redis.hit-rate')[0]!.status).toBe('skip');
    // The test server has no maxmemory: that is a warning, not a pass.
    expect(byId(findings, 'redis.memory')[0]).toMatchObject({ status: 'warn' });
    expect(findings.every((f) => f.status !== 'error')).toBe(true);
  });

  it('a planted backlog: 1500 webhooks, the oldest 20 minutes old, and a dead-letter item, fail', async () => {
    const now = Date.now();
    const items = Array.from({ length: 1500 }, (_, i) =>
      JSON.stringify({ id: `wh_${i}`, timestamp: new Date(now - (20 * 60_000 - i * 100)).toISOString() }),
    );
    // LPUSH producers: the oldest is at the tail (redis.queues[].oldestEnd: tail).
    for (const item of items) await client.lpush('webhook_queue', item);
    await client.lpush(
      'webhook_dlq',
      JSON.stringify({ id: 'wh_dead', failed_at: Math.floor(now / 1000) - 120 }),
    );
    const findings = await run({ url: dbUrl });
    expect(byId(findings, 'redis.queue.length', 'webhook_queue')[0]).toMatchObject({
      status: 'fail',
      observed: '1500 items (LLEN webhook_queue)',
    });
    const age = byId(findings, 'redis.queue.age', 'webhook_queue')[0]!;
    expect(age.status).toBe('fail');
    expect(age.observed).toMatch(/^oldest item waiting 20(\.\d)? min .*field timestamp/);
    expect(byId(findings, 'redis.queue.length', 'webhook_dlq')[0]).toMatchObject({ status: 'warn' });
    expect(byId(findings, 'redis.queue.age', 'webhook_dlq')[0]).toMatchObject({ status: 'pass' });
    expect(byId(findings, 'redis.queue.age', 'webhook_dlq')[0]!.observed).toContain('field failed_at');
    // Never the payload itself in the report.
    expect(JSON.stringify(findings)).not.toContain('wh_1499');
  });

  it('items without a timestamp leave the age unjudged (skip); a key that is not a list is an error', async () => {
    await client.lpush('webhook_queue', 'plain text payload');
    await client.set('webhook_dlq', 'not a list');
    const findings = await run({ url: dbUrl });
    expect(byId(findings, 'redis.queue.age', 'webhook_queue')[0]).toMatchObject({
      status: 'skip',
      observed: "cannot tell the oldest item's age: the oldest item is not JSON",
    });
    expect(byId(findings, 'redis.queue.length', 'webhook_dlq')[0]).toMatchObject({ status: 'error' });
    expect(byId(findings, 'redis.queue.length', 'webhook_dlq')[0]!.observed).toMatch(/WRONGTYPE/);
  });

  it('nothing listening: every Redis check is an error naming the target, never a pass', async () => {
    const findings = await run({ url: 'redis://:s3cretPW@127.0.0.1:1' });
    expect(findings.length).toBe(STEPS.length);
    for (const f of findings) {
      expect(f.status).toBe('error');
      expect(f.observed).toMatch(/cannot connect to redis:\/\/127\.0\.0\.1:1 \(--redis-url\)/);
      expect(f.observed).not.toContain('s3cretPW');
    }
  });

  it('--redis-host/--redis-port reach the server through a "tunnel" while the URL names another host', async () => {
    const port = new URL(url).port;
    const findings = await run({ url: 'redis://cache.internal.example:6379/9', host: '127.0.0.1', port });
    expect(byId(findings, 'redis.ping')[0]!.status).toBe('pass');
    expect(byId(findings, 'redis.ping')[0]!.resource).toBe('redis://127.0.0.1:' + port + '/9');
  });

  it('without --redis-url the URL comes from SSM redis_url (SecureString, decrypted) and is never printed', async () => {
    const ssm = mockClient(SSMClient);
    try {
      ssm.on(GetParameterCommand).resolves({ Parameter: { Name: 'x', Type: 'SecureString', Value: dbUrl } });
      const findings = await run({});
      expect(ssm.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({
        Name: '/fivestar/payments/dev/app/redis_url',
        WithDecryption: true,
      });
      expect(byId(findings, 'redis.ping')[0]).toMatchObject({ status: 'pass' });
      expect(byId(findings, 'redis.ping')[0]!.detail).toBe(
        'connected through SSM /fivestar/payments/dev/app/redis_url',
      );
      ssm.reset();
      ssm.on(GetParameterCommand).rejects(Object.assign(new Error('nope'), { name: 'ParameterNotFound' }));
      const missing = await run({});
      expect(byId(missing, 'redis.ping')[0]!.status).toBe('error');
      expect(byId(missing, 'redis.ping')[0]!.observed).toContain(
        'Redis URL parameter /fivestar/payments/dev/app/redis_url not found for dev',
      );
    } finally {
      ssm.restore();
    }
  });
});

describe('Redis under memory pressure (a server of its own: maxmemory is server-wide)', () => {
  let server: LocalRedis;
  let client: Redis;
  beforeAll(async () => {
    server = await startLocalRedis({ settings: { maxmemory: '3mb', 'maxmemory-policy': 'allkeys-lru' } });
    client = new Redis(server.url);
  });
  afterAll(async () => {
    await client?.quit();
    await server?.stop();
  });

  it('filled past maxmemory: memory fails, the allkeys policy warns for the queue, evictions are counted', async () => {
    const value = 'x'.repeat(10_000);
    for (let i = 0; i < 800; i += 1) await client.set(`cache:${i}`, value);
    // Reads with misses: a low hit rate, judged past minKeyspaceReads.
    for (let i = 0; i < 1200; i += 1) await client.get(`cache:${i}`);
    const findings = await run(
      { url: server.url },
      'redis:\n  thresholds:\n    evictedKeys: { warn: 1, fail: 100 }\n',
    );
    const memory = byId(findings, 'redis.memory')[0]!;
    expect(memory.status).toBe('fail');
    expect(memory.observed).toMatch(/^\d+(\.\d)?% \([\d.]+ MiB of 3 MiB\)$/);
    expect(byId(findings, 'redis.eviction-policy')[0]).toMatchObject({
      status: 'warn',
      observed: 'maxmemory-policy allkeys-lru',
    });
    const evictions = byId(findings, 'redis.evictions')[0]!;
    expect(evictions.status).toBe('fail');
    expect(Number(evictions.observed.split(' ')[0])).toBeGreaterThan(100);
    const hitRate = byId(findings, 'redis.hit-rate')[0]!;
    expect(hitRate.status).toBe('fail');
  });
});
