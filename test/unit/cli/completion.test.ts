import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareBackupCommands } from '../../../src/commands/cli/backup.js';
import { describeCommand } from '../../../src/commands/cli/command-tree.js';
import { declareIncidentCommands } from '../../../src/commands/cli/incident.js';
import { declareMaintenanceCommands } from '../../../src/commands/cli/maintenance.js';
import { declareServiceCommands } from '../../../src/commands/cli/service.js';
import { declareSetupCommands } from '../../../src/commands/cli/setup.js';
import { declareTroubleshootCommands } from '../../../src/commands/cli/troubleshoot.js';
import { completeWords, FIXED_ARGUMENT_VALUES, valueSources } from '../../../src/commands/completion.js';
import { DRILLS } from '../../../src/commands/dr-drill.js';
import { STATES } from '../../../src/commands/maintenance-mode.js';
import { CADENCES, PHASES } from '../../../src/commands/maintenance-run.js';
import { METRIC_GROUPS } from '../../../src/domain/metrics/definitions.js';

/** A sample team's config: its own environments and components. */
const SAMPLE_CONFIG = `
components: [api, worker]
environments:
  qa:
    accountId: "210987654321"
    region: eu-west-1
    ecs: { desiredCount: 1, cpu: 512, memory: 1024 }
    rds: { instanceClass: db.t3.medium, allocatedStorage: 20, backupRetentionPeriod: 1, multiAz: false, storageEncrypted: true, deletionProtection: false, readReplicas: 0 }
    logs: { retentionDays: 7, kmsRequired: false }
`;

function incident(dir: string, id: string, state: 'open' | 'resolved', title: string) {
  mkdirSync(join(dir, id), { recursive: true });
  writeFileSync(
    join(dir, id, 'incident.json'),
    JSON.stringify({
      id,
      state,
      env: 'prod',
      title,
      revision: 1,
      severity: 2,
      startedAt: '2026-11-29T10:00:00.000Z',
      updates: [],
      snapshots: [],
      timeline: [],
      deliveries: [],
    }),
  );
}

function program(): Command {
  const p = new Command('fsops')
    .option('-c, --config <file>', 'config file')
    .addOption(new Option('-e, --env <env>', 'environment'))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']));
  p.command('validate').argument('[env]').option('--since <duration>', 'window');
  declareServiceCommands(p);
  declareTroubleshootCommands(p);
  declareMaintenanceCommands(p);
  declareIncidentCommands(p);
  declareBackupCommands(p);
  declareSetupCommands(p);
  return p;
}

describe('completion: the candidates for what is typed, from the commander program and a sample config', () => {
  const saved = { ...process.env };
  let config: string;
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'fsops-complete-'));
    config = join(dir, 'fsops.config.yaml');
    writeFileSync(config, SAMPLE_CONFIG);
    process.env.FSOPS_CONFIG = config;
    process.env.FSOPS_INCIDENT_DIR = join(dir, 'incidents');
    incident(process.env.FSOPS_INCIDENT_DIR, 'INC-2026-001', 'resolved', 'old outage');
    incident(process.env.FSOPS_INCIDENT_DIR, 'INC-2026-002', 'open', 'payments failing');
  });
  afterAll(() => {
    process.env = saved;
  });
  const spec = describeCommand(program());
  const complete = (...words: string[]) => completeWords(spec, words, valueSources());
  const values = (...words: string[]) => complete(...words).map((line) => line.split('\t')[0]);

  it('commands, with their descriptions; hidden ones left out', () => {
    expect(values('')).toEqual(
      expect.arrayContaining(['validate', 'rollback', 'troubleshoot', 'completion']),
    );
    expect(values('')).not.toContain('__complete');
    expect(complete('rol')).toEqual([expect.stringMatching(/^rollback\tRoll a service back/)]);
    expect(values('incident', '')).toEqual(expect.arrayContaining(['open', 'update', 'resolve', 'list']));
  });

  it("flags: the command's own and the global ones", () => {
    expect(values('rollback', '--')).toEqual(
      expect.arrayContaining(['--env', '--dry-run', '--yes', '--config', '--output']),
    );
    expect(values('rollback', '--d')).toEqual(['--dry-run']);
    expect(values('validate', '--output', '')).toEqual(['text', 'json']);
    expect(values('validate', '--output=j')).toEqual(['--output=json']);
  });

  it('environments and components from the config (FSOPS_CONFIG, or --config on the line)', () => {
    expect(values('validate', '')).toEqual(['dev', 'staging', 'prod', 'qa']);
    expect(complete('validate', 'q')).toEqual(['qa\teu-west-1, account 210987654321']);
    expect(values('rollback', '--env', 'st')).toEqual(['staging']);
    expect(values('--env=p')).toEqual(['--env=prod']);
    expect(values('rollback', '')).toEqual(['api', 'worker']);
    expect(values('dr', 'drill', 'ecs-task-loss', '--component', '')).toEqual(['api', 'worker']);
    const other = join(mkdtempSync(join(tmpdir(), 'fsops-complete-')), 'other.yaml');
    writeFileSync(other, 'components: [ledger]\n');
    expect(values('--config', other, 'restart', '')).toEqual(['ledger']);
    expect(values(`--config=${other}`, 'restart', '')).toEqual(['ledger']);
  });

  it('symptoms, runbooks, drills, open incident ids', () => {
    expect(values('troubleshoot', '')).toEqual(expect.arrayContaining(['slow-api', 'payment-failures']));
    expect(complete('troubleshoot', 'slow')).toEqual(['slow-api\tSlow API (responses over 2 seconds)']);
    expect(values('dr', 'drill', '')).toEqual(['rds-failover', 'ecs-task-loss']);
    expect(values('incident', 'update', '')).toEqual(['INC-2026-002']);
    expect(complete('incident', 'resolve', '')).toEqual(['INC-2026-002\tprod: payments failing']);
    expect(values('incident', 'postmortem', '')).toEqual(['INC-2026-001']);
    expect(values('incident', 'show', '')).toEqual(['INC-2026-001', 'INC-2026-002']);
    expect(values('maintenance', 'run', '')).toEqual(['daily', 'weekly', 'monthly', 'quarterly']);
    expect(values('completion', '')).toEqual(['bash', 'zsh', 'fish']);
  });

  it('file names where a file is asked for; nothing for a free value', () => {
    expect(complete('--config', '')).toEqual([':files']);
    expect(complete('rollback', 'api', '--env', 'prod', '--since', '')).toEqual([]);
  });

  it('a broken config completes no environments instead of failing', () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'fsops-complete-')), 'broken.yaml');
    writeFileSync(broken, 'environments: [');
    expect(values('--config', broken, 'validate', '')).toEqual([]);
  });

  it("the fixed lists are the commands' own", () => {
    expect(FIXED_ARGUMENT_VALUES.drill).toEqual([...DRILLS]);
    expect(FIXED_ARGUMENT_VALUES.cadence).toEqual([...CADENCES]);
    expect(FIXED_ARGUMENT_VALUES.phase).toEqual([...PHASES]);
    expect(FIXED_ARGUMENT_VALUES.state).toEqual([...STATES]);
    expect(FIXED_ARGUMENT_VALUES.group).toEqual([...METRIC_GROUPS]);
  });
});
