import type { CheckContext, DbQuery } from '../../../base/model/check.js';
import { formatAge, shortQuery } from './common.js';

/** One client backend from pg_stat_activity, ages in seconds. */
export interface SessionRow {
  pid: number;
  user: string | null;
  application: string;
  client: string | null;
  state: string | null;
  waitEventType: string | null;
  waitEvent: string | null;
  xactAge: number | null;
  queryAge: number | null;
  stateAge: number | null;
  query: string | null;
  /** In the database this session is connected to (lists are per database; the total is per server). */
  here: boolean;
  /** This fsops run's own connection. */
  own: boolean;
  /**
   * Another role's session this role may not inspect (no pg_read_all_stats): PostgreSQL shows its pid,
   * user, application and database, but no state, query or timing.
   */
  hidden: boolean;
}

export interface ActivityFacts {
  /** The role fsops connected as (named in the GRANT when sessions are hidden from it). */
  viewer: string;
  maxConnections: number;
  reservedConnections: number;
  sessions: SessionRow[];
}

/** pg_stat_activity and max_connections, read once per run for the connection, query and lock checks. */
export function activity(ctx: CheckContext, db: DbQuery): Promise<ActivityFacts> {
  return ctx.once('db.activity', async () => {
    const [settings, rows] = await Promise.all([
      db.query<{ viewer: string; max: number; reserved: number }>(
        `SELECT current_user AS viewer, current_setting('max_connections')::int AS max,
                current_setting('superuser_reserved_connections')::int AS reserved`,
      ),
      db.query<{
        pid: number;
        user: string | null;
        application: string;
        client: string | null;
        state: string | null;
        wait_event_type: string | null;
        wait_event: string | null;
        xact_age: number | null;
        query_age: number | null;
        state_age: number | null;
        query: string | null;
        here: boolean;
        own: boolean;
        hidden: boolean;
      }>(
        `SELECT pid, usename AS user, application_name AS application, client_addr::text AS client, state,
                wait_event_type, wait_event,
                EXTRACT(EPOCH FROM clock_timestamp() - xact_start)::float8 AS xact_age,
                EXTRACT(EPOCH FROM clock_timestamp() - query_start)::float8 AS query_age,
                EXTRACT(EPOCH FROM clock_timestamp() - state_change)::float8 AS state_age,
                left(query, 1000) AS query,
                datname IS NOT DISTINCT FROM current_database() AS here,
                (pid = pg_backend_pid() OR application_name = 'fsops') AS own,
                backend_type IS NULL AS hidden
           FROM pg_stat_activity
          -- Without pg_read_all_stats another role's backend shows no backend_type: a hidden row in a
          -- database is (almost always) a client session, and must be counted, not dropped.
          WHERE backend_type = 'client backend' OR (backend_type IS NULL AND datid IS NOT NULL)`,
      ),
    ]);
    return {
      viewer: settings[0]!.viewer,
      maxConnections: settings[0]!.max,
      reservedConnections: settings[0]!.reserved,
      sessions: rows.map((r) => ({
        pid: r.pid,
        user: r.user,
        application: r.application,
        client: r.client,
        state: r.state,
        waitEventType: r.wait_event_type,
        waitEvent: r.wait_event,
        xactAge: r.xact_age,
        queryAge: r.query_age,
        stateAge: r.state_age,
        query: r.query,
        here: r.here,
        own: r.own,
        hidden: r.hidden,
      })),
    };
  });
}

/**
 * Sessions in this database whose state and query the role may not see: checks built on them must not
 * call the database clean. Null when every session is visible.
 */
export function visibilityGap(facts: ActivityFacts): { observed: string; remediation: string } | null {
  const hidden = facts.sessions.filter((s) => s.here && !s.own && s.hidden).length;
  if (hidden === 0) return null;
  return {
    observed: `${hidden} session${hidden === 1 ? '' : 's'} of other roles hidden from ${facts.viewer} (it lacks pg_read_all_stats): their state and queries could not be judged`,
    remediation: `GRANT pg_monitor TO ${facts.viewer}; (as the RDS master user; pg_monitor includes pg_read_all_stats) so that fsops sees every session.`,
  };
}

/** "pid 4242 (fivestar_app, internal-pe, 10.0.1.7)" */
export function who(session: Pick<SessionRow, 'pid' | 'user' | 'application' | 'client'>): string {
  const parts = [session.user ?? '?', session.application || '(no application_name)'];
  if (session.client) parts.push(session.client);
  return `pid ${session.pid} (${parts.join(', ')})`;
}

/** "pid 4242 (…) idle in transaction 5m 3s: UPDATE payments …" */
export function describeSession(session: SessionRow, age: number | null): string {
  if (session.hidden) return `${who(session)}: state and query hidden (no pg_read_all_stats)`;
  const state = session.state ?? 'unknown state';
  const ageText = age === null ? '' : ` ${formatAge(age)}`;
  return `${who(session)} ${state}${ageText}: ${shortQuery(session.query)}`;
}
