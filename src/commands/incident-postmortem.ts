import { UsageError } from '../engine/model/errors.js';
import type { GlobalOptions } from '../engine/session.js';
import { loadIncidentSettings, utc } from '../incident/flow.js';
import { postmortemMarkdown } from '../incident/postmortem.js';

/** `fsops incident postmortem <id>`: writes postmortem.md into the incident's folder (ops guide §11.2.1). */
export async function incidentPostmortem(id: string, options: GlobalOptions): Promise<number> {
  const { store, config } = loadIncidentSettings(options.config);
  const record = store.read(id);
  if (record.state !== 'resolved' || !record.resolvedAt) {
    throw new UsageError(
      `incident ${id} is still open: resolve it first (fsops incident resolve ${id} --root-cause ... --resolution ...)`,
    );
  }
  const due = new Date(new Date(record.resolvedAt).getTime() + config.postmortemDueHours * 3_600_000);
  const file = store.writeExtra(id, 'postmortem.md', postmortemMarkdown(record, due));
  await store.update(id, (r) => ({
    ...r,
    postmortem: { path: 'postmortem.md', writtenAt: new Date().toISOString(), dueAt: due.toISOString() },
  }));
  if (options.output === 'json') {
    process.stdout.write(`${JSON.stringify({ id, file, dueAt: due.toISOString() }, null, 2)}\n`);
  } else {
    process.stdout.write(
      `Post-mortem for ${id} written to ${file}\nDue ${utc(due)}: fill in the TODOs and share it.\n`,
    );
  }
  return 0;
}
