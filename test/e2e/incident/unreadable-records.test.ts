import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncidentRecord } from '../../../src/domain/incident/record.js';
import { IncidentStore } from '../../../src/domain/incident/store.js';
import { FAKE_CREDENTIALS, runFsops } from '../../helpers/cli.js';
import { type FakeAws, startFakeWorld } from '../../helpers/fake-aws.js';
import { incidentRecord } from '../../helpers/incident.js';

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** An open SEV2 of `env` started now (test/helpers/incident.ts). */
const record = (id: string, env: string, title: string): IncidentRecord => {
  const sev2 = incidentRecord(id, { env, title, severity: 2, severityName: 'High' });
  return { ...sev2, proposal: { ...sev2.proposal, severity: 2 }, startedAt: new Date().toISOString() };
};

/** INC-2026-001 corrupted (staging), INC-2026-002 `{}`, INC-2026-003 a valid open prod incident. */
function recordsWithTwoBad(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fsops-incidents-'));
  const store = new IncidentStore(dir);
  const now = new Date('2026-11-29T10:00:00Z');
  store.create((id) => record(id, 'staging', 'old staging'), now);
  store.create((id) => record(id, 'prod', 'emptied'), now);
  store.create((id) => record(id, 'prod', 'Slow API'), now);
  writeFileSync(join(dir, 'INC-2026-001', 'incident.json'), '{"id": "INC-2026-001", "state": "op');
  writeFileSync(join(dir, 'INC-2026-002', 'incident.json'), '{}\n');
  return dir;
}

describe('one unreadable incident record never hides the others', () => {
  it('incident list lists the readable records and names the bad ones (exit 3)', async () => {
    const dir = recordsWithTwoBad();
    const list = await runFsops(['incident', 'list'], { FSOPS_INCIDENT_DIR: dir });
    expect(list.code).toBe(3);
    expect(list.stdout).toContain(`Incident records: ${dir}`);
    expect(list.stdout).toMatch(/INC-2026-003 +prod .*Slow API/);
    expect(list.stdout).toContain(
      `could not read INC-2026-001: ${join(dir, 'INC-2026-001', 'incident.json')} is not valid JSON`,
    );
    expect(list.stdout).toMatch(
      /could not read INC-2026-002: .* is not an incident record \(missing or wrong: id, revision, env/,
    );
    const json = await runFsops(['incident', 'list', '--output', 'json'], { FSOPS_INCIDENT_DIR: dir });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout).map((r: { id: string }) => r.id)).toEqual(['INC-2026-003']);
    expect(json.stderr).toContain('could not read INC-2026-002');
  });

  it('incident open in another environment still opens, and status shows the valid open incident', async () => {
    fake = await startFakeWorld('prod');
    const dir = recordsWithTwoBad();
    const env = { ...FAKE_CREDENTIALS, FSOPS_INCIDENT_DIR: dir };
    const status = await runFsops(['status', '--env', 'prod', '--endpoint-url', fake.url], env);
    expect(status.stdout).toMatch(/INC-2026-003.*Slow API/);
    expect(status.stdout).toMatch(/could not read the incident records: .*INC-2026-001.* is not valid JSON/);
    expect(status.stdout).toContain('INC-2026-002');
    expect(status.stdout).not.toContain('none open');
    const json = await runFsops(
      ['status', '--env', 'prod', '--endpoint-url', fake.url, '--output', 'json'],
      env,
    );
    expect(JSON.parse(json.stdout).incidents.map((i: { id: string }) => i.id)).toEqual(['INC-2026-003']);

    const opened = await runFsops(
      ['incident', 'open', '--env', 'prod', '--yes', '--title', 'Another', '--endpoint-url', fake.url],
      env,
    );
    expect(opened.stderr).toBe('');
    expect(opened.stdout).toMatch(/Incident INC-2026-004 opened/);
    expect(opened.stdout).toContain(`record:   ${join(dir, 'INC-2026-004')}`);
    expect(opened.stdout).toMatch(/also open in prod: INC-2026-003/);
    expect(opened.stdout).toMatch(/could not read INC-2026-001: .* is not valid JSON/);
  });

  it('records default to the per-user state folder, not the working folder; a file there is exit 2 naming it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'fsops-home-'));
    const list = await runFsops(['incident', 'list'], { HOME: home });
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout).toBe(`No open incidents under ${join(home, '.local/state/fsops/incidents')}\n`);

    const file = join(mkdtempSync(join(tmpdir(), 'fsops-file-')), 'records');
    writeFileSync(file, 'not a folder');
    for (const args of [
      ['incident', 'list'],
      ['incident', 'show', 'INC-2026-001'],
    ]) {
      const result = await runFsops(args, { FSOPS_INCIDENT_DIR: file });
      expect(result).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toBe(
        `fsops: the incident records folder ${file} is a file, not a folder: point FSOPS_INCIDENT_DIR or incident.directory at a folder\n`,
      );
    }
  });
});
