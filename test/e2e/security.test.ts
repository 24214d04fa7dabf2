// `fsops security` end to end: bin/fsops against the local AWS endpoint (see security-world.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS, runFsops } from '../helpers/cli.js';
import type { FakeAws } from '../helpers/fake-aws.js';
import { loadedModules, MODULE_PROBE, sdkModules } from './module-probe.js';
import { securityWorld } from './security-world.js';

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const security = (...args: string[]) =>
  runFsops(['security', '--env', 'prod', '--endpoint-url', fake!.url, ...args], FAKE_CREDENTIALS);

interface JsonFinding {
  id: string;
  status: string;
  resource: string;
  observed: string;
  detail: string;
  source: string;
}

describe('fsops security against a local AWS endpoint', () => {
  it('a clean account passes (exit 0), every finding with its source', async () => {
    fake = await securityWorld();
    const result = await security('--output', 'json');
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as { command: string; status: string; findings: JsonFinding[] };
    const notPassing = report.findings.filter((f) => f.status !== 'pass' && f.status !== 'skip');
    expect(notPassing).toEqual([]);
    expect(result.code).toBe(0);
    expect(report).toMatchObject({ command: 'security', status: 'pass' });
    expect(report.findings.every((f) => f.source.length > 0)).toBe(true);
  });

  it('finds every planted problem and reports an access-denied API as could not check (exit 1)', async () => {
    fake = await securityWorld({
      highFinding: true,
      noLogValidation: true,
      worldOpen5432: true,
      staleSecret: true,
      wildcardRole: true,
      deniedGetRole: true,
    });
    const result = await security('--output', 'json');
    expect(result.code).toBe(1);
    const { findings } = JSON.parse(result.stdout) as { findings: JsonFinding[] };
    const failed = (id: string) => findings.filter((f) => f.id === id && f.status === 'fail');
    expect(failed('security.guardduty.high')[0]?.detail).toContain('Credentials exfiltrated from i-0abc');
    expect(failed('security.cloudtrail.log-validation')[0]?.resource).toBe('org-trail');
    expect(failed('security.network.world-open')[0]?.observed).toContain('tcp 5432 from 0.0.0.0/0');
    expect(failed('security.secret.rotation')[0]?.observed).toContain('200 days ago');
    expect(failed('security.iam.role-wildcard')[0]?.resource).toContain('ecsTaskRole');
    expect(findings.find((f) => f.id === 'security.iam.cross-account-trust')).toMatchObject({
      status: 'error',
      observed: expect.stringMatching(
        /^could not read the trust policy of \S+: missing permission iam:GetRole$/,
      ),
    });
  });

  it('--output junit is an evidence report with a failure per failed control', async () => {
    fake = await securityWorld({ worldOpen5432: true });
    const result = await security('--output', 'junit');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^<\?xml/);
    expect(result.stdout).toContain('fsops security prod');
    expect(result.stdout).toMatch(/<failure[^>]*>[^<]*tcp 5432 from 0.0.0.0\/0/);
  });

  it('runs as `fsops runbook run security` too, with the same findings', async () => {
    fake = await securityWorld({ staleSecret: true });
    const result = await runFsops(
      ['runbook', 'run', 'security', '--env', 'prod', '--endpoint-url', fake.url, '--output', 'json'],
      FAKE_CREDENTIALS,
    );
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { command: string; findings: JsonFinding[] };
    expect(report.command).toBe('runbook run security');
    expect(report.findings.filter((f) => f.status === 'fail').map((f) => f.id)).toEqual([
      'security.secret.rotation',
    ]);
  });

  it('--help loads no AWS SDK; an unknown environment is one line and exit 2', async () => {
    const help = await runFsops(['security', '--help'], {}, MODULE_PROBE);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('§3.1.2');
    expect(sdkModules(loadedModules(help.stderr))).toEqual([]);
    const bad = await runFsops(['security', '--env', 'production']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('GuardDuty (REST-JSON) throttled twice is retried; a CloudTrail call that hangs is an error finding, the rest still report', async () => {
    fake = await securityWorld(
      {},
      {
        faults: [
          { service: 'guardduty', action: 'GET /detector', kind: 'throttle', times: 2 },
          { service: 'cloudtrail', action: 'DescribeTrails', kind: 'hang' },
        ],
      },
    );
    const file = join(mkdtempSync(join(tmpdir(), 'fsops-cfg-')), 'fsops.config.yaml');
    writeFileSync(file, 'aws: { maxAttempts: 3, requestTimeoutMs: 500, connectTimeoutMs: 500 }\n');
    const result = await security('--output', 'json', '--config', file);
    expect(result.code).toBe(3);
    const { findings } = JSON.parse(result.stdout) as { findings: JsonFinding[] };
    expect(findings.find((f) => f.id === 'security.guardduty.enabled')?.status).toBe('pass');
    expect(fake.calls.filter((c) => c.service === 'guardduty' && c.action === 'GET /detector')).toHaveLength(
      3,
    );
    const errors = findings.filter((f) => f.status === 'error');
    expect(errors.map((f) => f.id)).toEqual(['security.cloudtrail']);
    expect(errors[0]!.observed).toMatch(/could not check: .*time/i);
    expect(findings.filter((f) => f.status === 'pass').length).toBeGreaterThan(15);
  });
});
