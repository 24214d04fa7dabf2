import type { Command } from 'commander';
import { changeEnvOption, lazy, withSafetyOptions } from './shared.js';

const EXIT_CODES = `
Exit codes: 0 nothing failed (warnings allowed; --strict makes them 1); 1 a check failed; 2 bad input,
refused (no terminal and no --yes) or not confirmed, nothing created; 3 AWS or the database could not be
reached; 130 interrupted.`;

/** Declares `fsops recover table` and `fsops recover db`; each lazily imports its module from src/commands/. */
export function declareRecoverCommands(program: Command): void {
  const recover = program
    .command('recover')
    .description(
      'Recover data from backups: a table next to the live one, or the whole database with cut-over (runbook 003 Data Corruption, Recovery Procedures; runbook 002 Recovery Procedures)',
    );

  withSafetyOptions(
    recover
      .command('table')
      .description(
        'Restore one table as it was at a point in time into a side schema of the live database, show what differs by key, print the merge SQL (runbook 002 Partial Recovery; runbook 003 Data Corruption)',
      )
      .argument('<schema.table>', 'the table to recover, e.g. payment.payments')
      .addOption(changeEnvOption('environment whose table to recover (required: FSOPS_ENV is not used)')),
  )
    .option('--to-time <iso>', 'the point in time to recover the table as of (ISO 8601, UTC)')
    .option('--snapshot <id>', 'or a snapshot of the instance instead of a point in time')
    .option('--db-host <host>', 'reach the restored instance through this host (an SSH/SSM tunnel)')
    .option('--db-port <port>', 'and this port (with --db-host)')
    .option('--report <file>', 'also write the evidence report to FILE.json or FILE.md')
    .addHelpText(
      'after',
      `\nThe temporary instance is {env}-fivestar-recover-table-<stamp> (source's subnet group and security groups,
not public, tagged managed-by=fsops purpose=recover-table); it is deleted without a final snapshot on
success, failure or Ctrl-C. The table's rows are streamed (COPY) into recovered_<stamp>.<table> in the live
database; the live table is only read. The merge SQL is printed, never run. See docs/recover.md.

Examples:
  fsops recover table payment.payments --env staging --to-time 2026-11-29T02:30:00Z --dry-run
  fsops recover table payment.payments --env prod --to-time 2026-11-29T02:30:00Z --report table.md
${EXIT_CODES}`,
    )
    .action(lazy(() => import('../commands/recover-table.js'), 'recoverTable'));
}
