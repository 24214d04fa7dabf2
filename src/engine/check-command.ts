import { lazyDatabase } from './database.js';
import type { RedisEndpoint } from './model/check.js';
import { parseDuration } from './model/duration.js';
import { buildReport } from './output.js';
import { printerFor } from './printer.js';
import { createProgress } from './progress.js';
import { type CheckRegistry, type CheckRun, runChecks, stepsFor } from './runner.js';
import { type EnvSession, type GlobalOptions, openEnvSession, verifyAccount } from './session.js';

/** Flags of the troubleshooting commands that read a window and, for some checks, the database. */
export interface TroubleshootOptions extends GlobalOptions, RedisOptions {
  since?: string;
  dbUrl?: string;
  dbHost?: string;
  dbPort?: string;
}

/** --redis-url, --redis-host/--redis-port of the commands that read Redis (src/cli/shared.ts withRedisOptions). */
export interface RedisOptions {
  redisUrl?: string;
  redisHost?: string;
  redisPort?: string;
}

/** The run's Redis endpoint from the flags (src/redis/target.ts resolves it; empty: the SSM redis_url). */
export function redisEndpoint(options: RedisOptions): RedisEndpoint {
  return {
    ...(options.redisUrl ? { url: options.redisUrl } : {}),
    ...(options.redisHost ? { host: options.redisHost } : {}),
    ...(options.redisPort !== undefined ? { port: options.redisPort } : {}),
  };
}

export type { CheckRun } from './runner.js';

export interface CheckCommand {
  /** The report's command label, e.g. `ecs tasks internal-pe`. */
  label: string;
  /** The check catalogue the step ids resolve against (src/checks/index.ts's CHECKS). */
  checks: CheckRegistry;
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
  const printer = printerFor(options, spec.label);
  const format = printer.format;
  const sinceMs = parseDuration(options.since ?? spec.defaultSince, '--since');
  const steps = stepsFor(spec.checks, spec.steps);
  const startedAt = new Date();
  const progress = await createProgress(`${spec.label} (${session.env.name})`, format);
  const database = lazyDatabase(session, options);
  try {
    await verifyAccount(session);
    const run = await runChecks(session, steps, {
      since: new Date(startedAt.getTime() - sinceMs),
      now: startedAt,
      db: database.open,
      redis: redisEndpoint(options),
      onCheckStart: progress.onCheckStart,
      onCheckDone: progress.onCheckDone,
    });
    const notes = spec.notes ? await spec.notes(run) : undefined;
    progress.stop();
    return printer.report(buildReport(spec.label, session.env.name, startedAt, run.findings, notes));
  } finally {
    progress.stop();
    await database.close();
    session.aws.destroy();
  }
}
