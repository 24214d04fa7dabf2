import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS, runFsops } from '../helpers/cli.js';
import { type FakeAws, startFakeWorld } from '../helpers/fake-aws.js';

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function config(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fsops-cfg-')), 'fsops.config.yaml');
  writeFileSync(file, text);
  return file;
}

const validate = (env: string, ...args: string[]) =>
  runFsops(['validate', env, '--endpoint-url', fake!.url, ...args], FAKE_CREDENTIALS);

describe('fsops validate against a local AWS endpoint', () => {
  it('a healthy prod passes with exit 0 and the docs/architecture.md JSON report', async () => {
    fake = await startFakeWorld('prod');
    const result = await validate('prod', '--output', 'json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ command: 'validate', env: 'prod', status: 'pass' });
    expect(typeof report.durationMs).toBe('number');
    expect(new Date(report.startedAt).toString()).not.toBe('Invalid Date');
    const ids = new Set(report.findings.map((f: { id: string }) => f.id.split('.').slice(0, 2).join('.')));
    for (const prefix of [
      'ecs.service',
      'ecs.task-size',
      'rds.instance',
      'health.endpoints',
      'cloudwatch.alarms',
      'logs.group',
      'logs.recent-errors',
      'ssm.maintenance-mode',
    ]) {
      expect(ids, prefix).toContain(prefix);
    }
    for (const f of report.findings) {
      expect(Object.keys(f)).toEqual([
        'id',
        'title',
        'status',
        'severity',
        'resource',
        'detail',
        'expected',
        'observed',
        'remediation',
        'source',
      ]);
      expect(f.source).not.toBe('');
    }
    // the identity guard ran first, then one batched DescribeServices for both components
    expect(fake.calls[0]).toMatchObject({ service: 'sts', action: 'GetCallerIdentity' });
    expect(fake.calls.filter((c) => c.action === 'DescribeServices')).toHaveLength(1);
  });

  it('a broken deploy fails with exit 1 and says what to do', async () => {
    fake = await startFakeWorld('prod', {
      service: (svc, component) =>
        component === 'internal-pe'
          ? {
              ...svc,
              runningCount: 1,
              deployments: [{ ...svc.deployments[0], rolloutState: 'FAILED', failedTasks: 3 }],
            }
          : svc,
      maintenanceMode: 'true',
      http: { '/ready': { status: 503 } },
    });
    const result = await validate('prod', '--only-problems');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^fsops validate prod: FAIL/);
    expect(result.stdout).toContain('observed: 1 running, 0 pending, 3 desired');
    expect(result.stdout).toContain('fsops maintenance mode off --env prod');
    expect(result.stdout).toContain('fsops rollback internal-pe --env prod');
    expect(result.stdout).not.toContain('PASS ');
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });

  it('--strict turns warnings into exit 1; junit and markdown render the same findings', async () => {
    fake = await startFakeWorld('staging', {
      errorEvents: [{ message: 'ERROR timeout calling razorpay', timestamp: Date.now() }],
    });
    expect((await validate('staging')).code).toBe(0);
    expect((await validate('staging', '--strict')).code).toBe(1);
    const junit = await validate('staging', '--output', 'junit');
    expect(junit.stdout).toMatch(/^<\?xml/);
    expect(junit.stdout).toContain('WARNING');
    const markdown = await validate('staging', '--output', 'markdown');
    expect(markdown.stdout).toContain('| ⚠️ warn | Recent ERROR events in application logs |');
  });

  it('FORCE_COLOR colors the text report, --no-color and NO_COLOR do not', async () => {
    fake = await startFakeWorld('dev');
    expect(
      (
        await runFsops(['validate', 'dev', '--endpoint-url', fake.url], {
          ...FAKE_CREDENTIALS,
          NO_COLOR: undefined,
          FORCE_COLOR: '1',
        })
      ).stdout,
    ).toMatch(/\u001b\[/);
    expect(
      (
        await runFsops(['validate', 'dev', '--endpoint-url', fake.url, '--no-color'], {
          ...FAKE_CREDENTIALS,
          FORCE_COLOR: '1',
        })
      ).stdout,
    ).not.toMatch(/\u001b\[/);
    expect(
      (
        await runFsops(['validate', 'dev', '--endpoint-url', fake.url], {
          ...FAKE_CREDENTIALS,
          NO_COLOR: '1',
        })
      ).stdout,
    ).not.toMatch(/\u001b\[/);
  });

  it('honours AWS_ENDPOINT_URL as the AWS CLI does', async () => {
    fake = await startFakeWorld('dev');
    const result = await runFsops(['validate', 'dev', '--output', 'json'], {
      ...FAKE_CREDENTIALS,
      AWS_ENDPOINT_URL: fake.url,
    });
    expect(result.code).toBe(0);
    expect(fake.calls.length).toBeGreaterThan(5);
  });

  it('stops before any check when the credentials belong to another account', async () => {
    fake = await startFakeWorld('staging');
    const result = await validate('prod');
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'fsops: wrong AWS account for prod: credentials are for 123456789013, the config expects 123456789014 (use --profile, or set environments.prod.accountId)',
    );
    expect(fake.calls.map((c) => c.action)).toEqual(['GetCallerIdentity']);
  });
});

describe('faults through the local endpoint', () => {
  it('retries throttled calls until they succeed', async () => {
    fake = await startFakeWorld(
      'prod',
      {},
      { faults: [{ service: 'ecs', action: 'DescribeServices', kind: 'throttle', times: 2 }] },
    );
    const result = await validate('prod', '--output', 'json');
    expect(result.code).toBe(0);
    expect(fake.calls.filter((c) => c.action === 'DescribeServices')).toHaveLength(3);
  });

  it('a call that times out becomes an error finding while every other check still reports', async () => {
    fake = await startFakeWorld(
      'prod',
      {},
      { faults: [{ service: 'rds', action: 'DescribeDBInstances', kind: 'hang' }] },
    );
    const file = config('aws: { maxAttempts: 2, requestTimeoutMs: 400, connectTimeoutMs: 400 }\n');
    const result = await validate('prod', '--output', 'json', '--config', file);
    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout);
    expect(report.status).toBe('error');
    const errors = report.findings.filter((f: { status: string }) => f.status === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      id: 'rds.instance',
      observed: expect.stringMatching(/could not check: .*time/i),
    });
    expect(report.findings.filter((f: { status: string }) => f.status === 'pass').length).toBeGreaterThan(20);
  });
});
