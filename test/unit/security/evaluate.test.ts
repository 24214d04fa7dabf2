import type { SecurityGroup } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import {
  evaluateConfigRecorders,
  evaluateTrails,
} from '../../../src/catalogue/checks/security/audit-trail.js';
import { call, deniedAction, MissingPermission } from '../../../src/catalogue/checks/security/common.js';
import {
  evaluateForceSsl,
  evaluateLogEncryption,
  evaluatePlaintextSecrets,
  exposesSecret,
} from '../../../src/catalogue/checks/security/data.js';
import {
  adminStatements,
  evaluateRolePolicies,
  evaluateTrustPolicy,
  parsePolicy,
} from '../../../src/catalogue/checks/security/identity.js';
import { evaluateLoginAbuse, sourceOf } from '../../../src/catalogue/checks/security/login-abuse.js';
import { evaluateNetwork, type NetworkInput } from '../../../src/catalogue/checks/security/network.js';
import { evaluateSecret, secretArnOf, secretKey } from '../../../src/catalogue/checks/security/secrets.js';
import { evaluateGuardDuty } from '../../../src/catalogue/checks/security/threat.js';

const DAY = 86_400_000;
const now = new Date('2026-11-21T10:00:00Z');

function net(
  overrides: Partial<NetworkInput> & { groups?: SecurityGroup[] } = {},
): NetworkInput & { groups: SecurityGroup[] } {
  return {
    albs: [{ name: 'prod-internal-pe-alb', groupIds: ['sg-alb'] }],
    services: [{ name: 'prod-internal-pe-service', groupIds: ['sg-ecs'] }],
    db: { name: 'prod-fivestar-payments-db', port: 5432, groupIds: ['sg-rds'], publiclyAccessible: false },
    groups: [
      {
        GroupId: 'sg-alb',
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      },
      {
        GroupId: 'sg-ecs',
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: 'sg-alb' }] },
        ],
      },
      {
        GroupId: 'sg-rds',
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: 'sg-ecs' }] },
        ],
      },
    ],
    publicPorts: [443, 80],
    known: { albs: true, services: true },
    ...overrides,
  };
}

