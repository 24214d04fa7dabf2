import pg from 'pg';

/**
 * A small payments database (runbook 003 names `payment.payments`) with the trouble an on-call
 * engineer meets: a lock chain behind a transaction left open, a long report query, a slow query
 * pattern in pg_stat_statements, a redundant and an unused index, an invalid index, a sequence near
 * the int4 limit, dead tuples on a table excluded from autovacuum and an abandoned replication slot.
 */
export const DEMO_DATABASE = 'fivestar_payments';
export const DEMO_ROLE = 'fsops_diag';

const SCHEMA = `
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE ROLE fivestar_app LOGIN;
CREATE ROLE ${DEMO_ROLE} LOGIN IN ROLE pg_monitor;
CREATE SCHEMA payment AUTHORIZATION fivestar_app;
SET search_path = payment;

CREATE TABLE customers (
  id bigserial PRIMARY KEY,
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE payments (
  id serial PRIMARY KEY,                -- int4: the sequence trouble below
  customer_id bigint NOT NULL REFERENCES customers(id),
  gateway text NOT NULL,
  amount numeric(12,2) NOT NULL,
  currency text NOT NULL DEFAULT 'INR',
  status text NOT NULL,
  error_code text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE payment_attempts (
  id bigserial PRIMARY KEY,
  payment_id int NOT NULL,
  gateway_response text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
) WITH (autovacuum_enabled = false);   -- someone turned it off during a bulk load and forgot
CREATE TABLE refunds (
  id bigserial PRIMARY KEY,
  payment_id int NOT NULL,
  amount numeric(12,2) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO customers (email) SELECT 'customer' || g || '@example.in' FROM generate_series(1, 5000) g;
INSERT INTO payments (customer_id, gateway, amount, status, error_code, created_at)
SELECT 1 + (g % 5000), (ARRAY['razorpay','juspay'])[1 + g % 2], (g % 9000) + 99.00,
       (ARRAY['COMPLETED','COMPLETED','COMPLETED','FAILED','PENDING'])[1 + g % 5],
       CASE WHEN g % 5 = 3 THEN 'GATEWAY_TIMEOUT' END, now() - (g || ' minutes')::interval
  FROM generate_series(1, 50000) g;
INSERT INTO payment_attempts (payment_id, gateway_response)
SELECT 1 + g % 50000, repeat('{"status":"ok","trace":"' || md5(g::text) || '"}', 2) FROM generate_series(1, 40000) g;
INSERT INTO refunds (payment_id, amount) SELECT g * 7, 10 FROM generate_series(1, 2000) g;

-- index trouble: a prefix-redundant pair, an exact duplicate, an index nobody uses
CREATE INDEX idx_payments_customer ON payments (customer_id);
CREATE INDEX idx_payments_customer_created ON payments (customer_id, created_at DESC);
CREATE INDEX idx_payments_status ON payments (status);
CREATE INDEX idx_payments_status_2 ON payments (status);
CREATE INDEX idx_attempts_gateway_response ON payment_attempts (gateway_response);

-- a sequence 93% of the way to the int4 maximum of payments.id
SELECT setval('payments_id_seq', 2000000000);

-- a slow settlement report: it scans and waits on the ledger for every call
CREATE FUNCTION settlement_report(p_gateway text) RETURNS numeric LANGUAGE sql AS $$
  SELECT sum(amount) + 0 * length(pg_sleep(0.15)::text) FROM payment.payments WHERE gateway = p_gateway AND status = 'COMPLETED'
$$;

GRANT USAGE ON SCHEMA payment TO fivestar_app, ${DEMO_ROLE};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA payment TO fivestar_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA payment TO fivestar_app;
-- the diagnostic role: pg_monitor (above) plus reading sequence positions
GRANT SELECT ON ALL SEQUENCES IN SCHEMA payment TO ${DEMO_ROLE};
RESET search_path;
`;

