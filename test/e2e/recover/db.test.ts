import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServer, startLocalServer } from '../../../src/domain/db/local-server.js';
import type { IncidentRecord } from '../../../src/domain/incident/record.js';
import { IncidentStore } from '../../../src/domain/incident/store.js';
import { type CliResult, FAKE_CREDENTIALS, startFsops } from '../../helpers/cli.js';
import type { backupRds, FakeAws } from '../../helpers/fake-aws.js';
import { incidentRecord } from '../../helpers/incident.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';
import {
  copyDatabaseUrl,
  type JsonFinding,
  restoreWorld,
  sql,
  stagingDatabaseConfig,
  tenMinutesAgo,
} from '../../helpers/restore.js';

/**
 * `fsops recover db` end to end: bin/fsops against the local AWS endpoint (restore, renames, waits, SSM,
 * ECS) with the live database on the shared test server and the restored copy a second real PostgreSQL
 * server holding the data as it was at T. Corruption after T is planted on live; crashes are real
 * (SIGKILL of the process while the fake endpoint handles a step's call).
 */

let fake: FakeAws | undefined;
let live: TestDatabase;
let copyServer: LocalServer;

const AT_T = `CREATE SCHEMA payment;
  CREATE TABLE payment.payments (id int PRIMARY KEY, amount numeric NOT NULL, created_at timestamptz NOT NULL);
  INSERT INTO payment.payments SELECT g, 10 * g, now() - interval '20 minutes' - g * interval '1 second' FROM generate_series(1, 200) g;`;

const copyUrl = () => copyDatabaseUrl(copyServer, live.name);

const count = async (url: string) =>
  (await sql(url, 'SELECT count(*)::int AS n FROM payment.payments'))[0]!.n;

async function plant(): Promise<void> {
  await sql(live.url, 'DROP SCHEMA IF EXISTS payment CASCADE');
  await sql(live.url, AT_T);
  // After T: 15 rows deleted, 7 updated, 3 written.
  await sql(
    live.url,
    `DELETE FROM payment.payments WHERE id BETWEEN 21 AND 35;
     UPDATE payment.payments SET amount = 0 WHERE id BETWEEN 101 AND 107;
     INSERT INTO payment.payments SELECT g, 1, now() FROM generate_series(201, 203) g;`,
  );
}

interface World {
  state: ReturnType<typeof backupRds>['state'];
  ssm: { value: string | undefined; puts: string[] };
  ecs: { desired: Record<string, number>; updates: Record<string, unknown>[] };
  dirs: { recoveries: string; incidents: string; home: string };
  config: string;
}

/** A crash: SIGKILL of the running fsops the moment the fake endpoint sees the nth call of `action`. */
let crash: { action: string; nth: number; seen: number } | null = null;
let running: ChildProcess | null = null;

function crashPoint(action: string) {
  if (crash?.action !== action) return;
  crash.seen += 1;
  if (crash.seen === crash.nth) running?.kill('SIGKILL');
}

async function world(options: { writers?: string[]; restoreDelayMs?: number } = {}): Promise<World> {
  const desired: Record<string, number> = {
    'staging-internal-pe-service': 2,
    'staging-customer-portal-service': 2,
  };
  const { fake: started, rds } = await restoreWorld(
    copyServer,
    { restoreDelayMs: options.restoreDelayMs ?? 200, renameDelayMs: 200 },
    {
      service: (s) => ({
        ...s,
        desiredCount: desired[s.serviceName as string],
        runningCount: desired[s.serviceName as string],
      }),
    },
  );
  fake = started;
  const handlers = fake.handlers.rds as Record<string, (input: Record<string, string>) => unknown>;
  const wrap = (action: string) => {
    const inner = handlers[action]!;
    handlers[action] = (input) => {
      const out = inner(input);
      crashPoint(action);
      return out;
    };
  };
  for (const action of ['RestoreDBInstanceToPointInTime', 'ModifyDBInstance']) wrap(action);
  const ssm = { value: 'false' as string | undefined, puts: [] as string[] };
  fake.handlers.ssm = {
    GetParameter: ({ Name }) => {
      if (ssm.value === undefined) throw new Error('unreachable');
      return { Parameter: { Name, Value: ssm.value } };
    },
    PutParameter: ({ Value }) => {
      ssm.value = String(Value);
      ssm.puts.push(String(Value));
      crashPoint('PutParameter');
      return { Version: ssm.puts.length };
    },
  };
  const ecs = { desired, updates: [] as Record<string, unknown>[] };
  fake.handlers.ecs!.UpdateService = (input) => {
    ecs.updates.push(input);
    if (input.desiredCount !== undefined) desired[input.service as string] = Number(input.desiredCount);
    crashPoint('UpdateService');
    return { service: { serviceName: input.service, deployments: [] } };
  };
  const { file: config, dir: home } = stagingDatabaseConfig(
    live.name,
    (dir) => `  pollSeconds: 0.05
  verify:
    keyTables:
      - { table: payment.payments, timestampColumn: created_at }
  recover: { directory: '${join(dir, 'recoveries')}', writerComponents: [${(options.writers ?? ['internal-pe']).join(', ')}], timeoutMinutes: 1 }
`,
    'fsops-recover-',
  );
  const dirs = { recoveries: join(home, 'recoveries'), incidents: join(home, 'incidents'), home };
  return { state: rds.state, ssm, ecs, dirs, config };
}

