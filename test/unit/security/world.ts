// A clean Fivestar prod account at the SDK boundary (aws-sdk-client-mock): every control of
// runbooks/security.yaml passes. Tests plant one problem at a time on top of it.
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import {
  CloudWatchLogsClient,
  DescribeExportTasksCommand,
  DescribeLogGroupsCommand,
  DescribeSubscriptionFiltersCommand,
  type ExportTask,
  type FilteredLogEvent,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  ConfigServiceClient,
  DescribeConfigurationRecorderStatusCommand,
} from '@aws-sdk/client-config-service';
import { DescribeSecurityGroupsCommand, EC2Client, type SecurityGroup } from '@aws-sdk/client-ec2';
import { DescribeImageScanFindingsCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  type Finding,
  GetDetectorCommand,
  GetFindingsCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListFindingsCommand,
} from '@aws-sdk/client-guardduty';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import {
  type DBInstance,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DescribeSecretCommand,
  type DescribeSecretResponse,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';

export const ACCOUNT = '123456789014';
export const NOW = new Date();
const DAY = 86_400_000;

export const mocks = {
  ecr: mockClient(ECRClient),
  ecs: mockClient(ECSClient),
  rds: mockClient(RDSClient),
  ec2: mockClient(EC2Client),
  elb: mockClient(ElasticLoadBalancingV2Client),
  logs: mockClient(CloudWatchLogsClient),
  secrets: mockClient(SecretsManagerClient),
  iam: mockClient(IAMClient),
  guardduty: mockClient(GuardDutyClient),
  cloudtrail: mockClient(CloudTrailClient),
  config: mockClient(ConfigServiceClient),
  s3: mockClient(S3Client),
};

/** The log groups of ops guide §3.1.1 in prod. */
export const LOG_GROUPS = [
  '/ecs/prod-fivestar-internal-pe',
  '/ecs/prod-fivestar-customer-portal',
  '/aws/lambda/prod-fivestar-schedulers',
  '/aws/rds/instance/prod-fivestar-payments-db/postgresql',
  '/aws/security/prod-fivestar-payments',
];

/** A COMPLETED export of each log group's last closed month (before `now`) to the prod archive bucket. */
export function archivedLastMonth(now: Date): ExportTask[] {
  const from = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
  const to = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) - 1;
  return LOG_GROUPS.map((group, i) => ({
    taskId: `task-${i}`,
    logGroupName: group,
    from,
    to,
    destination: 'fivestar-payments-prod-log-archive',
    status: { code: 'COMPLETED' },
  }));
}

export const encode = (doc: unknown) => encodeURIComponent(JSON.stringify(doc));

/** deployment guide §7.1.1, shortened. */
export const LEAST_PRIVILEGE = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [`arn:aws:secretsmanager:ap-south-1:${ACCOUNT}:secret:fivestar/payments/prod/*`],
    },
    { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: '*' },
  ],
};

export const TRUST_WITH_EXTERNAL_ID = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789013:role/cicd' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': 'fivestar-deploy' } },
    },
  ],
};

export interface World {
  groups: SecurityGroup[];
  db: DBInstance;
  snapshots: { DBSnapshotIdentifier: string; Encrypted: boolean }[];
  forceSsl: string | undefined;
  taskDef: (component: string) => TaskDefinition;
  secret: (id: string) => DescribeSecretResponse | null;
  inlinePolicies: Record<string, unknown>;
  trust: unknown;
  detectorStatus: string;
  findings: Finding[];
  trails: Trail[];
  isLogging: boolean;
  recording: boolean;
  failedLogins: FilteredLogEvent[];
  exportTasks: ExportTask[];
}

