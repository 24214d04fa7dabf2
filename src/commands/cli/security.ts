import type { Command } from 'commander';
import { envOption, lazy } from './shared.js';

/** Declares `fsops security`; the action lazily imports src/commands/security.ts. */
export function declareSecurityCommands(program: Command): void {
  program
    .command('security')
    .description(
      'Security and compliance audit: GuardDuty, CloudTrail, Config, security groups, encryption, secrets rotation, IAM roles, certificates, failed logins (deployment guide §2.2.3, §2.3.1, §3.1.2, §4.2.2, §6.1.1; ops guide §3.1.1, §5.2.1, §7.1.1; runbook 003 PCI DSS)',
    )
    .addOption(envOption())
    .addHelpText(
      'after',
      `
Runs runbooks/security.yaml (also: fsops runbook run security --env E). Every finding cites its guide
section and the PCI DSS requirement runbook 003's checklist maps it to; --output junit|json|markdown
make it an evidence report. A call the role may not make is an error finding "could not check:
missing permission <action>" (docs/security.md lists the permissions).

Exit codes: 0 nothing failed (warnings allowed; --strict makes them 1); 1 a control failed; 2 bad
input; 3 something could not be checked (missing permission, AWS unreachable, timeout); 130 interrupted.

Examples:
  fsops security --env prod
  fsops security --env prod --output junit > security.xml
  fsops security --env staging --output markdown --only-problems`,
    )
    .action(lazy(() => import('../security.js'), 'security'));
}
