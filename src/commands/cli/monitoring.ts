import type { Command } from 'commander';
import { changeEnvOption, envOption, lazy, withSafetyOptions } from './shared.js';

const EXIT_CODES = `
Exit codes: 0 nothing failed (warnings allowed; --strict makes them 1); 1 a finding failed; 2 bad
input (unknown environment, an invalid alarm catalogue: every problem with its path); 3 something
could not be checked (AWS unreachable, access denied, timeout); 130 interrupted.`;

/**
 * Declares `alarms list|audit|apply` under the existing `alarms` command (declared with the
 * troubleshoot commands; `fsops alarms` alone still lists the alarms).
 */
export function declareMonitoringCommands(program: Command): void {
  const alarms =
    program.commands.find((c) => c.name() === 'alarms') ??
    program.command('alarms').description('CloudWatch alarms');
  alarms
    .command('list')
    .addHelpText(
      'after',
      '\nExamples:\n  fsops alarms list --env prod --state ALARM\n  fsops alarms list --env staging --output json',
    )
    .description('CloudWatch alarms, firing first (the same as `fsops alarms`; ops guide §13.2.1)')
    .addOption(envOption())
    .option('--state <state>', 'only alarms in this state: ALARM, OK or INSUFFICIENT_DATA')
    .action(lazy(() => import('../alarms.js'), 'alarms'));
  alarms
    .command('audit')
    .description(
      'Compare the alarm catalogue (monitoring/alarms.yaml) with CloudWatch and SNS: missing, drifted, notifying nobody, without data (ops guide §3.2.1, §5.1.1, §5.2.1, §8.1.1, §8.2.1; deployment guide §12.2.1)',
    )
    .addOption(envOption())
    .option('--catalogue <file>', 'another alarm catalogue (default monitoring/alarms.yaml)')
    .addHelpText(
      'after',
      `${EXIT_CODES}\n\nExamples:\n  fsops alarms audit --env prod\n  fsops alarms audit --env staging --only-problems --output json`,
    )
    .action(lazy(() => import('../alarms-audit.js'), 'alarmsAudit'));
  withSafetyOptions(
    alarms
      .command('apply')
      .description(
        'Create or correct the catalogue alarms (PutMetricAlarm) and subscribe its endpoints: plan with each diff, confirm, audit (ops guide §3.2.1, §5.1.1, §5.2.1)',
      )
      .addOption(changeEnvOption())
      .option('--catalogue <file>', 'another alarm catalogue (default monitoring/alarms.yaml)'),
  )
    .addHelpText(
      'after',
      `${EXIT_CODES}\n\nExamples:\n  fsops alarms apply --env staging --dry-run\n  fsops alarms apply --env prod          # type 'prod' to confirm\n  fsops alarms apply --env dev --yes     # no terminal (CI)`,
    )
    .action(lazy(() => import('../alarms-apply.js'), 'alarmsApply'));
}
