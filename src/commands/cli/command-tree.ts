import { type Command, Help } from 'commander';

/** A command as data: what shell completion needs to know of the commander program. */
export interface CommandSpec {
  name: string;
  aliases: string[];
  description: string;
  options: OptionSpec[];
  arguments: ArgumentSpec[];
  commands: CommandSpec[];
}

export interface OptionSpec {
  long?: string;
  short?: string;
  /** The value's name in the flags (`<file>` → `file`); absent for a switch. */
  valueName?: string;
  choices?: string[];
  description: string;
}

export interface ArgumentSpec {
  name: string;
  variadic: boolean;
  choices?: string[];
}

const help = new Help();

/**
 * The visible commands, options and arguments under `command`, read from commander itself: a command
 * declared anywhere (src/cli.ts, src/commands/cli/*.ts) is in it without being listed again.
 */
export function describeCommand(command: Command): CommandSpec {
  return {
    name: command.name(),
    aliases: command.aliases(),
    description: command.description(),
    options: help.visibleOptions(command).map((option) => ({
      ...(option.long ? { long: option.long } : {}),
      ...(option.short ? { short: option.short } : {}),
      ...(option.required || option.optional
        ? { valueName: /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1] ?? 'value' }
        : {}),
      ...(option.argChoices ? { choices: [...option.argChoices] } : {}),
      description: option.description,
    })),
    arguments: command.registeredArguments.map((argument) => ({
      name: argument.name(),
      variadic: argument.variadic,
      ...(argument.argChoices ? { choices: [...argument.argChoices] } : {}),
    })),
    commands: help
      .visibleCommands(command)
      .filter((sub) => sub.name() !== 'help')
      .map(describeCommand),
  };
}

/** The program a running command belongs to. */
export function programOf(command: Command): Command {
  let root = command;
  while (root.parent) root = root.parent;
  return root;
}
