import type { Command } from 'commander';
import { envOption, lazy } from './shared.js';

const EXIT_CODES = `
Exit codes: 0 recorded (and every attempted notification delivered); 2 bad input (unknown incident,
missing flag, no terminal without --yes/--severity); 3 AWS unreachable, a notification failed (the
record is kept) or the incident is locked by another update; 130 interrupted.`;

const NOTIFY_HELP = `
--notify posts the notice to the channels incident.severities.<N>.channels names: Slack incoming
webhook ($FSOPS_SLACK_WEBHOOK_URL), PagerDuty Events API v2 ($FSOPS_PAGERDUTY_ROUTING_KEY; trigger on
open, resolve on resolve, dedup_key = incident id), a generic JSON webhook ($FSOPS_INCIDENT_WEBHOOK_URL),
or the Secrets Manager secrets the config names. URLs and keys are never printed or recorded. Without
--notify the notice is printed for copy-paste.`;

/** `fsops status`: the operations dashboard (ops guide §10.2.1). */
export function declareStatusCommand(program: Command): void {
  program
    .command('status')
    .description(
      'Operations dashboard on one screen: services, database, KPIs, alarms, maintenance mode, open incident (ops guide §10.2.1, §6.1.1)',
    )
    .addOption(envOption())
    .option(
      '-w, --watch [interval]',
      "redraw every interval (default 30s, the guide's refresh rate; at least 1s) until Ctrl-C",
    )
    .option('--since <duration>', 'metrics window (default logs.since, 15m)')
    .addHelpText(
      'after',
      `
Values are colored by the status of the check that judged them: the same checks and thresholds as
\`fsops validate\` and \`fsops metrics\` (thresholds.* in the config). --watch redraws in place on a
terminal; on a pipe it prints one frame per interval without cursor codes. A poll that fails keeps
the last values and shows the error and its age. Replica lag comes from CloudWatch (ReplicaLag) and
the LMS queue from DynamoDB (lms.queue); a queue kept in the database (lms.queue: postgres) shows as
skipped: \`fsops troubleshoot lms-sync\` reads it.
Exit codes: 0 nothing failing, 1 something failing, 2 bad input, 3 something could not be read,
130 --watch stopped with Ctrl-C.

Examples:
  fsops status --env prod
  fsops status --env prod --watch
  fsops status --env prod --watch 10s
  fsops status --env prod --output json`,
    )
    .action(lazy(() => import('../status.js'), 'status'));
}

