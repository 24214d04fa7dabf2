// A Secrets Manager endpoint that never answers: the database check times out, the report is printed,
// and the process must exit then, not linger until the SDK's request timeout (here 10 minutes).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, FAKE_CREDENTIALS } from '../../helpers/cli.js';
import { type FakeAws, startFakeWorld } from '../../helpers/fake-aws.js';

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Runs bin/fsops; resolves when it exits, or with `lingering: true` if it is still alive `graceMs` after printing its report. */
function runUntilExit(args: string[], env: Record<string, string>, graceMs: number) {
  return new Promise<{ code: number | null; stdout: string; lingering: boolean }>((resolve) => {
    const home = mkdtempSync(join(tmpdir(), 'fsops-home-'));
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: join(home, 'aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
        NO_COLOR: '1',
        FSOPS_AUDIT_FILE: join(home, 'audit.jsonl'),
        ...env,
      },
      cwd: home,
    });
    let stdout = '';
    let guard: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
      // The JSON report is the last thing printed: from then on the process has nothing left to do.
      if (!guard && stdout.trim().endsWith('}')) {
        guard = setTimeout(() => {
          child.kill('SIGKILL');
          resolve({ code: null, stdout, lingering: true });
        }, graceMs);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, lingering: false });
    });
  });
}

describe('a hanging AWS endpoint after the report', () => {
  it('troubleshoot with a Secrets Manager call that never answers exits once the report is out', async () => {
    fake = await startFakeWorld(
      'prod',
      {},
      { faults: [{ service: 'secretsmanager', action: 'GetSecretValue', kind: 'hang' }] },
    );
    fake.handlers.monitoring!.GetMetricData = () => ({ MetricDataResults: [] });
    const dir = mkdtempSync(join(tmpdir(), 'fsops-hang-'));
    const config = join(dir, 'fsops.config.yaml');
    // A short check timeout and a very long SDK request timeout: only the run's signal can end the call.
    writeFileSync(
      config,
      ['runner:', '  checkTimeoutMs: 1500', 'aws:', '  requestTimeoutMs: 600000'].join('\n'),
    );
    const result = await runUntilExit(
      [
        'troubleshoot',
        'db-connection-timeout',
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
      10_000,
    );
    expect(result.lingering).toBe(false);
    const report = JSON.parse(result.stdout) as {
      findings: { id: string; status: string; observed: string }[];
    };
    const db = report.findings.filter((f) => f.id.startsWith('db.connections'));
    expect(db.map((f) => f.status)).toEqual(['error']);
    expect(fake.calls.some((c) => c.service === 'secretsmanager' && c.action === 'GetSecretValue')).toBe(
      true,
    );
    expect(result.code).not.toBe(0);
  }, 30_000);
});
