import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { alarmListCheck } from '../../../src/catalogue/checks/troubleshoot/alarms.js';
import {
  albTargetsCheck,
  evaluateTargetHealth,
} from '../../../src/catalogue/checks/troubleshoot/alb-targets.js';
import {
  cidrContains,
  type DbPathInput,
  dbPathCheck,
  evaluateDbPath,
} from '../../../src/catalogue/checks/troubleshoot/db-path.js';
import { testContext } from '../../helpers/context.js';

const ec2 = mockClient(EC2Client);
const ecs = mockClient(ECSClient);
const rds = mockClient(RDSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const cloudwatch = mockClient(CloudWatchClient);
beforeEach(() => {
  for (const m of [ec2, ecs, rds, elb, cloudwatch]) m.reset();
});

// deployment guide §3.1.2, §3.1.1: ECS in 192.168.0.64/27 and .96/27, RDS in .128/27 and .160/27.
const ecsSg = (egress: SecurityGroup['IpPermissionsEgress']): SecurityGroup => ({
  GroupId: 'sg-ecs',
  IpPermissionsEgress: egress,
});
const rdsSg = (ingress: SecurityGroup['IpPermissions']): SecurityGroup => ({
  GroupId: 'sg-rds',
  IpPermissions: ingress,
});
const toRds = [
  { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: 'sg-rds' }] },
];
const fromEcs = [
  { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: 'sg-ecs' }] },
];

function input(groups: SecurityGroup[]): DbPathInput {
  return {
    dbName: 'prod-fivestar-payments-db',
    dbPort: 5432,
    dbGroupIds: ['sg-rds'],
    dbSubnetCidrs: ['192.168.0.128/27', '192.168.0.160/27'],
    services: [
      {
        name: 'prod-internal-pe-service',
        groupIds: ['sg-ecs'],
        subnetCidrs: ['192.168.0.64/27', '192.168.0.96/27'],
      },
    ],
    groups,
  };
}

describe('cidrContains', () => {
  it('contains equal and narrower ranges only', () => {
    expect(cidrContains('192.168.0.0/24', '192.168.0.64/27')).toBe(true);
    expect(cidrContains('192.168.0.64/27', '192.168.0.64/27')).toBe(true);
    expect(cidrContains('192.168.0.64/27', '192.168.0.96/27')).toBe(false);
    expect(cidrContains('192.168.0.64/27', '192.168.0.0/24')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '10.1.2.3/32')).toBe(true);
    expect(cidrContains('::/0', '10.0.0.0/8')).toBe(false);
  });
});

describe('evaluateDbPath', () => {
  it('passes the guide layout: RDS ingress 5432 from the ECS group, ECS egress 5432 to the RDS group', () => {
    expect(
      evaluateDbPath(input([ecsSg(toRds), rdsSg(fromEcs)])).map((r) => [r.id, r.status, r.observed]),
    ).toEqual([
      ['net.db-path.ingress', 'pass', 'sg-rds allows tcp 5432-5432 with sg-ecs'],
      ['net.db-path.egress', 'pass', 'sg-ecs allows tcp 5432-5432 with sg-rds'],
    ]);
  });

  it('accepts CIDR rules that cover every subnet, and all-traffic rules', () => {
    const results = evaluateDbPath(
      input([
        ecsSg([{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]),
        rdsSg([
          { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '192.168.0.64/26' }] },
        ]),
      ]),
    );
    expect(results.map((r) => r.status)).toEqual(['pass', 'pass']);
  });

  it('fails a missing ingress rule, a wrong port, and a CIDR that covers only some task subnets', () => {
    const cases: SecurityGroup['IpPermissions'][] = [
      [],
      [{ IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306, UserIdGroupPairs: [{ GroupId: 'sg-ecs' }] }],
      [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '192.168.0.64/27' }] }],
      [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: 'sg-lambda' }] }],
    ];
    for (const ingress of cases) {
      const [first] = evaluateDbPath(input([ecsSg(toRds), rdsSg(ingress)]));
      expect(first).toMatchObject({ id: 'net.db-path.ingress', status: 'fail' });
      expect(first!.observed).toContain(
        'no ingress rule in sg-rds allows 5432 from sg-ecs or 192.168.0.64/27, 192.168.0.96/27',
      );
    }
  });

  it('fails when the ECS group has no egress to the database (the guide allows only 5432 and 443)', () => {
    const [, egress] = evaluateDbPath(
      input([
        ecsSg([{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]),
        rdsSg(fromEcs),
      ]),
    );
    expect(egress).toMatchObject({ id: 'net.db-path.egress', status: 'fail' });
  });

  it('skips a service without awsvpc security groups', () => {
    const data = input([]);
    data.services[0]!.groupIds = [];
    expect(evaluateDbPath(data)).toMatchObject([{ id: 'net.db-path.service', status: 'skip' }]);
  });
});

