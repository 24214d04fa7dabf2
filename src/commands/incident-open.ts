import { CHECKS } from '../checks/index.js';
import { localUser } from '../engine/audit.js';
import { snapshotRunbook, takeSnapshot } from '../engine/commands/incident-evidence.js';
import { UsageError } from '../engine/model/errors.js';
import { outputFormat } from '../engine/printer.js';
import { makeChalk } from '../engine/render.js';
import { askOnTerminal } from '../engine/safety.js';
import { type GlobalOptions, openEnvSession } from '../engine/session.js';
import { escalationLines, escalationPlan } from '../incident/escalation.js';
import {
  deliveryExitCode,
  deliveryLines,
  evidenceLines,
  notifyAndRecord,
  openStore,
  printNotice,
  sinceMs,
  utc,
} from '../incident/flow.js';
import { initialNotice } from '../incident/notices.js';
import { affectedServices, type IncidentRecord } from '../incident/record.js';
import {
  parseSeverity,
  proposeSeverity,
  type SeverityLevel,
  type SeverityProposal,
  severityLabel,
} from '../incident/severity.js';
import { plain } from '../incident/text.js';

export interface IncidentOpenOptions extends GlobalOptions {
  title?: string;
  severity?: string;
  commander?: string;
  symptom?: string;
  eta?: string;
  since?: string;
  yes?: boolean;
  notify?: boolean;
}

const interactive = () => Boolean(process.stdin.isTTY && process.stderr.isTTY);

/** The severity to record: --severity N, else the proposal under --yes, else asked on a terminal. */
export async function chooseSeverity(
  proposal: SeverityProposal,
  fixed: SeverityLevel | null,
  yes: boolean,
  ask: (question: string) => Promise<string> = (question) =>
    askOnTerminal(question, process.stdin, process.stderr),
  say: (text: string) => void = (text) => process.stderr.write(text),
): Promise<SeverityLevel> {
  if (fixed) return fixed;
  if (yes) return proposal.severity;
  say(`Proposed severity ${proposal.severity}: ${proposal.rule}\n  because ${plain(proposal.reason)}\n`);
  for (;;) {
    const answer = (await ask(`Severity [Enter accepts ${proposal.severity}, or type 1-4]: `)).trim();
    if (answer === '') return proposal.severity;
    try {
      return parseSeverity(answer, 'severity');
    } catch (error) {
      say(`${(error as Error).message}\n`);
    }
  }
}

/**
 * `fsops incident open --env E`: evidence snapshot, proposed severity (ops guide §11.1.1), the record,
 * the [INCIDENT] notice (§11.3.1) and who is due when (§5.1.1, §13.3.2).
 */
export async function incidentOpen(options: IncidentOpenOptions): Promise<number> {
  const format = outputFormat(options);
  const wanted = options.severity ?? 'auto';
  const fixed = wanted === 'auto' ? null : parseSeverity(wanted);
  if (!fixed && !options.yes && !interactive()) {
    throw new UsageError(
      'incident open: no terminal to confirm the proposed severity on: pass --yes to accept it or --severity 1-4 to set it; nothing was recorded',
    );
  }
  const session = openEnvSession(options);
  try {
    const config = session.config.incident;
    const runbook = snapshotRunbook(session, options.symptom);
    const snapshot = await takeSnapshot(
      session,
      runbook,
      'open',
      format,
      sinceMs(options.since, session.config.logs.since),
      CHECKS,
    );
    const proposal = proposeSeverity(snapshot.findings);
    const severity = await chooseSeverity(proposal, fixed, options.yes ?? false);
    const policy = config.severities[severity];
    const now = new Date();
    const store = openStore(config);
    const alreadyOpen = store.list().filter((r) => r.state === 'open' && r.env === session.env.name);
    const title =
      options.title?.trim() || (proposal.findingId ? proposal.reason : `Incident in ${session.env.name}`);
    const commander = options.commander?.trim() || localUser();
    const record = store.create(
      (id): IncidentRecord => ({
        id,
        revision: 1,
        env: session.env.name,
        title: plain(title),
        severity,
        severityName: policy.name,
        proposal,
        severityChoice: severity === proposal.severity ? 'proposed' : 'override',
        commander: plain(commander),
        affectedServices: affectedServices(snapshot.findings),
        state: 'open',
        currentStatus: 'Investigating',
        eta: options.eta?.trim() || null,
        startedAt: now.toISOString(),
        openedBy: localUser(),
        resolvedAt: null,
        rootCause: null,
        resolution: null,
        updates: [],
        snapshots: [snapshot],
        timeline: [
          { at: snapshot.at, event: `evidence snapshot (${runbook.name}): ${snapshot.status}` },
          {
            at: now.toISOString(),
            event: `opened as SEV${severity} ${policy.name} by ${localUser()}; proposed SEV${proposal.severity} (${proposal.reason})`,
          },
        ],
        deliveries: [],
        postmortem: null,
      }),
      now,
    );
    const notice = initialNotice({
      severity: severityLabel(severity, policy.name),
      description: record.title,
      startTime: utc(record.startedAt),
      affectedServices: record.affectedServices.join(', ') || 'none identified yet',
      status: record.currentStatus,
      eta: record.eta ?? 'unknown (next update within 30 minutes)',
      commander: record.commander,
    });
    const plan = escalationPlan(config, severity, new Date(record.startedAt), now);
    const deliveries = options.notify
      ? await notifyAndRecord(store, record, notice, config, session.aws)
      : [];
    const folder = store.folder(record.id);
    if (format === 'json') {
      process.stdout.write(
        `${JSON.stringify({ incident: store.read(record.id), notice, escalation: plan, deliveries, folder }, null, 2)}\n`,
      );
      return deliveryExitCode(deliveries);
    }
    const c = makeChalk(options.color);
    const lines = [
      `${c.bold(`Incident ${record.id} opened`)} (${record.env}, SEV${severity} ${policy.name}, response within ${policy.response})`,
      `  proposed: SEV${proposal.severity} - ${proposal.rule}`,
      `  because:  ${plain(proposal.reason)}${proposal.findingId ? c.dim(` (${proposal.findingId})`) : ''}`,
      ...(record.severityChoice === 'override' ? [`  recorded: SEV${severity} (overridden)`] : []),
      ...(proposal.unchecked.length > 0
        ? [
            c.magenta(
              `  could not check ${proposal.unchecked.length}: ${proposal.unchecked.join(', ')}; the severity may be higher`,
            ),
          ]
        : []),
      `  record:   ${folder}`,
      ...alreadyOpen.map((r) =>
        c.yellow(
          `  also open in ${r.env}: ${r.id} SEV${r.severity} ${plain(r.title)} (same incident? update it instead)`,
        ),
      ),
      '',
      c.bold('Evidence'),
      ...evidenceLines(snapshot, c),
      '',
      printNotice(notice, c),
      c.bold(`Escalation (SEV${severity}: ${policy.escalation}):`),
      ...escalationLines(plan),
      '',
      options.notify
        ? c.bold('Notifications:')
        : c.dim('Not posted anywhere (add --notify to post to the configured channels).'),
      ...deliveryLines(deliveries, c),
      '',
      `Next: update every ${config.updateIntervalMinutes} minutes: fsops incident update ${record.id} --status ... --actions ... --next ...`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return deliveryExitCode(deliveries);
  } finally {
    session.aws.destroy();
  }
}
