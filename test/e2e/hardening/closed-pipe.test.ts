import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
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

/** Runs fsops with stdout into a pipe whose reader leaves after the first chunk, as `| head -1` does. */
function readFirstChunkThenClose(
  args: string[],
): Promise<{ code: number | null; stderr: string; first: string }> {
  const home = mkdtempSync(join(tmpdir(), 'fsops-home-'));
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      NO_COLOR: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
      FSOPS_AUDIT_FILE: join(home, 'audit.jsonl'),
      ...FAKE_CREDENTIALS,
    },
    cwd: home,
  });
  let stderr = '';
  let first = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdout.once('data', (chunk) => {
    first = String(chunk);
    child.stdout.destroy();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((done) =>
    child.on('exit', (code) => {
      clearTimeout(killer);
      done({ code, stderr, first });
    }),
  );
}

describe('a closed pipe ends quietly', () => {
  it('status --watch 1s | head -1: no stack trace, it stops', async () => {
    fake = await startFakeWorld('prod');
    const result = await readFirstChunkThenClose([
      'status',
      '--env',
      'prod',
      '--watch',
      '1s',
      '--endpoint-url',
      fake.url,
    ]);
    expect(result.first).toContain('fsops status prod');
    expect(result.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(result.code).not.toBeNull();
  }, 60_000);

  it('logs tail --follow | head -1: no stack trace, it stops', async () => {
    fake = await startFakeWorld('prod');
    (fake.handlers as Record<string, Record<string, unknown>>).logs!.FilterLogEvents = () => ({
      events: Array.from({ length: 50 }, (_, i) => ({
        timestamp: Date.now() - 1000 + i,
        message: `line ${i} ${'x'.repeat(2000)}`,
        logStreamName: 's',
        eventId: `e${Date.now()}-${i}`,
      })),
    });
    const result = await readFirstChunkThenClose([
      'logs',
      'tail',
      'internal-pe',
      '--env',
      'prod',
      '--follow',
      '--endpoint-url',
      fake.url,
    ]);
    expect(result.first).toContain('line 0');
    expect(result.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(result.code).not.toBeNull();
  }, 60_000);
});
