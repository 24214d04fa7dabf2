import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runFsops } from '../helpers/cli.js';
import { loadedModules, MODULE_PROBE, sdkModules } from './module-probe.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CONFIG = `
components: [api, worker]
environments:
  qa:
    accountId: "210987654321"
    ecs: { desiredCount: 1, cpu: 512, memory: 1024 }
    rds: { instanceClass: db.t3.medium, allocatedStorage: 20, backupRetentionPeriod: 1, multiAz: false, storageEncrypted: true, deletionProtection: false, readReplicas: 0 }
    logs: { retentionDays: 7, kmsRequired: false }
`;

/** A folder with `fsops` (this checkout's bin/fsops) first on PATH, a sample config and one open incident. */
function setup(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'fsops-completion-'));
  mkdirSync(join(dir, 'bin'));
  symlinkSync(BIN, join(dir, 'bin', 'fsops'));
  writeFileSync(join(dir, 'fsops.config.yaml'), CONFIG);
  mkdirSync(join(dir, 'incidents', 'INC-2026-007'), { recursive: true });
  writeFileSync(
    join(dir, 'incidents', 'INC-2026-007', 'incident.json'),
    JSON.stringify({
      id: 'INC-2026-007',
      state: 'open',
      env: 'prod',
      title: 'payments failing',
      revision: 1,
    }),
  );
  return {
    PATH: `${join(dir, 'bin')}:${dirname(process.execPath)}:${process.env.PATH}`,
    HOME: dir,
    FSOPS_CONFIG: join(dir, 'fsops.config.yaml'),
    FSOPS_INCIDENT_DIR: join(dir, 'incidents'),
    NO_COLOR: '1',
  };
}

function shell(command: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((done, fail) =>
    execFile(command, args, { env, cwd: env.HOME }, (error, stdout, stderr) =>
      error ? fail(new Error(`${command}: ${stderr || error.message}`)) : done(stdout),
    ),
  );
}

/** _describe prints the array it is handed (its last argument names it): zsh's ${(P)...} indirection. */
const ZSH_STUBS = ['compdef() { :; };', '_describe() { print -l -- "$', '{(@P)$', '{@[-1]}}"; };'].join('');

const has = (name: string) => ['/usr/bin', '/bin', '/usr/local/bin'].some((d) => existsSync(join(d, name)));

describe('fsops completion: the scripts, run in the shells themselves', () => {
  it('an unknown shell is bad input: one line, exit 2', async () => {
    const result = await runFsops(['completion', 'pwsh']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("fsops: unknown shell 'pwsh': valid shells are bash, zsh, fish\n");
  });

  it('bash: commands, environments and components of the config, open incidents, files', async () => {
    const env = setup();
    const script = await shell('fsops', ['completion', 'bash'], env);
    writeFileSync(join(env.HOME!, 'fsops.bash'), script);
    const complete = (...words: string[]) =>
      shell(
        'bash',
        [
          '-c',
          `source fsops.bash; COMP_WORDS=(fsops ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _fsops_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        env,
      ).then((out) => out.split('\n').filter(Boolean));
    expect(await complete('va')).toEqual(['validate']);
    expect(await complete('validate', '')).toEqual(['dev', 'staging', 'prod', 'qa']);
    expect(await complete('restart', '')).toEqual(['api', 'worker']);
    expect(await complete('rollback', 'api', '--dry')).toEqual(['--dry-run']);
    expect(await complete('incident', 'update', '')).toEqual(['INC-2026-007']);
    expect(await complete('--config', 'fsops.b')).toEqual(['fsops.bash']);
  });

  it.skipIf(!has('zsh'))('zsh: the script parses and completes through zsh', async () => {
    const env = setup();
    writeFileSync(join(env.HOME!, '_fsops'), await shell('fsops', ['completion', 'zsh'], env));
    // _describe and compdef come with compinit; here they print what the script hands them.
    const out = await shell(
      'zsh',
      [
        '-f',
        '-c',
        ZSH_STUBS +
          'source ./_fsops; words=(fsops troubleshoot sl); CURRENT=3; _fsops; words=(fsops dr drill ""); CURRENT=4; _fsops',
      ],
      env,
    );
    expect(out.split('\n').filter(Boolean)).toEqual([
      'slow-api:Slow API (responses over 2 seconds)',
      'rds-failover',
      'ecs-task-loss',
    ]);
  });

  it.skipIf(!has('fish'))('fish: complete -C answers with values and descriptions', async () => {
    const env = setup();
    writeFileSync(join(env.HOME!, 'fsops.fish'), await shell('fsops', ['completion', 'fish'], env));
    const out = await shell('fish', ['-c', 'source fsops.fish; complete -C "fsops validate q"'], env);
    expect(out).toBe('qa\taccount 210987654321\n');
  });

  it('__complete loads no AWS SDK', async () => {
    const env = setup();
    const result = await shell(
      process.execPath,
      [...MODULE_PROBE, resolve(ROOT, 'dist', 'cli.js'), '__complete', '--', 'incident', 'show', ''],
      env,
    );
    expect(result).toBe('INC-2026-007\tprod: payments failing\n');
    const probe = await new Promise<string>((done) =>
      execFile(
        process.execPath,
        [...MODULE_PROBE, resolve(ROOT, 'dist', 'cli.js'), '__complete', '--', 'validate', ''],
        { env, cwd: env.HOME },
        (_error, _stdout, stderr) => done(stderr),
      ),
    );
    expect(sdkModules(loadedModules(probe))).toEqual([]);
  });
});
