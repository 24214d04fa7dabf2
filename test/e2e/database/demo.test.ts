import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, runFsops } from '../../helpers/cli.js';

/** Starts `fsops demo`, sends Ctrl-C once stderr shows `when`, and resolves with the exit code and stderr. */
function interruptDemo(args: string[], when: RegExp): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'demo', ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!sent && when.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stdout.resume();
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

async function serverGone(stderr: string): Promise<void> {
  const port = /starting PostgreSQL on 127\.0\.0\.1:(\d+)/.exec(stderr)?.[1];
  expect(port).toBeDefined();
  const probe = await runFsops([
    'db',
    'connections',
    '--db-url',
    `postgres://postgres@127.0.0.1:${port}/postgres`,
  ]);
  expect(probe.code).toBe(3);
}

describe('fsops demo (the README first command)', () => {
  it('starts a disposable PostgreSQL, finds every planted problem, and cleans up', async () => {
    const result = await runFsops(['demo']);
    expect(result.stderr).toContain('demo: fsops found all 10 planted problems');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^fsops db health: FAIL/);
    for (const expected of [
      /FAIL {2}Blocked sessions and lock chains \[pid \d+\]/,
      /FAIL {2}Sequences near their maximum \[payment\.payments_id_seq\]/,
      /FAIL {2}Dead tuples \[payment\.payment_attempts\]/,
      /WARN {2}Slow statement \(mean time\) \[queryid -?\d+\]\n.*\n.*\n.*SELECT payment\.settlement_report/,
      /WARN {2}Duplicate index \[payment\.idx_payments_status_2\]/,
    ]) {
      expect(result.stdout).toMatch(expected);
    }
    const port = /starting PostgreSQL on 127\.0\.0\.1:(\d+)/.exec(result.stderr)?.[1];
    expect(port).toBeDefined();
    expect(result.stderr).toContain('demo: cleaning up');
    // The server is gone: nothing listens on its port any more.
    const again = await runFsops([
      'db',
      'connections',
      '--db-url',
      `postgres://postgres@127.0.0.1:${port}/postgres`,
    ]);
    expect(again.code).toBe(3);
  }, 90_000);

  it('Ctrl-C in the middle stops and removes the server (exit 130)', async () => {
    const { code, stderr } = await interruptDemo([], /demo: planted:/);
    expect(code).toBe(130);
    await serverGone(stderr);
  }, 90_000);

  it('--keep leaves the server up until Ctrl-C, then cleans up', async () => {
    const { code, stderr } = await interruptDemo(['--keep'], /Press Ctrl-C to stop/);
    expect(stderr).toContain('demo: cleaning up');
    expect(code).toBe(0);
    await serverGone(stderr);
  }, 90_000);
});
