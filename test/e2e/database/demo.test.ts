import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runFsops } from '../../helpers/cli.js';

/** Starts `fsops demo`, sends Ctrl-C once stderr shows `when`, and resolves with the exit code and stderr. */
function interruptDemo(
  args: string[],
  when: RegExp,
  delayMs = 0,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'demo', ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!sent && when.test(stderr)) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), delayMs);
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
    // 10 in PostgreSQL, 2 in Redis (the backed-up webhook queue: the test machine has redis-server).
    expect(result.stderr).toContain('demo: fsops found all 12 planted problems');
    expect(result.stderr).toMatch(/demo: planted: 2500 webhooks waiting in webhook_queue/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^fsops db health: FAIL/);
    for (const expected of [
      /FAIL {2}Blocked sessions and lock chains \[pid \d+\]/,
      /FAIL {2}Sequences near their maximum \[payment\.payments_id_seq\]/,
      /FAIL {2}Dead tuples \[payment\.payment_attempts\]/,
      /WARN {2}Slow statement \(mean time\) \[queryid -?\d+\]\n.*\n.*\n.*SELECT payment\.settlement_report/,
      /WARN {2}Duplicate index \[payment\.idx_payments_status_2\]/,
      /FAIL {2}Webhook queue in Redis \[redis:\/\/127\.0\.0\.1:\d+ webhook_queue\]\n.*\n.*2500 items \(LLEN webhook_queue\)/,
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
    // And the redis-server with it.
    const redisPort = /starting redis-server on 127\.0\.0\.1:(\d+)/.exec(result.stderr)?.[1];
    expect(redisPort).toBeDefined();
    const probe = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port: Number(redisPort) });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    expect(probe).toBe(false);
  }, 90_000);

  it('Ctrl-C in the middle stops and removes the server (exit 130)', async () => {
    const { code, stderr } = await interruptDemo([], /demo: planted:/);
    expect(code).toBe(130);
    await serverGone(stderr);
  }, 90_000);

  it('Ctrl-C while the server is still starting removes it too', async () => {
    const { code, stderr } = await interruptDemo([], /starting PostgreSQL on/, 50);
    expect(code).toBe(130);
    expect(stderr).not.toContain('demo: loading');
    // pg_ctl may still be finishing its start when fsops exits: give it a moment, then nothing may listen.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await serverGone(stderr);
    const dir = /cluster in (\S+)/.exec(stderr)?.[1];
    expect(dir).toBeDefined();
    expect(existsSync(dir!)).toBe(false);
  }, 90_000);

  it('a local PostgreSQL that cannot start: one line, exit 3, nothing left behind', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'fsops-fake-pg-'));
    try {
      for (const tool of ['initdb', 'pg_ctl', 'postgres']) {
        writeFileSync(
          join(bin, tool),
          '#!/bin/sh\necho "initdb: could not create directory: No space left on device" >&2\nexit 1\n',
        );
        chmodSync(join(bin, tool), 0o755);
      }
      chmodSync(bin, 0o755);
      const result = await runFsops(['demo'], { FSOPS_PG_BIN: bin });
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(
        /^fsops: demo: cannot start a local PostgreSQL: initdb failed: initdb: could not create directory: No space left on device$/m,
      );
      expect(result.stderr).not.toContain('unexpected error');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('--keep leaves the server up until Ctrl-C, then cleans up', async () => {
    const { code, stderr } = await interruptDemo(['--keep'], /Press Ctrl-C to stop/);
    expect(stderr).toContain('demo: cleaning up');
    expect(code).toBe(0);
    await serverGone(stderr);
  }, 90_000);
});
