import { readFileSync } from 'node:fs';
import { UsageError } from '../base/model/errors.js';
import type { Finding } from '../base/model/finding.js';
import type { Action } from '../catalogue/action.js';
import {
  type RecoverDbParams,
  recoverAbortAction,
  recoverCutoverAction,
  recoverRestoreAction,
  recoverResumeServiceAction,
  recoverStopWritesAction,
  recoverVerifyAction,
} from '../catalogue/actions/recover/db.js';
import {
  type RecoveryJournal,
  RecoveryStore,
  recoveryDir,
  recoveryId,
  recoveryNames,
  secondRecovery,
} from '../domain/backup/recovery-journal.js';
import { parseRestoreTime } from '../domain/backup/restore.js';
import { openStore } from '../domain/incident/flow.js';
import { promptIO } from '../engine/change.js';
import { type ChangesResult, changeReport, envChangeSession, runChanges } from '../engine/changes.js';
import type { EnvActionOptions } from '../engine/commands/env-command.js';
import { evidenceFormat, finishChangeRun } from '../engine/evidence.js';
import { readsUntilInterrupted } from '../engine/interrupt.js';
import { printerFor } from '../engine/printer.js';
import { createProgress } from '../engine/progress.js';
import type { Runtime } from '../engine/runtime.js';
import { openEnvSession, requireExplicitEnv, verifyAccount } from '../engine/session.js';

export interface RecoverDbOptions extends EnvActionOptions {
  toTime?: string;
  snapshot?: string;
  verifySql?: string;
  incident?: string;
  resume?: string;
  abort?: string;
  dbHost?: string;
  dbPort?: string;
}

const COMMAND = 'recover db';

/** `--verify-sql FILE`: one query per statement (ended by `;`), each must return true. */
export function readAssertions(file: string): RecoverDbParams['assertions'] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--verify-sql ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const statements = text
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);
  if (statements.length === 0) {
    throw new UsageError(
      `--verify-sql ${file}: no query in it (one SELECT per statement, each returning true)`,
    );
  }
  return statements.map((sql) => ({ sql, label: sql.replace(/\s+/g, ' ').slice(0, 80) }));
}

function mode(options: RecoverDbOptions): 'new' | 'resume' | 'abort' {
  const given = [options.toTime, options.snapshot, options.resume, options.abort].filter(
    (v) => v !== undefined,
  );
  if (given.length !== 1) {
    throw new UsageError(
      'recover db needs exactly one of --to-time <ISO 8601 time>, --snapshot <id>, --resume <recovery id> or --abort <recovery id>',
    );
  }
  return options.resume !== undefined ? 'resume' : options.abort !== undefined ? 'abort' : 'new';
}

/**
 * `fsops recover db` (runbook 003 Data Corruption and Recovery Procedures; runbook 002 Recovery
 * Procedures; deployment guide §2.2.3): the recovery steps are catalogue actions run on the one change
 * path in two runs — stop writes, restore, verify; then, after a second confirmation showing the
 * verification, cut over and bring the service back — sharing one journal for --resume and --abort.
 */