/** Runs bin/fsops; the child is `running` (for crash points) until it exits. */
async function fsops(w: World, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const run = startFsops(
    ['recover', 'db', '--env', 'staging', '--endpoint-url', fake!.url, '--config', w.config, ...args],
    {
      HOME: w.dirs.home,
      FSOPS_AUDIT_FILE: join(w.dirs.home, 'audit.jsonl'),
      FSOPS_INCIDENT_DIR: w.dirs.incidents,
      ...FAKE_CREDENTIALS,
      ...env,
    },
  );
  running = run.child;
  try {
    return await run.result;
  } finally {
    running = null;
  }
}

const T = tenMinutesAgo;
const LIVE = 'staging-fivestar-payments-db';

function journalIds(w: World): string[] {
  return readdirSync(w.dirs.recoveries)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5));
}

const journal = (w: World, id: string) =>
  JSON.parse(readFileSync(join(w.dirs.recoveries, `${id}.json`), 'utf8'));

/** The end state of a completed recovery: the copy at the live name, the old one kept, writes back on. */
async function expectRecovered(w: World, id: string): Promise<void> {
  const { state } = w;
  const copyNow = state.instances.get(LIVE);
  expect(copyNow, 'the copy took the live name').toBeDefined();
  expect(copyNow!.instance.TagList).toEqual(
    expect.arrayContaining([
      { Key: 'fsops-recovery', Value: id },
      { Key: 'recovery-role', Value: 'copy' },
    ]),
  );
  expect(state.source.DBInstanceIdentifier).toMatch(
    /^staging-fivestar-payments-db-pre-recovery-\d{8}-\d{6}$/,
  );
  expect(state.source.DeletionProtection).toBe(true);
  expect(state.source.TagList).toEqual(expect.arrayContaining([{ Key: 'fsops-recovery', Value: id }]));
  expect(state.deleted).toEqual([]);
  // The database now behind the live name (the copy) holds the rows as at T; the old one is untouched.
  expect(await count(copyUrl())).toBe(200);
  expect(await count(live.url)).toBe(188);
  expect(w.ssm.value).toBe('false');
  expect(w.ecs.desired['staging-internal-pe-service']).toBe(2);
  expect(journal(w, id).state).toBe('done');
  expect(readdirSync(w.dirs.recoveries).filter((f) => f.endsWith('.active'))).toEqual([]);
}

beforeAll(async () => {
  live = await createTestDatabase('recover_db');
  copyServer = await startLocalServer();
  await sql(copyServer.adminUrl, `CREATE DATABASE ${live.name}`);
  await sql(copyUrl(), AT_T);
}, 60_000);

afterAll(async () => {
  await live?.cleanup();
  await copyServer?.stop();
});

afterEach(async () => {
  crash = null;
  await fake?.close();
  fake = undefined;
});

/** The open SEV1 the recovery is recorded in (test/helpers/incident.ts), in staging, started now. */
const openIncident = (id: string): IncidentRecord =>
  incidentRecord(id, {
    revision: 0,
    env: 'staging',
    title: 'payments corrupted',
    startedAt: new Date().toISOString(),
  });

