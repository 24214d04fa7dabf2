import type { Command } from 'commander';
import { envOption, lazy, withRedisOptions } from './shared.js';

const EXIT_CODES = `
Exit codes: 0 nothing failed (warnings allowed; --strict makes them 1); 1 a finding failed; 2 bad
input (unknown environment, a malformed --redis-url or --redis-port); 3 something could not be
checked (Redis or AWS unreachable, AUTH refused, access denied, timeout); 130 interrupted.`;

/** Declares `fsops redis`. */
export function declareRedisCommands(program: Command): void {
  withRedisOptions(
    program
      .command('redis')
      .description(
        'Redis (ElastiCache) and the webhook queue: PING, replication, memory and evictions, clients, hit rate, saves, queue length and age (runbook 003 Daily Tasks, Redis Performance; runbook 002 Test Redis connectivity; deployment guide §4.2.1)',
      )
      .addOption(envOption())
      .option('--since <duration>', 'look-back window for the CloudWatch metrics (default 1h)'),
  )
    .addHelpText(
      'after',
      `
Read-only: PING, INFO, LLEN and LINDEX on one connection, closed at the end. The URL comes from
--redis-url or the SSM SecureString /fivestar/payments/{env}/app/redis_url (never printed); rediss://
uses TLS, a password in the URL is sent as AUTH.
${EXIT_CODES}

Examples:
  fsops redis --env prod
  fsops redis --env prod --redis-host 127.0.0.1 --redis-port 16379   # through an SSM tunnel
  fsops redis --env dev --redis-url redis://localhost:6379 --output json`,
    )
    .action(lazy(() => import('../commands/redis.js'), 'redis'));
}
