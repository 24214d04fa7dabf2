import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IncidentRecord } from '../../../src/domain/incident/record.js';
import { IncidentStore } from '../../../src/domain/incident/store.js';
import { incidentRecord } from '../../helpers/incident.js';

/** The store bundled as one module, so separate node processes run the real code. */
let bundle: string;
beforeAll(async () => {
  const out = mkdtempSync(join(tmpdir(), 'fsops-store-'));
  bundle = join(out, 'store.mjs');
  await build({
    entryPoints: [resolve(import.meta.dirname, '../../../src/domain/incident/store.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'silent',
  });
}, 60_000);

/**
 * One contender, a process of its own running the real store, doing one update. The store's
 * `staleLockSeen` seam (a hook given to this store, not a global) holds the two contenders so that
 * both have seen the stale lock before either takes it over — the moment a naive takeover ("remove
 * the stale lock, create ours") loses an update:
 *   A waits until B has seen the stale lock too, then takes it over;
 *   B waits until A holds the lock (A's update is running), then tries to take it over.
 * While it holds the lock, each contender waits (up to 1.5 s) for the other to hold it as well: with
 * a naive takeover B removes A's fresh lock and holds it too, both read the same revision and one
 * update is lost; the atomic takeover sees A's fresh lock under its guard and B waits its turn.
 */
const CHILD = `
import { existsSync, writeFileSync } from 'node:fs';
const [bundle, dir, id, role, marks] = process.argv.slice(1);
const { IncidentStore } = await import(bundle);
const other = role === 'A' ? 'B' : 'A';
const mark = (name) => writeFileSync(marks + '/' + name, '');
const until = (name, ms) => {
  const end = Date.now() + ms;
  while (!existsSync(marks + '/' + name) && Date.now() < end) {}
};
const store = new IncidentStore(dir, 30000, {
  staleLockSeen() {
    if (role === 'A') until('seen-B', 10000);
    else {
      mark('seen-B');
      until('holding-A', 10000);
    }
  },
});
await store.update(id, (r) => {
  mark('holding-' + role);
  until('holding-' + other, 1500);
  return { ...r, timeline: [...r.timeline, { at: 'now', event: role }] };
});
`;

function runChild(dir: string, id: string, role: 'A' | 'B', marks: string) {
  return new Promise<{ code: number; stderr: string }>((done) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', CHILD, bundle, dir, id, role, marks],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.on('exit', (code) => done({ code: code ?? 1, stderr }));
  });
}

const record = (id: string): IncidentRecord => incidentRecord(id);

describe('stale incident lock taken over by concurrent processes', () => {
  it('never lets two processes hold it: every update lands (both contenders see the stale lock before either takes it over)', async () => {
    const store = new IncidentStore(mkdtempSync(join(tmpdir(), 'fsops-race-')));
    const { id } = store.create(record, new Date('2026-11-29T10:00:00Z'));
    const lock = join(store.dir, id, '.lock');
    const rounds = 3;
    for (let round = 0; round < rounds; round++) {
      // A lock left by a process that died mid-write: ten minutes old.
      writeFileSync(lock, '4242 dead\n');
      const old = new Date(Date.now() - 600_000);
      utimesSync(lock, old, old);
      const marks = mkdtempSync(join(tmpdir(), 'fsops-race-marks-'));
      const [a, b] = await Promise.all([
        runChild(store.dir, id, 'A', marks),
        runChild(store.dir, id, 'B', marks),
      ]);
      expect([a, b], `round ${round}: ${a.stderr}${b.stderr}`).toMatchObject([{ code: 0 }, { code: 0 }]);
      // Both saw the stale lock, and B tried to take it over while A held it.
      expect(existsSync(join(marks, 'seen-B')), `round ${round}`).toBe(true);
    }
    const events = store.read(id).timeline.map((t) => t.event);
    expect(events.filter((e) => e === 'A' || e === 'B')).toEqual(Array(rounds).fill(['A', 'B']).flat());
    expect(store.read(id).revision).toBe(1 + 2 * rounds);
  }, 120_000);
});