describe('fsops recover db (bin/fsops, local AWS endpoint, two real PostgreSQL servers)', () => {
  it('recovers a planted corruption: writes stopped, restored to T with the source settings, verified, cut over, validated; RTO/RPO measured; incident timeline and audit', async () => {
    await plant();
    const w = await world();
    const incident = new IncidentStore(w.dirs.incidents).create(openIncident, new Date());
    const checks = join(w.dirs.home, 'checks.sql');
    writeFileSync(
      checks,
      'SELECT count(*) = 200 FROM payment.payments;\nSELECT NOT EXISTS (SELECT 1 FROM payment.payments WHERE amount = 0);\n',
    );
    const t = T();
    const report = join(w.dirs.home, 'recovery.md');
    const result = await fsops(w, [
      ...['--to-time', t, '--verify-sql', checks, '--incident', incident.id],
      ...['--yes', '--output', 'json', '--report', report],
    ]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const findings: JsonFinding[] = JSON.parse(result.stdout).findings;
    const one = (id: string) => findings.filter((f) => f.id === id);
    expect(one('recover.verify.damage')[0]).toMatchObject({
      status: 'warn',
      observed: 'live 188, copy 200 (+12 after the recovery)',
    });
    expect(one('recover.verify.assertion').map((f) => f.status)).toEqual(['pass', 'pass']);
    expect(one('backup.verify.schema')[0]!.status).toBe('pass');
    expect(one('recover.rto')[0]!.status).toBe('pass');
    expect(one('recover.rpo')[0]).toMatchObject({ status: 'pass' });
    // The restore: at T, with the source's settings and tags.
    expect(w.state.restores).toHaveLength(1);
    // Compared as instants: the SDK writes a whole second without its `.000`.
    expect(Date.parse(String(w.state.restores[0]!.input.RestoreTime))).toBe(Date.parse(t));
    expect(w.state.restores[0]!.input).toMatchObject({
      Action: 'RestoreDBInstanceToPointInTime',
      SourceDBInstanceIdentifier: LIVE,
      DBSubnetGroupName: 'staging-fivestar-db-subnets',
      'VpcSecurityGroupIds.VpcSecurityGroupId.1': 'sg-staging-db',
      MultiAZ: 'true',
      PubliclyAccessible: 'false',
      BackupRetentionPeriod: '14',
      DeletionProtection: 'false',
    });
    const [id] = journalIds(w);
    await expectRecovered(w, id!);
    // Writes stopped first (maintenance mode on, the writer at 0), restored at the end.
    expect(w.ssm.puts).toEqual(['true', 'false']);
    expect(w.ecs.updates[0]).toMatchObject({ service: 'staging-internal-pe-service', desiredCount: 0 });
    expect(
      w.ecs.updates.filter((u) => u.forceNewDeployment === 'true' || u.forceNewDeployment === true),
    ).toHaveLength(2);
    // Each step audited "started" before it acted.
    const audit = readFileSync(join(w.dirs.home, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .map((l) => `${l.command} ${l.result}`);
    expect(audit).toEqual([
      'recover db: recover.stop-writes started',
      'recover db: recover.stop-writes succeeded',
      'recover db: recover.restore started',
      'recover db: recover.restore succeeded',
      'recover db: recover.verify started',
      'recover db: recover.verify succeeded',
      'recover db (cut-over): recover.cutover started',
      'recover db (cut-over): recover.cutover succeeded',
      'recover db (cut-over): recover.resume-service started',
      'recover db (cut-over): recover.resume-service succeeded',
    ]);
    const timeline = new IncidentStore(w.dirs.incidents).read(incident.id).timeline.map((e) => e.event);
    expect(timeline).toContain(`recovery ${id}: writes stopped (maintenance mode on, writers at 0)`);
    expect(timeline.at(-1)).toBe(`recovery ${id}: service validated, writes back on: recovery done`);
    expect(readFileSync(report, 'utf8')).toMatch(/Recovery time: recovery asked for to validated service/);
  }, 60_000);

  it.each([
    ['stop writes (maintenance mode on)', 'PutParameter', 1],
    ['restore requested', 'RestoreDBInstanceToPointInTime', 1],
    ['cut-over: live renamed', 'ModifyDBInstance', 1],
    ['cut-over: copy renamed to the live name', 'ModifyDBInstance', 2],
    ['restart (first force-new-deployment)', 'UpdateService', 2],
  ])(
    'a crash at "%s" (SIGKILL) is resumed with --resume to the same end state',
    async (_step, action, nth) => {
      await plant();
      const w = await world();
      crash = { action, nth, seen: 0 };
      const killed = await fsops(w, ['--to-time', T(), '--yes']);
      expect(killed.code).toBe(137);
      crash = null;
      const [id] = journalIds(w);
      expect(journal(w, id!).state).toBe('running');
      // A second recovery of the environment is refused while this one is under way.
      const second = await fsops(w, ['--to-time', T(), '--yes']);
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(
        new RegExp(`a recovery of staging is already under way \\(${id}\\): continue it with --resume ${id}`),
      );
      const resumed = await fsops(w, ['--resume', id!, '--yes', '--output', 'json']);
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      expect(w.state.restores).toHaveLength(1);
      await expectRecovered(w, id!);
    },
    90_000,
  );

  it('Ctrl-C while waiting for the restore: exit 130, INTERRUPTED, the journal kept; --resume waits for the same copy and finishes', async () => {
    await plant();
    const w = await world({ restoreDelayMs: 4000 });
    const pending = fsops(w, ['--to-time', T(), '--yes']);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (w.state.restores.length > 0) {
          clearInterval(poll);
          resolve();
        }
      }, 50);
    });
    await new Promise((r) => setTimeout(r, 300));
    running!.kill('SIGINT');
    const interrupted = await pending;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stdout).toMatch(/INTERRUPTED/);
    const [id] = journalIds(w);
    expect(interrupted.stdout).toContain(`--resume ${id}`);
    expect(w.state.modifications).toEqual([]);
    const resumed = await fsops(w, ['--resume', id!, '--yes']);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(w.state.restores).toHaveLength(1);
    await expectRecovered(w, id!);
  }, 60_000);

  it('--abort after the rename undoes it: the instance before the recovery back at the live name, writers and maintenance mode as before', async () => {
    await plant();
    const w = await world();
    crash = { action: 'UpdateService', nth: 2, seen: 0 };
    expect((await fsops(w, ['--to-time', T(), '--yes'])).code).toBe(137);
    crash = null;
    const [id] = journalIds(w);
    expect(w.state.instances.has(LIVE)).toBe(true);
    const dry = await fsops(w, ['--abort', id!, '--dry-run']);
    expect(dry.stdout).toMatch(
      /rename staging-fivestar-payments-db \(the copy\) back to staging-fivestar-payments-db-recovery-/,
    );
    const aborted = await fsops(w, ['--abort', id!, '--yes', '--output', 'json']);
    expect(aborted.code, aborted.stdout + aborted.stderr).toBe(0);
    expect(w.state.source.DBInstanceIdentifier).toBe(LIVE);
    expect(w.state.instances.has(LIVE)).toBe(false);
    expect([...w.state.instances.keys()]).toEqual([journal(w, id!).names.copy]);
    expect(w.ssm.value).toBe('false');
    expect(w.ecs.desired['staging-internal-pe-service']).toBe(2);
    const copyLeft = JSON.parse(aborted.stdout).findings.find(
      (f: JsonFinding) => f.resource === journal(w, id!).names.copy,
    );
    expect(copyLeft).toMatchObject({
      status: 'warn',
      observed: expect.stringMatching(/never deletes a database/),
    });
    expect(journal(w, id!).state).toBe('aborted');
    // The environment is free again.
    expect(readdirSync(w.dirs.recoveries).filter((f) => f.endsWith('.active'))).toEqual([]);
  }, 60_000);

  it("a copy that fails the engineer's assertion is not cut over: writes stay stopped, exit 3", async () => {
    await plant();
    const w = await world();
    const checks = join(w.dirs.home, 'checks.sql');
    writeFileSync(checks, 'SELECT count(*) = 999 FROM payment.payments;\n');
    const result = await fsops(w, ['--to-time', T(), '--verify-sql', checks, '--yes', '--output', 'json']);
    expect(result.code).toBe(1);
    const findings: JsonFinding[] = JSON.parse(result.stdout).findings;
    expect(findings.find((f) => f.id === 'recover.verify.assertion')).toMatchObject({
      status: 'fail',
      observed: 'returned false',
    });
    expect(findings.find((f) => f.id === 'recover.cutover')?.observed).toMatch(
      /did not pass its verification/,
    );
    expect(w.state.source.DBInstanceIdentifier).toBe(LIVE);
    expect(w.state.modifications).toEqual([]);
    expect(w.ssm.value).toBe('true');
  }, 60_000);

  it.each([
    [
      ['--to-time', '2020-01-01T00:00:00Z', '--yes'],
      /^fsops: cannot restore staging-fivestar-payments-db to 2020-01-01T00:00:00Z: is before the earliest restorable time/,
    ],
    [['--yes'], /^fsops: recover db needs exactly one of --to-time/],
    [['--to-time', 'now', '--yes'], /^fsops: --to-time 'now' is not an ISO 8601 time/],
    [
      ['--resume', 'rec-staging-20261129-000000', '--yes'],
      /^fsops: no recovery rec-staging-20261129-000000 under /,
    ],
  ])('bad input %j: one line, exit 2, nothing changed', async (args, message) => {
    await plant();
    const w = await world();
    const result = await fsops(w, args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(w.state.restores).toHaveLength(0);
    expect(w.ssm.puts).toEqual([]);
  });

  it('no terminal and no --yes: refused (exit 2), nothing changed; --dry-run shows the whole plan and changes nothing', async () => {
    await plant();
    const w = await world();
    const refused = await fsops(w, ['--to-time', T()]);
    expect(refused.code).toBe(2);
    const dry = await fsops(w, ['--to-time', T(), '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/stop writes: SSM PutParameter/);
    expect(dry.stdout).toMatch(/then, ONLY after a second confirmation showing this verification:/);
    expect(w.state.restores).toHaveLength(0);
    expect(w.ssm.puts).toEqual([]);
    expect(readdirSync(w.dirs.home)).not.toContain('recoveries');
  });
});
