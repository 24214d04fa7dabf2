import type { Command, Option } from 'commander';
import { changeEnvOption, envOption, lazy, withSafetyOptions } from './shared.js';

const EXIT_CODES = `
Exit codes: 0 nothing failed (warnings allowed; --strict makes them 1); 1 a step failed; 2 bad input,
refused (no terminal and no --yes) or not confirmed; 3 AWS or the database could not be reached; 130 interrupted.`;

const CHANGE_ENV = () =>
  changeEnvOption('environment whose database secret to use (FSOPS_ENV is not used for changes)');

function withDbTarget(
  command: Command,
  dbUrlDefault = "the environment's secret",
  env: () => Option = CHANGE_ENV,
): Command {
  return command
    .addOption(env())
    .option('--db-url <url>', `postgres://user[:password]@host[:port]/database (default: ${dbUrlDefault})`)
    .option('--db-host <host>', 'connect to this host instead (an SSH/SSM tunnel), e.g. 127.0.0.1')
    .option('--db-port <port>', 'connect to this port instead (with --db-host)');
}

/** `fsops db ...` resolve the database as src/engine/database.ts does for every db command. */
const DB_TARGET_ORDER = "--env's secret, then $DATABASE_URL (never $FSOPS_ENV: these commands change data)";

const reportOption = (command: Command) =>
  command.option(
    '--report <file>',
    'also write the evidence report (who, when, each step and its timing) to FILE.json or FILE.md',
  );

/** The `db` group exists when the database commands were declared first (src/cli.ts declares them before these). */
function dbGroup(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'db') ??
    program.command('db').description('PostgreSQL diagnostics and maintenance')
  );
}

