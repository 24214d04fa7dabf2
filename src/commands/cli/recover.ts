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
    .action(lazy(() => import('../recover-table.js'), 'recoverTable'));

  withSafetyOptions(
    recover
      .command('db')
      .description(
        'Point-in-time recovery of the database with cut-over: stop writes, restore to a new instance at T, verify, then (second confirmation) rename it into place, restart, validate (runbook 003 Data Corruption, Recovery Procedures; runbook 002 Recovery Procedures; deployment guide §2.2.3)',
      )
      .addOption(changeEnvOption('environment whose database to recover (required: FSOPS_ENV is not used)')),
  )
    .option(
      '--to-time <iso>',
      'the point in time to recover to (ISO 8601, UTC), inside the exact restore window',
    )
    .option('--snapshot <id>', 'or a snapshot of the instance')
    .option(
      '--verify-sql <file>',
      'your own assertions on the copy: each query (ended by ;) must return true',
    )
    .option('--incident <id>', "append each step to this incident's timeline, e.g. INC-2026-004")
    .option('--resume <id>', 'continue the recovery <id> after a crash, Ctrl-C or a declined cut-over')
    .option('--abort <id>', 'undo the recovery <id>: renames back, writers and maintenance mode as before')
    .option('--db-host <host>', 'reach the restored copy through this host (an SSH/SSM tunnel)')
    .option('--db-port <port>', 'and this port (with --db-host)')
    .option(
      '--report <file>',
      'also write the evidence report (RTO and RPO measured) to FILE.json or FILE.md',
    )
    .addHelpText(
      'after',
      `\nThe new instance is <db>-recovery-<stamp>, with the source's class, subnet group, security groups,
parameter group, encryption, Multi-AZ and tags. The cut-over renames <db> to <db>-pre-recovery-<stamp>
(deletion protection on, tagged fsops-recovery=<id>: never deleted) and the copy to <db>. A journal per
recovery lives under backup.recover.directory (~/.local/state/fsops/recoveries; FSOPS_RECOVERY_DIR).
Writers scaled to 0: backup.recover.writerComponents. See docs/recover.md.

Examples:
  fsops recover db --env staging --to-time 2026-11-29T02:30:00Z --dry-run
  fsops recover db --env prod --to-time 2026-11-29T02:30:00Z --verify-sql checks.sql --incident INC-2026-004 --report recovery.md
  fsops recover db --env prod --resume rec-prod-20261129-031500
  fsops recover db --env prod --abort rec-prod-20261129-031500
${EXIT_CODES}`,
    )
    .action(lazy(() => import('../recover-db.js'), 'recoverDb'));
}
