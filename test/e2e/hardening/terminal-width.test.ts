import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';

/**
 * Runs bin/fsops on a pseudo-terminal (util-linux `script`) whose width is 0 columns, as `script`,
 * some CI runners and serial consoles report. Killed after 40 s (coreutils `timeout` inside the
 * terminal, `script` itself after 45 s) so that a hang fails the test instead of the run.
 */
function runOnZeroWidthTerminal(
  args: string[],
): Promise<{ code: number | null; signal: string | null; output: string }> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn(
      'script',
      ['-qec', `stty cols 0 rows 24; exec timeout -s KILL 40 ${quoted}`, '/dev/null'],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', NO_COLOR: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.resume();
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 45_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

describe('a terminal that reports 0 columns', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('zero_cols');
  });
  afterAll(async () => {
    await db.cleanup();
  });

  it('db health finishes and prints its report (the spinner used to spin forever at 100% CPU)', async () => {
    const result = await runOnZeroWidthTerminal(['db', 'health', '--db-url', db.url]);
    expect(result.signal).toBeNull();
    // 137: `timeout` had to kill it.
    expect([0, 1]).toContain(result.code);
    expect(result.output).toMatch(/fsops db health: (PASS|WARN|FAIL)/);
  }, 60_000);
});
