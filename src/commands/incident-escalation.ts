import { UsageError } from '../base/model/errors.js';
import { escalationLines, escalationPlan } from '../domain/incident/escalation.js';
import { loadIncidentSettings } from '../domain/incident/flow.js';
import { parseSeverity, type SeverityLevel } from '../domain/incident/severity.js';
import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import type { Runtime } from '../engine/runtime.js';
import type { GlobalOptions } from '../engine/session.js';

export interface IncidentEscalationOptions extends GlobalOptions {
  severity?: string;
  incident?: string;
}

/**
 * `fsops incident escalation --severity N` (or `--incident ID`): who is due when (ops guide §5.1.1,
 * §11.1.1, §13.3.2) and the contacts (§13.3.1), from the config.
 */
export async function incidentEscalation(
  options: IncidentEscalationOptions,
  runtime: Runtime,
): Promise<number> {
  const printer = printerFor(options, 'incident escalation', VIEW_FORMATS, runtime);
  const { store, config } = loadIncidentSettings(options.config);
  if (!options.severity && !options.incident) {
    throw new UsageError('incident escalation: pass --severity 1-4 or --incident <id>');
  }
  const record = options.incident ? store.read(options.incident) : null;
  const severity: SeverityLevel = record ? record.severity : parseSeverity(options.severity ?? '');
  const start = record ? new Date(record.startedAt) : new Date(runtime.clock.now());
  const plan = escalationPlan(config, severity, start, new Date(runtime.clock.now()));
  const policy = config.severities[severity];
  printer.view({
    data: { severity, policy, from: start.toISOString(), plan, contacts: config.contacts },
    text: (data, c) => {
      const contact = (x: (typeof data.contacts)[number]) =>
        [x.name, x.email, x.slack, x.phone].filter(Boolean).join(', ') ||
        c.dim('not set (incident.contacts in the config)');
      return [
        c.bold(
          `SEV${data.severity} ${data.policy.name}${record ? ` (${record.id}, started ${data.from})` : ', counted from now'}`,
        ),
        ...(record ? [`  record: ${store.folder(record.id)}`] : []),
        `  response within ${data.policy.response}; ${data.policy.escalation}`,
        '',
        ...escalationLines(data.plan),
        '',
        c.bold('Contacts (ops guide §13.3.1):'),
        ...data.contacts.map((x) => `  ${x.role.padEnd(28)} ${contact(x)}`),
      ].join('\n');
    },
  });
  return 0;
}