describe('evaluateNetwork (deployment guide §3.1.2)', () => {
  it('passes the guide layout', () => {
    expect(evaluateNetwork(net()).filter((r) => r.status !== 'pass')).toEqual([]);
  });

  it('an empty expectation never passes: RDS open only to 0.0.0.0/0 with no ECS group found', () => {
    const input = net({ services: [] });
    input.groups[2]!.IpPermissions = [
      { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    ];
    const ingress = evaluateNetwork(input).find((r) => r.id === 'security.network.rds-ingress')!;
    expect(ingress.status).toBe('warn');
    expect(ingress.observed).toBe('also admits tcp 5432 from 0.0.0.0/0');
    input.groups[2]!.IpPermissions = [];
    expect(evaluateNetwork(input).find((r) => r.id === 'security.network.rds-ingress')).toMatchObject({
      status: 'error',
      observed: 'no ECS service security group was found to compare against: not judged',
    });
  });

  it('unknown sources are not judged; unknown groups still leave the RDS public FAIL', () => {
    const unknown = evaluateNetwork(net({ albs: [], known: { albs: false, services: true } }));
    expect(unknown.find((r) => r.id === 'security.network.ecs-ingress')).toBeUndefined();
    expect(unknown.find((r) => r.id === 'security.network.rds-ingress')?.status).toBe('pass');
    const input = net({ groups: [] });
    const noGroups = evaluateNetwork({
      ...input,
      groups: null,
      db: { ...input.db!, publiclyAccessible: true },
    });
    expect(noGroups.map((r) => [r.id, r.status])).toEqual([['security.network.rds-public', 'fail']]);
  });

  it('fails the ALB open to the world on a port other than 443/80, and ::/0 counts as the world', () => {
    const input = net();
    input.groups[0]!.IpPermissions!.push({
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      Ipv6Ranges: [{ CidrIpv6: '::/0' }],
    });
    const alb = evaluateNetwork(input).find((r) => r.resource.startsWith('sg-alb'))!;
    expect(alb.status).toBe('fail');
    expect(alb.observed).toBe('open to the world: tcp 22 from ::/0');
  });

  it('fails an all-traffic rule from 0.0.0.0/0 on ECS and warns on other ECS sources', () => {
    const input = net();
    input.groups[1]!.IpPermissions!.push(
      { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
    );
    const results = evaluateNetwork(input).filter((r) => r.resource.startsWith('sg-ecs'));
    expect(results.find((r) => r.id === 'security.network.world-open')).toMatchObject({
      status: 'fail',
      observed: 'open to the world: all traffic from 0.0.0.0/0',
    });
    expect(results.find((r) => r.id === 'security.network.ecs-ingress')).toMatchObject({
      status: 'warn',
      observed: 'also admits all traffic from 0.0.0.0/0; tcp 8080 from 10.0.0.0/8',
    });
  });

  it('a port range 0-65535 on the ALB is not "only 443/80"', () => {
    const input = net();
    input.groups[0]!.IpPermissions = [
      { IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    ];
    expect(evaluateNetwork(input).find((r) => r.resource.startsWith('sg-alb'))!.status).toBe('fail');
  });

  it('a group EC2 did not return is an error, not a pass; a public database fails', () => {
    const input = net({ groups: [] });
    input.db!.publiclyAccessible = true;
    const results = evaluateNetwork(input);
    expect(results.filter((r) => r.id === 'security.network.group').map((r) => r.status)).toEqual([
      'error',
      'error',
      'error',
    ]);
    expect(results.find((r) => r.id === 'security.network.rds-public')!.status).toBe('fail');
  });
});

describe('data', () => {
  it('force_ssl: 1 passes, 0 or unset fails', () => {
    expect(evaluateForceSsl('db', 'pg', { ParameterName: 'rds.force_ssl', ParameterValue: '1' }).status).toBe(
      'pass',
    );
    expect(evaluateForceSsl('db', 'pg', { ParameterName: 'rds.force_ssl', ParameterValue: '0' }).status).toBe(
      'fail',
    );
    expect(evaluateForceSsl('db', 'pg', undefined).observed).toContain('not set');
  });

  it('log groups: no KMS key fails where required, warns elsewhere; a missing group is not a pass', () => {
    const groups = [{ logGroupName: '/ecs/a' }, { logGroupName: '/ecs/b', kmsKeyId: 'k' }];
    expect(
      evaluateLogEncryption(['/ecs/a', '/ecs/b', '/aws/security/x'], groups, true, 'prod').map(
        (r) => r.status,
      ),
    ).toEqual(['fail', 'pass', 'fail']);
    expect(evaluateLogEncryption(['/ecs/a'], groups, false, 'dev')[0]!.status).toBe('warn');
  });

  it('plaintext secrets: names only, and ordinary names are fine', () => {
    const result = evaluatePlaintextSecrets('svc', {
      family: 'f',
      revision: 1,
      containerDefinitions: [
        {
          name: 'app',
          environment: [
            { name: 'DB_PASSWORD', value: 'hunter2' },
            { name: 'STRIPE_APIKEY', value: 'x' },
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'TOKEN_TTL_SECONDS', value: '60' },
          ],
        },
      ],
    });
    expect(result.status).toBe('fail');
    // TOKEN_TTL_SECONDS is a setting (its ending and its numeric value say so), not a secret.
    expect(result.observed).toMatch(/: app: DB_PASSWORD, app: STRIPE_APIKEY$/);
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});

describe('secrets (runbook 003: 90 days)', () => {
  const used = { id: 'fivestar/payments/prod/database', usedBy: ['names.dbSecret'] };
  it('judges rotation, age, deletion and absence', () => {
    const at = (days: number) => new Date(now.getTime() - days * DAY);
    expect(
      evaluateSecret(used, { Name: used.id, RotationEnabled: true, LastRotatedDate: at(10) }, now, 90).status,
    ).toBe('pass');
    expect(
      evaluateSecret(used, { Name: used.id, RotationEnabled: true, LastRotatedDate: at(120) }, now, 90)
        .status,
    ).toBe('warn');
    expect(evaluateSecret(used, { Name: used.id, LastChangedDate: at(30) }, now, 90).status).toBe('pass');
    expect(evaluateSecret(used, { Name: used.id, LastChangedDate: at(91) }, now, 90).status).toBe('fail');
    expect(
      evaluateSecret(used, { Name: used.id, RotationEnabled: true, DeletedDate: at(1) }, now, 90),
    ).toMatchObject({
      status: 'fail',
      observed: expect.stringContaining('scheduled for deletion'),
    });
    expect(evaluateSecret(used, null, now, 90)).toMatchObject({
      status: 'fail',
      observed: 'secret not found',
    });
  });

  it('reads secret ARNs out of valueFrom, and not SSM parameters', () => {
    expect(secretArnOf('arn:aws:secretsmanager:ap-south-1:1:secret:a/b-AbCdEf:password::')).toBe(
      'arn:aws:secretsmanager:ap-south-1:1:secret:a/b-AbCdEf',
    );
    expect(secretArnOf('arn:aws:ssm:ap-south-1:1:parameter/x')).toBeNull();
    expect(secretArnOf('/fivestar/payments/prod/app/jwt_secret_key')).toBeNull();
    expect(secretKey('arn:aws:secretsmanager:ap-south-1:1:secret:a/b-AbCdEf')).toBe('a/b');
    expect(secretKey('a/b')).toBe('a/b');
  });
});

describe('identity', () => {
  it('parses URL-encoded documents and finds * on *', () => {
    const doc = encodeURIComponent(
      JSON.stringify({ Statement: { Effect: 'Allow', Action: ['s3:GetObject', '*'], Resource: '*' } }),
    );
    expect(adminStatements(parsePolicy(doc))).toHaveLength(1);
    expect(
      adminStatements(parsePolicy('{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}')),
    ).toHaveLength(0);
    expect(
      adminStatements(
        parsePolicy('{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"}]}'),
      ),
    ).toHaveLength(0);
  });

  it('an unparsable policy is an error, not a pass', () => {
    expect(evaluateRolePolicies('r', 'task role', [{ name: 'inline x', document: 'not json' }]).status).toBe(
      'error',
    );
  });

  it('trust: MFA or external id passes, services are not cross-account, a missing role warns', () => {
    const stmt = (Condition?: object) =>
      JSON.stringify({
        Statement: [
          { Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole', Condition },
        ],
      });
    expect(evaluateTrustPolicy('r', stmt({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } })).status).toBe(
      'pass',
    );
    expect(evaluateTrustPolicy('r', stmt({ StringEquals: { 'sts:ExternalId': 'x' } })).status).toBe('pass');
    expect(evaluateTrustPolicy('r', stmt()).status).toBe('fail');
    // The key is not enough: what the condition says about it decides.
    for (const loose of [
      { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
      { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } },
      { Null: { 'aws:MultiFactorAuthPresent': 'true' } },
      { StringLike: { 'sts:ExternalId': '*' } },
      { StringEqualsIfExists: { 'sts:ExternalId': 'x' } },
      { StringNotEquals: { 'sts:ExternalId': 'x' } },
    ]) {
      expect([loose, evaluateTrustPolicy('r', stmt(loose)).status]).toEqual([loose, 'fail']);
    }
    expect(evaluateTrustPolicy('r', stmt({ Bool: { 'aws:MultiFactorAuthPresent': ['true'] } })).status).toBe(
      'pass',
    );
    const service = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    });
    expect(evaluateTrustPolicy('r', service).status).toBe('pass');
    expect(evaluateTrustPolicy('r', undefined).status).toBe('warn');
  });
});

describe('threat detection and audit trail', () => {
  it('no enabled detector fails', () => {
    expect(evaluateGuardDuty([], [], '24h')[0]).toMatchObject({
      status: 'fail',
      observed: 'no detector in this region',
    });
    expect(evaluateGuardDuty([{ id: 'd', status: 'DISABLED' }], [], '24h')[0]!.status).toBe('fail');
  });

  it('finding titles from AWS reach the report without control characters', () => {
    const [, high] = evaluateGuardDuty(
      [{ id: 'd', status: 'ENABLED' }],
      [{ Severity: 9, Title: 'evil\u001b[2J title', Resource: { ResourceType: 'Instance' } } as never],
      '24h',
    );
    expect(high!.detail).toBe('9.0 evil title — Instance');
  });

  it('one compliant trail turns the other trails’ gaps into warnings; none visible fails', () => {
    const good = {
      trail: { Name: 'org', IsMultiRegionTrail: true, LogFileValidationEnabled: true, KmsKeyId: 'k' },
      isLogging: true,
    };
    const weak = {
      trail: { Name: 'old', IsMultiRegionTrail: false, LogFileValidationEnabled: false },
      isLogging: false,
    };
    const results = evaluateTrails([good, weak]);
    expect(results.filter((r) => r.resource === 'old').map((r) => r.status)).toEqual([
      'warn',
      'warn',
      'warn',
      'warn',
    ]);
    expect(evaluateTrails([weak]).map((r) => r.status)).toEqual(['fail', 'fail', 'fail', 'fail']);
    expect(evaluateTrails([])[0]!.status).toBe('fail');
  });

  it('Config: no recorder or a stopped one fails', () => {
    expect(evaluateConfigRecorders([])[0]!.status).toBe('fail');
    expect(evaluateConfigRecorders([{ name: 'default', recording: false }])[0]!.status).toBe('fail');
    expect(
      evaluateConfigRecorders([{ name: 'default', recording: true, lastStatus: 'Failure' }])[0]!.status,
    ).toBe('warn');
  });
});

describe('login abuse (ops guide §7.1.1: 5 in 1 minute)', () => {
  it('counts per minute and names the top sources', () => {
    const t = Date.parse('2026-11-21T09:30:00Z');
    const events = [
      ...Array.from({ length: 4 }, (_, i) => ({
        timestamp: t + i * 1000,
        message: 'login failed for bob from 203.0.113.9',
      })),
      { timestamp: t + 61_000, message: 'login failed from 198.51.100.4' },
    ];
    const input = {
      logGroup: '/aws/security/x',
      events,
      truncated: false,
      perMinute: 5,
      sourceField: 'sourceIp',
      windowText: '1h',
    };
    expect(evaluateLoginAbuse(input).status).toBe('pass');
    const burst = evaluateLoginAbuse({
      ...input,
      events: [...events, { timestamp: t + 5000, message: '{"sourceIp":"203.0.113.9"}' }],
    });
    expect(burst.status).toBe('fail');
    expect(burst.observed).toContain('busiest minute 2026-11-21T09:30Z with 5');
    expect(burst.detail).toBe('top sources: 203.0.113.9 (5), 198.51.100.4 (1)');
    expect(burst.observed).toContain(
      'most from one source in one minute: 203.0.113.9 with 5 at 2026-11-21T09:30Z',
    );
    expect(sourceOf('no address here', 'sourceIp')).toBe('unknown');
  });

  it('events stopped at the cap (truncated) are never a pass: the rest of the window was not counted', () => {
    const t = Date.parse('2026-11-21T09:30:00Z');
    const capped = evaluateLoginAbuse({
      logGroup: '/aws/security/x',
      // Spread thin over the first minutes read; the minutes after the cap were never fetched.
      events: Array.from({ length: 6 }, (_, i) => ({
        timestamp: t + i * 60_000,
        message: `from 203.0.113.${i}`,
      })),
      truncated: true,
      perMinute: 5,
      sourceField: 'sourceIp',
      windowText: '1h',
    });
    expect(capped.status).toBe('error');
    expect(capped.observed).toMatch(/^at least 6 failed logins/);
    expect(capped.detail).toMatch(
      /^cannot judge: the failed logins stopped at security.failedLogin.eventCap/,
    );
    // A burst among the events read still fails.
    const burst = evaluateLoginAbuse({
      logGroup: '/aws/security/x',
      events: Array.from({ length: 5 }, (_, i) => ({ timestamp: t + i, message: 'from 203.0.113.9' })),
      truncated: true,
      perMinute: 5,
      sourceField: 'sourceIp',
      windowText: '1h',
    });
    expect(burst.status).toBe('fail');
  });

  it('failed logins: five in a minute from five sources warn (the §7.1.1 block is per source), five from one fail', () => {
    const t = Date.parse('2026-11-21T09:30:00Z');
    const spread = evaluateLoginAbuse({
      logGroup: '/aws/security/x',
      events: Array.from({ length: 5 }, (_, i) => ({
        timestamp: t + i * 1000,
        message: `{"sourceIp":"203.0.113.${i + 1}"}`,
      })),
      truncated: false,
      perMinute: 5,
      sourceField: 'sourceIp',
      windowText: '1h',
    });
    expect(spread.status).toBe('warn');
    expect(spread.observed).toMatch(
      /busiest minute 2026-11-21T09:30Z with 5; 1 minute\(s\) at or over 5; most from one source in one minute: 203\.0\.113\.\d with 1/,
    );
  });
});

describe('call', () => {
  it('turns AccessDenied into MissingPermission and leaves other errors alone', async () => {
    const denied = Object.assign(new Error('no'), { name: 'AccessDeniedException' });
    await expect(call('guardduty:ListDetectors', () => Promise.reject(denied))).rejects.toBeInstanceOf(
      MissingPermission,
    );
    const expired = Object.assign(new Error('expired'), { name: 'ExpiredTokenException' });
    await expect(call('x:Y', () => Promise.reject(expired))).rejects.toBe(expired);
    const throttled = Object.assign(new Error('slow'), { name: 'ThrottlingException' });
    await expect(call('x:Y', () => Promise.reject(throttled))).rejects.toBe(throttled);
  });

  it("names the action AWS says was denied, over the caller's guess", async () => {
    const message =
      'User: arn:aws:sts::1:assumed-role/oncall/x is not authorized to perform: elasticloadbalancing:DescribeTargetGroups because no identity-based policy allows it';
    expect(deniedAction(message)).toBe('elasticloadbalancing:DescribeTargetGroups');
    expect(deniedAction('You are not authorized to perform this operation.')).toBeNull();
    const denied = Object.assign(new Error(message), { name: 'AccessDenied' });
    await expect(
      call('elasticloadbalancing:DescribeLoadBalancers', () => Promise.reject(denied)),
    ).rejects.toMatchObject({
      action: 'elasticloadbalancing:DescribeTargetGroups',
    });
  });
});

describe('exposesSecret: which plain environment variables hold a secret', () => {
  it('flags secret-like names with a secret-like value', () => {
    for (const [name, value] of <[string, string][]>[
      ['DB_PASSWORD', 'p@ss'],
      ['JUSPAY_API_KEY', 'sk_live_x'],
      ['APIKEY', 'k'],
      ['JWT_SECRET', 's'],
      ['GITHUB_TOKEN', 'ghp_x'],
      ['TLS_PRIVATE_KEY', '-----BEGIN'],
      ['AWS_CREDENTIALS', 'x'],
    ])
      expect(exposesSecret(name, value), name).toBe(true);
  });

  it('leaves settings and references alone: harmless endings, numbers, booleans, empty values', () => {
    for (const [name, value] of <[string, string][]>[
      ['TOKEN_TTL_SECONDS', 'abc'],
      ['TOKEN_TTL', '1h'],
      ['SESSION_TOKEN_TIMEOUT', '30m'],
      ['TOKEN_EXPIRY', '2h'],
      ['PASSWORD_MIN_LENGTH', 'twelve'],
      ['SECRET_COUNT', 'x'],
      ['API_KEY_ENABLED', 'x'],
      ['DB_SECRET_ARN', 'arn:aws:secretsmanager:...'],
      ['DB_SECRET_NAME', 'fivestar/payments/prod/database'],
      ['TOKEN_ISSUER_URL', 'https://auth.example.com'],
      ['PASSWORD_RESET_TOKEN_HOURS', 'x'],
      ['TOKEN_LIFETIME', '3600'],
      ['SECRET_ROTATION', 'true'],
      ['API_KEY', ''],
      ['PORT', '8080'],
    ])
      expect(exposesSecret(name, value), name).toBe(false);
  });

  it('flags a URL carrying a password whatever the name, and not one without', () => {
    expect(exposesSecret('DATABASE_URL', 'postgres://app:pw@db:5432/x')).toBe(true);
    expect(exposesSecret('TOKEN_URL', 'https://u:pw@auth.example.com')).toBe(true);
    expect(exposesSecret('DATABASE_URL', 'postgres://db:5432/x')).toBe(false);
    expect(exposesSecret('REDIS_URL', 'redis://cache:6379')).toBe(false);
  });
});
