import type { Command } from 'commander';
import { changeEnvOption, envOption, lazy, withSafetyOptions } from './shared.js';

const EXIT_CODES = `
Exit codes: 0 nothing failed (warnings allowed; --strict makes them 1); 1 a check failed; 2 bad input,
refused (no terminal and no --yes) or not confirmed, nothing created; 3 AWS or the database could not be
reached; 130 interrupted (a temporary instance is still deleted).`;

/** Declares `fsops backup ...` and `fsops dr drill ...`; each action lazily imports its module from src/commands/. */
export function declareBackupCommands(program: Command): void {
  const backup = program
    .command('backup')
    .description(
      'Backups that are proven to restore: status, pre-maintenance snapshot, test restore (deployment guide §2.2.3)',
    );

  backup
    .command('status')
    .description(
      'Automated backups, retention, RPO, newest snapshots, encryption, DR-region copies, leftover restore tests (deployment guide §2.2.3, §4.1)',
    )
    .addOption(envOption())
    .addHelpText(
      'after',
      `\nThe runbook is runbooks/backup-status.yaml (fsops runbook show backup-status).\n\nExamples:\n  fsops backup status --env prod\n  fsops backup status --env prod --output markdown\n${EXIT_CODES}`,
    )
    .action(lazy(() => import('../backup-status.js'), 'backupStatus'));

  withSafetyOptions(
    backup
      .command('snapshot')
      .description(
        'The manual snapshot before maintenance: {env}-fivestar-premaint-<date>-<ref>, tagged managed-by=fsops (ops guide §12.1.1)',
      )
      .addOption(changeEnvOption('environment whose database to snapshot (required: FSOPS_ENV is not used)')),
  )
    .option(
      '--change-ref <ref>',
      'the approved change, part of the name and a tag (default $FSOPS_CHANGE_REF)',
    )
    .option('--wait', 'wait until the snapshot is available, with progress')
    .option('--report <file>', 'also write the evidence report to FILE.json or FILE.md')
    .addHelpText(
      'after',
      `\n\`fsops maintenance checklist pre\` offers this command when no snapshot is recent enough
(maintenance.backupMaxAgeHours).

Examples:
  fsops backup snapshot --env prod --change-ref CHG123 --dry-run
  fsops backup snapshot --env prod --change-ref CHG123 --wait
${EXIT_CODES}`,
    )
    .action(lazy(() => import('../backup-snapshot.js'), 'backupSnapshot'));

  withSafetyOptions(
    backup
      .command('verify')
      .description(
        'The monthly test restore: restore into a temporary instance, compare with the source, measure RTO and RPO, delete it (runbook 003 Monthly Tasks; runbook 002 Backup Verification; deployment guide §2.2.3)',
      )
      .addOption(changeEnvOption('environment whose backup to restore (required: FSOPS_ENV is not used)')),
  )
    .option('--from <source>', 'latest-snapshot (default), pitr (point in time), or a snapshot identifier')
    .option('--time <iso>', 'with --from pitr: the restore time (default: the latest restorable time)')
    .option('--keep', 'leave the temporary instance running afterwards (default: always delete it)')
    .option(
      '--db-host <host>',
      'reach the restored instance through this host (an SSH/SSM tunnel), e.g. 127.0.0.1',
    )
    .option('--db-port <port>', 'and this port (with --db-host)')
    .option('--report <file>', 'also write the evidence report to FILE.json or FILE.md')
    .addHelpText(
      'after',
      `\nThe temporary instance is {env}-fivestar-restore-test-<stamp>: same subnet group and security groups as the
source, not public, tagged managed-by=fsops purpose=restore-test, class backup.verify.instanceClass (default
the source's). It is deleted without a final snapshot on success, failure, timeout, Ctrl-C or SIGTERM unless
--keep. prod is refused unless backup.verify.allowProd is true. Targets: backup.rtoMinutes (240),
maintenance.rpoMinutes (60); key tables: backup.verify.keyTables.

Examples:
  fsops backup verify --env staging --dry-run
  fsops backup verify --env staging --yes --output markdown > restore-test-2026-11.md
  fsops backup verify --env staging --from pitr --time 2026-11-29T02:00:00Z --yes
  fsops backup verify --env staging --db-host 127.0.0.1 --db-port 15432 --yes
${EXIT_CODES}`,
    )
    .action(lazy(() => import('../backup-verify.js'), 'backupVerify'));

  const dr = program
    .command('dr')
    .description(
      'Disaster-recovery drills with measured downtime (runbook 002 Failover Testing; runbook 003 Monthly Tasks)',
    );
  withSafetyOptions(
    dr
      .command('drill')
      .description(
        'rds-failover: Multi-AZ forced failover while probing writes and reads every second; ecs-task-loss: stop one task and time the recovery',
      )
      .argument('<drill>', 'rds-failover or ecs-task-loss')
      .addOption(changeEnvOption('environment to drill (required: FSOPS_ENV is not used)')),
  )
    .option('--component <name>', 'ecs-task-loss: the component whose task to stop (default the first)')
    .option('--override-window', 'allow a drill in a protected environment outside the maintenance window')
    .option('--db-host <host>', 'rds-failover: probe through this host (an SSH/SSM tunnel)')
    .option('--db-port <port>', 'rds-failover: and this port')
    .option('--report <file>', 'also write the evidence report to FILE.json or FILE.md')
    .addHelpText(
      'after',
      `\nBoth refuse during an open incident of the environment (\`fsops incident list\`) and, in a protected environment (prod), outside the maintenance window unless
--override-window. rds-failover refuses a single-AZ instance; ecs-task-loss refuses a service with fewer than
2 tasks. The rds-failover probe writes to a TEMPORARY table (gone with the session). Targets:
backup.drill.writeDowntimeSeconds (120), backup.drill.ecsRecoverySeconds (300).

Examples:
  fsops dr drill rds-failover --env staging --dry-run
  fsops dr drill rds-failover --env prod --output markdown > dr-drill-2026-11.md
  fsops dr drill ecs-task-loss --env staging --component internal-pe --yes
${EXIT_CODES}`,
    )
    .action(lazy(() => import('../dr-drill.js'), 'drDrill'));
}
