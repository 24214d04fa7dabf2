// A scripted Fivestar prod environment at the SDK boundary (aws-sdk-client-mock) and a payments
// database in the test PostgreSQL: healthy by default, with one cause injected per scenario.
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeReplicationGroupsCommand,
  DescribeSnapshotsCommand,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { adminQuery } from '../../helpers/postgres.js';

export const COMPONENTS = ['internal-pe', 'customer-portal'] as const;
const ACCOUNT = '123456789014';
const taskDef = (component: string) =>
  `arn:aws:ecs:ap-south-1:${ACCOUNT}:task-definition/prod-fivestar-${component}:42`;
const taskArn = (id: string) => `arn:aws:ecs:ap-south-1:${ACCOUNT}:task/prod-fivestar-payments/${id}`;

/** Healthy values by `<namespace>:<metric name>` (or the expression's label), oldest first. */
const HEALTHY_METRICS: Record<string, number[]> = {
  'AWS/RDS:CPUUtilization': [30, 32, 31],
  'AWS/RDS:DatabaseConnections': [40, 42],
  'AWS/RDS:FreeableMemory': [4096 * 1024 ** 2],
  'AWS/RDS:FreeStorageSpace': [600 * 1024 ** 3],
  'AWS/RDS:ReadLatency': [0.002],
  'AWS/RDS:WriteLatency': [0.003],
  'AWS/RDS:DiskQueueDepth': [1],
  'AWS/ECS:CPUUtilization': [35, 40],
  'AWS/ECS:MemoryUtilization': [50, 52],
  'AWS/ApplicationELB:TargetResponseTime': [0.25, 0.3],
  'alb.5xx-rate': [0.1, 0.2],
  'AWS/ApplicationELB:UnHealthyHostCount': [0, 0],
  'Fivestar/Payments:PaymentSuccessRate': [99.4, 99.6],
  'Fivestar/Application:ErrorRate': [0.4, 0.5],
  'Fivestar/Payments:PaymentProcessingTime': [2.1, 2.4],
  'AWS/ElastiCache:EngineCPUUtilization': [20, 22],
  'AWS/ElastiCache:DatabaseMemoryUsagePercentage': [40, 41],
  'AWS/ElastiCache:Evictions': [0, 0],
  'AWS/ElastiCache:CurrConnections': [150, 160],
  'AWS/ElastiCache:ReplicationLag': [0.1, 0.1],
};

export interface World {
  service?: (service: Service, component: string) => Service;
  running?: number;
  stoppedTasks?: Partial<Record<string, Task[]>>;
  metrics?: Record<string, number[]>;
  appErrors?: Partial<Record<string, string[]>>;
  slowStatements?: string[];
  rdsIngress?: IpPermission[];
  targetHealth?: TargetHealthDescription[];
  firingAlarms?: string[];
}

export const mocks = {
  ecs: mockClient(ECSClient),
  rds: mockClient(RDSClient),
  ec2: mockClient(EC2Client),
  elb: mockClient(ElasticLoadBalancingV2Client),
  cloudwatch: mockClient(CloudWatchClient),
  logs: mockClient(CloudWatchLogsClient),
  elasticache: mockClient(ElastiCacheClient),
};

