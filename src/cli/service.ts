import type { Command } from 'commander';

/** Declares the service commands; each action lazily imports its module from src/commands/. */
export function declareServiceCommands(_program: Command): void {}