export function cleanWorld(): World {
  return {
    groups: [
      {
        GroupId: 'sg-alb',
        GroupName: 'ALB-SecurityGroup',
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          {
            IpProtocol: 'tcp',
            FromPort: 80,
            ToPort: 80,
            IpRanges: [{ CidrIp: '0.0.0.0/0' }],
            Ipv6Ranges: [{ CidrIpv6: '::/0' }],
          },
        ],
      },
      {
        GroupId: 'sg-ecs',
        GroupName: 'ECS-SecurityGroup',
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: 'sg-alb' }] },
          { IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, UserIdGroupPairs: [{ GroupId: 'sg-alb' }] },
        ],
        IpPermissionsEgress: [
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      },
      {
        GroupId: 'sg-rds',
        GroupName: 'RDS-SecurityGroup',
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: 'sg-ecs' }] },
        ],
      },
    ],
    db: {
      DBInstanceIdentifier: 'prod-fivestar-payments-db',
      StorageEncrypted: true,
      KmsKeyId: 'arn:aws:kms:ap-south-1:123456789014:key/db',
      PubliclyAccessible: false,
      VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-rds', Status: 'active' }],
      DBParameterGroups: [{ DBParameterGroupName: 'prod-fivestar-pg15', ParameterApplyStatus: 'in-sync' }],
      Endpoint: { Port: 5432 },
    },
    snapshots: [
      { DBSnapshotIdentifier: 'rds:prod-fivestar-payments-db-2026-11-20', Encrypted: true },
      { DBSnapshotIdentifier: 'rds:prod-fivestar-payments-db-2026-11-21', Encrypted: true },
    ],
    forceSsl: '1',
    taskDef: (component) => ({
      family: `prod-fivestar-${component}`,
      revision: 42,
      taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskRole`,
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`,
      containerDefinitions: [
        {
          name: component,
          environment: [{ name: 'ASPNETCORE_ENVIRONMENT', value: 'Production' }],
          secrets: [
            {
              name: 'DATABASE_CONNECTION_STRING',
              valueFrom: `arn:aws:secretsmanager:ap-south-1:${ACCOUNT}:secret:fivestar/payments/prod/database-AbCdEf`,
            },
            {
              name: 'RAZORPAY_KEY',
              valueFrom: `arn:aws:secretsmanager:ap-south-1:${ACCOUNT}:secret:fivestar/payments/prod/razorpay-Zz9Yy8:key_secret::`,
            },
            {
              name: 'FEATURE_FLAGS',
              valueFrom: `arn:aws:ssm:ap-south-1:${ACCOUNT}:parameter/fivestar/payments/prod/features/feature_flags`,
            },
          ],
        },
      ],
    }),
    secret: (id) => ({
      ARN: id.startsWith('arn:') ? id : `arn:aws:secretsmanager:ap-south-1:${ACCOUNT}:secret:${id}-AbCdEf`,
      Name: id.startsWith('arn:') ? id.split(':')[6]!.replace(/-\w{6}$/, '') : id,
      RotationEnabled: true,
      RotationRules: { AutomaticallyAfterDays: 30 },
      LastRotatedDate: new Date(NOW.getTime() - 12 * DAY),
      LastChangedDate: new Date(NOW.getTime() - 12 * DAY),
    }),
    inlinePolicies: { 'fivestar-app': LEAST_PRIVILEGE },
    trust: TRUST_WITH_EXTERNAL_ID,
    detectorStatus: 'ENABLED',
    findings: [],
    trails: [
      {
        Name: 'fivestar-org-trail',
        TrailARN: `arn:aws:cloudtrail:ap-south-1:${ACCOUNT}:trail/fivestar-org-trail`,
        IsMultiRegionTrail: true,
        LogFileValidationEnabled: true,
        KmsKeyId: 'arn:aws:kms:ap-south-1:123456789014:key/trail',
        S3BucketName: 'fivestar-audit',
      },
    ],
    isLogging: true,
    recording: true,
    failedLogins: [],
    exportTasks: archivedLastMonth(NOW),
  };
}

