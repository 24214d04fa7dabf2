import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { incidentPostmortem } from '../../../src/commands/incident-postmortem.js';
import { IncidentStore } from '../../../src/domain/incident/store.js';
import { resolvedIncident } from '../../helpers/incident.js';
import { testRuntime } from '../../helpers/runtime.js';

const resolved = resolvedIncident;

const saved = process.env.FSOPS_INCIDENT_DIR;
afterEach(() => {
  if (saved === undefined) delete process.env.FSOPS_INCIDENT_DIR;
  else process.env.FSOPS_INCIDENT_DIR = saved;
});

describe('fsops incident postmortem', () => {
  it('a second run does not replace the filled-in post-mortem with the template (exit 2, file kept)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsops-pm-'));
    process.env.FSOPS_INCIDENT_DIR = dir;
    const store = new IncidentStore(dir);
    const { id } = store.create(resolved, new Date('2026-11-29T10:00:00Z'));
    const runtime = testRuntime();
    expect(await incidentPostmortem(id, {}, runtime)).toBe(0);
    expect(runtime.out()).toContain('postmortem.md');
    const file = join(dir, id, 'postmortem.md');
    expect(readFileSync(file, 'utf8')).toContain('_TODO: describe the incident');
    writeFileSync(file, '# Post-Mortem\n\nThe team wrote this.\n');
    await expect(incidentPostmortem(id, {}, testRuntime())).rejects.toMatchObject({
      code: 2,
      message: expect.stringMatching(
        /postmortem\.md already exists \(written .* UTC\) and may hold your edits: nothing was written/,
      ),
    });
    expect(readFileSync(file, 'utf8')).toBe('# Post-Mortem\n\nThe team wrote this.\n');
  });
});
