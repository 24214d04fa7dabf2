import { UsageError } from '../base/model/errors.js';
import { oneLine } from '../base/model/text.js';
import { CHECKS } from '../catalogue/checks/index.js';
import {
  deliveryExitCode,
  deliveryLines,
  loadIncidentSettings,
  notifyAndRecord,
  printNotice,
  requireFlags,
  sinceMs,
  utc,
} from '../domain/incident/flow.js';
import { humanDuration, resolutionNotice } from '../domain/incident/notices.js';
import { diffSnapshots } from '../domain/incident/record.js';
import { localUser } from '../engine/audit.js';
import { followUpSnapshot } from '../engine/commands/incident-evidence.js';
import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import type { Runtime } from '../engine/runtime.js';
import { type GlobalOptions, openEnvSession } from '../engine/session.js';

export interface IncidentResolveOptions extends GlobalOptions {
  rootCause?: string;
  resolution?: string;
  since?: string;
  notify?: boolean;
}

/**
 * `fsops incident resolve <id>`: a final snapshot, the [RESOLVED] notice with the duration (ops guide
 * §11.3.1), and the post-mortem due date (§11.2.1: within 48 hours).
 */
export async function incidentResolve(
  id: string,
  options: IncidentResolveOptions,
  runtime: Runtime,
): Promise<number> {
  const printer = printerFor(options, 'incident resolve', VIEW_FORMATS, runtime);
  const format = printer.format;
  requireFlags('resolve', { '--root-cause': options.rootCause, '--resolution': options.resolution });
  const { store, config } = loadIncidentSettings(options.config);
  const before = store.read(id);
  if (before.state !== 'open')
    throw new UsageError(`incident ${id} is already resolved (at ${before.resolvedAt})`);
  if (options.env && options.env !== before.env) {
    throw new UsageError(`incident ${id} is in ${before.env}, not ${options.env}`);
  }
  const session = openEnvSession(options, before.env);
  try {
    const snapshot = await followUpSnapshot(
      session,
      before,
      'resolve',
      format,
      sinceMs(options.since, session.config.logs.since),
      CHECKS,
      runtime,
    );
    const resolvedAt = new Date(runtime.clock.now());
    const record = await store.update(id, (current) => {
      if (current.state !== 'open') throw new UsageError(`incident ${id} was resolved meanwhile`);
      return {
        ...current,
        state: 'resolved',
        currentStatus: 'Resolved',
        resolvedAt: resolvedAt.toISOString(),
        rootCause: oneLine(options.rootCause!),
        resolution: oneLine(options.resolution!),
        snapshots: [...current.snapshots, snapshot],
        timeline: [
          ...current.timeline,
          {
            at: resolvedAt.toISOString(),
            event: `resolved by ${localUser()}: ${oneLine(options.resolution!)}`,
          },
        ],
      };
    });
    const duration = humanDuration(resolvedAt.getTime() - new Date(record.startedAt).getTime());
    const notice = resolutionNotice({
      incidentId: id,
      resolutionTime: utc(resolvedAt),
      rootCause: record.rootCause!,
      resolution: record.resolution!,
      duration,
    });
    const due = new Date(resolvedAt.getTime() + config.postmortemDueHours * 3_600_000);
    const changes = diffSnapshots(before.snapshots.at(-1)?.findings ?? [], snapshot.findings);
    const deliveries = options.notify
      ? await notifyAndRecord(store, record, notice, config, session.aws)
      : [];
    printer.view({
      data: { incident: store.read(id), duration, postmortemDue: due.toISOString(), notice, deliveries },
      text: (data, c) =>
        [
          `${c.bold(`Incident ${id} resolved`)} after ${data.duration} (${data.incident.env}, SEV${data.incident.severity})`,
          `  record:   ${store.folder(id)}`,
          ...(changes.stillFailing.length + changes.newProblems.length > 0
            ? [
                c.yellow('  still failing in the final snapshot (monitor for stability, ops guide §11.2.1):'),
                ...[...changes.stillFailing, ...changes.newProblems].map((x) => `    ${oneLine(x)}`),
              ]
            : ['  final snapshot: no problem left from the last one']),
          '',
          printNotice(data.notice, c),
          options.notify ? c.bold('Notifications:') : c.dim('Not posted anywhere (add --notify to post).'),
          ...deliveryLines(data.deliveries, c),
          '',
          `Post-mortem due ${utc(data.postmortemDue)} (within ${config.postmortemDueHours} h, ops guide §11.2.1): fsops incident postmortem ${id}`,
        ].join('\n'),
    });
    return deliveryExitCode(deliveries);
  } finally {
    session.aws.destroy();
  }
}