/** Points every mock at `world` (reset first). Handlers read `world` at call time, so tests may change it after. */
export function serve(world: World): void {
  for (const m of Object.values(mocks)) m.reset();
  const { ecs, ecr, rds, ec2, elb, logs, secrets, iam, guardduty, cloudtrail, config, s3 } = mocks;
  // The log archive (logs.archive): exported last month, a bucket that keeps it a year, locked.
  logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
  logs.on(DescribeExportTasksCommand).callsFake(() => ({ exportTasks: world.exportTasks }));
  s3.on(GetBucketLifecycleConfigurationCommand).resolves({
    Rules: [
      {
        ID: 'archive',
        Status: 'Enabled',
        Filter: { Prefix: '' },
        Transitions: [{ Days: 90, StorageClass: 'GLACIER' }],
        Expiration: { Days: 400 },
      },
    ],
  });
  s3.on(GetObjectLockConfigurationCommand).resolves({
    ObjectLockConfiguration: {
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } },
    },
  });
  s3.on(GetBucketEncryptionCommand).resolves({
    ServerSideEncryptionConfiguration: {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
    },
  });
  s3.on(GetPublicAccessBlockCommand).resolves({
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    },
  });
  // The running tasks' images (by digest) and a clean ECR scan of them.
  ecs.on(ListTasksCommand).callsFake((input) => ({
    taskArns:
      input.desiredStatus === 'RUNNING'
        ? [`arn:aws:ecs:ap-south-1:${ACCOUNT}:task/c/${input.serviceName}`]
        : [],
  }));
  ecs.on(DescribeTasksCommand).callsFake((input) => ({
    tasks: (input.tasks ?? []).map((taskArn: string) => ({
      taskArn,
      lastStatus: 'RUNNING',
      containers: [
        {
          name: 'app',
          image: `${ACCOUNT}.dkr.ecr.ap-south-1.amazonaws.com/fivestar/${taskArn.split('/').pop()}:v1`,
          imageDigest: `sha256:${'c'.repeat(64)}`,
        },
      ],
    })),
  }));
  ecr.on(DescribeImageScanFindingsCommand).resolves({
    imageScanStatus: { status: 'COMPLETE' },
    imageScanFindings: { findingSeverityCounts: { LOW: 1 }, findings: [] },
  });
  ecs.on(DescribeServicesCommand).callsFake((input) => ({
    services: (input.services ?? []).map((name: string) => ({
      serviceName: name,
      taskDefinition: `arn:aws:ecs:ap-south-1:${ACCOUNT}:task-definition/${name.replace(/^prod-(.*)-service$/, 'prod-fivestar-$1')}:42`,
      networkConfiguration: { awsvpcConfiguration: { securityGroups: ['sg-ecs'], subnets: ['subnet-a'] } },
    })),
  }));
  ecs.on(DescribeTaskDefinitionCommand).callsFake((input) => {
    const component = /prod-fivestar-(.*):42$/.exec(input.taskDefinition)![1]!;
    return { taskDefinition: world.taskDef(component) };
  });
  rds.on(DescribeDBInstancesCommand).callsFake(() => ({ DBInstances: [world.db] }));
  rds.on(DescribeDBSnapshotsCommand).callsFake(() => ({ DBSnapshots: world.snapshots }));
  rds.on(DescribeDBParametersCommand).callsFake((input) => ({
    Parameters:
      input.Source === 'user' && world.forceSsl !== undefined
        ? [
            { ParameterName: 'log_min_duration_statement', ParameterValue: '1000' },
            { ParameterName: 'rds.force_ssl', ParameterValue: world.forceSsl },
          ]
        : input.Source === 'engine-default'
          ? [{ ParameterName: 'rds.force_ssl', ParameterValue: '0' }]
          : [],
  }));
  ec2.on(DescribeSecurityGroupsCommand).callsFake((input) => ({
    SecurityGroups: world.groups.filter((g) => (input.GroupIds ?? []).includes(g.GroupId!)),
  }));
  elb.on(DescribeLoadBalancersCommand).callsFake((input) => ({
    LoadBalancers: [
      {
        LoadBalancerName: input.Names[0],
        LoadBalancerArn: `arn:aws:elasticloadbalancing:ap-south-1:${ACCOUNT}:loadbalancer/app/${input.Names[0]}/abc`,
        DNSName: `${input.Names[0]}.example.test`,
        SecurityGroups: ['sg-alb'],
      },
    ],
  }));
  elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });
  elb.on(DescribeListenersCommand).resolves({ Listeners: [] });
  logs.on(DescribeLogGroupsCommand).callsFake((input) => ({
    logGroups: (input.logGroupIdentifiers ?? []).map((name: string) => ({
      logGroupName: name,
      kmsKeyId: 'arn:aws:kms:ap-south-1:123456789014:key/logs',
    })),
  }));
  logs.on(FilterLogEventsCommand).callsFake(() => ({ events: world.failedLogins }));
  secrets.on(DescribeSecretCommand).callsFake((input) => {
    const found = world.secret(input.SecretId);
    if (!found)
      throw Object.assign(new Error('Secrets Manager can’t find the specified secret.'), {
        name: 'ResourceNotFoundException',
      });
    return found;
  });
  iam.on(ListAttachedRolePoliciesCommand).resolves({
    AttachedPolicies: [
      {
        PolicyName: 'AmazonECSTaskExecutionRolePolicy',
        PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
      },
    ],
  });
  iam.on(GetPolicyCommand).resolves({ Policy: { DefaultVersionId: 'v3' } });
  iam.on(GetPolicyVersionCommand).resolves({
    PolicyVersion: {
      Document: encode({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'logs:PutLogEvents'], Resource: '*' },
        ],
      }),
    },
  });
  iam.on(ListRolePoliciesCommand).callsFake((input) => ({
    PolicyNames: input.RoleName === 'ecsTaskRole' ? Object.keys(world.inlinePolicies) : [],
  }));
  iam.on(GetRolePolicyCommand).callsFake((input) => ({
    RoleName: input.RoleName,
    PolicyName: input.PolicyName,
    PolicyDocument: encode(world.inlinePolicies[input.PolicyName]),
  }));
  iam.on(GetRoleCommand).callsFake((input) => ({
    Role: { RoleName: input.RoleName, AssumeRolePolicyDocument: encode(world.trust) },
  }));
  guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: ['d-prod'] });
  guardduty.on(GetDetectorCommand).callsFake(() => ({ Status: world.detectorStatus }));
  guardduty.on(ListFindingsCommand).callsFake(() => ({ FindingIds: world.findings.map((f) => f.Id!) }));
  guardduty.on(GetFindingsCommand).callsFake((input) => ({
    Findings: world.findings.filter((f) => input.FindingIds.includes(f.Id!)),
  }));
  cloudtrail.on(DescribeTrailsCommand).callsFake(() => ({ trailList: world.trails }));
  cloudtrail.on(GetTrailStatusCommand).callsFake(() => ({ IsLogging: world.isLogging }));
  config.on(DescribeConfigurationRecorderStatusCommand).callsFake(() => ({
    ConfigurationRecordersStatus: [{ name: 'default', recording: world.recording, lastStatus: 'Success' }],
  }));
}
