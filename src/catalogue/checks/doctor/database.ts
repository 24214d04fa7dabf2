import { defineCheck, noParams } from '../../../base/model/check.js';

/** Opens the environment's read-only diagnostic session (its secret, or --db-url/--db-host/--db-port). */
export const databaseReachableCheck = defineCheck({
  id: 'doctor.database',
  title: 'The database is reachable',
  severity: 'high',
  source: 'ops guide §13.2.2; deployment guide §12.1.2 (database connection timeouts)',
  remediation:
    'From outside the VPC, open a tunnel (SSM port forwarding) and pass --db-host 127.0.0.1 --db-port <port>; `fsops net db-path --env <env>` checks the security groups.',
  params: noParams,
  async run(ctx) {
    try {
      const db = await ctx.db();
      const rows = await db.query<{ database: string }>('select current_database() as database');
      const major = Math.floor(db.serverVersion / 10_000);
      return [
        {
          status: 'pass',
          resource: ctx.env.name,
          expected: 'a read-only session opens',
          observed: `connected to ${rows[0]?.database ?? 'the database'} (PostgreSQL ${major}, read-only session)`,
        },
      ];
    } catch (error) {
      const reason = String((error as Error).message ?? error).split('\n')[0]!;
      return [
        {
          status: 'fail',
          resource: ctx.env.name,
          expected: 'a read-only session opens',
          observed: `not reachable: ${reason}`,
          ...(/credentials|access denied/i.test(reason)
            ? {
                remediation:
                  'The secret could not be read: fix the credentials first (doctor.credentials), or pass --db-url.',
              }
            : {}),
        },
      ];
    }
  },
});
