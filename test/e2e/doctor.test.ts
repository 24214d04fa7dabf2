import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { allActions } from '../../src/base/aws/permissions.js';
import { FAKE_CREDENTIALS, runFsops } from '../helpers/cli.js';
import { AwsFault, type FakeAws, startFakeWorld } from '../helpers/fake-aws.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

interface Finding {
  id: string;
  status: string;
  resource: string;
  observed: string;
  remediation: string;
}

let fake: FakeAws | undefined;
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('doctor');
});
afterAll(async () => {
  await db.cleanup();
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** The fake world of prod, whose IAM allows every action fsops needs except `denied`. */
async function world(denied: string[] = []) {
  fake = await startFakeWorld('prod');
  fake.handlers.iam = {
    ...fake.handlers.iam,
    SimulatePrincipalPolicy: (input: Record<string, string>) => {
      const actions = Object.entries(input)
        .filter(([key]) => key.startsWith('ActionNames.member.'))
        .map(([, value]) => value);
      return {
        IsTruncated: false,
        EvaluationResults: actions.map((action) => ({
          EvalActionName: action,
          EvalResourceName: '*',
          EvalDecision: denied.includes(action) ? 'implicitDeny' : 'allowed',
        })),
      };
    },
  };
  return fake;
}

const doctor = (...args: string[]) =>
  runFsops(['doctor', '--endpoint-url', fake!.url, '--output', 'json', ...args], FAKE_CREDENTIALS);
const byId = (findings: Finding[], id: string) => findings.find((f) => f.id === id);

describe('fsops doctor against the fake AWS and a real PostgreSQL', () => {
  it('a denied action fails its command family with the fix; everything else passes (exit 1)', async () => {
    await world(['ecs:UpdateService']);
    const result = await doctor('--env', 'prod', '--db-url', db.url);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ command: 'doctor', env: 'prod', status: 'fail' });
    const findings: Finding[] = report.findings;
    expect(byId(findings, 'doctor.node')?.status).toBe('pass');
    expect(byId(findings, 'doctor.config')).toMatchObject({ status: 'pass', resource: 'built-in defaults' });
    expect(byId(findings, 'doctor.credentials')).toMatchObject({
      status: 'pass',
      observed: 'arn:aws:iam::123456789014:user/oncall in account 123456789014',
    });
    expect(byId(findings, 'doctor.database')?.status).toBe('pass');
    expect(byId(findings, 'doctor.permissions.service-changes')).toMatchObject({
      status: 'fail',
      resource: 'arn:aws:iam::123456789014:user/oncall',
      observed: 'not allowed: ecs:UpdateService (implicitDeny)',
    });
    expect(byId(findings, 'doctor.permissions.service-changes')?.remediation).toMatch(
      /^Allow ecs:UpdateService in a policy of arn:aws:iam::123456789014:user\/oncall \(needed by rollback, restart, scale/,
    );
    const families = findings.filter((f) => f.id.startsWith('doctor.permissions.'));
    // ecs:UpdateService serves deploy, rollback/restart/scale and recover.
    expect(families.filter((f) => f.status !== 'pass').map((f) => f.id)).toEqual([
      'doctor.permissions.deploy',
      'doctor.permissions.service-changes',
      'doctor.permissions.recover',
    ]);
    // One simulation for the whole list, of exactly the actions src/base/aws/permissions.ts names.
    const simulations = fake!.calls.filter((c) => c.action === 'SimulatePrincipalPolicy');
    expect(simulations).toHaveLength(1);
    expect(simulations[0]!.input.PolicySourceArn).toBe('arn:aws:iam::123456789014:user/oncall');
    expect(
      Object.entries(simulations[0]!.input)
        .filter(([key]) => key.startsWith('ActionNames.'))
        .map(([, value]) => value)
        .sort(),
    ).toEqual(allActions());
  });

  it('all allowed and reachable: exit 0; text output', async () => {
    await world();
    const result = await runFsops(
      ['doctor', '--env', 'prod', '--endpoint-url', fake!.url, '--db-url', db.url],
      FAKE_CREDENTIALS,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^fsops doctor prod: PASS/);
  });

  it('iam:SimulatePrincipalPolicy itself denied: an error finding that says what to grant, never a pass (exit 3)', async () => {
    await world();
    fake!.handlers.iam!.SimulatePrincipalPolicy = () => {
      throw new AwsFault(
        'AccessDenied',
        'User is not authorized to perform: iam:SimulatePrincipalPolicy',
        403,
      );
    };
    const result = await doctor('--env', 'prod', '--db-url', db.url);
    expect(result.code).toBe(3);
    const permissions = byId(JSON.parse(result.stdout).findings, 'doctor.permissions');
    expect(permissions).toMatchObject({ status: 'error' });
    expect(permissions?.remediation).toMatch(
      /^Allow iam:SimulatePrincipalPolicy on arn:aws:iam::123456789014:user\/oncall/,
    );
  });

  it('credentials of another account fail the environment with the fix', async () => {
    await world();
    const result = await doctor('--env', 'dev', '--db-url', db.url);
    expect(result.code).toBe(1);
    expect(byId(JSON.parse(result.stdout).findings, 'doctor.credentials')).toMatchObject({
      status: 'fail',
      resource: 'dev',
      observed: 'arn:aws:iam::123456789014:user/oncall in account 123456789014',
    });
  });

  it('a broken config: the config finding says where fsops looked and how to fix it; the environments are not checked', async () => {
    await world();
    const file = join(mkdtempSync(join(tmpdir(), 'fsops-doctor-')), 'fsops.config.yaml');
    writeFileSync(file, 'environments:\n  prod: { accountId: 12 }\n');
    const result = await doctor('--config', file);
    expect(result.code).toBe(1);
    const findings: Finding[] = JSON.parse(result.stdout).findings;
    expect(byId(findings, 'doctor.config')).toMatchObject({ status: 'fail', resource: file });
    expect(byId(findings, 'doctor.config')?.remediation).toContain(`fsops config validate --config ${file}`);
    expect(byId(findings, 'doctor.environments')?.status).toBe('error');
    expect(fake!.calls).toEqual([]);
  });

  it('an unknown --env is bad input: one line, exit 2', async () => {
    await world();
    const result = await runFsops(['doctor', '--env', 'qa'], FAKE_CREDENTIALS);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^fsops: unknown environment 'qa': valid environments are dev, staging, prod\n$/,
    );
  });
});
