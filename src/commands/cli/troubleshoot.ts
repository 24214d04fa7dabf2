import { type Command, Option } from 'commander';
import { changeEnvOption, envOption, lazy, withSafetyOptions } from './shared.js';

const EXIT_CODES = `
Exit codes: 0 nothing failed (warnings allowed; --strict makes them 1); 1 a finding failed; 2 bad
input (unknown environment, component, symptom, invalid duration); 3 something could not be checked
(AWS or the database unreachable, access denied, timeout); 130 interrupted.`;

function withDbOptions(command: Command): Command {
  return command
    .option('--db-url <url>', "PostgreSQL URL for the database checks (default: the environment's secret)")
    .option('--db-host <host>', "connect through a tunnel: this host instead of the database's")
    .option('--db-port <port>', 'connect through a tunnel: this port');
}

/** Declares the troubleshoot commands; each action lazily imports its module from src/commands/. */
export function declareTroubleshootCommands(program: Command): void {
  withDbOptions(
    program
      .command('troubleshoot')
      .description(
        "Gather and judge the facts for a symptom, then the guide's steps, most relevant first (ops guide §13; runbook 002; deployment guide §12.1)",
      )
      .argument('[symptom]', 'the symptom (omit to list them)')
      .addOption(envOption())
      .option('--since <duration>', 'look-back window for logs, metrics and the payments table (default 1h)'),
  )
    .addHelpText(
      'after',
      `
Symptoms: payment-failures, lms-sync (ops guide §13.1.1), slow-api, db-performance (§13.1.2),
service-unavailable, high-error-rate (runbook 002), task-start-failure, health-check-failure,
db-connection-timeout (deployment guide §12.1). Database checks use --db-url or the environment's
Secrets Manager secret; when the database cannot be opened those checks report an error and the
others still run.
${EXIT_CODES}

Examples:
  fsops troubleshoot
  fsops troubleshoot payment-failures --env prod
  fsops troubleshoot slow-api --env staging --since 30m --only-problems
  fsops troubleshoot db-performance --env prod --db-host 127.0.0.1 --db-port 15432`,
    )
    .action(lazy(() => import('../troubleshoot.js'), 'troubleshoot'));

  const logs = program.command('logs').description('Application and database logs (CloudWatch Logs)');
  logs
    .command('errors')
    .description(
      'Error events grouped by message signature, with counts, first/last seen and an example (deployment guide §12.2.2)',
    )
    .argument('[component]', 'component, e.g. internal-pe (not needed with --source rds)')
    .addOption(envOption())
    .option(
      '--since <duration>',
      'look-back window (default 1h; over 1h, Logs Insights aggregates server-side)',
    )
    .option('--pattern <pattern>', 'CloudWatch Logs filter pattern (default logs.errorPattern: ERROR)')
    .addOption(
      new Option(
        '--source <source>',
        "app: the component's log group; rds: slow statements from the PostgreSQL log",
      )
        .choices(['app', 'rds'])
        .default('app'),
    )
    .option('--top <n>', 'signatures shown as findings (default 10)')
    .addHelpText(
      'after',
      `${EXIT_CODES}

Examples:
  fsops logs errors internal-pe --env prod
  fsops logs errors internal-pe --env prod --since 24h --pattern "payment failed"
  fsops logs errors --source rds --env prod --since 6h`,
    )
    .action(lazy(() => import('../logs-errors.js'), 'logsErrors'));
  logs
    .command('tail')
    .description(
      'Print log events oldest first; --follow keeps polling until Ctrl-C (ops guide §13.2.1; deployment guide §12.1.1)',
    )
    .argument('[component]', 'component, e.g. internal-pe (not needed with --source rds)')
    .addOption(envOption())
    .option('--since <duration>', 'start this far back (default 10m)')
    .option('-f, --follow', 'keep polling for new events until Ctrl-C')
    .option('--filter <pattern>', 'CloudWatch Logs filter pattern, e.g. ERROR')
    .addOption(
      new Option('--source <source>', 'app or rds (the PostgreSQL log group)')
        .choices(['app', 'rds'])
        .default('app'),
    )
    .addHelpText(
      'after',
      `
Lines go to stdout (JSON lines with --output json). Exit codes: 0 done, 2 bad input or log group not
found, 3 AWS unreachable, 130 stopped with Ctrl-C.

Examples:
  fsops logs tail internal-pe --env prod --since 1h
  fsops logs tail internal-pe --env prod --follow --filter ERROR
  fsops logs tail --source rds --env prod --filter duration`,
    )
    .action(lazy(() => import('../logs-tail.js'), 'logsTail'));
  withSafetyOptions(
    logs
      .command('archive')
      .description(
        'Export the log groups of ops guide §3.1.1 for a closed month to the S3 archive bucket, one export at a time, to {group}/{yyyy}/{mm} (runbook 002 "Log Archival"; PCI DSS 10.5.1)',
      )
      .addOption(changeEnvOption('environment whose log groups to export (required: FSOPS_ENV is not used)')),
  )
    .option('--month <YYYY-MM>', 'the closed month to export (default: the last closed month, UTC)')
    .option('--report <file>', 'also write the evidence report to FILE.json or FILE.md')
    .addHelpText(
      'after',
      `
Before anything is exported the bucket (names.logArchiveBucket) must keep it: Object Lock with a
default retention of logArchive.keepDays or more, and no lifecycle rule expiring it sooner; else
refused (exit 2) with the fix. A month not over yet, or closed less than 12 hours ago, is refused too.
Groups already exported for the month are skipped; an export still running is waited for. Ctrl-C
stops waiting: the report says which exports completed and which did not (exit 130). The check
logs.archive (maintenance run monthly) runs again at the end.
${EXIT_CODES}

Examples:
  fsops logs archive --env prod --dry-run
  fsops logs archive --env prod --month 2026-11 --yes --report archive-2026-11.md`,
    )
    .action(lazy(() => import('../logs-archive.js'), 'logsArchive'));

  program
    .command('ecs')
    .description('ECS diagnostics')
    .command('tasks')
    .description(
      'Running, pending and recently stopped tasks grouped by reason, service events, task definition (deployment guide §12.1.1)',
    )
    // Optional for commander, so that a missing one gets fsops's own line listing the valid ones.
    .argument('[component]', 'component, e.g. internal-pe')
    .addOption(envOption())
    .option(
      '--since <duration>',
      'stopped tasks and events this recent (default 1h; ECS keeps stopped tasks about an hour)',
    )
    .addHelpText('after', `${EXIT_CODES}\n\nExample:\n  fsops ecs tasks internal-pe --env prod`)
    .action(lazy(() => import('../ecs-tasks.js'), 'ecsTasks'));

  withDbOptions(
    program
      .command('metrics')
      .description(
        "The guide's metrics with latest/average/peak against the thresholds and a trend (ops guide §6.1.1, §8.1.1; deployment guide §12.2.1)",
      )
      // Optional for commander, so that a missing one gets fsops's own line listing the valid ones.
      .argument('[group]', 'rds, ecs, alb, payments or dynamodb (the LMS queue table)')
      .addOption(envOption())
      .option('--since <duration>', 'window (default 1h)'),
  )
    .addHelpText(
      'after',
      `
rds: CPU, connections (percent of max_connections: environments.<env>.rds.maxConnections, else the
database's own when --db-url or the secret is available, else the ops guide's 200), freeable memory,
free storage (percent of allocated), read/write latency, disk queue depth. ecs: CPU and memory per
service. alb: p95 response time, 5XX percent of requests, unhealthy targets. payments: the
application's PaymentSuccessRate, ErrorRate and processing time (payments.metrics in the config).
${EXIT_CODES}

Examples:
  fsops metrics rds --env prod
  fsops metrics alb --env prod --since 6h --output json`,
    )
    .action(lazy(() => import('../metrics.js'), 'metrics'));

  program
    .command('alarms')
    .description("CloudWatch alarms, firing first; the guide's alarms must exist (ops guide §13.2.1, §3.2.1)")
    .addOption(envOption())
    .option('--state <state>', 'only alarms in this state: ALARM, OK or INSUFFICIENT_DATA')
    .addHelpText(
      'after',
      `${EXIT_CODES}\n\nExamples:\n  fsops alarms --env prod --state ALARM\n  fsops alarms --env staging`,
    )
    .action(lazy(() => import('../alarms.js'), 'alarms'));

  program
    .command('net')
    .description('Network diagnostics')
    .command('db-path')
    .description(
      'Whether the security groups let the ECS tasks reach RDS on its port (deployment guide §3.1.2, §12.1.2)',
    )
    .addOption(envOption())
    .addHelpText('after', `${EXIT_CODES}\n\nExample:\n  fsops net db-path --env prod`)
    .action(lazy(() => import('../net-db-path.js'), 'netDbPath'));

  program
    .command('cert')
    .description("Days until the public endpoints' TLS certificates expire (runbook 003 weekly tasks)")
    .addOption(envOption())
    .addHelpText(
      'after',
      `
Endpoints: https health URLs from the config (environments.<env>.healthUrls), else each ALB's HTTPS
listeners. Warn at 30 days or fewer, fail at 7 (troubleshoot.certExpiryDays).
${EXIT_CODES}

Example:
  fsops cert --env prod`,
    )
    .action(lazy(() => import('../cert.js'), 'cert'));
}
