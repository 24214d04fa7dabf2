import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, FAKE_CREDENTIALS, runFsops } from '../../helpers/cli.js';
import { type FakeAws, startFakeWorld } from '../../helpers/fake-aws.js';

// Run `npm run build` first. The reads before a change (and a listing's reads) take the run's signal:
// a signal ends a call that hangs at once, not at the SDK's request timeout (here 10 minutes), and the
// command ends as "interrupted" (130), having changed nothing, whichever signal it was.

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/**
 * A directory with a config whose SDK request timeout is very long (10 minutes, one attempt): only the
 * run's signal, or fsops's own bound on optional lookups, can end a hanging call in time.
 */
function longTimeoutConfig(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fsops-reads-'));
  const config = join(dir, 'fsops.config.yaml');
  writeFileSync(config, ['aws:', '  requestTimeoutMs: 600000', '  maxAttempts: 1'].join('\n'));
  return { dir, config };
}

/** Starts bin/fsops against a world whose `action` never answers; sends `signal` once that call is in flight. */
async function signalWhileHanging(
  args: string[],
  hang: { service: string; action: string },
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stderr: string; stdout: string; audit: string }> {
  fake = await startFakeWorld('prod', {}, { faults: [{ ...hang, kind: 'hang' }] });
  // No stopped tasks: the world does not list tasks on its own.
  fake.handlers.ecs!.ListTasks = () => ({ taskArns: [] });
  const { dir, config } = longTimeoutConfig();
  const auditFile = join(dir, 'audit.jsonl');
  const child = spawn(process.execPath, [BIN, ...args, '--config', config, '--endpoint-url', fake.url], {
    env: {
      PATH: process.env.PATH,
      TMPDIR: process.env.TMPDIR,
      HOME: dir,
      NO_COLOR: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
      FSOPS_AUDIT_FILE: auditFile,
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
  const calls = fake.calls;
  while (!calls.some((c) => c.action === hang.action)) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill(signal);
  const code = await exited;
  return { code, stderr, stdout, audit: existsSync(auditFile) ? readFileSync(auditFile, 'utf8') : '' };
}

describe('a signal while a read before a change hangs', () => {
  it.each([['SIGINT'], ['SIGTERM'], ['SIGHUP']] as const)(
    'fsops deployments with a hanging DescribeServices: %s exits 130 at once, "interrupted"',
    async (signal) => {
      const result = await signalWhileHanging(
        ['deployments', 'internal-pe', '--env', 'prod'],
        { service: 'ecs', action: 'DescribeServices' },
        signal,
      );
      expect(result.code).toBe(130);
      expect(result.stderr.trim().split('\n').at(-1)).toBe('fsops: interrupted');
      expect(result.stdout).toBe('');
    },
    30_000,
  );

  const ecsChanges = () =>
    fake!.calls.filter((c) => ['UpdateService', 'StopServiceDeployment'].includes(c.action));
  it.each([
    {
      what: 'rollback with a hanging DescribeServices: SIGTERM ends it as interrupted, nothing changed or audited',
      args: ['rollback', 'internal-pe', '--env', 'prod', '--yes'],
      hang: { service: 'ecs', action: 'DescribeServices' },
      touched: ecsChanges,
    },
    {
      what: 'restart with a hanging account check (STS): SIGTERM ends it as interrupted, before any ECS call',
      args: ['restart', 'internal-pe', '--env', 'prod', '--yes'],
      hang: { service: 'sts', action: 'GetCallerIdentity' },
      touched: () => fake!.calls.filter((c) => c.service === 'ecs'),
    },
    {
      what: 'scale with a hanging auto scaling read: SIGTERM ends it as interrupted, nothing changed',
      args: ['scale', 'internal-pe', '5', '--env', 'prod', '--yes'],
      hang: { service: 'application-autoscaling', action: 'DescribeScalableTargets' },
      touched: ecsChanges,
    },
    {
      what: 'maintenance mode on with a hanging account check: SIGTERM ends it as interrupted, no PutParameter',
      args: ['maintenance', 'mode', 'on', '--env', 'prod', '--yes'],
      hang: { service: 'sts', action: 'GetCallerIdentity' },
      touched: () => fake!.calls.filter((c) => c.service === 'ssm'),
    },
  ])(
    'fsops $what',
    async ({ args, hang, touched }) => {
      const result = await signalWhileHanging(args, hang, 'SIGTERM');
      expect(result.code).toBe(130);
      expect(result.stderr.trim().split('\n').at(-1)).toBe('fsops: interrupted');
      expect(touched()).toEqual([]);
      expect(result.audit).toBe('');
    },
    30_000,
  );
});

describe('a hanging endpoint does not hold the listing', () => {
  it('fsops deployments with a DescribeTaskDefinition that never answers prints the listing (without images) and exits', async () => {
    fake = await startFakeWorld(
      'prod',
      {},
      { faults: [{ service: 'ecs', action: 'DescribeTaskDefinition', kind: 'hang' }] },
    );
    fake.handlers.ecs!.ListTaskDefinitions = () => ({
      taskDefinitionArns: [42, 41].map(
        (n) => `arn:aws:ecs:ap-south-1:123456789014:task-definition/prod-fivestar-internal-pe:${n}`,
      ),
    });
    // Only fsops's own bound on the optional lookups can end them before the test's timeout.
    const { config } = longTimeoutConfig();
    const result = await runFsops(
      [
        'deployments',
        'internal-pe',
        '--env',
        'prod',
        '--output',
        'json',
        '--config',
        config,
        '--endpoint-url',
        fake.url,
      ],
      FAKE_CREDENTIALS,
    );
    expect(result.code).toBe(0);
    const view = JSON.parse(result.stdout);
    expect(view.revisions.map((r: { revision: number; images: string[] }) => [r.revision, r.images])).toEqual(
      [
        [42, []],
        [41, []],
      ],
    );
    expect(fake.calls.filter((c) => c.action === 'DescribeTaskDefinition').length).toBeGreaterThan(0);
  });
});
