import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slowQueriesCheck } from '../../../src/catalogue/checks/database/slow-queries.js';
import { type LocalServer, startLocalServer } from '../../../src/domain/db/local-server.js';
import { runCheck } from './check-helpers.js';

/** A second, short-lived server started WITHOUT pg_stat_statements in shared_preload_libraries. */
describe('pg_stat_statements created but not preloaded (ops guide §13.2.2)', () => {
  let server: LocalServer;
  const url = (user = 'postgres') => {
    const u = new URL(server.adminUrl);
    u.username = user;
    return u.toString();
  };
  beforeAll(async () => {
    server = await startLocalServer({ settings: { shared_preload_libraries: "''" } });
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    try {
      await admin.query('CREATE EXTENSION pg_stat_statements; CREATE ROLE plain_reader LOGIN');
    } finally {
      await admin.end();
    }
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('says it is not preloaded and how to fix it, for a superuser who can read the setting', async () => {
    const findings = await runCheck(slowQueriesCheck, url());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      id: 'db.slow-queries.extension',
      status: 'warn',
      observed: 'pg_stat_statements is not in shared_preload_libraries: slow queries cannot be measured',
    });
    expect(findings[0]!.remediation).toContain('shared_preload_libraries');
    expect(findings[0]!.remediation).toContain('DB parameter group and reboot');
  });

  it('finds the same for a role that may not read shared_preload_libraries (the view itself refuses)', async () => {
    const findings = await runCheck(slowQueriesCheck, url('plain_reader'));
    expect(findings.map((f) => `${f.id}:${f.status}`)).toEqual(['db.slow-queries.extension:warn']);
    expect(findings[0]!.observed).toContain('not in shared_preload_libraries');
  });
});
