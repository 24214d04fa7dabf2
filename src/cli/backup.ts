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
    .action(lazy(() => import('../commands/backup-status.js'), 'backupStatus'));
}
