import { loadIncidentSettings } from '../domain/incident/flow.js';
import { recordMarkdown } from '../domain/incident/markdown.js';
import { printerFor } from '../engine/printer.js';
import type { Runtime } from '../engine/runtime.js';
import type { GlobalOptions } from '../engine/session.js';

/** `fsops incident show <id>`: the record (markdown for people, --output json for machines). */
export async function incidentShow(id: string, options: GlobalOptions, runtime: Runtime): Promise<number> {
  // The record reads as markdown for people (text and markdown alike).
  const printer = printerFor(options, 'incident show', ['text', 'json', 'markdown'], runtime);
  const { store } = loadIncidentSettings(options.config);
  printer.view({
    data: store.read(id),
    text: (record) => `${recordMarkdown(record)}\nRecord: ${store.folder(id)}\n`,
    markdown: recordMarkdown,
  });
  return 0;
}
