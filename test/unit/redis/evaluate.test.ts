import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/base/config/defaults.js';
import {
  evaluateClients,
  evaluatePersistence,
  evaluateReplication,
} from '../../../src/catalogue/checks/redis/server.js';
import { parseInfo } from '../../../src/domain/redis/info.js';
import { itemTimestamp, type RedisFacts } from '../../../src/domain/redis/server-facts.js';
import { applyRedisTunnel, parseRedisUrl, redisLabel } from '../../../src/domain/redis/target.js';

const t = DEFAULT_CONFIG.redis.thresholds;
const facts = (info: string): RedisFacts => ({
  label: 'redis://cache:6379',
  source: '--redis-url',
  pingMs: [1],
  info: parseInfo(info.replaceAll('\n', '\r\n')),
  queues: [],
});

describe('Redis evaluation (pure)', () => {
  it('a replica whose link to the primary is down fails; a primary with a lagging replica warns or fails', () => {
    const replica = evaluateReplication(
      facts(
        '# Replication\nrole:slave\nmaster_host:10.0.0.5\nmaster_port:6379\nmaster_link_status:down\nmaster_link_down_since_seconds:42\n',
      ),
      t,
    );
    expect(replica).toMatchObject([
      { id: 'redis.role', status: 'fail', observed: 'replica of 10.0.0.5:6379, link down for 42 s' },
    ]);
    const primary = evaluateReplication(
      facts(
        'role:master\nconnected_slaves:2\nslave0:ip=10.0.0.6,port=6379,state=online,offset=1,lag=0\nslave1:ip=10.0.0.7,port=6379,state=online,offset=1,lag=75\n',
      ),
      t,
    );
    expect(primary.map((r) => r.status)).toEqual(['pass', 'pass', 'fail']);
    expect(primary[2]!.resource).toBe('redis://cache:6379 slave1 10.0.0.7:6379');
  });

  it('a failed BGSAVE fails; unsaved changes age; a quiet server saved long ago passes; missing fields are an error', () => {
    const now = new Date('2026-12-07T12:00:00Z');
    const dayAgo = now.getTime() / 1000 - 30 * 3600;
    expect(
      evaluatePersistence(
        facts(
          `rdb_last_bgsave_status:err\nrdb_last_save_time:${dayAgo}\nrdb_changes_since_last_save:0\naof_enabled:0\n`,
        ),
        t,
        now,
      )[0]!.status,
    ).toBe('fail');
    expect(
      evaluatePersistence(
        facts(
          `rdb_last_bgsave_status:ok\nrdb_last_save_time:${dayAgo}\nrdb_changes_since_last_save:5\naof_enabled:0\n`,
        ),
        t,
        now,
      )[0]!.status,
    ).toBe('warn');
    expect(
      evaluatePersistence(
        facts(
          `rdb_last_bgsave_status:ok\nrdb_last_save_time:${dayAgo}\nrdb_changes_since_last_save:0\naof_enabled:0\n`,
        ),
        t,
        now,
      )[0]!.status,
    ).toBe('pass');
    expect(
      evaluatePersistence(
        facts(
          `rdb_last_bgsave_status:ok\nrdb_last_save_time:${dayAgo}\nrdb_changes_since_last_save:0\naof_enabled:1\naof_last_write_status:err\n`,
        ),
        t,
        now,
      )[0]!.status,
    ).toBe('fail');
    expect(evaluatePersistence(facts('role:master\n'), t, now)[0]!.status).toBe('error');
  });

  it('clients: percent of INFO maxclients, else redis.maxClients (said in the detail)', () => {
    const withMax = evaluateClients(
      facts('connected_clients:950\nmaxclients:1000\nrejected_connections:0\nblocked_clients:2\n'),
      t,
      65000,
    );
    expect(withMax.map((r) => [r.id, r.status])).toEqual([
      ['redis.clients', 'fail'],
      ['redis.rejected-connections', 'pass'],
      ['redis.blocked-clients', 'pass'],
    ]);
    const fallback = evaluateClients(
      facts('connected_clients:10\nrejected_connections:3\nblocked_clients:0\n'),
      t,
      65000,
    );
    expect(fallback[0]).toMatchObject({ status: 'pass', observed: '10 of 65000 (0%)' });
    expect(fallback[0]!.detail).toContain('redis.maxClients');
    expect(fallback[1]!.status).toBe('warn');
  });

  it('item timestamps: ISO text, epoch seconds and milliseconds, numeric text; anything else says why', () => {
    const fields = ['timestamp', 'created_at'];
    expect(itemTimestamp('{"timestamp":"2026-12-07T10:00:00Z"}', fields).at?.toISOString()).toBe(
      '2026-12-07T10:00:00.000Z',
    );
    expect(itemTimestamp('{"created_at":1796637600}', fields).at?.toISOString()).toBe(
      '2026-12-07T10:00:00.000Z',
    );
    expect(itemTimestamp('{"created_at":1796637600000}', fields).at?.toISOString()).toBe(
      '2026-12-07T10:00:00.000Z',
    );
    expect(itemTimestamp('{"created_at":"1796637600"}', fields).how).toBe('field created_at');
    expect(itemTimestamp('{"id":1}', fields)).toEqual({
      at: null,
      how: 'the oldest item has none of the fields timestamp, created_at',
    });
    expect(itemTimestamp('[1,2]', fields).at).toBeNull();
    expect(itemTimestamp('"text"', fields).how).toBe('the oldest item is not a JSON object');
  });

  it('redis_url: rediss is TLS, user and password are kept for AUTH but never in the label; a tunnel keeps the TLS name', () => {
    const target = parseRedisUrl(
      'rediss://app:p%40ss@master.prod-cache.abc.aps1.cache.amazonaws.com:6380/2',
      'SSM x',
    );
    expect(target).toMatchObject({ tls: true, username: 'app', password: 'p@ss', port: 6380, db: 2 });
    expect(redisLabel(target)).toBe('rediss://master.prod-cache.abc.aps1.cache.amazonaws.com:6380/2');
    const tunnel = applyRedisTunnel(target, { host: '127.0.0.1', port: '16380' });
    expect(tunnel).toMatchObject({
      host: '127.0.0.1',
      port: 16380,
      tlsServerName: 'master.prod-cache.abc.aps1.cache.amazonaws.com',
    });
    expect(parseRedisUrl('redis://:token@h', 'x')).toMatchObject({
      password: 'token',
      port: 6379,
      db: 0,
      tls: false,
    });
    expect(() => parseRedisUrl('redis://h/abc', '--redis-url')).toThrow("--redis-url names database 'abc'");
    expect(() => parseRedisUrl('not a url with secret', 'SSM p')).toThrow(/^SSM p is not a Redis URL: give/);
    try {
      parseRedisUrl('memcached://u:hunter22@h', 'SSM p');
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter22');
    }
  });
});
