import { GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetDetectorCommand,
  GetFindingsCommand,
  ListDetectorsCommand,
  ListFindingsCommand,
} from '@aws-sdk/client-guardduty';
import { GetPolicyVersionCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/base/model/finding.js';
import { exitCodeFor, overallStatus } from '../../../src/base/model/finding.js';
import { CHECKS } from '../../../src/catalogue/checks/index.js';
import { executeRunbook } from '../../../src/engine/run-runbook.js';
import { loadRunbook } from '../../../src/engine/runbook.js';
import { testAws, testEnv } from '../../helpers/context.js';
import { ACCOUNT, cleanWorld, mocks, NOW, serve, type World } from './world.js';

const DAY = 86_400_000;
let world: World;
beforeEach(() => {
  world = cleanWorld();
  serve(world);
});

async function audit(configYaml = ''): Promise<Finding[]> {
  const env = testEnv('prod', configYaml);
  return executeRunbook(
    loadRunbook('security'),
    { config: env.config, env, aws: testAws() },
    { checks: CHECKS, since: new Date(NOW.getTime() - 15 * 60_000) },
  );
}

const byId = (findings: Finding[], id: string) => findings.filter((f) => f.id === id);
const problems = (findings: Finding[]) => findings.filter((f) => f.status !== 'pass' && f.status !== 'skip');

describe('fsops security runbook (AWS faked at the SDK boundary)', () => {
  it('a clean account passes every control; each finding cites its source', async () => {
    const findings = await audit();
    expect(problems(findings)).toEqual([]);
    expect(overallStatus(findings)).toBe('pass');
    expect(exitCodeFor(findings, true)).toBe(0);
    const ids = new Set(findings.map((f) => f.id));
    for (const id of [
      'security.guardduty.enabled',
      'security.guardduty.high',
      'security.cloudtrail.log-validation',
      'security.config.recorder',
      'security.network.world-open',
      'security.network.ecs-ingress',
      'security.network.rds-ingress',
      'security.network.rds-public',
      'security.rds.storage-encrypted',
      'security.rds.snapshots-encrypted',
      'security.rds.force-ssl',
      'security.logs.kms',
      'security.taskdef.plaintext-secrets',
      'security.secret.rotation',
      'security.iam.role-wildcard',
      'security.iam.cross-account-trust',
      'security.login.failed-per-minute',
    ])
      expect(ids, id).toContain(id);
    for (const f of findings) expect(f.source).not.toBe('');
    expect(findings.find((f) => f.id === 'security.network.world-open')?.source).toMatch(
      /§3\.1\.2.*PCI DSS 1\.3/,
    );
    // The DB secret named in the config and referenced by ARN in both task definitions: one finding.
    const secrets = byId(findings, 'security.secret.rotation');
    expect(secrets.map((f) => f.resource).sort()).toEqual([
      'fivestar/payments/prod/database',
      'fivestar/payments/prod/razorpay',
    ]);
    // Only the secrets the environment uses are described, never the account's whole list.
    expect(mocks.secrets.commandCalls(DescribeSecretCommand)).toHaveLength(2);
  });

  it('finds a GuardDuty HIGH finding, naming its title and resource', async () => {
    world.findings = [
      {
        Id: 'f1',
        Title: 'EC2 instance i-0abc is performing SSH brute force attacks.',
        Type: 'UnauthorizedAccess:EC2/SSHBruteForce',
        Severity: 8,
        Resource: { ResourceType: 'Instance', InstanceDetails: { InstanceId: 'i-0abc' } },
      } as never,
      { Id: 'f2', Title: 'Port probe', Severity: 5, Resource: { ResourceType: 'Instance' } } as never,
    ];
    const findings = await audit();
    const high = byId(findings, 'security.guardduty.high')[0]!;
    expect(high.status).toBe('fail');
    expect(high.detail).toContain('SSH brute force');
    expect(high.detail).toContain('Instance i-0abc');
    expect(byId(findings, 'security.guardduty.medium')[0]!.status).toBe('warn');
  });

  it('finds a trail without log file validation', async () => {
    world.trails = [{ ...world.trails[0]!, LogFileValidationEnabled: false }];
    const findings = await audit();
    const validation = byId(findings, 'security.cloudtrail.log-validation')[0]!;
    expect(validation).toMatchObject({ status: 'fail', resource: 'fivestar-org-trail' });
    expect(validation.source).toContain('§2.2.3');
  });

  it('finds port 5432 open to the world on the RDS security group', async () => {
    world.groups[2]!.IpPermissions!.push({
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      IpRanges: [{ CidrIp: '0.0.0.0/0' }],
    });
    const findings = await audit();
    const open = byId(findings, 'security.network.world-open').filter((f) => f.status === 'fail');
    expect(open).toHaveLength(1);
    expect(open[0]!.resource).toContain('sg-rds');
    expect(open[0]!.observed).toContain('tcp 5432 from 0.0.0.0/0');
  });

  it('finds a secret not rotated for 200 days', async () => {
    const clean = world.secret;
    world.secret = (id) =>
      id === 'fivestar/payments/prod/database'
        ? {
            ...clean(id),
            RotationEnabled: false,
            LastRotatedDate: undefined,
            LastChangedDate: new Date(NOW.getTime() - 200 * DAY),
          }
        : clean(id);
    const findings = await audit();
    const db = byId(findings, 'security.secret.rotation').find(
      (f) => f.resource === 'fivestar/payments/prod/database',
    )!;
    expect(db.status).toBe('fail');
    expect(db.observed).toMatch(/rotation off; last changed 200 days ago/);
  });

  it('finds a task role granting * on *', async () => {
    world.inlinePolicies = {
      ...world.inlinePolicies,
      'debug-everything': {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      },
    };
    const findings = await audit();
    const roles = byId(findings, 'security.iam.role-wildcard');
    const task = roles.find((f) => f.resource.startsWith('ecsTaskRole'))!;
    expect(task.status).toBe('fail');
    expect(task.observed).toContain('inline debug-everything');
    expect(roles.find((f) => f.resource.startsWith('ecsTaskExecutionRole'))!.status).toBe('pass');
  });

  it("one policy of a role that cannot be read is named; a * on * in the role's other policies still fails", async () => {
    world.inlinePolicies = {
      ...world.inlinePolicies,
      'debug-everything': {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      },
    };
    mocks.iam.on(GetPolicyVersionCommand).rejects(
      Object.assign(new Error('User: x is not authorized to perform: iam:GetPolicyVersion'), {
        name: 'AccessDenied',
      }),
    );
    const roles = byId(await audit(), 'security.iam.role-wildcard');
    expect(roles.find((f) => f.resource.startsWith('ecsTaskRole'))).toMatchObject({
      status: 'fail',
      observed:
        'Action "*" on Resource "*" in inline debug-everything; could not read managed AmazonECSTaskExecutionRolePolicy (missing permission iam:GetPolicyVersion)',
    });
    // A role whose only policy cannot be read is an error, never a pass.
    expect(roles.find((f) => f.resource.startsWith('ecsTaskExecutionRole'))).toMatchObject({
      status: 'error',
      observed:
        'could not read managed AmazonECSTaskExecutionRolePolicy (missing permission iam:GetPolicyVersion)',
    });
  });

  it('finds plaintext secrets in a task definition without printing the value', async () => {
    const clean = world.taskDef;
    world.taskDef = (component) => {
      const td = clean(component);
      td.containerDefinitions![0]!.environment!.push({
        name: 'JUSPAY_API_KEY',
        value: 'sk_live_do_not_print',
      });
      return td;
    };
    const findings = await audit();
    const plain = byId(findings, 'security.taskdef.plaintext-secrets');
    expect(plain.every((f) => f.status === 'fail')).toBe(true);
    expect(plain[0]!.observed).toContain('JUSPAY_API_KEY');
    expect(JSON.stringify(findings)).not.toContain('sk_live_do_not_print');
  });

  it('settings named after secrets pass; a URL carrying a password fails whatever its name; no value is printed', async () => {
    const clean = world.taskDef;
    world.taskDef = (component) => {
      const td = clean(component);
      td.containerDefinitions![0]!.environment!.push(
        { name: 'TOKEN_TTL_SECONDS', value: '3600' },
        { name: 'JWT_SECRET_ROTATION_DAYS', value: '90' },
        { name: 'PASSWORD_MIN_LENGTH', value: '12' },
        { name: 'API_KEY_ENABLED', value: 'true' },
        {
          name: 'DB_SECRET_ARN',
          value: 'arn:aws:secretsmanager:ap-south-1:1:secret:fivestar/payments/prod/database',
        },
        { name: 'TOKEN_ISSUER_URL', value: 'https://auth.example.com/issuer' },
      );
      return td;
    };
    expect(byId(await audit(), 'security.taskdef.plaintext-secrets').map((f) => f.status)).toEqual([
      'pass',
      'pass',
    ]);
    world.taskDef = (component) => {
      const td = clean(component);
      td.containerDefinitions![0]!.environment!.push(
        { name: 'DATABASE_URL', value: 'postgres://app:hunter2-not-printed@db.internal:5432/payments' },
        { name: 'SESSION_SECRET', value: 'abc-not-printed' },
        { name: 'CALLBACK_URL', value: 'https://user:pw-not-printed@hooks.example.com/x' },
      );
      return td;
    };
    const findings = await audit();
    const plain = byId(findings, 'security.taskdef.plaintext-secrets');
    expect(plain[0]).toMatchObject({ status: 'fail' });
    for (const name of ['DATABASE_URL', 'SESSION_SECRET', 'CALLBACK_URL'])
      expect(plain[0]!.observed).toContain(name);
    expect(JSON.stringify(findings)).not.toMatch(/not-printed/);
  });

  it('finds a public, unencrypted database without force_ssl and an unencrypted snapshot', async () => {
    world.db = { ...world.db, PubliclyAccessible: true, StorageEncrypted: false };
    world.snapshots.push({ DBSnapshotIdentifier: 'manual-before-migration', Encrypted: false });
    world.forceSsl = undefined;
    const findings = await audit();
    expect(byId(findings, 'security.network.rds-public')[0]!.status).toBe('fail');
    expect(byId(findings, 'security.rds.storage-encrypted')[0]!.status).toBe('fail');
    expect(byId(findings, 'security.rds.snapshots-encrypted')[0]!.observed).toContain(
      'manual-before-migration',
    );
    expect(byId(findings, 'security.rds.force-ssl')[0]!.observed).toBe('rds.force_ssl = 0');
  });

  it('finds a cross-account role that trusts another account without MFA or an external id', async () => {
    world.trust = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'sts:AssumeRole' },
      ],
    };
    const findings = await audit();
    const trust = byId(findings, 'security.iam.cross-account-trust');
    expect(trust.map((f) => f.resource)).toEqual(['DeploymentRole', 'MonitoringRole']);
    expect(trust.every((f) => f.status === 'fail')).toBe(true);
    expect(trust[0]!.observed).toContain('arn:aws:iam::999999999999:root');
  });

  it('finds a burst of failed logins with the top sources', async () => {
    // The start of a minute, so that the burst falls in one minute whatever the clock says.
    const at = Math.floor((NOW.getTime() - 10 * 60_000) / 60_000) * 60_000;
    world.failedLogins = Array.from({ length: 7 }, (_, i) => ({
      timestamp: at + i * 1000,
      message: JSON.stringify({ event: 'LOGIN_FAILED', sourceIp: i < 6 ? '203.0.113.9' : '198.51.100.4' }),
    }));
    const findings = await audit();
    const login = byId(findings, 'security.login.failed-per-minute')[0]!;
    expect(login.status).toBe('fail');
    expect(login.detail!.split('\n')[0]).toBe('top sources: 203.0.113.9 (6), 198.51.100.4 (1)');
  });

  it("says when the failed-login filter pattern is fsops's guess, and uses the configured one", async () => {
    const guessed = byId(await audit(), 'security.login.failed-per-minute')[0]!;
    expect(guessed).toMatchObject({ status: 'pass', observed: 'no failed logins' });
    expect(guessed.detail).toContain("fsops's default filter pattern");
    expect(guessed.detail).toContain('set security.failedLogin.pattern');
    mocks.logs.resetHistory();
    const configured = byId(
      await audit('security:\n  failedLogin:\n    pattern: \'{ $.event = "AUTH_FAILURE" }\'\n'),
      'security.login.failed-per-minute',
    )[0]!;
    const calls = mocks.logs.commandCalls(FilterLogEventsCommand);
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) expect(c.args[0].input.filterPattern).toBe('{ $.event = "AUTH_FAILURE" }');
    expect(configured.detail).toBe('matched with security.failedLogin.pattern { $.event = "AUTH_FAILURE" }');
  });

  it('an API the role may not call is a "could not check" error naming the permission, not a crash or a pass', async () => {
    mocks.iam.on(GetRoleCommand).rejects(
      Object.assign(new Error('User: x is not authorized to perform: iam:GetRole'), {
        name: 'AccessDenied',
      }),
    );
    mocks.guardduty
      .on(ListDetectorsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    mocks.ec2
      .on(DescribeSecurityGroupsCommand)
      .rejects(Object.assign(new Error('You are not authorized'), { name: 'UnauthorizedOperation' }));
    const findings = await audit();
    const errors = findings.filter((f) => f.status === 'error');
    expect(errors.map((f) => f.observed).sort()).toEqual([
      'could not check: missing permission guardduty:ListDetectors',
      'could not read the security groups: missing permission ec2:DescribeSecurityGroups',
      'could not read the trust policy of DeploymentRole: missing permission iam:GetRole',
      'could not read the trust policy of MonitoringRole: missing permission iam:GetRole',
    ]);
    expect(errors.map((f) => f.id).sort()).toEqual([
      'security.guardduty',
      'security.iam.cross-account-trust',
      'security.iam.cross-account-trust',
      'security.network',
    ]);
    // The other areas still ran and passed.
    expect(byId(findings, 'security.secret.rotation').every((f) => f.status === 'pass')).toBe(true);
    expect(exitCodeFor(findings, false)).toBe(3);
  });

  it('one fact that cannot be read is its own error; what the others allow is still judged', async () => {
    // The database group open to the world on 5432 and a public instance.
    world.groups[2]!.IpPermissions!.push({
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      IpRanges: [{ CidrIp: '0.0.0.0/0' }],
    });
    world.db.PubliclyAccessible = true;
    const denied = (action: string) =>
      Object.assign(new Error(`User: x is not authorized to perform: ${action}`), { name: 'AccessDenied' });
    mocks.elb.on(DescribeLoadBalancersCommand).rejects(denied('elasticloadbalancing:DescribeLoadBalancers'));
    let network = byId(await audit(), 'security.network.world-open');
    expect(network.find((f) => f.resource.startsWith('sg-rds'))).toMatchObject({
      status: 'fail',
      observed: 'open to the world: tcp 5432 from 0.0.0.0/0',
    });
    let all = await audit();
    // Each component's ALB is its own fact: each is named.
    expect(byId(all, 'security.network').map((f) => f.observed)).toEqual([
      'could not read the load balancer prod-internal-pe-alb: missing permission elasticloadbalancing:DescribeLoadBalancers',
      'could not read the load balancer prod-customer-portal-alb: missing permission elasticloadbalancing:DescribeLoadBalancers',
    ]);
    // ECS ingress cannot be judged without the ALB's groups: not a false warning, not a pass.
    expect(byId(all, 'security.network.ecs-ingress')).toEqual([]);
    expect(byId(all, 'security.network.rds-public')[0]?.status).toBe('fail');

    serve(world);
    mocks.ec2.on(DescribeSecurityGroupsCommand).rejects(denied('ec2:DescribeSecurityGroups'));
    all = await audit();
    expect(byId(all, 'security.network.rds-public')[0]).toMatchObject({
      status: 'fail',
      observed: 'PubliclyAccessible true',
    });
    network = byId(all, 'security.network');
    expect(network.map((f) => f.status)).toEqual(['error']);

    serve(world);
    mocks.ecs.on(DescribeServicesCommand).rejects(denied('ecs:DescribeServices'));
    all = await audit();
    expect(
      byId(all, 'security.network.world-open').find((f) => f.resource.startsWith('sg-rds'))?.status,
    ).toBe('fail');
    // Without the services' groups, the database group's world-open source is still judged; sg-ecs is
    // not (it may be theirs): not a false warning about it, not a pass.
    expect(byId(all, 'security.network.rds-ingress')).toMatchObject([
      {
        status: 'warn',
        observed:
          'also admits tcp 5432 from 0.0.0.0/0; not judged: tcp 5432 from sg-ecs (may be the group of the ECS services, which could not be read)',
      },
    ]);
  });

  it("each component's ALB is its own fact: one that cannot be read is its own error; the services are judged against the ALB that arrived", async () => {
    // Each component its own ALB group and ECS group; the internal-pe ALB may not be described.
    const denied = Object.assign(
      new Error('User: x is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers'),
      { name: 'AccessDenied' },
    );
    mocks.elb.on(DescribeLoadBalancersCommand).callsFake((input) => {
      const name = input.Names[0] as string;
      if (name === 'prod-internal-pe-alb') throw denied;
      return {
        LoadBalancers: [
          {
            LoadBalancerName: name,
            LoadBalancerArn: `arn:aws:elasticloadbalancing:ap-south-1:${ACCOUNT}:loadbalancer/app/${name}/abc`,
            DNSName: `${name}.example.test`,
            SecurityGroups: ['sg-alb-portal'],
          },
        ],
      };
    });
    mocks.ecs.on(DescribeServicesCommand).callsFake((input) => ({
      services: (input.services ?? []).map((name: string) => ({
        serviceName: name,
        taskDefinition: `arn:aws:ecs:ap-south-1:${ACCOUNT}:task-definition/${name.replace(/^prod-(.*)-service$/, 'prod-fivestar-$1')}:42`,
        networkConfiguration: {
          awsvpcConfiguration: {
            securityGroups: [name.includes('internal-pe') ? 'sg-ecs-pe' : 'sg-ecs-portal'],
            subnets: ['subnet-a'],
          },
        },
      })),
    }));
    const tcp = (port: number) => ({ IpProtocol: 'tcp', FromPort: port, ToPort: port });
    world.groups.push(
      {
        GroupId: 'sg-alb-portal',
        GroupName: 'ALB-portal',
        IpPermissions: [{ ...tcp(443), IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      },
      {
        GroupId: 'sg-ecs-portal',
        GroupName: 'ECS-portal',
        IpPermissions: [{ ...tcp(8080), UserIdGroupPairs: [{ GroupId: 'sg-alb-portal' }] }],
      },
      {
        GroupId: 'sg-ecs-pe',
        GroupName: 'ECS-pe',
        IpPermissions: [
          { ...tcp(8080), UserIdGroupPairs: [{ GroupId: 'sg-alb-pe' }] },
          { ...tcp(8080), IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
        ],
      },
    );
    const all = await audit();
    expect(byId(all, 'security.network').map((f) => [f.status, f.resource, f.observed])).toEqual([
      [
        'error',
        'prod-internal-pe-alb',
        'could not read the load balancer prod-internal-pe-alb: missing permission elasticloadbalancing:DescribeLoadBalancers',
      ],
    ]);
    expect(byId(all, 'security.network.ecs-ingress').map((f) => [f.resource, f.status, f.observed])).toEqual([
      // Its ALB could not be read: a CIDR is still foreign (never an ALB's group), the other group is not judged.
      [
        'sg-ecs-pe ECS-pe (ECS prod-internal-pe-service)',
        'warn',
        'also admits tcp 8080 from 10.0.0.0/8; not judged: tcp 8080 from sg-alb-pe (may be the group of an ALB that could not be read)',
      ],
      [
        'sg-ecs-portal ECS-portal (ECS prod-customer-portal-service)',
        'pass',
        "ingress only from the ALB's security group",
      ],
    ]);
    // The ALB that arrived is judged for what it opens to the world.
    expect(
      byId(all, 'security.network.world-open').find((f) => f.resource.startsWith('sg-alb-portal'))?.status,
    ).toBe('pass');
  });

  it('one trail whose status cannot be read is its own error; its other settings and the other trails are judged', async () => {
    world.trails.push({
      Name: 'fivestar-local-trail',
      TrailARN: `arn:aws:cloudtrail:ap-south-1:${ACCOUNT}:trail/fivestar-local-trail`,
      IsMultiRegionTrail: false,
      LogFileValidationEnabled: false,
      S3BucketName: 'fivestar-local',
    });
    mocks.cloudtrail.on(GetTrailStatusCommand, { Name: world.trails[0]!.TrailARN }).rejects(
      Object.assign(new Error('User: x is not authorized to perform: cloudtrail:GetTrailStatus'), {
        name: 'AccessDeniedException',
      }),
    );
    const findings = await audit();
    const trail = findings.filter((f) => f.id.startsWith('security.cloudtrail'));
    expect(trail.map((f) => [f.id, f.resource, f.status])).toEqual([
      ['security.cloudtrail.multi-region', 'fivestar-org-trail', 'pass'],
      ['security.cloudtrail.logging', 'fivestar-org-trail', 'error'],
      ['security.cloudtrail.log-validation', 'fivestar-org-trail', 'pass'],
      ['security.cloudtrail.kms', 'fivestar-org-trail', 'pass'],
      // Whether the org trail logs is unknown: the local trail's shortcomings are not excused by it.
      ['security.cloudtrail.multi-region', 'fivestar-local-trail', 'fail'],
      ['security.cloudtrail.logging', 'fivestar-local-trail', 'pass'],
      ['security.cloudtrail.log-validation', 'fivestar-local-trail', 'fail'],
      ['security.cloudtrail.kms', 'fivestar-local-trail', 'fail'],
    ]);
    expect(trail[1]!.observed).toBe(
      'could not read the status of trail fivestar-org-trail: missing permission cloudtrail:GetTrailStatus',
    );
  });

  it('one GuardDuty detector that cannot be read is its own error; the HIGH finding of the other still fails', async () => {
    mocks.guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: ['d-prod', 'd-second'] });
    world.findings = [
      { Id: 'f1', Title: 'SSH brute force', Severity: 8, Resource: { ResourceType: 'Instance' } } as never,
    ];
    const denied = (action: string) =>
      Object.assign(new Error(`User: x is not authorized to perform: ${action}`), {
        name: 'AccessDeniedException',
      });
    mocks.guardduty
      .on(GetDetectorCommand, { DetectorId: 'd-second' })
      .rejects(denied('guardduty:GetDetector'));
    let findings = await audit();
    let gd = findings.filter((f) => f.id.startsWith('security.guardduty'));
    expect(gd.map((f) => [f.id, f.resource, f.status])).toEqual([
      ['security.guardduty', 'd-second', 'error'],
      ['security.guardduty.enabled', 'd-prod', 'pass'],
      ['security.guardduty.high', 'd-prod', 'fail'],
      ['security.guardduty.medium', 'd-prod', 'pass'],
    ]);
    expect(gd[0]!.observed).toBe(
      'could not read GuardDuty detector d-second: missing permission guardduty:GetDetector',
    );

    // Both detectors on; the findings of one cannot be listed: the other's HIGH finding still fails.
    serve(world);
    mocks.guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: ['d-prod', 'd-second'] });
    mocks.guardduty
      .on(ListFindingsCommand, { DetectorId: 'd-prod' })
      .rejects(denied('guardduty:ListFindings'));
    findings = await audit();
    gd = findings.filter((f) => f.id.startsWith('security.guardduty'));
    expect(gd.map((f) => [f.id, f.resource, f.status])).toEqual([
      ['security.guardduty', 'd-prod', 'error'],
      ['security.guardduty.enabled', 'd-prod, d-second', 'pass'],
      ['security.guardduty.high', 'd-second', 'fail'],
      ['security.guardduty.medium', 'd-second', 'pass'],
    ]);
    expect(gd[0]!.observed).toBe(
      'could not read the findings of GuardDuty detector d-prod: missing permission guardduty:ListFindings',
    );

    // The only detector's status unreadable: no "GuardDuty off" guess, only the error.
    serve(world);
    mocks.guardduty.on(GetDetectorCommand).rejects(denied('guardduty:GetDetector'));
    gd = (await audit()).filter((f) => f.id.startsWith('security.guardduty'));
    expect(gd.map((f) => [f.id, f.status])).toEqual([['security.guardduty', 'error']]);
  });

  it('an ALB without target groups (TargetGroupNotFound) is judged, not an error', async () => {
    mocks.elb.on(DescribeTargetGroupsCommand).rejects(
      Object.assign(new Error('One or more target groups not found'), {
        name: 'TargetGroupNotFoundException',
      }),
    );
    const findings = await audit();
    expect(problems(findings)).toEqual([]);
    expect(byId(findings, 'security.network.ecs-ingress').length).toBeGreaterThan(0);
  });

  it("a secret denied by its resource policy is that secret's could-not-check; the others are judged", async () => {
    mocks.secrets.on(DescribeSecretCommand).callsFake((input) => {
      if (String(input.SecretId).includes('razorpay'))
        throw Object.assign(new Error('not authorized to perform: secretsmanager:DescribeSecret'), {
          name: 'AccessDeniedException',
        });
      return world.secret(input.SecretId);
    });
    const secrets = byId(await audit(), 'security.secret.rotation');
    expect(secrets.map((f) => [f.status, f.observed.split(';')[0]])).toEqual([
      ['pass', 'automatic rotation on (every 30 days)'],
      ['error', 'could not check: missing permission secretsmanager:DescribeSecret'],
    ]);
  });

  it('pages through every list: snapshots across pages, GuardDuty findings in batches of 50', async () => {
    mocks.rds
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({ DBSnapshots: [{ DBSnapshotIdentifier: 'a', Encrypted: true }], Marker: 'm2' })
      .resolves({ DBSnapshots: [{ DBSnapshotIdentifier: 'old-unencrypted', Encrypted: false }] });
    world.findings = Array.from({ length: 120 }, (_, i) => ({
      Id: `f${i}`,
      Title: `finding ${i}`,
      Severity: 7.5,
      Resource: { ResourceType: 'AccessKey', AccessKeyDetails: { UserName: 'ci' } },
    })) as never;
    const findings = await audit();
    expect(byId(findings, 'security.rds.snapshots-encrypted')[0]!.observed).toContain('1 of 2 unencrypted');
    expect(byId(findings, 'security.guardduty.high')[0]!.observed).toMatch(
      /^120 HIGH finding\(s\): 7.5 finding 0 — AccessKey ci; /,
    );
    const batches = mocks.guardduty.commandCalls(GetFindingsCommand);
    expect(batches.map((c) => c.args[0].input.FindingIds?.length)).toEqual([50, 50, 20]);
  });

  it('describes only the attached security groups, batched, however many there are', async () => {
    const many = Array.from({ length: 250 }, (_, i) => `sg-extra${i}`);
    world.db = { ...world.db, VpcSecurityGroups: many.map((id) => ({ VpcSecurityGroupId: id })) };
    world.groups.push(
      ...many.map((id) => ({
        GroupId: id,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: 'sg-ecs' }] },
        ],
      })),
    );
    const findings = await audit();
    const calls = mocks.ec2.commandCalls(DescribeSecurityGroupsCommand);
    expect(calls.every((c) => (c.args[0].input.GroupIds?.length ?? 0) <= 100)).toBe(true);
    expect(calls.flatMap((c) => c.args[0].input.GroupIds ?? []).sort()).toEqual(
      [...many, 'sg-alb', 'sg-ecs'].sort(),
    );
    expect(byId(findings, 'security.network.rds-ingress')).toHaveLength(250);
  });
});
