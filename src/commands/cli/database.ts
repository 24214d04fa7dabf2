import type { Command } from 'commander';
import { changeEnvOption, envOption, lazy, withSafetyOptions } from './shared.js';

const CONNECTION_HELP = `
Connection: --db-url (or DATABASE_URL), or --env E which reads the Secrets Manager secret
fivestar/payments/E/database (deployment guide §4.2.2); --db-host/--db-port connect through a tunnel
(TLS is still checked against the real host). Sessions are read-only, with statement_timeout,
lock_timeout and application_name fsops. Prefer DATABASE_URL or --env to a password in --db-url
(shell history, process list).

Exit codes: 0 nothing failed (warnings allowed; --strict makes them 1); 1 a finding failed; 2 bad
input; 3 the database could not be reached or a check could not run; 130 interrupted.`;

function withDbOptions(command: Command, env = envOption()): Command {
  return command
    .addOption(env)
    .option(
      '--db-url <url>',
      'postgres://user[:password]@host[:port]/database[?sslmode=...] (default $DATABASE_URL)',
    )
    .option('--db-host <host>', 'connect to this host instead (an SSH/SSM tunnel), e.g. 127.0.0.1')
    .option('--db-port <port>', 'connect to this port instead (with --db-host)');
}

const CHECKS: [name: string, exportName: string, description: string][] = [
  [
    'connections',
    'dbConnections',
    'Connections against max_connections, by state and application; idle-in-transaction sessions (ops guide §6.1.1, §8.1.1, §13.2.2)',
  ],
  [
    'long-queries',
    'dbLongQueries',
    'Queries running longer than a minute (runbook 002, Performance Degradation)',
  ],
  [
    'locks',
    'dbLocks',
    'Blocked sessions and lock chains: who blocks whom, for how long (runbook 002, Database Errors)',
  ],
  [
    'slow-queries',
    'dbSlowQueries',
    'Slowest statements by mean and total time from pg_stat_statements (ops guide §13.2.2; runbooks 002, 003)',
  ],
  ['size', 'dbSize', 'Database size and largest tables; free storage with --env (ops guide §13.2.2, §8.1.1)'],
  ['indexes', 'dbIndexes', 'Invalid, duplicate and unused indexes (runbook 003, Index Management)'],
  [
    'bloat',
    'dbBloat',
    'Dead tuples, vacuum/analyze staleness, the autovacuum queue (runbook 003; ops guide §12.3.1)',
  ],
  ['wraparound', 'dbWraparound', 'Transaction ID and multixact age against the wraparound limit'],
  ['sequences', 'dbSequences', "Sequences (and the columns they feed) close to their type's maximum"],
  ['cache', 'dbCache', 'Shared-buffer cache hit ratio and the tables reading most from disk'],
  [
    'replication',
    'dbReplication',
    'Read replicas, replica lag and replication slots (deployment guide §4.1.3)',
  ],
];

/** Declares the database commands; each action lazily imports its module from src/commands/. */
export function declareDatabaseCommands(program: Command): void {
  const db = program
    .command('db')
    .description(
      'PostgreSQL diagnostics: connections, locks, slow queries, indexes, vacuum, wraparound; cancel or terminate a session',
    );

  withDbOptions(
    db
      .command('health')
      .description('Run every database check at once, concurrently (all of the commands below)'),
  )
    .addHelpText(
      'after',
      `${CONNECTION_HELP}

Examples:
  fsops db health --env prod
  fsops db health --env prod --db-host 127.0.0.1 --db-port 15432 --only-problems
  DATABASE_URL=postgres://fsops@localhost/payments fsops db health --output json`,
    )
    .action(lazy(() => import('../db-checks.js'), 'dbHealth'));

  for (const [name, exportName, description] of CHECKS) {
    withDbOptions(db.command(name).description(description))
      .addHelpText('after', `${CONNECTION_HELP}\n\nExample:\n  fsops db ${name} --env prod`)
      .action(lazy(() => import('../db-checks.js'), exportName as 'dbHealth'));
  }

  for (const [kind, fn] of [
    ['cancel', 'dbCancel'],
    ['terminate', 'dbTerminate'],
  ] as const) {
    withSafetyOptions(
      withDbOptions(
        db
          .command(kind)
          .description(
            kind === 'cancel'
              ? 'Cancel the running statement of a session (pg_cancel_backend); the connection stays'
              : 'Close a session and roll back its transaction (pg_terminate_backend), e.g. the head of a lock chain',
          )
          .argument('<pid>', 'process id of the session (from fsops db locks / long-queries / connections)'),
        changeEnvOption('environment whose database secret to use (FSOPS_ENV is not used for changes)'),
      ),
    )
      .addHelpText(
        'after',
        `
Shows who the pid is (user, application, state, query, age, sessions it blocks) and asks for
confirmation (protected environments: type the name); without a terminal --yes is required;
--dry-run shows the plan only. Every attempt is written to the audit log. FSOPS_ENV is not used:
name the database with --env, --db-url or DATABASE_URL.
${CONNECTION_HELP}

Examples:
  fsops db locks --env prod
  fsops db ${kind} 4242 --env prod --dry-run
  fsops db ${kind} 4242 --env prod`,
      )
      .action(lazy(() => import('../db-signal.js'), fn));
  }

  program
    .command('demo')
    .description(
      'Start a disposable local PostgreSQL with realistic trouble, run `fsops db health` on it, clean up (no AWS needed)',
    )
    .option('--keep', 'leave the server running and print its URL (stop it with Ctrl-C)')
    .addHelpText(
      'after',
      `
Needs the PostgreSQL server binaries (initdb, pg_ctl; Debian: apt-get install postgresql); as root the
server runs as the postgres user. The report uses demo thresholds (seconds instead of minutes).
Exit codes: 0 fsops found every planted problem; 1 it missed one; 3 no local PostgreSQL could be started; 130 interrupted.

Examples:
  fsops demo
  npm run demo                 # builds first
  fsops demo --keep            # then try fsops db locks / db terminate on it`,
    )
    .action(lazy(() => import('../demo.js'), 'demo'));
}
