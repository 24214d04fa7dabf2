import { UsageError } from '../../base/model/errors.js';
import { overallStatus } from '../../base/model/finding.js';
import type { Snapshot } from '../../domain/incident/record.js';
import { lazyDatabase } from '../database.js';
import { createProgress } from '../progress.js';
import { executeRunbook } from '../run-runbook.js';
import { listRunbooks, loadRunbook, type Runbook } from '../runbook.js';
import type { CheckRegistry } from '../runner.js';
import type { Runtime } from '../runtime.js';
import { type EnvSession, verifyAccount } from '../session.js';

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
 * One evidence snapshot: the runbook's checks through the one runner (src/engine/run-runbook.ts), as
 * `fsops validate` runs them, after the wrong-account guard.
 */
export async function takeSnapshot(
  session: EnvSession,
  runbook: Runbook,
  label: string,
  format: string,
  sinceMs: number,
  checks: CheckRegistry,
  runtime: Runtime,
): Promise<Snapshot> {
  const startedAt = new Date(runtime.clock.now());
  const progress = await createProgress(
    `${label}: ${runbook.title} (${session.env.name})`,
    format,
    runtime.stderr,
  );
  const database = lazyDatabase(session);
  try {
    await verifyAccount(session);
    const findings = await executeRunbook(runbook, session, {
      checks,
      since: new Date(startedAt.getTime() - sinceMs),
      onCheckStart: progress.onCheckStart,
      onCheckDone: progress.onCheckDone,
      fetch: runtime.fetch,
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

/**
 * The snapshot of an update or the resolution: the same runbook as the incident's last snapshot, so
 * "what changed" compares like with like (the configured one when the record has none).
 */
export function followUpSnapshot(
  session: EnvSession,
  record: { snapshots: readonly Pick<Snapshot, 'runbook'>[] },
  label: string,
  format: string,
  sinceMs: number,
  checks: CheckRegistry,
  runtime: Runtime,
): Promise<Snapshot> {
  const last = record.snapshots.at(-1);
  const runbook = last ? loadRunbook(last.runbook) : snapshotRunbook(session);
  return takeSnapshot(session, runbook, label, format, sinceMs, checks, runtime);
}