export async function recoverDb(options: RecoverDbOptions, runtime: Runtime): Promise<number> {
  const printer = printerFor(options, COMMAND, undefined, runtime);
  const evidence = evidenceFormat(options.report);
  const envName = requireExplicitEnv(options, 'recover db replaces the live database');
  const kind = mode(options);
  if (options.toTime !== undefined) parseRestoreTime(options.toTime, '--to-time');
  if (kind !== 'new' && (options.verifySql || options.incident)) {
    throw new UsageError(
      '--verify-sql and --incident are given when a recovery starts, not with --resume or --abort',
    );
  }
  const assertions = options.verifySql ? readAssertions(options.verifySql) : [];
  const session = openEnvSession(options, envName);
  const startedAt = new Date(runtime.clock.now());
  try {
    const identity = await readsUntilInterrupted((signal) => verifyAccount(session, true, signal));
    const store = new RecoveryStore(recoveryDir(session.config.backup.recover.directory));
    let journal: RecoveryJournal;
    if (kind === 'new') {
      const holder = store.active(session.env.name);
      if (holder) throw secondRecovery(session.env.name, holder);
      if (options.incident) openStore(session.config.incident).read(options.incident);
      journal = {
        id: recoveryId(session.env.name, startedAt),
        env: session.env.name,
        state: 'running',
        createdAt: startedAt.toISOString(),
        requestedAt: startedAt.toISOString(),
        request: {
          toTime: options.toTime ?? null,
          snapshot: options.snapshot ?? null,
          verifySql: options.verifySql ?? null,
          incident: options.incident ?? null,
        },
        names: recoveryNames(session.env.nameOf('dbInstance'), startedAt),
        restorePoint: null,
        steps: {},
        events: [],
      };
    } else {
      const id = (options.resume ?? options.abort)!;
      journal = store.read(id);
      if (journal.env !== session.env.name) {
        throw new UsageError(`recovery ${id} is of ${journal.env}, not ${session.env.name}`);
      }
      if (journal.state !== 'running')
        throw new UsageError(`recovery ${id} is ${journal.state}: nothing to ${kind}`);
    }
    const params: RecoverDbParams = {
      journal,
      store,
      assertions:
        kind === 'resume' && journal.request.verifySql
          ? readAssertions(journal.request.verifySql)
          : assertions,
      dbHost: options.dbHost,
      dbPort: options.dbPort,
    };
    const progress = await createProgress(`${COMMAND} (${session.env.name})`, printer.format, runtime.stderr);
    const changeSession = envChangeSession(session, identity?.arn ?? null, runtime);
    const run = (command: string, actions: Action[]) =>
      runChanges(
        changeSession,
        actions.map((action) => ({ action, params })),
        {
          command,
          yes: options.yes,
          dryRun: options.dryRun,
          io: promptIO(printer.format, runtime.io, runtime.stderr),
          log: progress.log,
        },
      );
    const findings: Finding[] = [];
    const results: ChangesResult[] = [];
    try {
      if (kind === 'abort') {
        results.push(await run(`${COMMAND} --abort`, [recoverAbortAction]));
      } else {
        const first = await run(COMMAND, [
          recoverStopWritesAction,
          recoverRestoreAction,
          recoverVerifyAction,
        ]);
        results.push(first);
        const stopped = options.dryRun || first.interrupted || first.declined;
        if (!stopped && journal.verification?.passed) {
          // The second confirmation: the cut-over's plan shows the verification.
          results.push(
            await run(`${COMMAND} (cut-over)`, [recoverCutoverAction, recoverResumeServiceAction]),
          );
        } else if (!stopped) {
          findings.push({
            id: 'recover.cutover',
            checkId: recoverCutoverAction.id,
            title: 'Cut over: the verified copy takes the live name',
            status: 'error',
            severity: 'critical',
            resource: journal.names.live,
            detail: '',
            expected: 'a copy that passed its verification',
            observed: `not cut over: the copy ${journal.names.copy} did not pass its verification; writes stay stopped`,
            remediation: `Look at the copy, then fsops recover db --env ${session.env.name} --resume ${journal.id} (verifies again) or --abort ${journal.id}`,
            source: recoverCutoverAction.source,
          });
        }
      }
    } finally {
      progress.stop();
    }
    findings.unshift(...results.flatMap((r) => r.findings));
    const last = results.at(-1)!;
    const notes =
      journal.state === 'running' && !options.dryRun && Object.keys(journal.steps).length > 0
        ? [
            `Recovery ${journal.id} is not finished (journal ${store.dir}/${journal.id}.json): continue with fsops recover db --env ${session.env.name} --resume ${journal.id}, or undo with --abort ${journal.id}.`,
          ]
        : [
            `Recovery ${journal.id} (journal ${store.dir}/${journal.id}.json): ${options.dryRun ? 'dry run, nothing recorded' : journal.state}.`,
          ];
    const report = changeReport(
      kind === 'abort' ? `${COMMAND} --abort` : COMMAND,
      session.env.name,
      startedAt,
      () => runtime.clock.now(),
      findings,
      last,
      notes,
    );
    return finishChangeRun(printer, report, {
      declined: results.some((r) => r.declined),
      reportFile: options.report,
      evidence,
      timings: results.flatMap((r) => r.timings),
      identity: identity?.arn ?? null,
      runtime,
    });
  } finally {
    session.aws.destroy();
  }
}
