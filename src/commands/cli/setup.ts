import { type Command, Option } from 'commander';
import { describeCommand, programOf } from './command-tree.js';
import { lazy } from './shared.js';

/** Declares what sets fsops up on a machine: doctor, shell completion, `help environment`. */
export function declareSetupCommands(program: Command): void {
  program
    .command('doctor')
    .description(
      'Is this machine ready? Node, the config, credentials and account of each environment, the database, IAM permissions',
    )
    .addOption(
      new Option('-e, --env <env>', 'check this environment only (default: every environment of the config)'),
    )
    .option('--db-url <url>', "PostgreSQL URL (default: the environment's secret)")
    .option('--db-host <host>', "connect through a tunnel: this host instead of the database's")
    .option('--db-port <port>', 'connect through a tunnel: this port')
    .addHelpText(
      'after',
      `
Read-only. Checks: doctor.node (Node 24 LTS; 22 works), doctor.config (where fsops looked, the file it
reads, valid), and for each environment (or --env E): doctor.credentials (STS: whose credentials, the
account the config expects), doctor.database (a read-only session opens), doctor.permissions
(iam:SimulatePrincipalPolicy of the caller against the actions each command family calls:
src/base/aws/permissions.ts). Every problem comes with its fix.
Exit codes: 0 ready (warnings allowed); 1 something is not (a denied action, a wrong account, no
database); 2 bad input; 3 something could not be checked.

Examples:
  fsops doctor
  fsops doctor --env prod --db-host 127.0.0.1 --db-port 15432
  fsops doctor --env staging --output json | jq '.findings[] | select(.status != "pass")'`,
    )
    .action(lazy(() => import('../doctor.js'), 'doctor'));

  program
    .command('completion')
    .description('Print the shell completion script for bash, zsh or fish')
    .argument('[shell]', 'bash, zsh or fish')
    .addHelpText(
      'after',
      `
Completes commands, flags, environments and components from the config, troubleshoot symptoms,
drills, runbooks and open incident ids. The script asks \`fsops __complete\` (no AWS call), so new
commands complete without a new script.

Install:
  bash  fsops completion bash > ~/.local/share/bash-completion/completions/fsops
        (or: echo 'source <(fsops completion bash)' >> ~/.bashrc)
  zsh   fsops completion zsh > "\${fpath[1]}/_fsops"      (then start a new shell)
        (or: echo 'source <(fsops completion zsh)' >> ~/.zshrc, after compinit)
  fish  fsops completion fish > ~/.config/fish/completions/fsops.fish

Examples:
  fsops completion bash > ~/.local/share/bash-completion/completions/fsops
  fsops completion zsh > ~/.zfunc/_fsops`,
    )
    .action(lazy(() => import('../completion.js'), 'completion'));

  program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(
      lazy(
        () => import('../completion.js'),
        'complete',
        (command) => describeCommand(programOf(command)),
      ),
    );

  // commander's own `help <command>`, plus topics: `fsops help environment`.
  program.helpCommand(false);
  program
    .command('help')
    .description('Help for a command, or a topic: environment (every environment variable fsops reads)')
    .argument('[command...]', 'a command, e.g. db health; or environment')
    .addHelpText('after', '\nExamples:\n  fsops help environment\n  fsops help db health')
    .action(lazy(() => import('../help.js'), 'help', programOf));
}