export function installWorld(world: World = {}, now = Date.now()): void {
  for (const mock of Object.values(mocks)) mock.reset();
  const running = world.running ?? 3;
  const service = (component: string): Service => {
    const base: Service = {
      serviceName: `prod-${component}-service`,
      status: 'ACTIVE',
      desiredCount: 3,
      runningCount: running,
      pendingCount: 0,
      taskDefinition: taskDef(component),
      deployments: [
        {
          status: 'PRIMARY',
          rolloutState: 'COMPLETED',
          taskDefinition: taskDef(component),
          desiredCount: 3,
          runningCount: running,
          failedTasks: 0,
        },
      ],
      networkConfiguration: {
        awsvpcConfiguration: { securityGroups: ['sg-ecs'], subnets: ['subnet-app-a', 'subnet-app-b'] },
      },
      events: [
        {
          createdAt: new Date(now - 600_000),
          message: `(service prod-${component}-service) has reached a steady state.`,
        },
      ],
    };
    return world.service ? world.service(base, component) : base;
  };
  mocks.ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
    services: COMPONENTS.filter((c) => input.services.includes(`prod-${c}-service`)).map(service),
    failures: [],
  }));
  mocks.ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
    taskDefinition: {
      taskDefinitionArn: input.taskDefinition,
      cpu: '2048',
      memory: '4096',
      status: 'ACTIVE',
    },
  }));
  mocks.ecs.on(ListTasksCommand).callsFake((input: { serviceName: string; desiredStatus: string }) => {
    const component = input.serviceName.replace(/^prod-|-service$/g, '');
    if (input.desiredStatus === 'RUNNING') {
      return { taskArns: Array.from({ length: running }, (_, i) => taskArn(`${component}-run-${i}`)) };
    }
    return { taskArns: (world.stoppedTasks?.[component] ?? []).map((t) => t.taskArn!) };
  });
  const stopped = Object.values(world.stoppedTasks ?? {}).flat() as Task[];
  mocks.ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
    tasks: input.tasks.map(
      (arn) =>
        stopped.find((t) => t.taskArn === arn) ?? {
          taskArn: arn,
          lastStatus: 'RUNNING',
          taskDefinitionArn: taskDef(arn.includes('customer-portal') ? 'customer-portal' : 'internal-pe'),
        },
    ),
  }));

  mocks.rds.on(DescribeDBInstancesCommand).resolves({
    DBInstances: [
      {
        DBInstanceIdentifier: 'prod-fivestar-payments-db',
        DBInstanceStatus: 'available',
        DBInstanceClass: 'db.r6g.large',
        AllocatedStorage: 1000,
        BackupRetentionPeriod: 35,
        MultiAZ: true,
        StorageEncrypted: true,
        DeletionProtection: true,
        ReadReplicaDBInstanceIdentifiers: ['r1', 'r2'],
        Endpoint: { Address: 'db.internal', Port: 5432 },
        VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-rds', Status: 'active' }],
        DBSubnetGroup: {
          Subnets: [{ SubnetIdentifier: 'subnet-db-a' }, { SubnetIdentifier: 'subnet-db-b' }],
        },
      },
    ],
  });
  // deployment guide §3.1.1 / §3.1.2
  mocks.ec2.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [
      {
        GroupId: 'sg-ecs',
        IpPermissionsEgress: [
          { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: 'sg-rds' }] },
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      },
      {
        GroupId: 'sg-rds',
        IpPermissions: world.rdsIngress ?? [
          {
            IpProtocol: 'tcp',
            FromPort: 5432,
            ToPort: 5432,
            UserIdGroupPairs: [{ GroupId: 'sg-ecs' }, { GroupId: 'sg-lambda' }],
          },
        ],
      },
    ],
  });
  mocks.ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      { SubnetId: 'subnet-app-a', CidrBlock: '192.168.0.64/27' },
      { SubnetId: 'subnet-app-b', CidrBlock: '192.168.0.96/27' },
      { SubnetId: 'subnet-db-a', CidrBlock: '192.168.0.128/27' },
      { SubnetId: 'subnet-db-b', CidrBlock: '192.168.0.160/27' },
    ],
  });

  mocks.elb.on(DescribeLoadBalancersCommand).callsFake((input: { Names: string[] }) => ({
    LoadBalancers: [
      {
        LoadBalancerArn: `arn:aws:elasticloadbalancing:ap-south-1:${ACCOUNT}:loadbalancer/app/${input.Names[0]}/abc`,
        DNSName: `${input.Names[0]}.elb.test`,
      },
    ],
  }));
  mocks.elb.on(DescribeTargetGroupsCommand).callsFake((input: { LoadBalancerArn: string }) => ({
    TargetGroups: [
      {
        TargetGroupArn: input.LoadBalancerArn.replace('loadbalancer/app', 'targetgroup'),
        TargetGroupName: 'tg',
        HealthCheckPath: '/health',
        HealthCheckPort: 'traffic-port',
      },
    ],
  }));
  mocks.elb.on(DescribeTargetHealthCommand).resolves({
    TargetHealthDescriptions: world.targetHealth ?? [
      { Target: { Id: '192.168.0.70', Port: 8080 }, TargetHealth: { State: 'healthy' } },
      { Target: { Id: '192.168.0.100', Port: 8080 }, TargetHealth: { State: 'healthy' } },
    ],
  });
  mocks.elb.on(DescribeListenersCommand).resolves({ Listeners: [] });

  const metrics = { ...HEALTHY_METRICS, ...world.metrics };
  mocks.cloudwatch.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: MetricDataQuery[] }) => ({
    MetricDataResults: input.MetricDataQueries.filter((q) => q.ReturnData !== false).map((q) => {
      const m = q.MetricStat?.Metric;
      // Each scripted value is held for 10 minutes: a breach lasts the guide's duration (CPU 5 min, payments 10).
      const values = (metrics[m ? `${m.Namespace}:${m.MetricName}` : (q.Label ?? '')] ?? []).flatMap((v) =>
        Array<number>(10).fill(v),
      );
      return {
        Id: q.Id,
        Timestamps: values.map((_, i) => new Date(now - (values.length - i) * 60_000)),
        Values: values,
        StatusCode: 'Complete',
      };
    }),
  }));
  mocks.elasticache.on(DescribeReplicationGroupsCommand).resolves({
    ReplicationGroups: [
      {
        ReplicationGroupId: 'prod-fivestar-redis',
        Status: 'available',
        MultiAZ: 'enabled',
        AutomaticFailover: 'enabled',
        AtRestEncryptionEnabled: true,
        TransitEncryptionEnabled: true,
        SnapshotRetentionLimit: 7,
        NodeGroups: [
          {
            NodeGroupMembers: [
              { CacheClusterId: 'prod-fivestar-redis-001', CurrentRole: 'primary' },
              { CacheClusterId: 'prod-fivestar-redis-002', CurrentRole: 'replica' },
            ],
          },
        ],
      },
    ],
  });
  mocks.elasticache.on(DescribeSnapshotsCommand).resolves({
    Snapshots: [{ NodeSnapshots: [{ SnapshotCreateTime: new Date(now - 6 * 3_600_000) }] }],
  });
  mocks.cloudwatch
    .on(DescribeAlarmsCommand)
    .callsFake((input: { StateValue?: string; AlarmNames?: string[] }) => {
      const alarm = (name: string, state: string) => ({
        AlarmName: name,
        StateValue: state,
        StateReason: 'scripted',
        StateUpdatedTimestamp: new Date(now - 300_000),
      });
      if (input.StateValue === 'ALARM')
        return { MetricAlarms: (world.firingAlarms ?? []).map((n) => alarm(n, 'ALARM')) };
      return {
        MetricAlarms: (input.AlarmNames ?? []).map((n) =>
          alarm(n, world.firingAlarms?.includes(n) ? 'ALARM' : 'OK'),
        ),
      };
    });

  mocks.logs
    .on(FilterLogEventsCommand)
    .callsFake((input: { logGroupName: string; filterPattern?: string }) => {
      const lines = input.logGroupName.startsWith('/aws/rds/')
        ? (world.slowStatements ?? [])
        : (world.appErrors?.[input.logGroupName.replace(/^\/ecs\/prod-fivestar-/, '')] ?? []);
      return {
        events: lines.map((message, i) => ({
          eventId: `${input.logGroupName}-${i}`,
          timestamp: now - (lines.length - i) * 1000,
          message,
          logStreamName: 'ecs/app/1',
        })),
      };
    });
}