describe('net.db-path at the SDK boundary', () => {
  it('gathers the groups and subnets in one call each', async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: ['internal-pe', 'customer-portal'].map((c) => ({
        serviceName: `prod-${c}-service`,
        networkConfiguration: {
          awsvpcConfiguration: { securityGroups: ['sg-ecs'], subnets: ['subnet-a', 'subnet-b'] },
        },
      })),
    });
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: 'prod-fivestar-payments-db',
          Endpoint: { Port: 5432 },
          VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-rds' }],
          DBSubnetGroup: {
            Subnets: [{ SubnetIdentifier: 'subnet-db1' }, { SubnetIdentifier: 'subnet-db2' }],
          },
        },
      ],
    });
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [ecsSg(toRds), rdsSg([])] });
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        { SubnetId: 'subnet-a', CidrBlock: '192.168.0.64/27' },
        { SubnetId: 'subnet-b', CidrBlock: '192.168.0.96/27' },
        { SubnetId: 'subnet-db1', CidrBlock: '192.168.0.128/27' },
        { SubnetId: 'subnet-db2', CidrBlock: '192.168.0.160/27' },
      ],
    });
    const results = await dbPathCheck.run(testContext(), {});
    expect(results.map((r) => [r.id, r.resource, r.status])).toEqual([
      ['net.db-path.ingress', 'prod-fivestar-payments-db <- prod-internal-pe-service', 'fail'],
      ['net.db-path.egress', 'prod-internal-pe-service -> prod-fivestar-payments-db', 'pass'],
      ['net.db-path.ingress', 'prod-fivestar-payments-db <- prod-customer-portal-service', 'fail'],
      ['net.db-path.egress', 'prod-customer-portal-service -> prod-fivestar-payments-db', 'pass'],
    ]);
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(1);
    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)[0]!.args[0].input.GroupIds!.sort()).toEqual([
      'sg-ecs',
      'sg-rds',
    ]);
    expect(ec2.commandCalls(DescribeSubnetsCommand)).toHaveLength(1);
  });
});

