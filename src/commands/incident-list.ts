import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import type { GlobalOptions } from '../engine/session.js';
import { loadIncidentSettings, utc } from '../incident/flow.js';
import { nextUpdateDue } from '../incident/record.js';
import { plain } from '../incident/text.js';

export interface IncidentListOptions extends GlobalOptions {
  all?: boolean;
}

/** `fsops incident list`: open incidents (--all: resolved too), flagging overdue 30-minute updates. */
export async function incidentList(options: IncidentListOptions): Promise<number> {
  const printer = printerFor(options, 'incident list', VIEW_FORMATS);
  const { store, config } = loadIncidentSettings(options.config);
  const now = new Date();
  const rows = store
    .list()
    .filter((r) => options.all || r.state === 'open')
    .filter((r) => !options.env || r.env === options.env)
    .map((r) => {
      const due = nextUpdateDue(r, config.updateIntervalMinutes);
      return { record: r, nextUpdateDue: due.toISOString(), updateOverdue: r.state === 'open' && due < now };
    });
  printer.view({
    data: rows.map(({ record: r, nextUpdateDue: next, updateOverdue }) => ({
      id: r.id,
      env: r.env,
      severity: r.severity,
      state: r.state,
      title: r.title,
      startedAt: r.startedAt,
      resolvedAt: r.resolvedAt,
      updates: r.updates.length,
      nextUpdateDue: r.state === 'open' ? next : null,
      updateOverdue,
    })),
    text: (incidents, c) => {
      if (incidents.length === 0) return `No ${options.all ? '' : 'open '}incidents under ${store.dir}`;
      return incidents
        .map((r) => {
          const when =
            r.state === 'resolved'
              ? c.dim(`resolved ${utc(r.resolvedAt!)}`)
              : r.updateOverdue
                ? c.red.bold(`UPDATE OVERDUE since ${utc(r.nextUpdateDue!)}`)
                : `next update by ${utc(r.nextUpdateDue!)}`;
          return `${r.id}  ${r.env.padEnd(8)} SEV${r.severity}  ${r.state.padEnd(8)} ${utc(r.startedAt)}  ${r.updates} update${r.updates === 1 ? ' ' : 's'}  ${when}  ${plain(r.title)}`;
        })
        .join('\n');
    },
  });
  return 0;
}
