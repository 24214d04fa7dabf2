import { CHECKS } from '../checks/index.js';
import type { CheckContext, DbQuery } from './model/check.js';
import { parseDuration } from './model/duration.js';
import { UnreachableError } from './model/errors.js';
import type { Finding } from './model/finding.js';
import { buildReport, emitReport } from './output.js';
import { createProgress } from './progress.js';
import { createFactCache, runSteps } from './runner.js';
import {
  type EnvSession,
  type GlobalOptions,
  openEnvSession,
  outputFormat,
  verifyAccount,
} from './session.js';

/** Flags of the troubleshooting commands that read a window and, for some checks, the database. */
export interface TroubleshootOptions extends GlobalOptions {
  since?: string;
  dbUrl?: string;
  dbHost?: string;
  dbPort?: string;
}

/**
 * Opens the diagnostic database session only when a check asks for it: --db-url, else the
 * environment's secret (src/db/session.ts); read-only, with the session timeouts.
 */
export function lazyDb(session: EnvSession, options: TroubleshootOptions) {
  let opened: Promise<DbQuery & { close(): Promise<void> }> | null = null;
  return {
    open(): Promise<DbQuery> {
      opened ??= (async () => {
        const { openDbSession, resolveDbTarget } = await import('../db/session.js');
        const { target } = await resolveDbTarget(
          { dbUrl: options.dbUrl, dbHost: options.dbHost, dbPort: options.dbPort, env: session.env.name },
          () => session,
        );
        return openDbSession(target, { readOnly: true, settings: session.config.database.session });
      })();
      return opened;
    },
    async close() {
      if (opened) await opened.then((db) => db.close()).catch(() => {});
    },
  };
}

export interface CheckRun {
  findings: Finding[];
  /** A context sharing the run's fact cache, to read gathered facts for a listing afterwards. */
  context: CheckContext;
}

export interface CheckCommand {
  /** The report's command label, e.g. `ecs tasks internal-pe`. */
  label: string;
  steps: { check: string; params?: Record<string, unknown> }[];
  defaultSince: string;
  /** Extra sections after the findings, built from the findings and the run's facts. */
  notes?(run: CheckRun): Promise<string[]>;
}

/** Runs a few checks against an environment and prints their report: the shape of every building-block command. */
export async function runCheckCommand(
  spec: CheckCommand,
  options: TroubleshootOptions,
  session: EnvSession = openEnvSession(options),
): Promise<number> {
  const format = outputFormat(options);
  const sinceMs = parseDuration(options.since ?? spec.defaultSince, '--since');
  const startedAt = new Date();
  const since = new Date(startedAt.getTime() - sinceMs);
  const progress = await createProgress(`${spec.label} (${session.env.name})`, format);
  const database = lazyDb(session, options);
  const once = createFactCache();
  const db = () => once('db.session', () => database.open());
  const makeContext = (signal: AbortSignal): CheckContext => ({
    env: session.env,
    aws: session.aws,
    signal,
    since,
    now: startedAt,
    once,
    fetch,
    db,
  });
  try {
    await verifyAccount(session);
    const steps = spec.steps.map((s) => {
      const check = CHECKS[s.check];
      if (!check) throw new UnreachableError(`internal: no check ${s.check}`);
      return { check, params: s.params ?? {} };
    });
    const findings = await runSteps(steps, makeContext, {
      concurrency: session.config.runner.concurrency,
      timeoutMs: session.config.runner.checkTimeoutMs,
      onCheckStart: progress.onCheckStart,
      onCheckDone: progress.onCheckDone,
    });
    const notes = spec.notes
      ? await spec.notes({ findings, context: makeContext(new AbortController().signal) })
      : undefined;
    progress.stop();
    return emitReport(buildReport(spec.label, session.env.name, startedAt, findings, notes), options);
  } finally {
    progress.stop();
    await database.close();
    session.aws.destroy();
  }
}
