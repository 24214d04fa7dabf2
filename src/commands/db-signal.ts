import { UsageError } from '../base/model/errors.js';
import { type SignalKind, signalBackendAction } from '../catalogue/actions/db/signal-backend.js';
import { runChanges } from '../engine/changes.js';
import { databaseChangeSession } from '../engine/commands/db-command.js';
import { type DbCommandOptions, withReadSession } from '../engine/database.js';
import { printerFor } from '../engine/printer.js';
import type { Runtime } from '../engine/runtime.js';
import { verifyAccount } from '../engine/session.js';

export {
  type BackendInfo,
  describeBackend,
  type SignalKind,
} from '../catalogue/actions/db/signal-backend.js';

export interface DbSignalOptions extends DbCommandOptions {
  dryRun?: boolean;
  yes?: boolean;
}

export function parsePid(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || Number(text) > 2 ** 31 - 1) {
    throw new UsageError(
      `invalid pid '${text}': give the process id of a session, e.g. 4242 (see fsops db locks)`,
    );
  }
  return Number(text);
}

/**
 * `fsops db cancel|terminate <pid>`: the catalogue action `db.signal-backend` run by the one driver
 * (plan shown, confirm — a database given only by URL counts as protected —, audit). The plan and the
 * outcome are lines for a person: text only.
 */
export async function signalBackend(
  kind: SignalKind,
  pidText: string,
  options: DbSignalOptions,
  runtime: Runtime,
): Promise<number> {
  printerFor(options, `db ${kind}`, ['text'], runtime);
  const pid = parsePid(pidText);
  // docs/architecture.md: a command that changes something never takes its environment from FSOPS_ENV.
  const session = await withReadSession(await runtime.openDatabase(options, { envFromEnvironment: false }));
  const { io } = runtime;
  try {
    // Who did it, for the audit; an emergency signal does not wait on STS to say (the account guard ran).
    const identity = session.envSession
      ? ((await verifyAccount(session.envSession, true).catch(() => null))?.arn ?? null)
      : null;
    const result = await runChanges(
      databaseChangeSession({ ...session, identity }, runtime),
      [{ action: signalBackendAction, params: { kind, pid } }],
      {
        command: `db ${kind} ${pid}`,
        yes: options.yes,
        dryRun: options.dryRun,
        io,
      },
    );
    if (result.stop) throw result.stop;
    const [step] = result.steps;
    // The pid had ended, or the role may not signal it: the reason as one line (exit 2 or 3), audited failed.
    if (step!.error) throw step!.error;
    if (step!.state === 'applied') io.print(`${step!.findings[0]!.observed}\n`);
    return 0;
  } finally {
    await session.close();
  }
}

export function dbCancel(pid: string, options: DbSignalOptions, runtime: Runtime): Promise<number> {
  return signalBackend('cancel', pid, options, runtime);
}

export function dbTerminate(pid: string, options: DbSignalOptions, runtime: Runtime): Promise<number> {
  return signalBackend('terminate', pid, options, runtime);
}
