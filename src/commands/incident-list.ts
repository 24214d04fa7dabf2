import { oneLine } from '../base/model/text.js';
import { loadIncidentSettings, utc } from '../domain/incident/flow.js';
import { nextUpdateDue } from '../domain/incident/record.js';
import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import type { Runtime } from '../engine/runtime.js';
import type { GlobalOptions } from '../engine/session.js';

export interface IncidentListOptions extends GlobalOptions {
  all?: boolean;
}

/** `fsops incident list`: open incidents (--all: resolved too), flagging overdue 30-minute updates. */
export async function incidentList(options: IncidentListOptions, runtime: Runtime): Promise<number> {
  const printer = printerFor(options, 'incident list', VIEW_FORMATS, runtime);
  const { store, config } = loadIncidentSettings(options.config);
  const now = new Date(runtime.clock.now());
  const { records, unreadable } = store.scan();
  const rows = records
    .filter((r) => options.all || r.state === 'open')
    .filter((r) => !options.env || r.env === options.env)
    .map((r) => {
      const due = nextUpdateDue(r, config.updateIntervalMinutes);
      return { record: r, nextUpdateDue: due.toISOString(), updateOverdue: r.state === 'open' && due < now };
    });
  const unreadableLines = unreadable.map(
    (u) => `could not read ${u.id}: ${u.file} ${u.reason} (the other records are listed)`,
  );
  // Under JSON the data stays the list of records; what could not be read goes to stderr (and exit 3).
  if (printer.format === 'json') for (const line of unreadableLines) runtime.stderr.write(`fsops: ${line}\n`);
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
      const problems = unreadableLines.map((line) => c.magenta(line));
      if (incidents.length === 0)
        return [`No ${options.all ? '' : 'open '}incidents under ${store.dir}`, ...problems].join('\n');
      return [
        `Incident records: ${store.dir}`,
        ...incidents.map((r) => {
          const when =
            r.state === 'resolved'
              ? c.dim(`resolved ${utc(r.resolvedAt!)}`)
              : r.updateOverdue
                ? c.red.bold(`UPDATE OVERDUE since ${utc(r.nextUpdateDue!)}`)
                : `next update by ${utc(r.nextUpdateDue!)}`;
          return `${r.id}  ${r.env.padEnd(8)} SEV${r.severity}  ${r.state.padEnd(8)} ${utc(r.startedAt)}  ${r.updates} update${r.updates === 1 ? ' ' : 's'}  ${when}  ${oneLine(r.title)}`;
        }),
        ...problems,
      ].join('\n');
    },
  });
  return unreadable.length > 0 ? 3 : 0;
}
