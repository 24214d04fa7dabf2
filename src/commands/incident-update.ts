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
import { updateNotice } from '../domain/incident/notices.js';
import { diffSnapshots, type IncidentUpdate } from '../domain/incident/record.js';
import { localUser } from '../engine/audit.js';
import { followUpSnapshot } from '../engine/commands/incident-evidence.js';
import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import type { Runtime } from '../engine/runtime.js';
import { type GlobalOptions, openEnvSession } from '../engine/session.js';

export interface IncidentUpdateOptions extends GlobalOptions {
  status?: string;
  actions?: string;
  next?: string;
  eta?: string;
  since?: string;
  notify?: boolean;
}

/**
 * `fsops incident update <id>`: a new snapshot, what changed since the last one, the numbered [UPDATE]
 * notice (ops guide §11.2.1 "every 30 minutes", §11.3.1).
 */
export async function incidentUpdate(
  id: string,
  options: IncidentUpdateOptions,
  runtime: Runtime,
): Promise<number> {
  const printer = printerFor(options, 'incident update', VIEW_FORMATS, runtime);
  const format = printer.format;
  requireFlags('update', {
    '--status': options.status,
    '--actions': options.actions,
    '--next': options.next,
  });
  const { store } = loadIncidentSettings(options.config);
  const before = store.read(id);
  if (before.state !== 'open')
    throw new UsageError(`incident ${id} is resolved: updates go to open incidents only`);
  if (options.env && options.env !== before.env) {
    throw new UsageError(`incident ${id} is in ${before.env}, not ${options.env}`);
  }
  const session = openEnvSession(options, before.env);
  try {
    const snapshot = await followUpSnapshot(
      session,
      before,
      `update #${before.updates.length + 1}`,
      format,
      sinceMs(options.since, session.config.logs.since),
      CHECKS,
      runtime,
    );
    let update: IncidentUpdate | undefined;
    const record = await store.update(id, (current) => {
      if (current.state !== 'open')
        throw new UsageError(`incident ${id} was resolved meanwhile: update not recorded`);
      const number = current.updates.length + 1;
      const previous = current.snapshots.at(-1)?.findings ?? [];
      update = {
        number,
        at: new Date(runtime.clock.now()).toISOString(),
        status: oneLine(options.status!),
        actions: oneLine(options.actions!),
        next: oneLine(options.next!),
        eta: options.eta?.trim() ? oneLine(options.eta) : current.eta,
        by: localUser(),
        changes: diffSnapshots(previous, snapshot.findings),
      };
      return {
        ...current,
        currentStatus: update.status,
        eta: update.eta,
        updates: [...current.updates, update],
        snapshots: [...current.snapshots, { ...snapshot, label: `update #${number}` }],
        timeline: [
          ...current.timeline,
          {
            at: update.at,
            event: `update #${number} by ${update.by}: ${update.status} (${update.changes.cleared.length} cleared, ${update.changes.newProblems.length} new)`,
          },
        ],
      };
    });
    const u = update!;
    const notice = updateNotice({
      incidentId: id,
      updateNumber: u.number,
      timestamp: utc(u.at),
      currentStatus: u.status,
      actionsTaken: u.actions,
      nextSteps: u.next,
      eta: u.eta ?? 'unknown',
    });
    const deliveries = options.notify
      ? await notifyAndRecord(store, record, notice, session.config.incident, session.aws)
      : [];
    printer.view({
      data: { incident: store.read(id), update: u, notice, deliveries },
      text: (data, c) => {
        const { changes } = data.update;
        return [
          `${c.bold(`Incident ${id}: update #${data.update.number} recorded`)} (${data.incident.env}, SEV${data.incident.severity})`,
          `  record:   ${store.folder(id)}`,
          '',
          c.bold('Since the last snapshot:'),
          ...changes.cleared.map((x) => `  ${c.green('cleared')}  ${oneLine(x)}`),
          ...changes.newProblems.map((x) => `  ${c.red('new    ')}  ${oneLine(x)}`),
          ...changes.stillFailing.map((x) => `  ${c.yellow('still  ')}  ${oneLine(x)}`),
          ...(changes.cleared.length + changes.newProblems.length + changes.stillFailing.length === 0
            ? ['  no problems before or now']
            : []),
          '',
          printNotice(data.notice, c),
          options.notify ? c.bold('Notifications:') : c.dim('Not posted anywhere (add --notify to post).'),
          ...deliveryLines(data.deliveries, c),
        ].join('\n');
      },
    });
    return deliveryExitCode(deliveries);
  } finally {
    session.aws.destroy();
  }
}
