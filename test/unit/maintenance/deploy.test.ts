import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/base/config/load.js';
import { declareMaintenanceCommands } from '../../../src/commands/cli/maintenance.js';

// Docker is not available where the tests run: these read the shipped files against the package instead.
const ROOT = join(import.meta.dirname, '..', '..', '..');
const DIR = join(ROOT, 'deploy', 'scheduled-maintenance');
const read = (name: string) => readFileSync(join(DIR, name), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  files: string[];
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

function stages(dockerfile: string): string[][] {
  const lines = dockerfile.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  const out: string[][] = [];
  for (const line of lines) {
    if (/^FROM /.test(line)) out.push([]);
    out.at(-1)?.push(line);
  }
  return out;
}

describe('deploy/scheduled-maintenance/Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const [build, runtime] = stages(dockerfile);

  it('copies only paths that exist, and builds with the package build script', () => {
    for (const line of dockerfile.split('\n').filter((l) => /^COPY (?!--from)/.test(l))) {
      const sources = line.split(/\s+/).slice(1, -1);
      for (const source of sources) expect(existsSync(join(ROOT, source)), source).toBe(true);
    }
    expect(build?.join('\n')).toMatch(/RUN npm run build/);
    // The build script (scripts/build.mjs, esbuild) and the tsconfig.json it reads are in the build stage.
    expect(pkg.scripts.build).toBe('node scripts/build.mjs');
    expect(build?.join('\n')).toMatch(/^COPY scripts\/build\.mjs /m);
    expect(build?.join('\n')).toMatch(/^COPY tsconfig\.json /m);
  });

  it('builds and runs on Node 24 LTS, the runtime image holding the bundle without node_modules', () => {
    expect(build?.[0]).toBe('FROM node:24-slim AS build');
    expect(runtime?.[0]).toBe('FROM node:24-slim');
    expect(runtime!.join('\n')).not.toContain('node_modules');
  });

  it('does not use npm ci, which rejects this lock file', () => {
    expect(dockerfile).not.toMatch(/^RUN npm ci\b/m);
    expect(build?.join('\n')).toMatch(/RUN npm install\b/);
  });

  it('puts every file the package ships into the runtime image, and runs its bin', () => {
    const text = runtime!.join('\n');
    for (const entry of pkg.files) {
      expect(text, entry).toMatch(new RegExp(`^COPY (--from=build /app/)?${entry}\\b`, 'm'));
    }
    expect(text).toMatch(/^COPY package\.json/m); // "type": "module" for dist/*.js
    const entrypoint = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(text)![1]!) as string[];
    expect(entrypoint).toEqual(['node', `/app/${pkg.bin.fsops}`]);
  });

  it('bakes a config that parses and points FSOPS_CONFIG at it', () => {
    const config = parseConfigText(read('fsops.config.yaml'), 'fsops.config.yaml');
    expect(config.audit.logGroup).toBe('/fivestar/payments/fsops-audit');
    const target = /^COPY deploy\/scheduled-maintenance\/fsops\.config\.yaml (\S+)$/m.exec(dockerfile)?.[1];
    expect(dockerfile).toContain(`ENV FSOPS_CONFIG=${target}`);
  });
});

describe('deploy/scheduled-maintenance schedules', () => {
  const schedules = (
    JSON.parse(read('schedules.json')) as {
      schedules: { Name: string; Target: { Input: string } }[];
    }
  ).schedules;
  const commands = schedules.map((s) => ({
    name: s.Name,
    argv: (JSON.parse(s.Target.Input) as { containerOverrides: { command: string[] }[] })
      .containerOverrides[0]!.command,
  }));
  const task = JSON.parse(read('task-definition.json')) as {
    containerDefinitions: { command: string[] }[];
  };

  it('every command is a valid fsops maintenance command with --env and JSON output', () => {
    for (const { name, argv } of [
      ...commands,
      { name: 'task', argv: task.containerDefinitions[0]!.command },
    ]) {
      const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
      program.option('-o, --output <format>').option('--publish');
      declareMaintenanceCommands(program);
      let parsed: Command | undefined;
      for (const group of program.commands) {
        for (const sub of group.commands) {
          sub.action(function (this: Command) {
            parsed = this;
          });
        }
      }
      program.parse(argv, { from: 'user' });
      expect(parsed, name).toBeDefined();
      expect(parsed!.opts().env, name).toBe('prod');
      expect(argv.join(' '), name).toMatch(/--output json/);
      // Each run feeds the dashboards as metrics (docs/monitoring.md); the task role may put them.
      expect(argv, name).toContain('--publish');
    }
  });

  it('runs with changes confirm with --yes (no terminal in a task); the quarterly review and the daily checklist change nothing', () => {
    for (const { name, argv } of commands) {
      const changes = argv[1] === 'run' && argv[2] !== 'quarterly' && argv[2] !== 'daily';
      expect(argv.includes('--yes'), name).toBe(changes);
    }
  });
});