export const OK_FETCH: typeof fetch = async () => new Response('ok', { status: 200 });

/** The payments schema as runbook 003 names it, with a healthy hour of payments and an empty LMS queue. */
export async function createPaymentsSchema(database: string): Promise<void> {
  await adminQuery(
    `CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
     CREATE SCHEMA payment;
     CREATE TABLE payment.payments (
       id bigserial PRIMARY KEY, gateway text NOT NULL, error_code text, amount numeric(12,2) NOT NULL,
       status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
     CREATE TABLE payment.lms_sync_queue (
       id bigserial PRIMARY KEY, payment_id bigint, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
     INSERT INTO payment.payments (gateway, amount, status, created_at)
       SELECT CASE WHEN i % 2 = 0 THEN 'razorpay' ELSE 'juspay' END, 100 + i, 'COMPLETED', now() - (i || ' seconds')::interval
         FROM generate_series(1, 1000) i;
     INSERT INTO payment.payments (gateway, error_code, amount, status, created_at)
       SELECT 'razorpay', 'CARD_DECLINED', 250, 'FAILED', now() - interval '10 minutes' FROM generate_series(1, 3);
     INSERT INTO payment.payments (gateway, error_code, amount, status, created_at)
       SELECT 'razorpay', 'GATEWAY_TIMEOUT', 999, 'FAILED', now() - interval '3 hours' FROM generate_series(1, 500);`,
    [],
    database,
  );
}