/** `fsops incident ...`: the incident loop of ops guide §11 (see docs/incident.md). */
export function declareIncidentCommands(program: Command): void {
  const incident = program
    .command('incident')
    .description(
      'Incident response: open, update, resolve, post-mortem (ops guide §11.1.1, §11.2.1, §11.3.1, §5.1.1)',
    );

  incident
    .command('open')
    .description(
      'Snapshot the evidence, propose a severity (ops guide §11.1.1), record the incident and print the [INCIDENT] notice (§11.3.1) and escalation (§5.1.1)',
    )
    .addOption(envOption())
    .option('--title <text>', 'brief description (default: the fact that set the severity)')
    .option('--severity <level>', 'auto (propose from the evidence) or 1-4 to set it', 'auto')
    .option('--commander <name>', 'incident commander (default: you)')
    .option(
      '--symptom <symptom>',
      "snapshot with this troubleshoot symptom's checks (see `fsops troubleshoot`)",
    )
    .option('--eta <text>', 'estimated resolution')
    .option('--since <duration>', 'look-back window for logs and metrics (default logs.since, 15m)')
    .option(
      '-y, --yes',
      'accept the proposed severity without asking (required without a terminal, unless --severity N)',
    )
    .option('--notify', 'post the notice to the configured channels')
    .addHelpText(
      'after',
      `
Severity proposal (ops guide §11.1.1, §5.2.1): a service with 0 running tasks, a missing service, the
database not available or every health endpoint failing -> 1; payment success rate below 90%, one
payment channel failing, a KPI past its critical threshold -> 2; any other failed check or a KPI
past its warning threshold -> 3; nothing failing -> 4. The record goes to incident.directory
(default ~/.local/state/fsops/incidents, beside the audit log; FSOPS_INCIDENT_DIR overrides).
${NOTIFY_HELP}
${EXIT_CODES}

Examples:
  fsops incident open --env prod
  fsops incident open --env prod --yes --notify --commander "A. Kumar"
  fsops incident open --env prod --severity 2 --symptom payment-failures --title "RazorPay timeouts"`,
    )
    .action(lazy(() => import('../incident-open.js'), 'incidentOpen'));

  incident
    .command('update')
    .description(
      'New snapshot, what changed since the last one, and the numbered [UPDATE] notice (ops guide §11.2.1, §11.3.1)',
    )
    .argument('<id>', 'incident id, e.g. INC-2026-001')
    .option('--status <text>', 'current status (required)')
    .option('--actions <text>', 'actions taken (required)')
    .option('--next <text>', 'next steps (required)')
    .option('--eta <text>', 'updated ETA')
    .option('--since <duration>', 'look-back window for logs and metrics')
    .option('--notify', 'post the notice to the configured channels (PagerDuty gets no update event)')
    .addHelpText(
      'after',
      `${EXIT_CODES}\n\nExample:\n  fsops incident update INC-2026-001 --status "Mitigating" --actions "Rolled back internal-pe" --next "Watch success rate" --eta "30 min"`,
    )
    .action(lazy(() => import('../incident-update.js'), 'incidentUpdate'));

  incident
    .command('resolve')
    .description('Final snapshot and the [RESOLVED] notice with the duration (ops guide §11.3.1)')
    .argument('<id>', 'incident id')
    .option('--root-cause <text>', 'root cause (required)')
    .option('--resolution <text>', 'resolution summary (required)')
    .option('--since <duration>', 'look-back window for logs and metrics')
    .option('--notify', 'post the notice (PagerDuty: resolve with the same dedup_key)')
    .addHelpText(
      'after',
      `${EXIT_CODES}\n\nExample:\n  fsops incident resolve INC-2026-001 --root-cause "Bad task definition 43" --resolution "Rolled back to 42" --notify`,
    )
    .action(lazy(() => import('../incident-resolve.js'), 'incidentResolve'));

  incident
    .command('list')
    .addHelpText(
      'after',
      '\nRecords are read from incident.directory (default ~/.local/state/fsops/incidents, beside the audit log; FSOPS_INCIDENT_DIR overrides).\n\nExamples:\n  fsops incident list\n  fsops incident list --env prod --all --output json',
    )
    .description('Open incidents, flagging those whose 30-minute update is overdue (ops guide §11.2.1)')
    .addOption(envOption())
    .option('--all', 'resolved incidents too')
    .action(lazy(() => import('../incident-list.js'), 'incidentList'));

  incident
    .command('show')
    .addHelpText(
      'after',
      '\nExamples:\n  fsops incident show INC-2026-001\n  fsops incident show INC-2026-001 --output json',
    )
    .description('The incident record: timeline, updates, evidence, notifications')
    .argument('<id>', 'incident id')
    .action(lazy(() => import('../incident-show.js'), 'incidentShow'));

  incident
    .command('postmortem')
    .addHelpText(
      'after',
      '\nWrites postmortem.md next to the record, with TODOs for what only people know.\n\nExample:\n  fsops incident postmortem INC-2026-001',
    )
    .description(
      'Write the post-mortem (timeline, evidence, impact window, root cause, action items); due 48 h after resolution (ops guide §11.2.1)',
    )
    .argument('<id>', 'incident id (resolved)')
    .action(lazy(() => import('../incident-postmortem.js'), 'incidentPostmortem'));

  incident
    .command('escalation')
    .description('Who is due when for a severity, and the contacts (ops guide §5.1.1, §11.1.1, §13.3)')
    .option('--severity <level>', '1-4')
    .option('--incident <id>', "count from this incident's start and use its severity")
    .addHelpText(
      'after',
      '\nExamples:\n  fsops incident escalation --severity 2\n  fsops incident escalation --incident INC-2026-001',
    )
    .action(lazy(() => import('../incident-escalation.js'), 'incidentEscalation'));
}
