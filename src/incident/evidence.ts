import { UsageError } from '../core/errors.js';
import { overallStatus } from '../core/finding.js';
import { createProgress } from '../core/progress.js';
import { executeRunbook } from '../core/run-runbook.js';
import { listRunbooks, loadRunbook, type Runbook } from '../core/runbook.js';
import { type EnvSession, verifyAccount } from '../core/session.js';
import { lazyEnvDb } from '../db/session.js';
import type { Snapshot } from './record.js';

/** The runbook a snapshot runs: a troubleshoot symptom's, or the configured one (runbooks/incident.yaml). */
export function snapshotRunbook(session: EnvSession, symptom?: string): Runbook {
  if (!symptom) return loadRunbook(session.config.incident.snapshotRunbook);
  const name = `troubleshoot/${symptom}`;
  const known = listRunbooks().filter((r) => r.name.startsWith('troubleshoot/'));
  if (!known.some((r) => r.name === name)) {
    throw new UsageError(
      `unknown symptom '${symptom}': valid symptoms are ${known.map((r) => r.name.slice('troubleshoot/'.length)).join(', ')}`,
    );
  }
  return loadRunbook(name);
}

/**
 * One evidence snapshot: the runbook's checks through the one runner (src/core/run-runbook.ts), as
 * `fsops validate` runs them, after the wrong-account guard.
 */
export async function takeSnapshot(
  session: EnvSession,
  runbook: Runbook,
  label: string,
  format: string,
  sinceMs: number,
): Promise<Snapshot> {
  const startedAt = new Date();
  const progress = await createProgress(`${label}: ${runbook.title} (${session.env.name})`, format);
  const database = lazyEnvDb(session);
  try {
    await verifyAccount(session);
    const findings = await executeRunbook(runbook, session, {
      since: new Date(startedAt.getTime() - sinceMs),
      onCheckStart: progress.onCheckStart,
      onCheckDone: progress.onCheckDone,
      db: database.open,
    });
    return {
      at: startedAt.toISOString(),
      label,
      runbook: runbook.name,
      status: overallStatus(findings),
      findings,
    };
  } finally {
    progress.stop();
    await database.close();
  }
}
