import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../base/model/errors.js';
import { loadIncidentSettings, utc } from '../domain/incident/flow.js';
import { postmortemMarkdown } from '../domain/incident/postmortem.js';
import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import type { Runtime } from '../engine/runtime.js';
import type { GlobalOptions } from '../engine/session.js';

/** `fsops incident postmortem <id>`: writes postmortem.md into the incident's folder (ops guide §11.2.1). */
export async function incidentPostmortem(
  id: string,
  options: GlobalOptions,
  runtime: Runtime,
): Promise<number> {
  const printer = printerFor(options, 'incident postmortem', VIEW_FORMATS, runtime);
  const { store, config } = loadIncidentSettings(options.config);
  const record = store.read(id);
  if (record.state !== 'resolved' || !record.resolvedAt) {
    throw new UsageError(
      `incident ${id} is still open: resolve it first (fsops incident resolve ${id} --root-cause ... --resolution ...)`,
    );
  }
  const due = new Date(new Date(record.resolvedAt).getTime() + config.postmortemDueHours * 3_600_000);
  const existing = join(store.folder(id), 'postmortem.md');
  if (existsSync(existing)) {
    // It is the document the team fills in: a second run must not replace their edits with the template.
    throw new UsageError(
      `${existing} already exists${record.postmortem ? ` (written ${utc(record.postmortem.writtenAt)})` : ''} and may hold your edits: nothing was written; rename or delete it to write a fresh one (due ${utc(due)})`,
    );
  }
  const file = store.writeExtra(id, 'postmortem.md', postmortemMarkdown(record, due));
  await store.update(id, (r) => ({
    ...r,
    postmortem: {
      path: 'postmortem.md',
      writtenAt: new Date(runtime.clock.now()).toISOString(),
      dueAt: due.toISOString(),
    },
  }));
  printer.view({
    data: { id, file, dueAt: due.toISOString() },
    text: (data) =>
      `Post-mortem for ${data.id} written to ${data.file}\nDue ${utc(data.dueAt)}: fill in the TODOs and share it.`,
  });
  return 0;
}