describe('ALB target health', () => {
  const group = {
    TargetGroupName: 'pe-tg',
    HealthCheckPath: '/health',
    HealthCheckPort: 'traffic-port',
    Matcher: { HttpCode: '200' },
  };

  it('fails when no target is healthy, with ELB reasons explained', () => {
    const result = evaluateTargetHealth('prod-internal-pe-alb', group, [
      {
        Target: { Id: '192.168.0.70', Port: 8080 },
        TargetHealth: { State: 'unhealthy', Reason: 'Target.Timeout' },
      },
    ]);
    expect(result).toMatchObject({
      id: 'alb.targets.unhealthy',
      status: 'fail',
      observed: '0 healthy, 1 not healthy',
    });
    expect(result.detail).toContain(
      '192.168.0.70:8080 unhealthy: Target.Timeout (the health check timed out',
    );
    expect(result.detail).toContain('health check /health on port traffic-port, expecting 200');
  });

  it('warns on a partial outage or targets still starting; fails with no targets; passes when all are healthy', () => {
    const healthy = { Target: { Id: 'a', Port: 8080 }, TargetHealth: { State: 'healthy' as const } };
    const starting = {
      Target: { Id: 'b', Port: 8080 },
      TargetHealth: { State: 'initial' as const, Reason: 'Elb.InitialHealthChecking' as const },
    };
    expect(evaluateTargetHealth('alb', group, [healthy, starting]).status).toBe('warn');
    expect(evaluateTargetHealth('alb', group, [starting]).status).toBe('warn');
    expect(evaluateTargetHealth('alb', group, []).id).toBe('alb.targets.none');
    expect(evaluateTargetHealth('alb', group, [healthy])).toMatchObject({
      id: 'alb.targets',
      status: 'pass',
    });
  });

  it('asks every target group of every ALB', async () => {
    elb.on(DescribeLoadBalancersCommand).callsFake((i: { Names: string[] }) => ({
      LoadBalancers: [
        {
          LoadBalancerArn: `arn:aws:elasticloadbalancing:ap-south-1:1:loadbalancer/app/${i.Names[0]}/1`,
          DNSName: 'd',
        },
      ],
    }));
    elb.on(DescribeTargetGroupsCommand).callsFake((i: { LoadBalancerArn: string }) => ({
      TargetGroups: [
        {
          TargetGroupArn: `${i.LoadBalancerArn.replace('loadbalancer/app', 'targetgroup')}`,
          TargetGroupName: 'tg',
        },
      ],
    }));
    elb
      .on(DescribeTargetHealthCommand)
      .resolves({ TargetHealthDescriptions: [{ Target: { Id: 'x' }, TargetHealth: { State: 'healthy' } }] });
    const results = await albTargetsCheck.run(testContext(), {});
    expect(results.map((r) => [r.resource, r.status])).toEqual([
      ['prod-internal-pe-alb tg', 'pass'],
      ['prod-customer-portal-alb tg', 'pass'],
    ]);
  });
});

describe('cloudwatch.alarm-list', () => {
  it('lists every alarm (paginated), firing ones fail, and the guide alarms must exist', async () => {
    cloudwatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({
        MetricAlarms: [
          {
            AlarmName: 'Fivestar-High-Error-Rate',
            StateValue: 'ALARM',
            Namespace: 'Fivestar/Application',
            MetricName: 'ErrorRate',
            StateReason: 'Threshold Crossed: 7.2 > 5',
            StateUpdatedTimestamp: new Date('2026-11-21T09:55:00Z'),
          },
        ],
        NextToken: 'n',
      })
      .resolvesOnce({
        MetricAlarms: [
          {
            AlarmName: 'prod-rds-cpu',
            StateValue: 'OK',
            StateUpdatedTimestamp: new Date('2026-11-20T00:00:00Z'),
          },
        ],
      });
    const results = await alarmListCheck.run(testContext(), {});
    expect(results.map((r) => [r.id, r.title, r.status])).toEqual([
      ['cloudwatch.alarm.alarm', 'Fivestar-High-Error-Rate', 'fail'],
      ['cloudwatch.alarm.ok', 'prod-rds-cpu', 'pass'],
      ['cloudwatch.alarm.missing', 'Fivestar-Low-Payment-Success-Rate', 'fail'],
    ]);
    expect(results[0]!.detail).toBe('Threshold Crossed: 7.2 > 5');
  });

  it('with --state ALARM and nothing firing, passes and asks AWS for that state only', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [] });
    const results = await alarmListCheck.run(testContext(), { state: 'ALARM' });
    expect(results).toMatchObject([
      { id: 'cloudwatch.alarm.none', status: 'pass', observed: 'no alarm in ALARM' },
    ]);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input.StateValue).toBe('ALARM');
  });
});
