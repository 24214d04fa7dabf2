import { z } from 'zod';
import { ExitError, UnreachableError, UsageError } from '../../../base/model/errors.js';
import type { DbSession } from '../../../domain/db/connection.js';
import type { MaintenanceDb } from '../../../domain/db/writable.js';
import { defineAction } from '../../action.js';
import { formatAge, shortQuery } from '../../checks/database/common.js';

export type SignalKind = 'cancel' | 'terminate';

export interface BackendInfo {
  pid: number;
  user: string | null;
  application: string;
  client: string | null;
  database: string | null;
  state: string | null;
  backendType: string;
  queryAge: number | null;
  xactAge: number | null;
  stateAge: number | null;
  query: string | null;
  /** Sessions waiting on this one's locks. */
  blocking: number;
}

/** The plan lines: who the pid is, what it is doing, and what cancel/terminate will do to it. */
export function describeBackend(kind: SignalKind, b: BackendInfo, where: string): string[] {
  const age = b.state === 'active' ? b.queryAge : b.stateAge;
  return [
    `database: ${where}`,
    `session:  pid ${b.pid}, user ${b.user ?? '?'}, application ${b.application || '(none)'}${b.client ? `, client ${b.client}` : ''}`,
    `state:    ${b.state ?? 'unknown'}${age === null ? '' : ` for ${formatAge(age)}`}${b.xactAge === null ? '' : `; transaction open ${formatAge(b.xactAge)}`}`,
    `query:    ${shortQuery(b.query, 200)}`,
    `blocking: ${b.blocking} session${b.blocking === 1 ? '' : 's'} waiting on its locks`,
    kind === 'cancel'
      ? 'effect:   pg_cancel_backend: the running statement is cancelled (its transaction aborts); the connection stays'
      : 'effect:   pg_terminate_backend: the connection is closed and its open transaction rolled back',
  ];
}

const signalBackendParams = z
  .object({
    kind: z.enum(['cancel', 'terminate']),
    pid: z.number().int(),
  })
  .strict();

/**
 * `fsops db cancel|terminate <pid>` (runbook 002 Database Troubleshooting "kill long-running queries";
 * ops guide §7): pg_cancel_backend / pg_terminate_backend of one client session. The plan looks the
 * session up read-only and refuses (bad input, exit 2) what must not be signalled: a pid that is not
 * there, fsops's own session, a server process, a session hidden from the role. The signal is one
 * statement over the run's writable connection, with the diagnostic timeouts, as `fsops`.
 */
export const signalBackendAction = defineAction({
  id: 'db.signal-backend',
  title: 'Cancel or terminate a database session',
  severity: 'high',
  source: 'runbook 002 Database Troubleshooting (kill long-running queries); ops guide §7',
  remediation: 'See the session with `fsops db locks` or `fsops db connections`, then try again.',
  params: signalBackendParams,
  async plan(ctx, { kind, pid }) {
    if (!ctx.readDb) throw new UsageError(`db ${kind} needs a database session of the run`);
    const reader = await ctx.readDb();
    const where = reader.label;
    const backend = await lookUpBackend(reader, kind, pid);
    const summary = `pid ${pid} (${backend.user ?? '?'}, ${backend.application || 'no application_name'}, ${backend.state ?? 'unknown'}): ${shortQuery(backend.query, 120)}`;
    return {
      lines: describeBackend(kind, backend, where),
      preview: [
        { status: 'skip', resource: `pid ${pid}`, expected: kind, observed: 'dry run: nothing was changed' },
      ],
      verb: `${kind} backend ${pid}`,
      audit: { command: `db ${kind} ${pid}`, from: where, summary },
      async apply() {
        // The diagnostic session stays read-only; the one statement that acts gets the database layer's
        // one writable connection, with the diagnostic timeouts and application_name (one short statement).
        const writer = await ctx.db({ applicationName: 'fsops', settings: ctx.config.database.session });
        return [
          {
            status: 'pass',
            resource: `pid ${pid}`,
            expected: kind,
            observed: await sendSignal(kind, pid, writer),
          },
        ];
      },
    };
  },
});

