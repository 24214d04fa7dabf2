import { UsageError } from '../engine/model/errors.js';
import { makeChalk } from '../engine/render.js';
import type { GlobalOptions } from '../engine/session.js';
import { escalationLines, escalationPlan } from '../incident/escalation.js';
import { loadIncidentSettings } from '../incident/flow.js';
import { parseSeverity, type SeverityLevel } from '../incident/severity.js';

export interface IncidentEscalationOptions extends GlobalOptions {
  severity?: string;
  incident?: string;
}

/**
 * `fsops incident escalation --severity N` (or `--incident ID`): who is due when (ops guide §5.1.1,
 * §11.1.1, §13.3.2) and the contacts (§13.3.1), from the config.
 */
export async function incidentEscalation(options: IncidentEscalationOptions): Promise<number> {
  const { store, config } = loadIncidentSettings(options.config);
  if (!options.severity && !options.incident) {
    throw new UsageError('incident escalation: pass --severity 1-4 or --incident <id>');
  }
  const record = options.incident ? store.read(options.incident) : null;
  const severity: SeverityLevel = record ? record.severity : parseSeverity(options.severity ?? '');
  const start = record ? new Date(record.startedAt) : new Date();
  const plan = escalationPlan(config, severity, start, new Date());
  const policy = config.severities[severity];
  if (options.output === 'json') {
    process.stdout.write(
      `${JSON.stringify({ severity, policy, from: start.toISOString(), plan, contacts: config.contacts }, null, 2)}\n`,
    );
    return 0;
  }
  const c = makeChalk(options.color);
  const contact = (x: (typeof config.contacts)[number]) =>
    [x.name, x.email, x.slack, x.phone].filter(Boolean).join(', ') ||
    c.dim('not set (incident.contacts in the config)');
  const lines = [
    c.bold(
      `SEV${severity} ${policy.name}${record ? ` (${record.id}, started ${start.toISOString()})` : ', counted from now'}`,
    ),
    `  response within ${policy.response}; ${policy.escalation}`,
    '',
    ...escalationLines(plan),
    '',
    c.bold('Contacts (ops guide §13.3.1):'),
    ...config.contacts.map((x) => `  ${x.role.padEnd(28)} ${contact(x)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
