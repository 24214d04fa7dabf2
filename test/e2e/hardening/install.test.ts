import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../../helpers/cli.js';

/** /usr/bin/node when it is a Node older than 22, else null. */
const OLD_NODE = (() => {
  try {
    const version = execFileSync('/usr/bin/node', ['--version'], { encoding: 'utf8' });
    return Number(/^v(\d+)/.exec(version)?.[1]) < 22 ? '/usr/bin/node' : null;
  } catch {
    return null;
  }
})();

function run(node: string, bin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(node, [bin, 'validate', 'prod'], { env: { PATH: process.env.PATH } }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe('bin/fsops before the command runs', () => {
  it('without `npm run build`: one line naming the fix, no ERR_MODULE_NOT_FOUND trace', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fsops-unbuilt-'));
    mkdirSync(join(root, 'bin'));
    copyFileSync(BIN, join(root, 'bin', 'fsops'));
    const result = await run(process.execPath, join(root, 'bin', 'fsops'));
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe(`fsops: not built: run \`npm run build\` in ${root}/ first\n`);
  });

  // The machine's default Node where it is older than 22 (Node 20 here): fsops says what it needs.
  it.skipIf(OLD_NODE === null)('on Node older than 22: one line saying so', async () => {
    const result = await run(OLD_NODE!, BIN);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(
      /^fsops: needs Node\.js 22 or newer \(24 LTS recommended\); this is Node \d+\.\d+\.\d+\n$/,
    );
  });
});
