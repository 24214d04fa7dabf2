import type { AwsClients } from '../../base/aws/clients.js';
import { describeAwsError, isAccessDenied, isCredentialsError, isNotFound } from '../../base/aws/errors.js';
import { type EnvContext, renderTemplate } from '../../base/config/load.js';
import type { RedisEndpoint } from '../../base/model/check.js';
import { UnreachableError, UsageError } from '../../base/model/errors.js';

/** Where and as whom to connect to Redis; `password` never leaves src/domain/redis/ except to the client. */
export interface RedisTarget {
  host: string;
  port: number;
  tls: boolean;
  username?: string;
  password?: string;
  db: number;
  /** The host the certificate must name when connecting through a tunnel (--redis-host). */
  tlsServerName?: string;
  /** Where the target came from: "--redis-url", "SSM /fivestar/payments/prod/app/redis_url". */
  source: string;
}

/** "rediss://host:port/db" without user or password, for findings and messages. */
export function redisLabel(target: Pick<RedisTarget, 'host' | 'port' | 'tls' | 'db'>): string {
  return `${target.tls ? 'rediss' : 'redis'}://${target.host}:${target.port}${target.db ? `/${target.db}` : ''}`;
}

/**
 * redis://[[user]:password@]host[:port][/db] or rediss:// (TLS), as the deployment guide's redis_url
 * (§4.2.1) and ElastiCache's in-transit encryption with an AUTH token use them. The URL is never echoed:
 * a bad one is described without its text.
 */
export function parseRedisUrl(raw: string, source: string): RedisTarget {
  const valid = `give redis://[user:password@]host[:port][/db] or rediss:// for TLS`;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(`${source} is not a Redis URL: ${valid}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new UsageError(
      `${source} has scheme '${url.protocol.replace(/:$/, '')}', not redis or rediss: ${valid}`,
    );
  }
  if (!url.hostname) throw new UsageError(`${source} names no host: ${valid}`);
  const port = url.port ? Number(url.port) : 6379;
  const path = url.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0) {
    throw new UsageError(`${source} names database '${path}': the path must be a database number, e.g. /0`);
  }
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    tls: url.protocol === 'rediss:',
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    db,
    source,
  };
}

/** --redis-host/--redis-port (an SSM or SSH tunnel) replace host and port; TLS still checks the real name. */
export function applyRedisTunnel(
  target: RedisTarget,
  endpoint: Pick<RedisEndpoint, 'host' | 'port'>,
): RedisTarget {
  if (!endpoint.host && !endpoint.port) return target;
  let port = target.port;
  if (endpoint.port !== undefined) {
    port = Number(endpoint.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new UsageError(`--redis-port must be a port number 1-65535 (got '${endpoint.port}')`);
    }
  }
  const host = endpoint.host ?? target.host;
  return { ...target, host, port, tlsServerName: host === target.host ? target.tlsServerName : target.host };
}

/** The SSM parameter holding the environment's redis_url (deployment guide §4.2.1). */
export function redisUrlParameter(env: EnvContext): string {
  return renderTemplate(env.config.redis.urlParameter, { env: env.name });
}

/** Reads redis_url (SecureString, decrypted); the value is returned, never printed or put in an error. */
export async function readRedisUrlParameter(
  env: EnvContext,
  aws: AwsClients,
  signal?: AbortSignal,
): Promise<{ url: string; name: string }> {
  const name = redisUrlParameter(env);
  const { GetParameterCommand } = await import('@aws-sdk/client-ssm');
  try {
    const out = await (await aws.ssm()).send(new GetParameterCommand({ Name: name, WithDecryption: true }), {
      abortSignal: signal,
    });
    const value = out.Parameter?.Value;
    if (!value) throw new UsageError(`SSM parameter ${name} is empty: it must hold the redis_url`);
    return { url: value, name };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (isCredentialsError(error)) {
      throw new UsageError(
        `no AWS credentials to read ${name} for ${env.name}: set --profile or AWS_PROFILE, or pass --redis-url`,
      );
    }
    if (isNotFound(error)) {
      throw new UsageError(
        `Redis URL parameter ${name} not found for ${env.name} (redis.urlParameter in the config, or pass --redis-url)`,
      );
    }
    if (isAccessDenied(error)) {
      throw new UnreachableError(`not allowed to read ${name}: ${describeAwsError(error)}`);
    }
    throw new UnreachableError(`cannot read ${name}: ${describeAwsError(error)}`);
  }
}

/**
 * Which Redis a run talks to: --redis-url, else the environment's SSM parameter; then
 * --redis-host/--redis-port for a tunnel.
 */
export async function resolveRedisTarget(
  env: EnvContext,
  aws: AwsClients,
  endpoint: RedisEndpoint,
  signal?: AbortSignal,
): Promise<RedisTarget> {
  let target: RedisTarget;
  if (endpoint.url) {
    target = parseRedisUrl(endpoint.url, '--redis-url');
  } else {
    const { url, name } = await readRedisUrlParameter(env, aws, signal);
    // parseRedisUrl describes a bad URL without echoing it: the parameter's value is a secret.
    target = parseRedisUrl(url, `SSM ${name}`);
  }
  return applyRedisTunnel(target, endpoint);
}

/** The Redis flags checked before anything runs (bad input: one line, exit 2), not when a check connects. */
export function checkRedisFlags(endpoint: RedisEndpoint): void {
  const base = endpoint.url
    ? parseRedisUrl(endpoint.url, '--redis-url')
    : { host: 'placeholder', port: 6379, tls: false, db: 0, source: '' };
  if (endpoint.host !== undefined && endpoint.host.trim() === '') {
    throw new UsageError('--redis-host is empty: give the tunnel host, e.g. 127.0.0.1');
  }
  applyRedisTunnel(base, endpoint);
}
