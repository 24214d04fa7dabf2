import type { IncidentRecord } from '../../src/domain/incident/record.js';

/** An open SEV1 incident in prod (record revision 1), with whatever `overrides` change. */
export function incidentRecord(id: string, overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    id,
    revision: 1,
    env: 'prod',
    title: 'down',
    severity: 1,
    severityName: 'Critical',
    proposal: { severity: 1, reason: 'r', findingId: null, resource: null, rule: 'x', unchecked: [] },
    severityChoice: 'proposed',
    commander: 'me',
    affectedServices: [],
    state: 'open',
    currentStatus: 'Investigating',
    eta: null,
    startedAt: '2026-11-29T10:00:00.000Z',
    openedBy: 'me',
    resolvedAt: null,
    rootCause: null,
    resolution: null,
    updates: [],
    snapshots: [],
    timeline: [],
    deliveries: [],
    postmortem: null,
    ...overrides,
  };
}

/** The same incident resolved an hour later. */
export const resolvedIncident = (id: string): IncidentRecord =>
  incidentRecord(id, {
    state: 'resolved',
    currentStatus: 'Resolved',
    resolvedAt: '2026-11-29T11:00:00.000Z',
    rootCause: 'rc',
    resolution: 'fix',
  });
