import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { declareBackupCommands } from '../../../src/commands/cli/backup.js';
import { declareDatabaseCommands } from '../../../src/commands/cli/database.js';
import { declareIncidentCommands, declareStatusCommand } from '../../../src/commands/cli/incident.js';
import { declareMaintenanceCommands } from '../../../src/commands/cli/maintenance.js';
import { declareMonitoringCommands } from '../../../src/commands/cli/monitoring.js';
import { declareSecurityCommands } from '../../../src/commands/cli/security.js';
import { declareServiceCommands } from '../../../src/commands/cli/service.js';
import { declareTroubleshootCommands } from '../../../src/commands/cli/troubleshoot.js';

/** Every command a person can run (no subcommands of its own), with its full --help text. */
function leafHelps(): { name: string; help: string }[] {
  let written = '';
  const program = new Command('fsops').configureOutput({
    writeOut: (text) => {
      written += text;
    },
  });
  for (const declare of [
    declareServiceCommands,
    declareTroubleshootCommands,
    declareDatabaseCommands,
    declareMaintenanceCommands,
    declareSecurityCommands,
    declareStatusCommand,
    declareIncidentCommands,
    declareMonitoringCommands,
    declareBackupCommands,
  ]) {
    declare(program);
  }
  const leaves: { name: string; help: string }[] = [];
  const walk = (command: Command, path: string[]) => {
    const subs = command.commands.filter((c) => c.name() !== 'help');
    // a group that runs on its own too (fsops alarms) is a command; one that only lists its commands is not
    const runs = (command as unknown as { _actionHandler: unknown })._actionHandler != null;
    if (path.length > 0 && (subs.length === 0 || runs)) {
      written = '';
      command.outputHelp();
      leaves.push({ name: path.join(' '), help: written });
    }
    for (const sub of subs) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return leaves;
}

describe('--help of every command (README: "fsops <command> --help shows ... examples")', () => {
  const leaves = leafHelps();

  it('covers the commands of every area', () => {
    const names = leaves.map((l) => l.name);
    for (const name of [
      'alarms',
      'demo',
      'rollback',
      'db health',
      'maintenance run',
      'security',
      'status',
      'incident list',
      'backup verify',
      'dr drill',
      'alarms list',
    ]) {
      expect(names).toContain(name);
    }
  });

  it.each(leaves.map((l) => [l.name, l.help]))('fsops %s --help has an example', (name, help) => {
    expect(help, name).toMatch(/\nExamples?:\n {2}(fsops|npm|[A-Z_]+=)[^\n]*/);
    expect(help, name).toContain(`fsops ${name}`);
  });
});
