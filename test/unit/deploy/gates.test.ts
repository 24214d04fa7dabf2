import { describe, expect, it } from 'vitest';
import { evaluateFreeze } from '../../../src/catalogue/checks/deploy/freeze.js';
import { evaluateOpenIncidents } from '../../../src/catalogue/checks/deploy/incidents.js';
import { evaluateRevision } from '../../../src/catalogue/checks/deploy/revision.js';
import { evaluateStagingImage } from '../../../src/catalogue/checks/deploy/staging-image.js';
import { overridesOf } from '../../../src/commands/deploy.js';
import type { IncidentRecord } from '../../../src/domain/incident/record.js';

const incident = (over: Partial<IncidentRecord>): IncidentRecord =>
  ({
    id: 'INC-2026-001',
    env: 'prod',
    title: 'payments failing',
    severity: 1,
    state: 'open',
    startedAt: '2026-12-07T10:00:00Z',
    ...over,
  }) as IncidentRecord;

describe('deploy gates', () => {
  it('an open SEV1/SEV2 of the environment refuses; SEV3, resolved or other environments do not; an override warns with its reason', () => {
    expect(evaluateOpenIncidents('prod', [incident({})]).status).toBe('fail');
    expect(evaluateOpenIncidents('prod', [incident({ severity: 2 })]).status).toBe('fail');
    expect(evaluateOpenIncidents('prod', [incident({ severity: 3 })]).status).toBe('pass');
    expect(evaluateOpenIncidents('prod', [incident({ state: 'resolved' })]).status).toBe('pass');
    expect(evaluateOpenIncidents('prod', [incident({ env: 'staging' })]).status).toBe('pass');
    const overridden = evaluateOpenIncidents('prod', [incident({})], 'this is the fix');
    expect(overridden.status).toBe('warn');
    expect(overridden.observed).toContain('--override-incident: this is the fix');
  });

  it('a freeze covering now in the environment refuses; before, after or elsewhere it does not', () => {
    const freezes = [
      {
        from: '2026-12-20T00:00:00Z',
        to: '2027-01-02T00:00:00Z',
        reason: 'year end',
        environments: ['prod'],
      },
    ];
    expect(evaluateFreeze('prod', freezes, new Date('2026-12-24T12:00:00Z')).status).toBe('fail');
    expect(evaluateFreeze('prod', freezes, new Date('2027-01-02T00:00:00Z')).status).toBe('pass');
    expect(evaluateFreeze('staging', freezes, new Date('2026-12-24T12:00:00Z')).status).toBe('pass');
    expect(evaluateFreeze('prod', freezes, new Date('2026-12-24T12:00:00Z'), 'hotfix').status).toBe('warn');
  });

  it('staging must run the digest in every running task; no running task is an error', () => {
    const task = (digest: string) => ({ containers: [{ name: 'internal-pe', imageDigest: digest }] });
    expect(evaluateStagingImage('s', [task('sha256:a'), task('sha256:a')], 'sha256:a', 'prod').status).toBe(
      'pass',
    );
    const mixed = evaluateStagingImage('s', [task('sha256:a'), task('sha256:b')], 'sha256:a', 'prod');
    expect(mixed.status).toBe('fail');
    expect(mixed.observed).toContain('1/2 running tasks run it');
    expect(evaluateStagingImage('s', [], 'sha256:a', 'prod').status).toBe('error');
  });

  it('the new revision must be PRIMARY with running = desired; during a bake blue may stay beside it', () => {
    const service = {
      serviceName: 'svc',
      desiredCount: 3,
      runningCount: 6,
      deployments: [
        { status: 'PRIMARY', taskDefinition: 'fam:43', runningCount: 3 },
        { status: 'ACTIVE', taskDefinition: 'fam:42', runningCount: 3 },
      ],
    };
    expect(evaluateRevision(service, 'fam:43').status).toBe('fail');
    expect(evaluateRevision(service, 'fam:43', true).status).toBe('pass');
    expect(
      evaluateRevision({ ...service, runningCount: 3, deployments: [service.deployments[0]!] }, 'fam:43')
        .status,
    ).toBe('pass');
    expect(
      evaluateRevision({ ...service, runningCount: 3, deployments: [service.deployments[1]!] }, 'fam:43')
        .status,
    ).toBe('fail');
  });

  it('an override needs --reason, and --reason needs an override: one line each', () => {
    expect(() => overridesOf({ allowFindings: true })).toThrow(
      '--allow-findings needs --reason "<why>" (it goes into the audit log)',
    );
    expect(() => overridesOf({ reason: 'x' })).toThrow(/--reason explains an override/);
    expect(overridesOf({ overrideFreeze: true, reason: 'hotfix' })).toEqual({
      '--override-freeze': 'hotfix',
    });
  });
});
