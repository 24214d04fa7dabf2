import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { incidentResolve } from '../../../src/commands/incident-resolve.js';
import { incidentUpdate } from '../../../src/commands/incident-update.js';
import { IncidentStore } from '../../../src/domain/incident/store.js';
import { incidentRecord } from '../../helpers/incident.js';
import { testRuntime } from '../../helpers/runtime.js';

const record = (id: string) => incidentRecord(id);

const saved = process.env.FSOPS_INCIDENT_DIR;
afterEach(() => {
  if (saved === undefined) delete process.env.FSOPS_INCIDENT_DIR;
  else process.env.FSOPS_INCIDENT_DIR = saved;
});

describe('--env naming another environment than the incident', () => {
  it('update and resolve refuse it (exit 2) before anything is gathered or written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsops-inc-env-'));
    process.env.FSOPS_INCIDENT_DIR = dir;
    const store = new IncidentStore(dir);
    const { id } = store.create(record, new Date('2026-11-29T10:00:00Z'));
    await expect(
      incidentUpdate(id, { env: 'staging', status: 's', actions: 'a', next: 'n' }, testRuntime()),
    ).rejects.toMatchObject({ code: 2, message: `incident ${id} is in prod, not staging` });
    await expect(
      incidentResolve(id, { env: 'staging', rootCause: 'r', resolution: 's' }, testRuntime()),
    ).rejects.toMatchObject({ code: 2, message: `incident ${id} is in prod, not staging` });
    expect(store.read(id)).toMatchObject({ state: 'open', revision: 1 });
  });
});
