import { describe, expect, it } from 'vitest';
import { AWS_PERMISSIONS, allActions } from '../../../src/base/aws/permissions.js';
import {
  evaluateIdentity,
  evaluatePermissions,
  principalOf,
} from '../../../src/catalogue/checks/doctor/aws.js';
import { evaluateConfig, evaluateNode } from '../../../src/catalogue/checks/doctor/local.js';

describe('doctor: the pure judgements', () => {
  it('Node: 24 passes, 22 warns, 20 fails', () => {
    expect(evaluateNode('24.1.0').status).toBe('pass');
    expect(evaluateNode('v22.12.0').status).toBe('warn');
    expect(evaluateNode('20.18.0')).toMatchObject({ status: 'fail', observed: 'Node.js 20.18.0' });
  });

  it('the principal IAM simulates for an STS caller', () => {
    expect(principalOf('arn:aws:sts::123456789014:assumed-role/OnCall/alice@example.com')).toEqual({
      kind: 'role',
      arn: 'arn:aws:iam::123456789014:role/OnCall',
      roleName: 'OnCall',
    });
    expect(principalOf('arn:aws:iam::123456789014:user/ops/bob')).toEqual({
      kind: 'user',
      arn: 'arn:aws:iam::123456789014:user/ops/bob',
    });
    expect(principalOf('arn:aws:iam::123456789014:root')).toBeNull();
    expect(principalOf('arn:aws:sts::123456789014:federated-user/carol')).toBeNull();
  });

  it('permissions: one result per family; an action missing from the answer is not allowed', () => {
    const decisions = new Map(allActions().map((action) => [action, 'allowed']));
    decisions.set('sns:Subscribe', 'explicitDeny');
    decisions.delete('logs:PutLogEvents');
    const results = evaluatePermissions('arn:aws:iam::1:role/R', decisions);
    expect(results).toHaveLength(AWS_PERMISSIONS.length);
    expect(results.filter((r) => r.status === 'fail').map((r) => [r.id, r.observed])).toEqual([
      ['doctor.permissions.monitoring', 'not allowed: sns:Subscribe (explicitDeny)'],
      ['doctor.permissions.audit', 'not allowed: logs:PutLogEvents (not evaluated)'],
    ]);
  });

  it('identity: the account the config expects, or any when it names none', () => {
    const identity = { account: '111111111111', arn: 'arn:aws:iam::111111111111:user/x' };
    expect(evaluateIdentity('prod', '222222222222', identity).status).toBe('fail');
    expect(evaluateIdentity('prod', '111111111111', identity).status).toBe('pass');
    expect(evaluateIdentity('lab', null, identity).status).toBe('pass');
  });

  it('config: names every place it looked', () => {
    const lookup = {
      candidates: [
        { source: '--config' as const, path: null, exists: false },
        { source: 'FSOPS_CONFIG' as const, path: '/etc/fsops.yaml', exists: false },
        { source: 'working folder' as const, path: '/w/fsops.config.yaml', exists: false },
        { source: 'user config' as const, path: '/h/.config/fsops/config.yaml', exists: false },
      ],
      used: { source: 'FSOPS_CONFIG' as const, path: '/etc/fsops.yaml', exists: false },
    };
    const result = evaluateConfig(lookup, 'config file not found: /etc/fsops.yaml');
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('FSOPS_CONFIG /etc/fsops.yaml (not found); working folder');
    expect(result.remediation).toMatch(/fsops config init/);
  });
});
