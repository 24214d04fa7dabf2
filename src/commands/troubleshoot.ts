import { CHECKS } from '../checks/index.js';
import type { TroubleshootOptions } from '../engine/check-command.js';
import { lazyDatabase } from '../engine/database.js';
import { parseDuration } from '../engine/model/duration.js';
import { UsageError } from '../engine/model/errors.js';
import { buildReport } from '../engine/output.js';
import { planNotes, rankResolution } from '../engine/plan.js';
import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import { createProgress } from '../engine/progress.js';
import { executeRunbook } from '../engine/run-runbook.js';
import { listRunbooks, type Runbook } from '../engine/runbook.js';
import { openEnvSession, verifyAccount } from '../engine/session.js';

const PREFIX = 'troubleshoot/';

/** The symptoms: runbooks under runbooks/troubleshoot/, by their short name. */
export function symptoms(): (Runbook & { symptom: string })[] {
  return listRunbooks()
    .filter((r) => r.name.startsWith(PREFIX))
    .map((r) => ({ ...r, symptom: r.name.slice(PREFIX.length) }));
}

function listSymptoms(options: TroubleshootOptions): number {
  const printer = printerFor(options, 'troubleshoot (symptom list)', VIEW_FORMATS);
  printer.view({
    data: symptoms().map(({ symptom, title, source }) => ({ symptom, title, source })),
    text: (all, c) => {
      const width = Math.max(...all.map((s) => s.symptom.length));
      const lines = all.map(
        (s) => `  ${c.bold(s.symptom.padEnd(width))}  ${s.title} ${c.dim(`(${s.source})`)}`,
      );
      return `Symptoms (fsops troubleshoot <symptom> --env <env>):\n${lines.join('\n')}`;
    },
  });
  return 0;
}

/**
 * `fsops troubleshoot <symptom> --env E`: gathers the facts the guide's procedure asks for, judges
 * them, then prints the guide's investigation and resolution steps with the ones the findings point
 * to first. Without a symptom, lists them.
 */
export async function troubleshoot(
  symptom: string | undefined,
  options: TroubleshootOptions,
): Promise<number> {
  if (!symptom) return listSymptoms(options);
  const runbook = symptoms().find((s) => s.symptom === symptom);
  if (!runbook) {
    throw new UsageError(
      `unknown symptom '${symptom}': valid symptoms are ${symptoms()
        .map((s) => s.symptom)
        .join(', ')}`,
    );
  }
  const printer = printerFor(options, 'troubleshoot');
  const format = printer.format;
  const session = openEnvSession(options);
  const sinceMs = parseDuration(options.since ?? session.config.troubleshoot.since, '--since');
  const startedAt = new Date();
  const progress = await createProgress(`${runbook.title} (${session.env.name})`, format);
  const database = lazyDatabase(session, options);
  try {
    await verifyAccount(session);
    const findings = await executeRunbook(runbook, session, {
      checks: CHECKS,
      since: new Date(startedAt.getTime() - sinceMs),
      onCheckStart: progress.onCheckStart,
      onCheckDone: progress.onCheckDone,
      db: database.open,
    });
    progress.stop();
    const notes = planNotes(runbook, rankResolution(runbook.resolution, findings));
    return printer.report(
      buildReport(`troubleshoot ${symptom}`, session.env.name, startedAt, findings, notes),
    );
  } finally {
    progress.stop();
    await database.close();
    session.aws.destroy();
  }
}
