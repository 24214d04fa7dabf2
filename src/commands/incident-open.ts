import type { ChalkInstance } from 'chalk';
import { UsageError } from '../base/model/errors.js';
import { oneLine } from '../base/model/text.js';
import { CHECKS } from '../catalogue/checks/index.js';
import { escalationLines, escalationPlan } from '../domain/incident/escalation.js';
import {
  deliveryExitCode,
  deliveryLines,
  evidenceLines,
  notifyAndRecord,
  openStore,
  printNotice,
  sinceMs,
  utc,
} from '../domain/incident/flow.js';
import { initialNotice } from '../domain/incident/notices.js';
import { type Delivery, type IncidentRecord, newIncidentRecord } from '../domain/incident/record.js';
import {
  parseSeverity,
  proposeSeverity,
  type SeverityLevel,
  type SeverityProposal,
  severityLabel,
} from '../domain/incident/severity.js';
import type { UnreadableRecord } from '../domain/incident/store.js';
import { localUser } from '../engine/audit.js';
import { snapshotRunbook, takeSnapshot } from '../engine/commands/incident-evidence.js';
import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import { canAsk, type Runtime } from '../engine/runtime.js';
import { type GlobalOptions, openEnvSession } from '../engine/session.js';

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

/** The severity to record: --severity N, else the proposal under --yes, else asked on a terminal. */
export async function chooseSeverity(
  proposal: SeverityProposal,
  fixed: SeverityLevel | null,
  yes: boolean,
  /** The terminal asked on, and stderr for the proposal (the command's runtime). */
  runtime: Pick<Runtime, 'io' | 'stderr'>,
): Promise<SeverityLevel> {
  const ask = (question: string) => runtime.io.ask(question);
  const say = (text: string) => runtime.stderr.write(text);
  if (fixed) return fixed;
  if (yes) return proposal.severity;
  say(`Proposed severity ${proposal.severity}: ${proposal.rule}\n  because ${oneLine(proposal.reason)}\n`);
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
export async function incidentOpen(options: IncidentOpenOptions, runtime: Runtime): Promise<number> {
  const printer = printerFor(options, 'incident open', VIEW_FORMATS, runtime);
  const format = printer.format;
  const wanted = options.severity ?? 'auto';
  const fixed = wanted === 'auto' ? null : parseSeverity(wanted);
  if (!fixed && !options.yes && !canAsk(runtime)) {
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
      runtime,
    );
    const proposal = proposeSeverity(snapshot.findings);
    const severity = await chooseSeverity(proposal, fixed, options.yes ?? false, runtime);
    const policy = config.severities[severity];
    const now = new Date(runtime.clock.now());
    const store = openStore(config);
    // A record that cannot be read never blocks a new incident: it is named, and the rest are compared.
    const { records, unreadable } = store.scan();
    const alreadyOpen = records.filter((r) => r.state === 'open' && r.env === session.env.name);
    const title =
      options.title?.trim() || (proposal.findingId ? proposal.reason : `Incident in ${session.env.name}`);
    const commander = options.commander?.trim() || localUser();
    const record = store.create(
      (id) =>
        newIncidentRecord(id, {
          env: session.env.name,
          title: oneLine(title),
          severity,
          severityName: policy.name,
          proposal,
          commander: oneLine(commander),
          snapshot,
          runbook: runbook.name,
          eta: oneLine(options.eta) || null,
          openedBy: localUser(),
          now,
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
    const incident = store.read(record.id);
    printer.view({
      data: { incident, notice, escalation: plan, deliveries, folder, unreadable },
      text: (data, c) =>
        openedText(data, c, {
          policy,
          alreadyOpen,
          notify: Boolean(options.notify),
          updateIntervalMinutes: config.updateIntervalMinutes,
        }),
    });
    return deliveryExitCode(deliveries);
  } finally {
    session.aws.destroy();
  }
}

interface OpenedView {
  incident: IncidentRecord;
  notice: ReturnType<typeof initialNotice>;
  escalation: ReturnType<typeof escalationPlan>;
  deliveries: Delivery[];
  folder: string;
  /** Records that could not be read (named; they may be open incidents too). */
  unreadable: UnreadableRecord[];
}

/** What `incident open` prints for a person: the record, the evidence, the notice, escalation, next step. */
function openedText(
  data: OpenedView,
  c: ChalkInstance,
  {
    policy,
    alreadyOpen,
    notify,
    updateIntervalMinutes,
  }: {
    policy: { name: string; response: string; escalation: string };
    alreadyOpen: IncidentRecord[];
    notify: boolean;
    updateIntervalMinutes: number;
  },
): string {
  const opened = data.incident;
  const proposed = opened.proposal;
  const evidence = opened.snapshots.at(-1)!;
  return [
    `${c.bold(`Incident ${opened.id} opened`)} (${opened.env}, SEV${opened.severity} ${policy.name}, response within ${policy.response})`,
    `  proposed: SEV${proposed.severity} - ${proposed.rule}`,
    `  because:  ${oneLine(proposed.reason)}${proposed.findingId ? c.dim(` (${proposed.findingId})`) : ''}`,
    ...(opened.severityChoice === 'override' ? [`  recorded: SEV${opened.severity} (overridden)`] : []),
    ...(proposed.unchecked.length > 0
      ? [
          c.magenta(
            `  could not check ${proposed.unchecked.length}: ${proposed.unchecked.join(', ')}; the severity may be higher`,
          ),
        ]
      : []),
    `  record:   ${data.folder}`,
    ...alreadyOpen.map((r) =>
      c.yellow(
        `  also open in ${r.env}: ${r.id} SEV${r.severity} ${oneLine(r.title)} (same incident? update it instead)`,
      ),
    ),
    ...data.unreadable.map((u) =>
      c.magenta(`  could not read ${u.id}: ${u.file} ${u.reason} (it may be open too)`),
    ),
    '',
    c.bold('Evidence'),
    ...evidenceLines(evidence, c),
    '',
    printNotice(data.notice, c),
    c.bold(`Escalation (SEV${opened.severity}: ${policy.escalation}):`),
    ...escalationLines(data.escalation),
    '',
    notify
      ? c.bold('Notifications:')
      : c.dim('Not posted anywhere (add --notify to post to the configured channels).'),
    ...deliveryLines(data.deliveries, c),
    '',
    `Next: update every ${updateIntervalMinutes} minutes: fsops incident update ${opened.id} --status ... --actions ... --next ...`,
  ].join('\n');
}