/** Declares the maintenance commands; each action lazily imports its module from src/commands/. */
export function declareMaintenanceCommands(program: Command): void {
  const maintenance = program
    .command('maintenance')
    .description('Scheduled maintenance: windows, checklists, weekly/monthly/quarterly runs (ops guide §12)');

  maintenance
    .command('window')
    .description(
      'The next maintenance windows in IST and local time, and whether one is open (ops guide §12.1.1)',
    )
    .addOption(envOption())
    .option('--next <n>', 'how many windows to list (default 6)')
    .option('--require-open', 'exit 1 when no window is open now (for scripts)')
    .option('--at <time>', 'compute as if it were this ISO 8601 time')
    .addHelpText(
      'after',
      '\nWith --env, also compares the RDS PreferredMaintenanceWindow/PreferredBackupWindow with the ops window.\n\nExamples:\n  fsops maintenance window\n  TZ=America/New_York fsops maintenance window --next 3\n  fsops maintenance window --env prod --require-open',
    )
    .action(lazy(() => import('../maintenance-window.js'), 'maintenanceWindow'));

  reportOption(
    withDbTarget(
      maintenance
        .command('checklist')
        .description(
          'Pre-maintenance checklist: automated items checked, the rest confirmed by a person (ops guide §12.1.2)',
        )
        .argument('<phase>', 'pre'),
      undefined,
      envOption,
    ),
  )
    .option('--change-ref <ref>', 'the approved change, e.g. CHG123 (default $FSOPS_CHANGE_REF)')
    .addHelpText(
      'after',
      `\nWithout a terminal the manual items are reported as skipped ("needs a person").\n${EXIT_CODES}\n\nExamples:\n  fsops maintenance checklist pre --env prod --change-ref CHG123\n  fsops maintenance checklist pre --env prod --output json --report evidence/pre.json`,
    )
    .action(lazy(() => import('../maintenance-run.js'), 'maintenanceChecklist'));

  reportOption(
    withSafetyOptions(
      withDbTarget(
        maintenance
          .command('run')
          .description(
            'The daily checklist (runbook 003 Daily Tasks; runbook 004 Daily Operations), or weekly, monthly or quarterly database maintenance (ops guide §12.3.1; runbooks 002, 003): checks, then planned changes',
          )
          .argument('<cadence>', 'daily, weekly, monthly or quarterly'),
      ),
    ),
  )
    .option(
      '--change-ref <ref>',
      'the approved change, recorded in the evidence report (default $FSOPS_CHANGE_REF)',
    )
    .addHelpText(
      'after',
      `\ndaily (read-only; errors of the last 24 h): services, health endpoints, errors grouped, yesterday's payment reconciliation, the webhook queue and Redis memory, storage, the latest backup, certificates expiring within 30 days.\nweekly: connections, long queries, bloat, indexes; VACUUM (ANALYZE) of the tables that need it; retention deletes.\nmonthly: slow queries, cache, size, storage growth, backup integrity; next month's partitions; REINDEX CONCURRENTLY of invalid/bloated indexes.\nquarterly: minor versions, pending RDS actions, parameter group, RDS windows, wraparound, sequences, capacity projection.\n${EXIT_CODES}\n\nExamples:\n  fsops maintenance run daily --env prod\n  fsops maintenance run weekly --env prod --dry-run\n  fsops maintenance run weekly --env prod --yes --report evidence/weekly.md`,
    )
    .action(lazy(() => import('../maintenance-run.js'), 'maintenanceRun'));

  withSafetyOptions(
    maintenance
      .command('mode')
      .description('Show or switch the application maintenance mode (deployment guide §4.2.1, SSM parameter)')
      .argument('<state>', 'on, off or status')
      .addOption(changeEnvOption('environment (required for on/off: FSOPS_ENV is used only for status)')),
  )
    .addHelpText(
      'after',
      `${EXIT_CODES}\n\nExamples:\n  fsops maintenance mode status --env prod\n  fsops maintenance mode on --env staging --yes`,
    )
    .action(lazy(() => import('../maintenance-mode.js'), 'maintenanceMode'));

  const db = dbGroup(program);
  reportOption(
    withSafetyOptions(
      withDbTarget(
        db
          .command('retention')
          .description(
            'Delete rows past their retention in small batches (runbook 002: payment_attempts 90 days; runbook 003: webhook_logs 30 days)',
          ),
        DB_TARGET_ORDER,
      ),
    ),
  )
    .option('--table <name...>', 'only these tables (default: every maintenance.retention policy)')
    .option('--batch-size <rows>', 'rows per DELETE (default maintenance.batchSize, 5000)')
    .addHelpText(
      'after',
      `\nEach batch is its own statement and transaction; --dry-run counts only.\n${EXIT_CODES}\n\nExamples:\n  fsops db retention --env prod --dry-run\n  fsops db retention --env prod --table webhook_logs --yes`,
    )
    .action(lazy(() => import('../db-retention.js'), 'dbRetention'));

  reportOption(
    withSafetyOptions(
      withDbTarget(
        db
          .command('partitions')
          .description(
            "Partitioned tables and their ranges; create next month's, drop old ones on request (runbook 003)",
          ),
        DB_TARGET_ORDER,
      ),
    ),
  )
    .option('--create-next', "create this and next month's missing partitions")
    .option(
      '--drop-older-than <age>',
      'drop partitions that ended before this age, e.g. 12mo, 2y (data is deleted)',
    )
    .addHelpText(
      'after',
      `${EXIT_CODES}\n\nExamples:\n  fsops db partitions --env prod\n  fsops db partitions --env prod --create-next --yes\n  fsops db partitions --env prod --drop-older-than 24mo --dry-run`,
    )
    .action(lazy(() => import('../db-partitions.js'), 'dbPartitions'));

  reportOption(
    withSafetyOptions(
      withDbTarget(
        db
          .command('reindex')
          .description(
            'REINDEX INDEX CONCURRENTLY of invalid or bloated indexes (runbook 003 Index Management)',
          ),
        DB_TARGET_ORDER,
      ),
    ),
  )
    .option('--index <name>', 'rebuild this index (name or schema.name) instead of the ones found')
    .addHelpText(
      'after',
      `\nBloat is measured with pgstattuple when the extension is installed.\n${EXIT_CODES}\n\nExamples:\n  fsops db reindex --env prod --dry-run\n  fsops db reindex --env prod --index payments_ref_idx`,
    )
    .action(lazy(() => import('../db-reindex.js'), 'dbReindex'));
}
