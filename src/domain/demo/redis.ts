/**
 * The demo's Redis trouble: a webhook queue backed up behind stalled workers (runbook 003 Webhook
 * Processing Issues) — 2,500 webhooks, the oldest enqueued 25 minutes ago — and three dead letters.
 */
export async function plantWebhookBacklog(
  url: string,
  now = Date.now(),
): Promise<{ queued: number; dead: number }> {
  const ioredis = await import('ioredis');
  // CommonJS: Node's ESM view has `Redis`, the bundle's only `default` (src/domain/redis/server-facts.ts).
  const Redis = ioredis.Redis ?? ioredis.default;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  await client.connect();
  try {
    const queued = 2500;
    // LPUSH producers: the oldest ends at the tail, where the workers' BRPOP would take it.
    for (let start = 0; start < queued; start += 500) {
      const items = Array.from({ length: 500 }, (_, i) => {
        const n = start + i;
        return JSON.stringify({
          id: `wh_demo_${n}`,
          event: 'payment.captured',
          timestamp: new Date(now - 25 * 60_000 + n * 500).toISOString(),
        });
      });
      await client.lpush('webhook_queue', ...items);
    }
    const dead = ['wh_demo_dead_1', 'wh_demo_dead_2', 'wh_demo_dead_3'].map((id, i) =>
      JSON.stringify({ id, event: 'refund.processed', failed_at: Math.floor(now / 1000) - (i + 1) * 600 }),
    );
    await client.lpush('webhook_dlq', ...dead);
    return { queued, dead: dead.length };
  } finally {
    client.disconnect();
  }
}