/** Ordinary application traffic: the lookups the customer portal makes (they use the composite index). */
const APP_TRAFFIC = `SELECT id, amount, status FROM payment.payments WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20`;

/** Rows deleted after ANALYZE so that they stay dead (autovacuum is off for the table). */
const DEAD_TUPLES = `DELETE FROM payment.payment_attempts WHERE id % 5 <> 0`;

/** A failed CREATE INDEX CONCURRENTLY leaves an invalid index behind. */
const INVALID_INDEX = `CREATE UNIQUE INDEX CONCURRENTLY idx_payments_gateway_unique ON payment.payments (gateway)`;

const SLOW_PATTERN = `SELECT payment.settlement_report($1)`;

export interface Trouble {
  /** pids of the planted sessions, by role in the story. */
  pids: { holder: number; waiter: number; second: number; report: number };
  stop(): Promise<void>;
}

async function client(url: string, application: string, user?: string): Promise<pg.Client> {
  const target = new URL(url);
  if (user) target.username = user;
  const c = new pg.Client({ connectionString: target.toString(), application_name: application });
  c.on('error', () => {});
  await c.connect();
  return c;
}

export async function loadSchema(adminUrl: string): Promise<string> {
  const admin = await client(adminUrl, 'fsops-demo');
  try {
    await admin.query(`CREATE DATABASE ${DEMO_DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${DEMO_DATABASE}`;
  const dbUrl = url.toString();
  const owner = await client(dbUrl, 'fsops-demo');
  try {
    await owner.query(SCHEMA);
    // Let the load's row counts reach the statistics before ANALYZE resets them (PostgreSQL 15+).
    await owner.query('SELECT pg_stat_force_next_flush()').catch(() => {});
    await owner.query('ANALYZE payment.customers, payment.payments, payment.refunds');
    await owner.query(DEAD_TUPLES);
    await owner.query(INVALID_INDEX).catch(() => {});
    await owner.query("SELECT pg_create_physical_replication_slot('analytics_replica_old', true)");
    // Statement statistics start here: the bulk load above is not what the demo is about.
    await owner.query('SELECT pg_stat_statements_reset()');
    for (let customer = 1; customer <= 50; customer += 1) await owner.query(APP_TRAFFIC, [customer]);
    for (const gateway of ['razorpay', 'juspay', 'razorpay', 'juspay', 'razorpay']) {
      await owner.query(SLOW_PATTERN, [gateway]);
    }
  } finally {
    await owner.end();
  }
  return dbUrl;
}

/**
 * The sessions that make the trouble: internal-pe leaves a transaction open holding a row lock,
 * lms-sync and customer-portal queue behind it, and a reporting job runs a long query.
 */
export async function startTrouble(dbUrl: string): Promise<Trouble> {
  const holder = await client(dbUrl, 'internal-pe', 'fivestar_app');
  const waiter = await client(dbUrl, 'lms-sync', 'fivestar_app');
  const second = await client(dbUrl, 'customer-portal', 'fivestar_app');
  const report = await client(dbUrl, 'reporting', 'fivestar_app');
  const pidOf = async (c: pg.Client) =>
    (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const pids = {
    holder: await pidOf(holder),
    waiter: await pidOf(waiter),
    second: await pidOf(second),
    report: await pidOf(report),
  };
  await holder.query('BEGIN');
  await holder.query("UPDATE payment.payments SET status = 'REFUND_PENDING' WHERE id = 42");
  // Left idle in transaction: the application forgot to commit.
  const pending = [
    waiter.query("UPDATE payment.payments SET status = 'SETTLED' WHERE id = 42").catch(() => {}),
    second.query('SELECT * FROM payment.payments WHERE id = 42 FOR UPDATE').catch(() => {}),
    report.query('SELECT count(*), pg_sleep(600) FROM payment.refunds').catch(() => {}),
  ];
  return {
    pids,
    async stop() {
      await Promise.all([holder, waiter, second, report].map((c) => c.end().catch(() => {})));
      await Promise.allSettled(pending);
    },
  };
}
