import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IncidentRecord } from '../../../src/domain/incident/record.js';
import { IncidentStore } from '../../../src/domain/incident/store.js';
import { incidentRecord } from '../../helpers/incident.js';

/** A record as a caller hands it to create (the store numbers its revisions from 1). */
const base = (): Omit<IncidentRecord, 'id'> => incidentRecord('', { revision: 0 });

const now = new Date('2026-11-29T10:00:00Z');
const fresh = () => new IncidentStore(mkdtempSync(join(tmpdir(), 'fsops-inc-')), 5000);

describe('IncidentStore', () => {
  it('allocates ids per year, writes JSON and markdown, and nothing else is left behind', () => {
    const store = fresh();
    const a = store.create((id) => ({ ...base(), id }), now);
    const b = store.create((id) => ({ ...base(), id }), now);
    expect([a.id, b.id]).toEqual(['INC-2026-001', 'INC-2026-002']);
    expect(a.revision).toBe(1);
    expect(readdirSync(store.folder(a.id)).sort()).toEqual(['incident.json', 'incident.md']);
    expect(JSON.parse(readFileSync(join(store.folder(a.id), 'incident.json'), 'utf8')).id).toBe(a.id);
    expect(readFileSync(join(store.folder(a.id), 'incident.md'), 'utf8')).toMatch(/^# INC-2026-001: down/);
    expect(store.scan()).toEqual({ records: [store.read(a.id), store.read(b.id)], unreadable: [] });
  });

  it('two concurrent updates both land: no lost update, revisions in order', async () => {
    const store = fresh();
    const { id } = store.create((x) => ({ ...base(), id: x }), now);
    const other = new IncidentStore(store.dir, 5000);
    const add = (s: IncidentStore, text: string) =>
      s.update(id, (r) => ({ ...r, timeline: [...r.timeline, { at: 'now', event: text }] }));
    await Promise.all([add(store, 'one'), add(other, 'two'), add(store, 'three')]);
    const record = store.read(id);
    expect(record.timeline.map((t) => t.event).sort()).toEqual(['one', 'three', 'two']);
    expect(record.revision).toBe(4);
    expect(existsSync(join(store.folder(id), '.lock'))).toBe(false);
  });

  it('a held lock makes an update give up after the timeout with exit 3, changing nothing', async () => {
    const store = new IncidentStore(mkdtempSync(join(tmpdir(), 'fsops-inc-')), 200);
    const { id } = store.create((x) => ({ ...base(), id: x }), now);
    writeFileSync(join(store.folder(id), '.lock'), '999999 held');
    await expect(store.update(id, (r) => ({ ...r, title: 'changed' }))).rejects.toMatchObject({ code: 3 });
    expect(store.read(id)).toMatchObject({ title: 'down', revision: 1 });
  });

  it('a failed change leaves the record as it was and releases the lock', async () => {
    const store = fresh();
    const { id } = store.create((x) => ({ ...base(), id: x }), now);
    await expect(
      store.update(id, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(store.read(id).revision).toBe(1);
    await store.update(id, (r) => r);
    expect(store.read(id).revision).toBe(2);
  });

  it('refuses ids that are not incident ids (no path tricks) and unknown ones with exit 2', () => {
    const store = fresh();
    expect(() => store.read('../etc')).toThrow(/invalid incident id/);
    expect(() => store.read('INC-2026-999')).toThrow(/no incident INC-2026-999/);
  });

  it('scan names an unreadable record (bad JSON, `{}`, another id) and reads the rest', () => {
    const store = fresh();
    const ids = ['a', 'b', 'c', 'd'].map(() => store.create((id) => ({ ...base(), id }), now).id);
    writeFileSync(join(store.folder(ids[0]!), 'incident.json'), '{"id":');
    writeFileSync(join(store.folder(ids[1]!), 'incident.json'), '{}');
    writeFileSync(
      join(store.folder(ids[2]!), 'incident.json'),
      JSON.stringify({ ...store.read(ids[3]!), id: 'INC-2026-009' }),
    );
    const { records, unreadable } = store.scan();
    expect(records.map((r) => r.id)).toEqual([ids[3]]);
    expect(unreadable.map((u) => [u.id, u.reason.split(' (')[0]])).toEqual([
      [ids[0], 'is not valid JSON'],
      [ids[1], 'is not an incident record'],
      [ids[2], 'is not an incident record of INC-2026-003'],
    ]);
    expect(() => store.read(ids[1]!)).toThrow(
      /incident\.json is not an incident record \(missing or wrong: id,/,
    );
  });
});
