import { makeChalk } from '../engine/render.js';
import type { GlobalOptions } from '../engine/session.js';
import { loadIncidentSettings, utc } from '../incident/flow.js';
import { nextUpdateDue } from '../incident/record.js';
import { plain } from '../incident/text.js';

export interface IncidentListOptions extends GlobalOptions {
  all?: boolean;
}

/** `fsops incident list`: open incidents (--all: resolved too), flagging overdue 30-minute updates. */
export async function incidentList(options: IncidentListOptions): Promise<number> {
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
  if (options.output === 'json') {
    process.stdout.write(
      `${JSON.stringify(
        rows.map(({ record: r, nextUpdateDue: next, updateOverdue }) => ({
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
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  const c = makeChalk(options.color);
  if (rows.length === 0) {
    process.stdout.write(`No ${options.all ? '' : 'open '}incidents under ${store.dir}\n`);
    return 0;
  }
  const lines = rows.map(({ record: r, nextUpdateDue: next, updateOverdue }) => {
    const when =
      r.state === 'resolved'
        ? c.dim(`resolved ${utc(r.resolvedAt!)}`)
        : updateOverdue
          ? c.red.bold(`UPDATE OVERDUE since ${utc(next)}`)
          : `next update by ${utc(next)}`;
    return `${r.id}  ${r.env.padEnd(8)} SEV${r.severity}  ${r.state.padEnd(8)} ${utc(r.startedAt)}  ${r.updates.length} update${r.updates.length === 1 ? ' ' : 's'}  ${when}  ${plain(r.title)}`;
  });
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
