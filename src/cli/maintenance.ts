import type { Command } from 'commander';
import { envOption, lazy, withSafetyOptions } from './shared.js';

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
    .action(lazy(() => import('../commands/maintenance-window.js'), 'maintenanceWindow'));

  withSafetyOptions(
    maintenance
      .command('mode')
      .description('Show or switch the application maintenance mode (deployment guide §4.2.1, SSM parameter)')
      .argument('<state>', 'on, off or status')
      .addOption(envOption())
      .addHelpText(
        'after',
        '\nExamples:\n  fsops maintenance mode status --env prod\n  fsops maintenance mode on --env staging --yes',
      ),
  ).action(lazy(() => import('../commands/maintenance-mode.js'), 'maintenanceMode'));
}
