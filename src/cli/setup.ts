import type { Command } from 'commander';
import { describeCommand, programOf } from './command-tree.js';
import { lazy } from './shared.js';

/** Declares what sets fsops up on a machine: shell completion, `help environment`. */
export function declareSetupCommands(program: Command): void {
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
    .action(lazy(() => import('../commands/completion.js'), 'completion'));

  program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(
      lazy(
        () => import('../commands/completion.js'),
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
    .action(lazy(() => import('../commands/help.js'), 'help', programOf));
}
