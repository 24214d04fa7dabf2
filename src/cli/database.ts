import type { Command } from 'commander';

/** Declares the database commands; each action lazily imports its module from src/commands/. */
export function declareDatabaseCommands(_program: Command): void {}
