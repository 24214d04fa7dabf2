import type { ChalkInstance } from 'chalk';
import type { AwsClients } from '../../base/aws/clients.js';
import type { IncidentConfig } from '../../base/config/incident.js';
import { loadConfig } from '../../base/config/load.js';
import { parseDuration } from '../../base/model/duration.js';
import { UsageError } from '../../base/model/errors.js';
import { clean, oneLine } from '../../base/model/text.js';
import { type Notice, noticeText } from './notices.js';
import { deliver } from './notify.js';
import type { Delivery, IncidentRecord, Snapshot } from './record.js';
import { IncidentStore } from './store.js';

/** "2026-11-29 23:20 UTC": times in notices and terminal output. */
export function utc(date: Date | string): string {
  return `${new Date(date).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}

export function openStore(config: IncidentConfig): IncidentStore {
  return new IncidentStore(process.env.FSOPS_INCIDENT_DIR || config.directory, config.lockTimeoutMs);
}

/** The store and settings for commands that need no AWS session (list, show, postmortem, escalation). */
export function loadIncidentSettings(configPath?: string): { config: IncidentConfig; store: IncidentStore } {
  const { config } = loadConfig(configPath);
  return { config: config.incident, store: openStore(config.incident) };
}

export function sinceMs(since: string | undefined, fallback: string): number {
  return parseDuration(since ?? fallback, '--since');
}

/** Required text flags: one line naming the missing ones, exit 2. */
export function requireFlags(command: string, values: Record<string, string | undefined>): void {
  const missing = Object.entries(values)
    .filter(([, v]) => !v?.trim())
    .map(([flag]) => flag);
  if (missing.length > 0) {
    throw new UsageError(
      `incident ${command}: missing ${missing.join(', ')} (see fsops incident ${command} --help)`,
    );
  }
}

/**
 * With --notify: posts the notice to the severity's channels, then records the deliveries (the record
 * was written before: a failed delivery never loses it). Returns the deliveries.
 */
export async function notifyAndRecord(
  store: IncidentStore,
  record: IncidentRecord,
  notice: Notice,
  config: IncidentConfig,
  aws: AwsClients | null,
): Promise<Delivery[]> {
  const deliveries = await deliver(
    notice,
    { incidentId: record.id, env: record.env, severity: record.severity },
    config,
    aws,
  );
  await store.update(record.id, (r) => ({
    ...r,
    deliveries: [...r.deliveries, ...deliveries],
    timeline: [
      ...r.timeline,
      ...deliveries
        .filter((d) => d.attempted)
        .map((d) => ({
          at: d.at,
          event: `${notice.kind} notice ${d.ok ? 'delivered to' : 'NOT delivered to'} ${d.channel} (${d.detail})`,
        })),
    ],
  }));
  return deliveries;
}

export function deliveryLines(deliveries: readonly Delivery[], c: ChalkInstance): string[] {
  return deliveries.map((d) => {
    const mark = d.ok ? c.green('sent  ') : d.attempted ? c.red('FAILED') : c.gray('skip  ');
    return `  ${mark} ${d.channel.padEnd(9)} ${oneLine(d.detail)}`;
  });
}

/** Exit code of a command that wrote its record: 3 when an attempted delivery failed, else 0. */
export function deliveryExitCode(deliveries: readonly Delivery[]): number {
  return deliveries.some((d) => d.attempted && !d.ok) ? 3 : 0;
}

export function printNotice(notice: Notice, c: ChalkInstance): string {
  return `${c.bold('Notice (copy-paste, ops guide §11.3.1):')}\n\n${clean(noticeText(notice))}`;
}

/** The snapshot's problems for the terminal, worst first: "FAIL  title [resource]  observed". */
export function evidenceLines(snapshot: Snapshot, c: ChalkInstance): string[] {
  const order = { fail: 0, error: 1, warn: 2, skip: 3, pass: 4 } as const;
  const paint = { fail: c.red.bold, error: c.magenta, warn: c.yellow, skip: c.gray, pass: c.green };
  const problems = snapshot.findings
    .filter((f) => f.status === 'fail' || f.status === 'error' || f.status === 'warn')
    .sort((a, b) => order[a.status] - order[b.status]);
  const passed = snapshot.findings.filter((f) => f.status === 'pass').length;
  return [
    `  ${problems.length} problem${problems.length === 1 ? '' : 's'}, ${passed} passing (runbook ${snapshot.runbook})`,
    ...problems.map(
      (f) =>
        `  ${paint[f.status](f.status.toUpperCase().padEnd(5))} ${oneLine(f.title)} ${c.dim(`[${oneLine(f.resource)}]`)}\n        ${oneLine(f.observed)}`,
    ),
  ];
}
