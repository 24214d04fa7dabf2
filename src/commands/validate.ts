import { CHECKS } from '../checks/index.js';
import { loadConfig } from '../config/load.js';
import { lazyDatabase } from '../engine/database.js';
import { parseDuration } from '../engine/model/duration.js';
import { UsageError } from '../engine/model/errors.js';
import { buildReport } from '../engine/output.js';
import { printerFor } from '../engine/printer.js';
import { createProgress } from '../engine/progress.js';
import { executeRunbook } from '../engine/run-runbook.js';
import { loadRunbook } from '../engine/runbook.js';
import { type GlobalOptions, openEnvSession, verifyAccount } from '../engine/session.js';

export interface RunbookCommandOptions extends GlobalOptions {
  since?: string;
}

/** `fsops validate <env>` is the `validate` runbook; `fsops runbook run <name>` runs any other. */
export async function runRunbookCommand(
  name: string,
  envName: string | undefined,
  options: RunbookCommandOptions,
  commandLabel = `runbook run ${name}`,
): Promise<number> {
  const printer = printerFor(options, commandLabel);
  const format = printer.format;
  const runbook = loadRunbook(name);
  const session = openEnvSession(options, envName);
  const sinceMs = parseDuration(options.since ?? session.config.logs.since, '--since');
  const startedAt = new Date();
  const progress = await createProgress(`${runbook.title} (${session.env.name})`, format);
  const database = lazyDatabase(session);
  try {
    progress.update(`${runbook.title} (${session.env.name}): verifying the AWS account`);
    await verifyAccount(session);
    const findings = await executeRunbook(runbook, session, {
      checks: CHECKS,
      since: new Date(startedAt.getTime() - sinceMs),
      askManual: Boolean(process.stdin.isTTY && process.stderr.isTTY) && format === 'text',
      onCheckStart: progress.onCheckStart,
      onCheckDone: progress.onCheckDone,
      beforeManual: progress.stop,
      db: database.open,
    });
    progress.stop();
    return printer.report(buildReport(commandLabel, session.env.name, startedAt, findings));
  } finally {
    progress.stop();
    await database.close();
    session.aws.destroy();
  }
}

/** The environment is positional (`fsops validate prod`) or the global --env; both must agree. */
export async function validate(env: string | undefined, options: RunbookCommandOptions): Promise<number> {
  if (env && options.env && env !== options.env) {
    throw new UsageError(
      `validate: two environments given, '${env}' and --env '${options.env}': give one (fsops validate <env>)`,
    );
  }
  if (!env && !options.env && !process.env.FSOPS_ENV) {
    const valid = Object.keys(loadConfig(options.config).config.environments).join(', ');
    throw new UsageError(
      `validate: which environment? fsops validate <env> (valid: ${valid}; or set FSOPS_ENV)`,
    );
  }
  return runRunbookCommand('validate', env ?? options.env, options, 'validate');
}
