import type { Command } from 'commander';
import { envOption, lazy, withRedisOptions } from './shared.js';

const EXIT_CODES = `
Exit codes: 0 nothing failed (warnings allowed; --strict makes them 1); 1 a finding failed; 2 bad
input (unknown environment, a malformed --redis-url or --redis-port); 3 something could not be
checked (Redis or AWS unreachable, AUTH refused, access denied, timeout); 130 interrupted.`;

/** Declares `fsops redis` and `fsops payments reconcile` (the daily routine's Redis and reconciliation). */
export function declareRedisCommands(program: Command): void {
  withRedisOptions(
    program
      .command('redis')
      .description(
        'Redis (ElastiCache) and the webhook queue: PING, replication, memory and evictions, clients, hit rate, saves, queue length and age (runbook 003 Daily Tasks, Redis Performance; runbook 002 Test Redis connectivity; deployment guide §4.2.1)',
      )
      .addOption(envOption())
      .option('--since <duration>', 'look-back window for the CloudWatch metrics (default 1h)')
      .option(
        '--aws-only',
        'only the ElastiCache side from AWS: no connection to Redis (no tunnel, or none allowed)',
      )
      .option('--no-aws', "only the connection's checks (a local or self-managed Redis)"),
  )
    .addHelpText(
      'after',
      `
Both sides by default: the connection's checks and the ElastiCache side from AWS (replication group,
Multi-AZ and failover, encryption, newest snapshot, CloudWatch metrics through one GetMetricData).
Read-only: PING, INFO, LLEN and LINDEX on one connection, closed at the end. The URL comes from
--redis-url or the SSM SecureString /fivestar/payments/{env}/app/redis_url (never printed); rediss://
uses TLS, a password in the URL is sent as AUTH.
${EXIT_CODES}

Examples:
  fsops redis --env prod
  fsops redis --env prod --redis-host 127.0.0.1 --redis-port 16379   # through an SSM tunnel
  fsops redis --env prod --aws-only
  fsops redis --env dev --redis-url redis://localhost:6379 --no-aws --output json`,
    )
    .action(lazy(() => import('../redis.js'), 'redis'));

  const payments = program
    .command('payments')
    .description('Payments against the LMS (runbook 003 daily reconciliation)');
  payments
    .command('reconcile')
    .description(
      "One day's COMPLETED payments against their LMS postings: unposted or failed postings, double postings, totals by channel and gateway, payments stuck pending (runbook 003 Daily Tasks; ops guide §10.3.1)",
    )
    .addOption(envOption())
    .option(
      '--date <YYYY-MM-DD>',
      'the business day (payments.reconciliation.timeZone, IST); default yesterday',
    )
    .option('--db-url <url>', "PostgreSQL URL (default: the environment's secret)")
    .option('--db-host <host>', "connect through a tunnel: this host instead of the database's")
    .option('--db-port <port>', 'connect through a tunnel: this port')
    .addHelpText(
      'after',
      `
Read-only SQL on the diagnostic session (default_transaction_read_only, statement_timeout). Tables and
columns come from payments.* and payments.reconciliation.* in the config. Every mismatch is listed by id
with its amount (the first payments.reconciliation.listLimit, largest first; the count covers all).

Exit codes: 0 reconciled; 1 a mismatch (unposted, double posted, totals apart, payments stuck pending past
the fail level); 2 bad input (an invalid --date, unknown environment); 3 the database could not be read
(unreachable, a table or column the config names is missing); 130 interrupted.

Examples:
  fsops payments reconcile --env prod
  fsops payments reconcile --env prod --date 2026-12-06 --output json
  fsops payments reconcile --env prod --db-host 127.0.0.1 --db-port 15432`,
    )
    .action(lazy(() => import('../payments-reconcile.js'), 'paymentsReconcile'));
}
