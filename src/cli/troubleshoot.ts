import type { Command } from 'commander';

/** Declares the troubleshoot commands; each action lazily imports its module from src/commands/. */
export function declareTroubleshootCommands(_program: Command): void {}
