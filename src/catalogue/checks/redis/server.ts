import type { RedisConfig } from '../../../base/config/schema.js';
import type { CheckResult } from '../../../base/model/check.js';
import { defineCheck, noParams } from '../../../base/model/check.js';
import type { Status } from '../../../base/model/finding.js';
import { infoNumber, replicaLinks } from '../../../domain/redis/info.js';
import type { RedisFacts } from '../../../domain/redis/server-facts.js';
import { above, below, expectedBelow, redisFacts, round } from './redis-facts.js';

type Thresholds = RedisConfig['thresholds'];

const missing = (facts: RedisFacts, id: string, fields: string): CheckResult => ({
  id,
  status: 'error',
  resource: facts.label,
  expected: `INFO reports ${fields}`,
  observed: `INFO did not report ${fields}: cannot judge`,
  remediation:
    'Check that the server is Redis (or ElastiCache for Redis/Valkey) and that INFO is not renamed.',
});

/** Median PING round trip (runbook 002 "Test Redis connectivity"). */
export function evaluatePing(facts: RedisFacts, t: Thresholds): CheckResult[] {
  const sorted = [...facts.pingMs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  if (median === undefined) return [missing(facts, 'redis.ping', 'a PING answer')];
  return [
    {
      id: 'redis.ping',
      status: above(median, t.pingMs),
      resource: facts.label,
      expected: `PONG ${expectedBelow(t.pingMs, ' ms')}`,
      observed: `PONG in ${round(median, 2)} ms (median of ${sorted.length}; ${sorted.map((ms) => round(ms, 2)).join(', ')} ms)`,
      detail: `connected through ${facts.source}`,
      remediation:
        'Slow answers: look at EngineCPUUtilization, large keys (`redis-cli --bigkeys`, runbook 003) and the network path (runbook 002).',
      value: median,
      unit: 'ms',
    },
  ];
}

/** Role and replication link: a replica's link to its primary, a primary's replicas and their lag. */
export function evaluateReplication(facts: RedisFacts, t: Thresholds): CheckResult[] {
  const role = facts.info.role;
  if (!role) return [missing(facts, 'redis.role', 'role')];
  if (role === 'slave' || role === 'replica') {
    const link = facts.info.master_link_status;
    const master = `${facts.info.master_host ?? '?'}:${facts.info.master_port ?? '?'}`;
    const down = infoNumber(facts.info, 'master_link_down_since_seconds');
    const lastIo = infoNumber(facts.info, 'master_last_io_seconds_ago');
    return [
      {
        id: 'redis.role',
        status: link === 'up' ? 'pass' : link === 'down' ? 'fail' : 'error',
        resource: facts.label,
        expected: 'a replica with its link to the primary up',
        observed: `replica of ${master}, link ${link ?? 'not reported'}${link === 'down' && down !== null ? ` for ${down} s` : ''}${lastIo !== null && lastIo >= 0 ? `, last I/O ${lastIo} s ago` : ''}`,
        remediation:
          'The replica lost its primary: check the primary and the replication group (failover in progress?) before sending traffic here.',
      },
    ];
  }
  const replicas = replicaLinks(facts.info);
  const connected = infoNumber(facts.info, 'connected_slaves') ?? replicas.length;
  const results: CheckResult[] = [
    {
      id: 'redis.role',
      status: role === 'master' ? 'pass' : 'error',
      resource: facts.label,
      expected: 'the primary (role master), or a replica with its link up',
      observed: `role ${role}, ${connected} replica${connected === 1 ? '' : 's'} connected`,
      remediation: 'Unknown role: check the server.',
    },
  ];
  for (const replica of replicas) {
    const lagStatus: Status =
      replica.state !== 'online'
        ? 'fail'
        : replica.lag === null
          ? 'error'
          : above(replica.lag, t.replicaLagSeconds);
    results.push({
      id: 'redis.replica',
      status: lagStatus,
      resource: `${facts.label} ${replica.name} ${replica.address}`,
      expected: `online, acknowledged ${expectedBelow(t.replicaLagSeconds, ' s')} ago`,
      observed: `${replica.state}${replica.lag === null ? ', lag not reported' : `, last acknowledgement ${replica.lag} s ago`}`,
      remediation:
        'A replica is behind or offline: a failover now would lose writes; check the node in the console.',
      ...(replica.lag !== null ? { value: replica.lag, unit: 's' } : {}),
    });
  }
  return results;
}

/** Used memory against maxmemory, the eviction policy a queue can live with, and evictions so far. */
export function evaluateMemory(
  facts: RedisFacts,
  t: Thresholds,
  queueKeys: readonly string[],
): CheckResult[] {
  const used = infoNumber(facts.info, 'used_memory');
  const max = infoNumber(facts.info, 'maxmemory');
  const policy = facts.info.maxmemory_policy;
  const evicted = infoNumber(facts.info, 'evicted_keys');
  const results: CheckResult[] = [];
  const mb = (bytes: number) => `${round(bytes / 1024 ** 2)} MiB`;
  if (used === null || max === null) {
    results.push(missing(facts, 'redis.memory', 'used_memory and maxmemory'));
  } else if (max === 0) {
    results.push({
      id: 'redis.memory',
      status: 'warn',
      resource: facts.label,
      expected: 'a maxmemory limit, used memory below 75% of it',
      observed: `${mb(used)} used, no maxmemory set: Redis grows until the host runs out of memory`,
      remediation: 'Set maxmemory (ElastiCache sets it from the node type; a self-managed server needs it).',
    });
  } else {
    const percent = (used / max) * 100;
    results.push({
      id: 'redis.memory',
      status: above(percent, t.memoryPercent),
      resource: facts.label,
      expected: `used memory ${expectedBelow(t.memoryPercent, '%')} of maxmemory (runbook 003: < 75%)`,
      observed: `${round(percent)}% (${mb(used)} of ${mb(max)})`,
      remediation:
        'Memory is filling up: find large keys (`redis-cli --bigkeys`, `MEMORY DOCTOR`, runbook 003), drain the webhook queue, or scale the node type.',
      value: percent,
      unit: '%',
    });
  }
  if (!policy) {
    results.push(missing(facts, 'redis.eviction-policy', 'maxmemory_policy'));
  } else {
    // Queue keys carry no TTL: allkeys-* may evict a queued webhook; volatile-* and noeviction never do.
    const evictsQueues = policy.startsWith('allkeys-');
    results.push({
      id: 'redis.eviction-policy',
      status: queueKeys.length > 0 && evictsQueues ? 'warn' : 'pass',
      resource: facts.label,
      expected:
        queueKeys.length > 0
          ? `a policy that never evicts keys without a TTL (noeviction or volatile-*): the queues ${queueKeys.join(', ')} must not be evicted`
          : 'any policy (no queue keys configured)',
      observed: `maxmemory-policy ${policy}`,
      remediation:
        'Under memory pressure this policy may evict queued webhooks: use volatile-lru (cache keys with a TTL) or noeviction in the parameter group.',
    });
  }
  if (evicted === null) {
    results.push(missing(facts, 'redis.evictions', 'evicted_keys'));
  } else {
    results.push({
      id: 'redis.evictions',
      status: above(evicted, t.evictedKeys),
      resource: facts.label,
      expected: `no evicted keys (warn at ${t.evictedKeys.warn}, fail at ${t.evictedKeys.fail} since start)`,
      observed: `${evicted} key${evicted === 1 ? '' : 's'} evicted since the server started${policy ? ` (policy ${policy})` : ''}`,
      remediation:
        'Keys were evicted for lack of memory (runbook 003: eviction rate < 1%): free memory or scale the node, and check that no queued webhook was lost (webhook_dlq, replay).',
      value: evicted,
      unit: 'keys',
    });
  }
  return results;
}

/** Connected clients against maxclients, connections refused, clients blocked in BLPOP/BRPOP and the like. */
export function evaluateClients(facts: RedisFacts, t: Thresholds, maxClientsDefault: number): CheckResult[] {
  const connected = infoNumber(facts.info, 'connected_clients');
  const reported = infoNumber(facts.info, 'maxclients');
  const rejected = infoNumber(facts.info, 'rejected_connections');
  const blocked = infoNumber(facts.info, 'blocked_clients');
  const results: CheckResult[] = [];
  if (connected === null) {
    results.push(missing(facts, 'redis.clients', 'connected_clients'));
  } else {
    const max = reported ?? maxClientsDefault;
    const percent = (connected / max) * 100;
    results.push({
      id: 'redis.clients',
      status: above(percent, t.clientsPercent),
      resource: facts.label,
      expected: `connected clients ${expectedBelow(t.clientsPercent, '%')} of maxclients`,
      observed: `${connected} of ${max} (${round(percent)}%)`,
      detail:
        reported === null ? 'maxclients from redis.maxClients (INFO does not report it before Redis 7)' : '',
      remediation:
        'Near maxclients: look for connection leaks in the services (pool sizes) before new connections are refused.',
      value: percent,
      unit: '%',
    });
  }
  if (rejected === null) {
    results.push(missing(facts, 'redis.rejected-connections', 'rejected_connections'));
  } else {
    results.push({
      id: 'redis.rejected-connections',
      status: above(rejected, t.rejectedConnections),
      resource: facts.label,
      expected: 'no connection refused (maxclients reached) since start',
      observed: `${rejected} connection${rejected === 1 ? '' : 's'} refused since the server started`,
      remediation:
        'Clients were refused at maxclients: services saw connection errors; fix the leak or the pool sizes.',
      value: rejected,
      unit: 'connections',
    });
  }
  if (blocked === null) {
    results.push(missing(facts, 'redis.blocked-clients', 'blocked_clients'));
  } else {
    results.push({
      id: 'redis.blocked-clients',
      status: above(blocked, t.blockedClients),
      resource: facts.label,
      expected: `${expectedBelow(t.blockedClients, '')} clients blocked (queue workers wait in BRPOP: a few are normal)`,
      observed: `${blocked} client${blocked === 1 ? '' : 's'} blocked`,
      remediation:
        'Many clients blocked: workers piling up on a queue, or a stuck WAIT/blocking command; look at CLIENT LIST.',
      value: blocked,
      unit: 'clients',
    });
  }
  return results;
}

/** Keyspace hit rate since start (runbook 003: > 90%), judged only past a minimum of lookups. */
export function evaluateKeyspace(facts: RedisFacts, t: Thresholds): CheckResult[] {
  const hits = infoNumber(facts.info, 'keyspace_hits');
  const misses = infoNumber(facts.info, 'keyspace_misses');
  if (hits === null || misses === null)
    return [missing(facts, 'redis.hit-rate', 'keyspace_hits and keyspace_misses')];
  const reads = hits + misses;
  if (reads < t.minKeyspaceReads) {
    return [
      {
        id: 'redis.hit-rate',
        status: 'skip',
        resource: facts.label,
        expected: `at least ${t.minKeyspaceReads} lookups to judge the hit rate`,
        observed: `${reads} lookup${reads === 1 ? '' : 's'} since the server started: too few to judge`,
      },
    ];
  }
  const percent = (hits / reads) * 100;
  return [
    {
      id: 'redis.hit-rate',
      status: below(percent, t.hitRatePercent),
      resource: facts.label,
      expected: `hit rate above ${t.hitRatePercent.warn}% (fail at ${t.hitRatePercent.fail}%; runbook 003: > 90%)`,
      observed: `${round(percent)}% (${hits} hits, ${misses} misses since start)`,
      remediation: 'Low hit rate: keys expire too soon or are evicted; check TTLs, evictions and memory.',
      value: percent,
      unit: '%',
    },
  ];
}

/** Last RDB save and AOF status (runbook 003: daily BGSAVE, BGREWRITEAOF). */
export function evaluatePersistence(facts: RedisFacts, t: Thresholds, now: Date): CheckResult[] {
  const info = facts.info;
  const bgsave = info.rdb_last_bgsave_status;
  const lastSave = infoNumber(info, 'rdb_last_save_time');
  const changes = infoNumber(info, 'rdb_changes_since_last_save');
  const aofEnabled = infoNumber(info, 'aof_enabled');
  if (!bgsave || lastSave === null || changes === null || aofEnabled === null) {
    return [
      missing(
        facts,
        'redis.persistence',
        'rdb_last_bgsave_status, rdb_last_save_time, rdb_changes_since_last_save and aof_enabled',
      ),
    ];
  }
  const hours = (now.getTime() / 1000 - lastSave) / 3600;
  const problems: string[] = [];
  let status: Status = 'pass';
  if (bgsave !== 'ok') {
    status = 'fail';
    problems.push(`last BGSAVE ${bgsave}`);
  }
  if (aofEnabled === 1) {
    for (const field of ['aof_last_bgrewrite_status', 'aof_last_write_status']) {
      if (info[field] && info[field] !== 'ok') {
        status = 'fail';
        problems.push(`${field} ${info[field]}`);
      }
    }
  }
  // Only unsaved changes age: a quiet server saved long ago has nothing to lose.
  const ageStatus = changes > 0 ? above(hours, t.unsavedHours) : 'pass';
  if (ageStatus !== 'pass' && status !== 'fail') status = ageStatus;
  const saved = new Date(lastSave * 1000).toISOString();
  return [
    {
      id: 'redis.persistence',
      status,
      resource: facts.label,
      expected: `last BGSAVE ok${aofEnabled === 1 ? ', AOF writes and rewrites ok' : ''}, no change left unsaved for ${t.unsavedHours.warn} h (fail at ${t.unsavedHours.fail} h)`,
      observed: `${problems.length ? `${problems.join(', ')}; ` : ''}last save ${saved} (${round(hours)} h ago), ${changes} change${changes === 1 ? '' : 's'} since; AOF ${aofEnabled === 1 ? 'on' : 'off'}`,
      detail:
        'ElastiCache takes its backups as snapshots (redis.elasticache checks the newest): a server without RDB saves relies on them.',
      remediation:
        'Saves fail or are overdue: check disk space and the fork (memory), then BGSAVE (runbook 003 Redis backup); on ElastiCache take a manual snapshot.',
    },
  ];
}

const facts = (id: string, title: string, remediation: string) => ({
  id,
  title,
  severity: 'high' as const,
  source:
    'runbook 003 Technical Metrics (Redis Performance), Cache Maintenance, Daily Tasks; runbook 002 Network Issues (Test Redis connectivity); deployment guide §4.2.1 (redis_url)',
  remediation,
});

export const redisPingCheck = defineCheck({
  ...facts(
    'redis.ping',
    'Redis answers PING',
    'Redis does not answer: check the security group, the redis_url and AUTH (runbook 002).',
  ),
  severity: 'critical',
  params: noParams,
  async run(ctx) {
    return evaluatePing(await redisFacts(ctx), ctx.env.config.redis.thresholds);
  },
});

export const redisReplicationCheck = defineCheck({
  ...facts(
    'redis.replication',
    'Redis role and replication link',
    'Check the replication group in the ElastiCache console.',
  ),
  params: noParams,
  async run(ctx) {
    return evaluateReplication(await redisFacts(ctx), ctx.env.config.redis.thresholds);
  },
});

export const redisMemoryCheck = defineCheck({
  ...facts(
    'redis.memory',
    'Redis memory, eviction policy and evictions',
    'Free memory or scale the node type (runbook 003).',
  ),
  params: noParams,
  async run(ctx) {
    const config = ctx.env.config.redis;
    return evaluateMemory(
      await redisFacts(ctx),
      config.thresholds,
      config.queues.map((q) => q.key),
    );
  },
});

export const redisClientsCheck = defineCheck({
  ...facts(
    'redis.clients',
    'Redis clients, refused and blocked connections',
    'Look for connection leaks (pool sizes).',
  ),
  params: noParams,
  async run(ctx) {
    const config = ctx.env.config.redis;
    return evaluateClients(await redisFacts(ctx), config.thresholds, config.maxClients);
  },
});

export const redisKeyspaceCheck = defineCheck({
  ...facts('redis.keyspace', 'Redis keyspace hit rate', 'Check TTLs and evictions.'),
  severity: 'medium',
  params: noParams,
  async run(ctx) {
    return evaluateKeyspace(await redisFacts(ctx), ctx.env.config.redis.thresholds);
  },
});

export const redisPersistenceCheck = defineCheck({
  ...facts(
    'redis.persistence',
    'Redis last save and AOF',
    'BGSAVE, or take an ElastiCache snapshot (runbook 003 Redis backup).',
  ),
  severity: 'medium',
  params: noParams,
  async run(ctx) {
    return evaluatePersistence(await redisFacts(ctx), ctx.env.config.redis.thresholds, ctx.now);
  },
});
