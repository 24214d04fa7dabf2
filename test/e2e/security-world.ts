// A Fivestar prod account for `fsops security`, served by scripts/fake-aws.mjs over the real wire
// protocols (JSON 1.1 for CloudTrail/Config/Secrets Manager, awsQuery for IAM/RDS/ELB, EC2 XML,
// REST-JSON for GuardDuty), with problems planted on request.
import { AwsFault, type FakeAws, startFakeWorld } from '../helpers/fake-aws.js';

const ACCOUNT = '123456789014';
const DAY_S = 86_400;
export interface Plant {
  highFinding?: boolean;
  noLogValidation?: boolean;
  worldOpen5432?: boolean;
  staleSecret?: boolean;
  wildcardRole?: boolean;
  deniedGetRole?: boolean;
}

const enc = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));

/** Adds what `fsops security` reads to the healthy prod world, with the planted problems. */
export async function securityWorld(
  plant: Plant = {},
  options: Parameters<typeof startFakeWorld>[2] = {},
): Promise<FakeAws> {
  const world = await startFakeWorld('prod', {}, options);
  const now = Date.now() / 1000;
  const h = world.handlers as Record<string, Record<string, (input: Record<string, unknown>) => unknown>>;
  const taskDef = (arn: string) => {
    const component = /prod-fivestar-(.*):\d+$/.exec(arn)?.[1] ?? 'internal-pe';
    return {
      taskDefinitionArn: arn,
      family: `prod-fivestar-${component}`,
      revision: 42,
      cpu: '2048',
      memory: '4096',
      status: 'ACTIVE',
      taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskRole`,
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`,
      containerDefinitions: [
        {
          name: component,
          environment: [{ name: 'ASPNETCORE_ENVIRONMENT', value: 'Production' }],
          secrets: [
            {
              name: 'DATABASE_CONNECTION_STRING',
              valueFrom: `arn:aws:secretsmanager:ap-south-1:${ACCOUNT}:secret:fivestar/payments/prod/database`,
            },
          ],
        },
      ],
    };
  };
  const describeServices = h.ecs!.DescribeServices!;
  h.ecs!.DescribeServices = (input) => {
    const out = describeServices(input) as { services: Record<string, unknown>[] };
    for (const s of out.services)
      s.networkConfiguration = { awsvpcConfiguration: { securityGroups: ['sg-ecs'], subnets: ['subnet-a'] } };
    return out;
  };
  h.ecs!.DescribeTaskDefinition = ({ taskDefinition }) => ({
    taskDefinition: taskDef(String(taskDefinition)),
  });
  const describeDb = h.rds!.DescribeDBInstances!;
  h.rds!.DescribeDBInstances = (input) => {
    const out = describeDb(input) as { DBInstances: Record<string, unknown>[] };
    Object.assign(out.DBInstances[0]!, {
      PubliclyAccessible: false,
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-rds', Status: 'active' }],
      DBParameterGroups: [{ DBParameterGroupName: 'prod-fivestar-pg15', ParameterApplyStatus: 'in-sync' }],
      Endpoint: { Address: 'db.example', Port: 5432 },
    });
    return out;
  };
  h.rds!.DescribeDBSnapshots = () => ({
    DBSnapshots: [{ DBSnapshotIdentifier: 'rds:daily', Encrypted: true }],
  });
  h.rds!.DescribeDBParameters = ({ Source }) => ({
    Parameters: Source === 'user' ? [{ ParameterName: 'rds.force_ssl', ParameterValue: '1' }] : [],
  });
  h.elasticloadbalancing!.DescribeLoadBalancers = (input) => ({
    LoadBalancers: [
      {
        LoadBalancerName: input['Names.member.1'],
        LoadBalancerArn: `arn:aws:elasticloadbalancing:ap-south-1:${ACCOUNT}:loadbalancer/app/${input['Names.member.1']}/1`,
        DNSName: '127.0.0.1',
        SecurityGroups: ['sg-alb'],
      },
    ],
  });
  h.elasticloadbalancing!.DescribeTargetGroups = () => ({ TargetGroups: [] });
  h.elasticloadbalancing!.DescribeListeners = () => ({ Listeners: [] });
  const groups = [
    {
      GroupId: 'sg-alb',
      GroupName: 'alb',
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    },
    {
      GroupId: 'sg-ecs',
      GroupName: 'ecs',
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: 'sg-alb' }] },
      ],
    },
    {
      GroupId: 'sg-rds',
      GroupName: 'rds',
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: 'sg-ecs' }] },
        ...(plant.worldOpen5432
          ? [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]
          : []),
      ],
    },
  ];
  h.ec2 = {
    DescribeSecurityGroups: (input) => {
      const ids = Object.entries(input)
        .filter(([k]) => k.startsWith('GroupId.'))
        .map(([, v]) => v);
      return { SecurityGroups: groups.filter((g) => ids.includes(g.GroupId)) };
    },
  };
  h.logs!.FilterLogEvents = () => ({ events: [] });
  h.secretsmanager = {
    DescribeSecret: () => ({
      ARN: `arn:aws:secretsmanager:ap-south-1:${ACCOUNT}:secret:fivestar/payments/prod/database-AbCdEf`,
      Name: 'fivestar/payments/prod/database',
      RotationEnabled: !plant.staleSecret,
      LastChangedDate: now - (plant.staleSecret ? 200 : 10) * DAY_S,
      ...(plant.staleSecret ? {} : { LastRotatedDate: now - 10 * DAY_S }),
    }),
  };
  const appPolicy = plant.wildcardRole
    ? { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }
    : {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: 'arn:aws:secretsmanager:*:*:secret:fivestar/*',
          },
        ],
      };
  h.iam = {
    ListAttachedRolePolicies: () => ({ AttachedPolicies: [], IsTruncated: false }),
    ListRolePolicies: ({ RoleName }) => ({
      PolicyNames: RoleName === 'ecsTaskRole' ? ['app'] : [],
      IsTruncated: false,
    }),
    GetRolePolicy: ({ RoleName, PolicyName }) => ({ RoleName, PolicyName, PolicyDocument: enc(appPolicy) }),
    GetRole: ({ RoleName }) => {
      if (plant.deniedGetRole)
        throw new AwsFault('AccessDenied', 'User is not authorized to perform: iam:GetRole', 403);
      return {
        Role: {
          RoleName,
          Path: '/',
          RoleId: 'AROAFAKE',
          Arn: `arn:aws:iam::${ACCOUNT}:role/${RoleName}`,
          CreateDate: new Date('2026-01-01T00:00:00Z'),
          AssumeRolePolicyDocument: enc({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::123456789013:root' },
                Action: 'sts:AssumeRole',
                Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
              },
            ],
          }),
        },
      };
    },
  };
  h.guardduty = {
    'GET /detector': () => ({ detectorIds: ['d1'] }),
    'GET /detector/d1': () => ({ status: 'ENABLED', serviceRole: 'r' }),
    'POST /detector/d1/findings': () => ({ findingIds: plant.highFinding ? ['f1'] : [] }),
    'POST /detector/d1/findings/get': () => ({
      findings: [
        {
          id: 'f1',
          accountId: ACCOUNT,
          arn: 'arn:f1',
          createdAt: '2026-11-21T09:00:00Z',
          updatedAt: '2026-11-21T09:00:00Z',
          region: 'ap-south-1',
          schemaVersion: '2.0',
          severity: 8,
          title: 'Credentials exfiltrated from i-0abc',
          type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration',
          resource: { resourceType: 'Instance', instanceDetails: { instanceId: 'i-0abc' } },
        },
      ],
    }),
  };
  h.cloudtrail = {
    DescribeTrails: () => ({
      trailList: [
        {
          Name: 'org-trail',
          TrailARN: `arn:aws:cloudtrail:ap-south-1:${ACCOUNT}:trail/org-trail`,
          IsMultiRegionTrail: true,
          LogFileValidationEnabled: !plant.noLogValidation,
          KmsKeyId: 'arn:aws:kms:ap-south-1:1:key/t',
          S3BucketName: 'audit',
        },
      ],
    }),
    GetTrailStatus: () => ({ IsLogging: true }),
  };
  h.config = {
    DescribeConfigurationRecorderStatus: () => ({
      ConfigurationRecordersStatus: [{ name: 'default', recording: true, lastStatus: 'Success' }],
    }),
  };
  return world;
}