/** Who the pid is; refuses (UsageError) a session fsops must not or cannot signal. */
async function lookUpBackend(reader: DbSession, kind: SignalKind, pid: number): Promise<BackendInfo> {
  const [row] = await reader.query<{
    pid: number;
    user: string | null;
    application: string;
    client: string | null;
    database: string | null;
    state: string | null;
    backend_type: string | null;
    query_age: number | null;
    xact_age: number | null;
    state_age: number | null;
    query: string | null;
    blocking: number;
  }>(
    `SELECT pid, usename AS user, application_name AS application, client_addr::text AS client, datname AS database,
            state, backend_type,
            EXTRACT(EPOCH FROM clock_timestamp() - query_start)::float8 AS query_age,
            EXTRACT(EPOCH FROM clock_timestamp() - xact_start)::float8 AS xact_age,
            EXTRACT(EPOCH FROM clock_timestamp() - state_change)::float8 AS state_age,
            left(query, 1000) AS query,
            (SELECT count(*)::int FROM pg_stat_activity w WHERE $1 = ANY (pg_blocking_pids(w.pid))) AS blocking
       FROM pg_stat_activity WHERE pid = $1`,
    [pid],
  );
  const where = reader.label;
  if (!row) {
    throw new UsageError(
      `no session with pid ${pid} on ${where} (it may have ended already; see fsops db locks or fsops db connections). Nothing was changed.`,
    );
  }
  if (reader.ownPids().includes(pid)) {
    throw new UsageError(
      `pid ${pid} is this fsops session itself: refusing to ${kind} it. Nothing was changed.`,
    );
  }
  if (row.backend_type === null) {
    // Another role's session, hidden from this role (no pg_read_all_stats): no plan could say what
    // it is doing, so nothing to confirm against.
    const user = reader.target.user;
    throw new UsageError(
      `pid ${pid} belongs to another role (${row.user ?? 'unknown'}) whose session details are hidden from ${user} (no pg_read_all_stats): fsops does not ${kind} a session it cannot show you. Connect as a role with pg_monitor (GRANT pg_monitor TO ${user};). Nothing was changed.`,
    );
  }
  if (row.backend_type !== 'client backend') {
    throw new UsageError(
      `pid ${pid} is a ${row.backend_type} process, not a client session: fsops only ${kind}s client sessions. Nothing was changed.`,
    );
  }
  return {
    pid: row.pid,
    user: row.user,
    application: row.application,
    client: row.client,
    database: row.database,
    state: row.state,
    backendType: row.backend_type,
    queryAge: row.query_age,
    xactAge: row.xact_age,
    stateAge: row.state_age,
    query: row.query,
    blocking: row.blocking,
  };
}

/** Sends the signal over the writable connection; returns what happened, throws when it could not. */
async function sendSignal(kind: SignalKind, pid: number, writer: MaintenanceDb): Promise<string> {
  const call =
    kind === 'cancel'
      ? 'pg_cancel_backend($1)'
      : writer.serverVersion >= 140000
        ? 'pg_terminate_backend($1, 5000)'
        : 'pg_terminate_backend($1)';
  let signalled: boolean;
  try {
    const [row] = await writer.query<{ ok: boolean | null }>(
      `SELECT CASE WHEN $1 = pg_backend_pid() THEN NULL ELSE ${call} END AS ok`,
      [pid],
    );
    if (row?.ok === null || row?.ok === undefined)
      throw new UsageError(`pid ${pid} is fsops's own session: refusing to ${kind} it`);
    signalled = row.ok;
  } catch (error) {
    if (error instanceof ExitError) throw error;
    throw new UnreachableError(
      `could not ${kind} pid ${pid}: ${(error as Error).message} (the role needs to be the session's role, or a member of pg_signal_backend / rds_superuser)`,
    );
  }
  if (!signalled) throw new UsageError(`pid ${pid} had already ended; nothing was changed`);
  const after = await settledState(writer, pid, kind);
  return kind === 'terminate'
    ? after
      ? `terminate signal sent; pid ${pid} is still shutting down`
      : `terminated pid ${pid}; its open transaction was rolled back`
    : `cancelled the statement of pid ${pid}; the session is ${after?.state ?? 'gone'}`;
}

/** The target's state once the signal has had a moment to land (up to about a second). */
async function settledState(
  db: { query<R>(sql: string, params?: unknown[]): Promise<R[]> },
  pid: number,
  kind: SignalKind,
): Promise<{ state: string | null } | undefined> {
  let row: { state: string | null } | undefined;
  for (let attempt = 0; attempt < 10; attempt += 1) {
    [row] = await db.query<{ state: string | null }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [
      pid,
    ]);
    if (!row || (kind === 'cancel' && row.state !== 'active')) return row;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return row;
}
