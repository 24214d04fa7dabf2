import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, FAKE_CREDENTIALS } from '../../helpers/cli.js';
import { type FakeAws, startFakeWorld } from '../../helpers/fake-aws.js';

// Run `npm run build` first. An interrupted run is never a pass (docs/safety.md): a read-only run
// stopped while its checks wait — by Ctrl-C, SIGTERM (an ECS task stop, a cancelled CI job) or SIGHUP
// (a dropped SSH session), alike — ends as INTERRUPTED (130) in the chosen format, saying what was
// checked and what was not: no PASS line, no passing JSON report, no green JUnit suite.

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** bin/fsops against a world where one call (DescribeServices) never answers; `signal` once it is in flight. */
async function interruptedWhileChecking(
  args: string[],
  signal: NodeJS.Signals = 'SIGINT',
  hanging: { service: string; action: string } = { service: 'ecs', action: 'DescribeServices' },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  fake = await startFakeWorld('prod', {}, { faults: [{ ...hanging, kind: 'hang' }] });
  fake.handlers.ecs!.ListTasks = () => ({ taskArns: [] });
  const dir = mkdtempSync(join(tmpdir(), 'fsops-interrupted-'));
  const config = join(dir, 'fsops.config.yaml');
  writeFileSync(config, ['aws:', '  requestTimeoutMs: 600000', '  maxAttempts: 1'].join('\n'));
  const child = spawn(process.execPath, [BIN, ...args, '--config', config, '--endpoint-url', fake.url], {
    env: {
      PATH: process.env.PATH,
      TMPDIR: process.env.TMPDIR,
      HOME: dir,
      NO_COLOR: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
      FSOPS_AUDIT_FILE: join(dir, 'audit.jsonl'),
      ...FAKE_CREDENTIALS,
    },
    cwd: dir,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  while (!fake.calls.some((c) => c.action === hanging.action)) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill(signal);
  return { code: await exited, stdout, stderr };
}

describe('a read-only run interrupted while its checks wait is never a pass', () => {
  it.each([
    [['validate', 'prod'], 'SIGINT'],
    [['validate', 'prod'], 'SIGTERM'],
    [['validate', 'prod'], 'SIGHUP'],
    [['validate', 'prod', '--output', 'junit'], 'SIGTERM'],
    [
      ['runbook', 'run', 'troubleshoot/service-unavailable', '--env', 'prod', '--output', 'markdown'],
      'SIGTERM',
    ],
    [['security', '--env', 'prod'], 'SIGHUP'],
  ] as const)(
    'fsops %j, %s: exit 130, an INTERRUPTED report, never a pass',
    async (args, signal) => {
      const result = await interruptedWhileChecking([...args], signal);
      expect(result.code).toBe(130);
      // The verdict is INTERRUPTED (findings that finished keep their own status, a pass among them).
      expect(result.stdout).not.toMatch(/: PASS\b|\*\*PASS|"status": "pass"/);
      expect(result.stdout).toMatch(/: INTERRUPTED\b|\*\*INTERRUPTED|type="interrupted"/);
      // What was not checked is named: the check waiting on DescribeServices.
      expect(result.stdout).toMatch(/not checked: ecs\.service|not checked: security\.network/);
      if ((args as readonly string[]).includes('junit'))
        expect(result.stdout).toMatch(/<error message="interrupted/);
    },
    30_000,
  );

  it.each(['SIGTERM', 'SIGHUP', 'SIGINT'] as const)(
    'fsops validate prod --output json, %s: exit 130 and "status": "interrupted" with what was and was not checked',
    async (signal) => {
      const result = await interruptedWhileChecking(['validate', 'prod', '--output', 'json'], signal);
      expect(result.code).toBe(130);
      const report = JSON.parse(result.stdout);
      expect(report.status).toBe('interrupted');
      expect(report.interruption.notDone).toContain('not checked: ecs.service');
      expect(report.interruption.done.length).toBeGreaterThan(0);
      // The checks that finished are findings; none of them is the check that was cut short.
      expect(report.findings.some((f: { id: string }) => f.id.startsWith('ecs.service'))).toBe(false);
    },
    30_000,
  );

  it.each(['SIGTERM', 'SIGHUP'] as const)(
    'fsops status --env prod, %s: exit 130, "interrupted", no dashboard of half the checks',
    async (signal) => {
      const result = await interruptedWhileChecking(['status', '--env', 'prod'], signal);
      expect(result.code).toBe(130);
      expect(result.stderr.trim().split('\n').at(-1)).toBe('fsops: interrupted');
      expect(result.stdout).toBe('');
    },
    30_000,
  );

  it.each(['SIGTERM', 'SIGHUP'] as const)(
    'fsops doctor --env prod --output json, %s: exit 130 and "status": "interrupted", the unfinished checks named',
    async (signal) => {
      const result = await interruptedWhileChecking(['doctor', '--env', 'prod', '--output', 'json'], signal, {
        service: 'sts',
        action: 'GetCallerIdentity',
      });
      expect(result.code).toBe(130);
      const report = JSON.parse(result.stdout);
      expect(report.status).toBe('interrupted');
      expect(report.interruption.notDone).toContain('not checked: doctor.credentials');
    },
    30_000,
  );
});
