import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS, runFsops } from '../helpers/cli.js';
import { type FakeAws, startFakeWorld } from '../helpers/fake-aws.js';

// Run `npm run build` first: these tests spawn bin/fsops as an on-call engineer would.
let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('--output is parsed once, and a format a command does not print is refused', () => {
  // Each command prints a view (or lines for a person), not a report of findings: junit/markdown
  // (and json where there is no data) are refused with one line and exit 2, before anything runs.
  const refused: [args: string[], command: string, format: string][] = [
    [['incident', 'open', '--env', 'prod', '--yes', '--output', 'junit'], 'incident open', 'junit'],
    [['incident', 'update', 'INC-1', '--output', 'markdown'], 'incident update', 'markdown'],
    [['incident', 'resolve', 'INC-1', '--output', 'junit'], 'incident resolve', 'junit'],
    [['incident', 'list', '--output', 'junit'], 'incident list', 'junit'],
    [['incident', 'show', 'INC-1', '--output', 'junit'], 'incident show', 'junit'],
    [
      ['incident', 'escalation', '--severity', '2', '--output', 'markdown'],
      'incident escalation',
      'markdown',
    ],
    [['incident', 'postmortem', 'INC-1', '--output', 'junit'], 'incident postmortem', 'junit'],
    [['status', '--env', 'prod', '--output', 'markdown'], 'status', 'markdown'],
    [['status', '--env', 'prod', '--watch', '--output', 'junit'], 'status', 'junit'],
    [['logs', 'tail', 'internal-pe', '--env', 'prod', '--output', 'junit'], 'logs tail', 'junit'],
    [['deployments', 'internal-pe', '--env', 'prod', '--output', 'junit'], 'deployments', 'junit'],
    [
      ['db', 'cancel', '4242', '--db-url', 'postgres://u@127.0.0.1:1/x', '--output', 'json'],
      'db cancel',
      'json',
    ],
    [['db', 'terminate', '4242', '--env', 'prod', '--output', 'markdown'], 'db terminate', 'markdown'],
  ];
  for (const [args, command, format] of refused) {
    it(`${args.join(' ')}: exit 2, one line`, async () => {
      const { code, stdout, stderr } = await runFsops(args, FAKE_CREDENTIALS);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(
        new RegExp(`^fsops: ${command} prints [a-z, ]+, not ${format}: use --output [a-z|]+\\n$`),
      );
    });
  }

  it('views still print their data as JSON: incident list, status', async () => {
    fake = await startFakeWorld('prod');
    const list = await runFsops(['incident', 'list', '--output', 'json'], FAKE_CREDENTIALS);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
    const status = await runFsops(
      ['status', '--env', 'prod', '--output', 'json', '--endpoint-url', fake.url],
      FAKE_CREDENTIALS,
    );
    expect(status.stderr).toBe('');
    expect(JSON.parse(status.stdout)).toMatchObject({ env: 'prod', incidents: [] });
  });
});

describe('-e/--env before the subcommand as well as after it', () => {
  const report = (stdout: string) => JSON.parse(stdout) as { command: string; env: string | null };

  it("a command's help lists its --env once (the global one is left out there)", async () => {
    for (const args of [
      ['validate', '--help'],
      ['rollback', '--help'],
      ['db', 'health', '--help'],
    ]) {
      const help = await runFsops(args);
      expect(help.code, args.join(' ')).toBe(0);
      expect(help.stdout.match(/-e, --env <env>/g), args.join(' ')).toHaveLength(1);
    }
  });

  it('a read-only command: `fsops --env prod validate` is `fsops validate --env prod`', async () => {
    fake = await startFakeWorld('prod');
    const run = (...args: string[]) =>
      runFsops([...args, '--endpoint-url', fake!.url, '--output', 'json'], FAKE_CREDENTIALS);
    const after = await run('validate', '--env', 'prod');
    const before = await run('--env', 'prod', 'validate');
    const short = await run('-e', 'prod', 'validate');
    expect(after.code).not.toBe(2);
    expect(before.stderr).toBe(after.stderr);
    expect([before.code, short.code]).toEqual([after.code, after.code]);
    expect(report(before.stdout)).toMatchObject({ command: 'validate', env: 'prod' });
    expect(report(short.stdout)).toMatchObject({ command: 'validate', env: 'prod' });
    // The subcommand's own --env wins over the one before it.
    const both = await run('--env', 'staging', 'validate', '--env', 'prod');
    expect(both.code).toBe(after.code);
    expect(report(both.stdout)).toMatchObject({ env: 'prod' });
  });

  it('a mutating command takes the global --env, never FSOPS_ENV', async () => {
    fake = await startFakeWorld('prod');
    fake.handlers.ecs!.ListTasks = () => ({ taskArns: [] });
    fake.handlers.ecs!.DescribeTasks = () => ({ tasks: [] });
    const auditFile = join(mkdtempSync(join(tmpdir(), 'fsops-audit-')), 'audit.jsonl');
    const env = { ...FAKE_CREDENTIALS, FSOPS_AUDIT_FILE: auditFile };
    const dryRun = await runFsops(
      ['--env', 'prod', 'restart', 'internal-pe', '--dry-run', '--endpoint-url', fake.url],
      env,
    );
    expect(dryRun.stderr).not.toMatch(/unknown option/);
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain('prod-internal-pe-service');
    expect(fake.calls.some((c) => c.action === 'UpdateService')).toBe(false);
    const audit = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audit.at(-1)).toMatchObject({ env: 'prod', result: 'dry-run' });

    const fromEnvironment = await runFsops(
      ['restart', 'internal-pe', '--dry-run', '--endpoint-url', fake.url],
      { ...env, FSOPS_ENV: 'prod', FSOPS_AUDIT_FILE: join(tmpdir(), `never-${process.pid}.jsonl`) },
    );
    expect(fromEnvironment.code).toBe(2);
    expect(fromEnvironment.stderr).toMatch(/^fsops: restart changes a service: pass --env explicitly/);
    expect(existsSync(join(tmpdir(), `never-${process.pid}.jsonl`))).toBe(false);
  });
});
