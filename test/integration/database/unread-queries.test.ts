// One query a database check cannot read (a function or view the role may not use) is its own error
// finding, and the check judges what the other queries returned (docs/safety.md, "one unreadable fact
// never hides the others"). Real PostgreSQL: a non-superuser role, and one grant revoked at a time in
// this test's own database (function and view privileges live in each database's catalog).
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { replicationCheck } from '../../../src/catalogue/checks/database/replication.js';
import { wraparoundCheck } from '../../../src/catalogue/checks/database/wraparound.js';
import {
  adminQuery,
  createPasswordRole,
  createTestDatabase,
  type PasswordRole,
  type TestDatabase,
} from '../../helpers/postgres.js';
import { byId, runCheck, statuses } from './check-helpers.js';

const rds = mockClient(RDSClient);
const cloudwatch = mockClient(CloudWatchClient);
const NOW = new Date('2026-11-21T10:00:00Z');
const minutesAgo = (n: number) => new Date(NOW.getTime() - n * 60_000);

describe('database checks judge what arrived when one query cannot be read', () => {
  let db: TestDatabase;
  let role: PasswordRole;
  beforeAll(async () => {
    db = await createTestDatabase('unread');
    role = await createPasswordRole();
    await adminQuery('CREATE TABLE payments (id int); INSERT INTO payments VALUES (1)', [], db.name);
  });
  afterEach(() => {
    rds.reset();
    cloudwatch.reset();
  });
  afterAll(async () => {
    await role.cleanup();
    await db.cleanup();
  });

  /** Runs `body` with `revoke` applied in the test database, and grants it back after. */
  async function without(revoke: string, grant: string, body: () => Promise<void>): Promise<void> {
    await adminQuery(revoke, [], db.name);
    try {
      await body();
    } finally {
      await adminQuery(grant, [], db.name);
    }
  }

  it('wraparound: each of its three queries that cannot be read is its own error; the XID age is still judged', async () => {
    // pg_database's ages (mxid_age revoked): this database is still judged by its oldest table.
    await without(
      'REVOKE EXECUTE ON FUNCTION pg_catalog.mxid_age(xid) FROM PUBLIC',
      'GRANT EXECUTE ON FUNCTION pg_catalog.mxid_age(xid) TO PUBLIC',
      async () => {
        const findings = await runCheck(wraparoundCheck, role.url(db.name));
        expect(statuses(findings)).toEqual(['db.wraparound.databases:error', 'db.wraparound:pass']);
        expect(findings[0]!.observed).toMatch(
          /^could not read the XID ages of the databases: permission denied.* for function mxid_age/,
        );
        expect(findings[1]).toMatchObject({ resource: 'this database' });
        expect(findings[1]!.observed).toMatch(
          /^oldest table in this database: .+, xid age [\d,]+ \([\d.]+% of the wraparound limit\); the other databases and the multixact ages could not be read$/,
        );
      },
    );
    // The oldest tables (pg_class revoked): every database is still judged, without the table list.
    await without(
      'REVOKE SELECT ON pg_catalog.pg_class FROM PUBLIC',
      'GRANT SELECT ON pg_catalog.pg_class TO PUBLIC',
      async () => {
        const findings = await runCheck(wraparoundCheck, role.url(db.name));
        expect(statuses(findings)).toEqual(['db.wraparound.tables:error', 'db.wraparound:pass']);
        expect(findings[0]!.observed).toMatch(
          /^could not read the oldest tables of this database: permission denied.* for table pg_class/,
        );
        expect(findings[1]!.observed).toMatch(/^oldest: \w+, xid age/);
        expect(findings[1]!.detail).toMatch(new RegExp(`^databases: .*${db.name}`));
        expect(findings[1]!.detail).not.toContain('oldest tables');
      },
    );
    // autovacuum_freeze_max_age (pg_settings revoked): the age is judged, the freeze deadline is said unknown.
    await without(
      'REVOKE SELECT ON pg_catalog.pg_settings FROM PUBLIC',
      'GRANT SELECT ON pg_catalog.pg_settings TO PUBLIC',
      async () => {
        const findings = await runCheck(wraparoundCheck, role.url(db.name));
        expect(statuses(findings)).toEqual(['db.wraparound.settings:error', 'db.wraparound:pass']);
        expect(findings[0]!.observed).toMatch(
          /^could not read autovacuum_freeze_max_age: permission denied.* for view pg_settings/,
        );
        expect(findings[1]!.expected).toContain('(autovacuum_freeze_max_age could not be read)');
        expect(findings[1]!.detail).toContain('oldest tables in this database: ');
      },
    );
  });

  it('replication: the replicas and the slots that cannot be read are each their own error; the other is judged', async () => {
    await without(
      'REVOKE SELECT ON pg_catalog.pg_stat_replication FROM PUBLIC',
      'GRANT SELECT ON pg_catalog.pg_stat_replication TO PUBLIC',
      async () => {
        const findings = await runCheck(replicationCheck, role.url(db.name), {
          params: { expectedReplicas: 1 },
        });
        expect(statuses(findings)).toEqual(['db.replication.replicas:error', 'db.replication.slots:pass']);
        expect(findings[0]!.observed).toMatch(
          /^could not read the replicas streaming from this server: permission denied.* for view pg_stat_replication/,
        );
      },
    );
    await without(
      'REVOKE SELECT ON pg_catalog.pg_replication_slots FROM PUBLIC',
      'GRANT SELECT ON pg_catalog.pg_replication_slots TO PUBLIC',
      async () => {
        const findings = await runCheck(replicationCheck, role.url(db.name), {
          params: { expectedReplicas: 1 },
        });
        // Still judged: one replica expected, none attached.
        expect(statuses(findings)).toEqual(['db.replication.slots:error', 'db.replication.replicas:warn']);
        expect(findings[0]!.observed).toMatch(
          /^could not read the replication slots: permission denied.* for view pg_replication_slots/,
        );
        expect(findings[1]!.observed).toBe('no replica attached');
      },
    );
  });

  it('replication: a database side that cannot be read is one error; the RDS replicas are still judged', async () => {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'prod-fivestar-payments-db' })
      .resolves({
        DBInstances: [
          {
            DBInstanceIdentifier: 'prod-fivestar-payments-db',
            DBInstanceStatus: 'available',
            ReadReplicaDBInstanceIdentifiers: ['prod-fivestar-payments-db-replica-1'],
          },
        ],
      })
      .on(DescribeDBInstancesCommand, {
        Filters: [{ Name: 'db-instance-id', Values: ['prod-fivestar-payments-db-replica-1'] }],
      })
      .resolves({
        DBInstances: [
          { DBInstanceIdentifier: 'prod-fivestar-payments-db-replica-1', DBInstanceStatus: 'available' },
        ],
      });
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [{ Id: 'q0', Timestamps: [1, 2, 3, 4, 5].map(minutesAgo), Values: [1, 1, 2, 1, 1] }],
    });
    // Whether this server is a replica decides which queries to ask: without it, nothing of the
    // database side can be judged, but RDS can.
    await without(
      'REVOKE EXECUTE ON FUNCTION pg_catalog.pg_is_in_recovery() FROM PUBLIC',
      'GRANT EXECUTE ON FUNCTION pg_catalog.pg_is_in_recovery() TO PUBLIC',
      async () => {
        const findings = await runCheck(replicationCheck, role.url(db.name), { envName: 'prod' });
        expect(byId(findings, 'db.replication')).toMatchObject([
          {
            status: 'error',
            observed: expect.stringMatching(
              /^could not check: permission denied.* for function pg_is_in_recovery/,
            ),
          },
        ]);
        // prod expects two read replicas: one is a warning, and the one there is judged by its ReplicaLag.
        expect(statuses(findings).slice(1)).toEqual([
          'db.replication.rds-replicas:warn',
          'db.replication.rds-lag:pass',
        ]);
      },
    );
  });
});
