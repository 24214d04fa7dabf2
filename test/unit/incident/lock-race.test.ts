import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
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
 * One process: `rounds` times, at the same moments as the others, appends an event under the lock.
 * Before each moment process 0 leaves a stale lock (as a process that died mid-write would), so
 * every round all processes find it stale at once and race to take it over.
 */
const CHILD = `
import { openSync, closeSync, utimesSync } from 'node:fs';
const [bundle, dir, id, name, start, rounds, slot] = process.argv.slice(1);
const { IncidentStore } = await import(bundle);
const store = new IncidentStore(dir, 30000);
const lock = dir + '/' + id + '/.lock';
for (let round = 0; round < Number(rounds); round++) {
  const at = Number(start) + round * Number(slot);
  if (name === 'p0') {
    while (Date.now() < at - 40) {}
    try {
      closeSync(openSync(lock, 'wx'));
      const old = new Date(Date.now() - 600000);
      utimesSync(lock, old, old);
    } catch {}
  }
  while (Date.now() < at) {}
  await store.update(id, (r) => ({ ...r, timeline: [...r.timeline, { at: 'now', event: name + '-' + round }] }));
}
`;

function runChild(dir: string, id: string, name: string, start: number, rounds: number, slot: number) {
  return new Promise<number>((done) => {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        CHILD,
        bundle,
        dir,
        id,
        name,
        String(start),
        String(rounds),
        String(slot),
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child.on('exit', (code) => done(code ?? 1));
  });
}

const record = (id: string): IncidentRecord => incidentRecord(id);

describe('stale incident lock taken over by concurrent processes', () => {
  it('never lets two processes hold it: every update lands', async () => {
    const store = new IncidentStore(mkdtempSync(join(tmpdir(), 'fsops-race-')));
    const { id } = store.create(record, new Date('2026-11-29T10:00:00Z'));
    const rounds = 30;
    const processes = 8;
    const start = Date.now() + 1500;
    const codes = await Promise.all(
      Array.from({ length: processes }, (_, n) => runChild(store.dir, id, `p${n}`, start, rounds, 400)),
    );
    expect(codes).toEqual(Array(processes).fill(0));
    const events = store.read(id).timeline.map((t) => t.event);
    expect(events).toHaveLength(rounds * processes);
    expect(store.read(id).revision).toBe(1 + rounds * processes);
  }, 240_000);
});
