import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, FAKE_CREDENTIALS } from '../../helpers/cli.js';
import { type FakeAws, startFakeWorld } from '../../helpers/fake-aws.js';

// Run `npm run build` first. An interrupted run is never a pass (docs/safety.md): a read-only run
// stopped by Ctrl-C while its checks wait (the check runner: validate, runbook run, status) ends as
// "interrupted" (130) and prints no verdict at all — no PASS line, no JSON report, no green JUnit suite.

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** bin/fsops against a world whose DescribeServices never answers; SIGINT once that call is in flight. */
async function interruptedWhileChecking(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  fake = await startFakeWorld(
    'prod',
    {},
    { faults: [{ service: 'ecs', action: 'DescribeServices', kind: 'hang' }] },
  );
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
  while (!fake.calls.some((c) => c.action === 'DescribeServices')) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGINT');
  return { code: await exited, stdout, stderr };
}

describe('a read-only run interrupted while its checks wait is never a pass', () => {
  it.each([
    [['validate', 'prod']],
    [['validate', 'prod', '--output', 'json']],
    [['validate', 'prod', '--output', 'junit']],
    [['runbook', 'run', 'troubleshoot/service-unavailable', '--env', 'prod', '--output', 'markdown']],
    [['status', '--env', 'prod']],
  ])(
    'fsops %j: exit 130, "interrupted", no verdict printed',
    async (args) => {
      const result = await interruptedWhileChecking(args);
      expect(result.code).toBe(130);
      expect(result.stderr.trim().split('\n').at(-1)).toBe('fsops: interrupted');
      expect(result.stdout).not.toMatch(/PASS|"status": "pass"|<testsuites/);
      expect(result.stdout).toBe('');
    },
    30_000,
  );
});
