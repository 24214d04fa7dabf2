import type { GlobalOptions } from '../engine/session.js';
import { loadIncidentSettings } from '../incident/flow.js';
import { recordMarkdown } from '../incident/markdown.js';

/** `fsops incident show <id>`: the record (markdown for people, --output json for machines). */
export async function incidentShow(id: string, options: GlobalOptions): Promise<number> {
  const { store } = loadIncidentSettings(options.config);
  const record = store.read(id);
  process.stdout.write(
    options.output === 'json' ? `${JSON.stringify(record, null, 2)}\n` : recordMarkdown(record),
  );
  return 0;
}
