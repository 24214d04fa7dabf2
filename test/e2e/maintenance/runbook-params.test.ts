import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runFsopsAt } from '../../helpers/cli.js';

// Run `npm run build` first. Runbooks are the package's own files (runbooks/), found next to the
// bundle: this copies the built package (bin, dist, package.json, runbooks) and misspells one action
// step's parameter in its weekly runbook, as an edit of runbooks/maintenance/weekly.yaml would.
const ROOT = resolve(import.meta.dirname, '../../..');
let bin: string;

beforeAll(() => {
  const copy = mkdtempSync(join(tmpdir(), 'fsops-package-'));
  for (const part of ['bin', 'dist', 'runbooks', 'package.json']) {
    cpSync(join(ROOT, part), join(copy, part), { recursive: true });
  }
  const weekly = join(copy, 'runbooks/maintenance/weekly.yaml');
  const text = readFileSync(weekly, 'utf8');
  expect(text).toContain('  - action: db.vacuum-analyze\n');
  writeFileSync(
    weekly,
    text.replace(
      '  - action: db.vacuum-analyze\n',
      '  - action: db.vacuum-analyze\n    params: { table: [payments] }\n',
    ),
  );
  bin = join(copy, 'bin/fsops');
});

const LINE =
  "fsops: runbook maintenance/weekly, step 6 (db.vacuum-analyze): unknown parameter 'table' (valid: tables)\n";

describe('an action step with a parameter its action does not take', () => {
  it('maintenance run: exit 2, one line naming the step, the key and the valid keys, before anything runs', async () => {
    const result = await runFsopsAt(bin, ['maintenance', 'run', 'weekly', '--env', 'staging', '--dry-run']);
    expect(result.stderr).toBe(LINE);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });

  it('runbook show: the same line', async () => {
    const result = await runFsopsAt(bin, ['runbook', 'show', 'maintenance/weekly']);
    expect(result.stderr).toBe(LINE);
    expect(result.code).toBe(2);
  });
});
