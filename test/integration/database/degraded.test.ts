// Near max_connections (here: a role with CONNECTION LIMIT 1), `db health` gets one connection of the
// three it asks for. Every check must still run on the connection it got, and the report says so.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/base/model/finding.js';
import { dbHealth } from '../../../src/commands/db-checks.js';
import {
  adminQuery,
  createPasswordRole,
  createTestDatabase,
  type PasswordRole,
  type TestDatabase,
} from '../../helpers/postgres.js';
import { type TestRuntime, testRuntime } from '../../helpers/runtime.js';

let runtime: TestRuntime;
beforeEach(() => {
  runtime = testRuntime();
});

describe('db health with fewer connections than it asks for', () => {
  let db: TestDatabase;
  let role: PasswordRole;
  beforeAll(async () => {
    db = await createTestDatabase('degraded');
    role = await createPasswordRole();
    await adminQuery(`ALTER ROLE ${role.user} CONNECTION LIMIT 1`);
  });
  afterAll(async () => {
    await db.cleanup();
    await role.cleanup();
  });

  it('runs every check on the one connection it got and says it ran degraded (1 of 3)', async () => {
    const code = await dbHealth({ dbUrl: role.url(db.name), output: 'json' }, runtime);
    const report = JSON.parse(runtime.out()) as Report;
    const errors = report.findings.filter((f) => f.status === 'error');
    expect(errors.map((f) => `${f.id}: ${f.observed}`)).toEqual([]);
    expect(new Set(report.findings.map((f) => f.id.split('.').slice(0, 2).join('.')))).toEqual(
      new Set([
        'db.connections',
        'db.long-queries',
        'db.locks',
        'db.slow-queries',
        'db.size',
        'db.indexes',
        'db.bloat',
        'db.wraparound',
        'db.sequences',
        'db.cache',
        'db.replication',
      ]),
    );
    expect(report.notes?.join('\n')).toMatch(
      /Ran degraded: the checks shared 1 of 3 connections \(the server refused the others: too many connections for role/,
    );
    expect(code).not.toBe(3);
  });

  it('with every connection granted, no degraded note', async () => {
    await dbHealth({ dbUrl: db.url, output: 'json' }, runtime);
    const report = JSON.parse(runtime.out()) as Report;
    expect(report.notes?.join('\n')).not.toMatch(/Ran degraded/);
  });
});
