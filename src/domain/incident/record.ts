import type { Finding } from '../../base/model/finding.js';
import type { SeverityLevel, SeverityProposal } from './severity.js';

/** One evidence snapshot: the findings of the snapshot runbook at one moment. */
export interface Snapshot {
  at: string;
  /** "open", "update #2", "resolve" */
  label: string;
  runbook: string;
  status: Finding['status'];
  findings: Finding[];
}

export interface IncidentUpdate {
  number: number;
  at: string;
  status: string;
  actions: string;
  next: string;
  eta: string | null;
  by: string;
  changes: SnapshotChanges;
}

export interface SnapshotChanges {
  cleared: string[];
  newProblems: string[];
  stillFailing: string[];
}

export interface Delivery {
  at: string;
  notice: 'INCIDENT' | 'UPDATE' | 'RESOLVED';
  channel: string;
  ok: boolean;
  /** false when the channel is not configured (its variable unset): nothing was sent. */
  attempted: boolean;
  /** "HTTP 200", "skipped: FSOPS_SLACK_WEBHOOK_URL not set", "HTTP 500" — never a URL or key. */
  detail: string;
}

export interface TimelineEntry {
  at: string;
  event: string;
}

/** The incident record (incident.json). Holds no secret: no webhook URL, no routing key. */
export interface IncidentRecord {
  id: string;
  /** Incremented by every write; a write based on an older revision is refused (no lost update). */
  revision: number;
  env: string;
  title: string;
  severity: SeverityLevel;
  severityName: string;
  proposal: SeverityProposal;
  /** "proposed" (accepted as proposed) or "override" (the engineer chose another). */
  severityChoice: 'proposed' | 'override';
  commander: string;
  affectedServices: string[];
  state: 'open' | 'resolved';
  currentStatus: string;
  eta: string | null;
  startedAt: string;
  openedBy: string;
  resolvedAt: string | null;
  rootCause: string | null;
  resolution: string | null;
  updates: IncidentUpdate[];
  snapshots: Snapshot[];
  timeline: TimelineEntry[];
  deliveries: Delivery[];
  postmortem: { path: string; writtenAt: string; dueAt: string } | null;
}

/** A finding's identity across snapshots. */
const key = (f: Pick<Finding, 'id' | 'resource'>) => `${f.id} [${f.resource}]`;
const bad = (f: Finding) => f.status === 'fail' || f.status === 'error' || f.status === 'warn';

/** What changed between two snapshots: problems that cleared, new ones, and those still there. Pure. */
export function diffSnapshots(before: readonly Finding[], after: readonly Finding[]): SnapshotChanges {
  const wasBad = new Map(before.filter(bad).map((f) => [key(f), f]));
  const nowBad = new Map(after.filter(bad).map((f) => [key(f), f]));
  const describe = (f: Finding) => `${key(f)} ${f.status}: ${f.observed}`;
  return {
    cleared: [...wasBad.values()]
      .filter((f) => !nowBad.has(key(f)))
      .map(
        (f) =>
          `${key(f)}: ${f.observed} -> ${after.find((a) => key(a) === key(f))?.observed ?? 'no longer reported'}`,
      ),
    newProblems: [...nowBad.values()].filter((f) => !wasBad.has(key(f))).map(describe),
    stillFailing: [...nowBad.values()].filter((f) => wasBad.has(key(f))).map(describe),
  };
}

/**
 * What the notice's Affected Services names: the ECS services and the database the failing findings
 * are about ("prod-internal-pe-service", "prod-fivestar-payments-db"); other failures are evidence, not services.
 */
export function affectedServices(findings: readonly Finding[]): string[] {
  const names = findings
    .filter(
      (f) =>
        (f.status === 'fail' || f.status === 'error') &&
        /^(ecs\.service|rds\.instance\.available)/.test(f.id),
    )
    .map((f) => f.resource);
  return [...new Set(names)];
}

/** When the next 30-minute update is due (ops guide §11.2.1), from the last notice. */
export function nextUpdateDue(record: IncidentRecord, intervalMinutes: number): Date {
  const last = record.updates.at(-1)?.at ?? record.startedAt;
  return new Date(new Date(last).getTime() + intervalMinutes * 60_000);
}

/** What an incident is opened with: who, what, how severe, and the evidence snapshot taken first. */
export interface NewIncident {
  env: string;
  title: string;
  severity: SeverityLevel;
  severityName: string;
  proposal: SeverityProposal;
  commander: string;
  snapshot: Snapshot;
  /** The runbook the snapshot ran (for the timeline). */
  runbook: string;
  eta: string | null;
  /** The local user who opened it. */
  openedBy: string;
  now: Date;
}

/** The first revision of an incident's record (pure): open, investigating, its snapshot and timeline. */
export function newIncidentRecord(id: string, opened: NewIncident): IncidentRecord {
  const { severity, proposal, snapshot, now } = opened;
  return {
    id,
    revision: 1,
    env: opened.env,
    title: opened.title,
    severity,
    severityName: opened.severityName,
    proposal,
    severityChoice: severity === proposal.severity ? 'proposed' : 'override',
    commander: opened.commander,
    affectedServices: affectedServices(snapshot.findings),
    state: 'open',
    currentStatus: 'Investigating',
    eta: opened.eta,
    startedAt: now.toISOString(),
    openedBy: opened.openedBy,
    resolvedAt: null,
    rootCause: null,
    resolution: null,
    updates: [],
    snapshots: [snapshot],
    timeline: [
      { at: snapshot.at, event: `evidence snapshot (${opened.runbook}): ${snapshot.status}` },
      {
        at: now.toISOString(),
        event: `opened as SEV${severity} ${opened.severityName} by ${opened.openedBy}; proposed SEV${proposal.severity} (${proposal.reason})`,
      },
    ],
    deliveries: [],
    postmortem: null,
  };
}
