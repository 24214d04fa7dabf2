import { type RestoreTestParams, restoreTestAction } from '../actions/backup/restore-test.js';
import { runActions } from '../actions/run-actions.js';
import type { ActionDefinition } from '../actions/types.js';
import { ExitCode, UnreachableError } from '../core/errors.js';
import { dispatchInterrupt } from '../core/interrupt.js';
import { buildReport, emitReport } from '../core/output.js';
import { createProgress } from '../core/progress.js';
import type { PromptIO } from '../core/safety.js';
import {
  type GlobalOptions,
  openEnvSession,
  outputFormat,
  requireExplicitEnv,
  verifyAccount,
} from '../core/session.js';
import {
  afterEvidence,
  buildEvidence,
  evidenceFormat,
  type StepTiming,
  writeEvidence,
} from '../maintenance/evidence.js';
import { promptIO } from '../maintenance/mutation.js';

export interface BackupVerifyOptions extends GlobalOptions {
  from?: string;
  time?: string;
  keep?: boolean;
  dbHost?: string;
  dbPort?: string;
  dryRun?: boolean;
  yes?: boolean;
  report?: string;
  io?: PromptIO;
}

/**
 * SIGTERM (a CI job cancelled, `kill`) is treated like Ctrl-C while the restore runs: the action stops
 * and deletes its temporary instance before fsops exits.
 */
function onTerminate(): () => void {
  const handler = () => {
    if (!dispatchInterrupt()) process.exit(ExitCode.interrupted);
  };
  process.on('SIGTERM', handler);
  return () => process.off('SIGTERM', handler);
}

/** `fsops backup verify` (runbook 003 Monthly Tasks; runbook 002 Backup Verification; deployment guide §2.2.3). */
export async function backupVerify(options: BackupVerifyOptions): Promise<number> {
  const format = outputFormat(options);
  const evidence = evidenceFormat(options.report);
  const envName = requireExplicitEnv(options, 'backup verify creates an RDS instance');
  const session = openEnvSession(options, envName);
  const removeTerm = onTerminate();
  const startedAt = new Date();
  try {
    const identity = await verifyAccount(session, true);
    const progress = await createProgress(`backup verify (${session.env.name})`, format);
    const timings: StepTiming[] = [];
    const interruption = { interrupted: false };
    const params: RestoreTestParams = {
      from: options.from,
      time: options.time,
      keep: options.keep,
      dbHost: options.dbHost,
      dbPort: options.dbPort,
    };
    let findings: Awaited<ReturnType<typeof runActions>>;
    try {
      findings = await runActions([{ action: restoreTestAction as ActionDefinition<never>, params }], {
        audit: { env: session.env.name, target: session.config.audit, aws: session.aws },
        identity: identity?.arn ?? null,
        command: 'backup verify',
        target: session.env.name,
        protectedEnv: session.env.settings.protected,
        yes: options.yes,
        dryRun: options.dryRun,
        io: options.io ?? promptIO(format),
        context: {
          env: session.env,
          config: session.config,
          now: startedAt,
          aws: session.aws,
          db: () => Promise.reject(new UnreachableError('backup verify opens its own database sessions')),
          log: progress.log,
        },
        onTiming: (t) => timings.push(t),
        interruption,
      });
    } finally {
      progress.stop();
    }
    const report = buildReport('backup verify', session.env.name, startedAt, findings);
    const code = emitReport(report, options);
    const problem =
      evidence && options.report
        ? writeEvidence(options.report, buildEvidence(report, timings, identity?.arn ?? null), evidence)
        : null;
    return afterEvidence(interruption.interrupted ? ExitCode.interrupted : code, problem);
  } finally {
    removeTerm();
    session.aws.destroy();
  }
}
