import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../../helpers/cli.js';

/** Starts `fsops demo`, sends `signal` once the trouble is planted, and resolves when it has exited. */
function signalDemo(
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stderr: string; serverPid: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'demo'], { env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    let sent = false;
    let serverPid = 0;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!sent && /demo: planted:/.test(stderr)) {
        sent = true;
        const dir = /cluster in (\S+)/.exec(stderr)?.[1];
        serverPid = Number(readFileSync(join(dir!, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
        child.kill(signal);
      }
    });
    child.stdout.resume();
    child.on('exit', (code) => resolve({ code, stderr, serverPid }));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('every signal that ends fsops cleans up what it started', () => {
  for (const [signal, code] of [
    ['SIGHUP', 129],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal}${signal === 'SIGHUP' ? ' (a dropped SSH session)' : ''} during the demo removes its PostgreSQL and temp directory`, async () => {
      const result = await signalDemo(signal);
      const wasAlive = result.serverPid > 0 && alive(result.serverPid);
      // A failing run must not orphan the server either.
      if (result.serverPid > 0 && alive(result.serverPid)) process.kill(result.serverPid, 'SIGQUIT');
      expect(result.code).toBe(code);
      expect(result.serverPid).toBeGreaterThan(0);
      expect(wasAlive).toBe(false);
      const dir = /cluster in (\S+)/.exec(result.stderr)?.[1];
      expect(dir).toBeDefined();
      expect(existsSync(dir!)).toBe(false);
    }, 90_000);
  }
});
