// A healthy Fivestar environment as the deployment guide §4.1 sizes it, served by scripts/fake-aws.mjs.
// Tests and the benchmark start from it and break one thing at a time through `overrides`.
const PROFILES = {
  dev: {
    account: '123456789012',
    desired: 1,
    cpu: '512',
    memory: '1024',
    dbClass: 'db.t3.medium',
    storage: 100,
    retention: 7,
    multiAz: false,
    deletionProtection: false,
    replicas: 0,
    logDays: 7,
    kms: false,
  },
  staging: {
    account: '123456789013',
    desired: 2,
    cpu: '1024',
    memory: '2048',
    dbClass: 'db.r6g.large',
    storage: 500,
    retention: 14,
    multiAz: true,
    deletionProtection: false,
    replicas: 0,
    logDays: 30,
    kms: false,
  },
  prod: {
    account: '123456789014',
    desired: 3,
    cpu: '2048',
    memory: '4096',
    dbClass: 'db.r6g.large',
    storage: 1000,
    retention: 35,
    multiAz: true,
    deletionProtection: true,
    replicas: 2,
    logDays: 90,
    kms: true,
  },
};

import { startFakeAws } from './fake-aws.mjs';

export const COMPONENTS = ['internal-pe', 'customer-portal'];

/**
 * Handlers for every call `fsops validate <env>` makes. `albHost` is the host:port the fake ALB DNS
 * names resolve to (the fake endpoint itself serves /health and /ready).
 */
export function fivestarWorld(env, albHost, overrides = {}) {
  const p = PROFILES[env];
  const now = Date.now() / 1000;
  const taskDefArn = (component, revision = 42) =>
    `arn:aws:ecs:ap-south-1:${p.account}:task-definition/${env}-fivestar-${component}:${revision}`;
  const service = (component) => ({
    serviceName: `${env}-${component}-service`,
    status: 'ACTIVE',
    desiredCount: p.desired,
    runningCount: p.desired,
    pendingCount: 0,
    taskDefinition: taskDefArn(component),
    deployments: [
      {
        id: `ecs-svc/${component}`,
        status: 'PRIMARY',
        taskDefinition: taskDefArn(component),
        desiredCount: p.desired,
        runningCount: p.desired,
        pendingCount: 0,
        failedTasks: 0,
        rolloutState: 'COMPLETED',
        createdAt: now - 3600,
        updatedAt: now - 3000,
      },
    ],
    events: [],
  });
  const alarm = (name, state = 'OK') => ({
    AlarmName: name,
    StateValue: state,
    StateReason: 'fake',
    StateUpdatedTimestamp: Date.now() / 1000,
  });
  const handlers = {
    sts: {
      GetCallerIdentity: () => ({
        Account: p.account,
        Arn: `arn:aws:iam::${p.account}:user/oncall`,
        UserId: 'AIDAFAKE',
      }),
    },
    ecs: {
      DescribeServices: ({ services }) => ({
        services: services
          .map((name) => (overrides.components ?? COMPONENTS).find((c) => name === `${env}-${c}-service`))
          .filter(Boolean)
          .map((component) =>
            overrides.service ? overrides.service(service(component), component) : service(component),
          ),
        failures: [],
      }),
      DescribeTaskDefinition: ({ taskDefinition }) => ({
        taskDefinition: { taskDefinitionArn: taskDefinition, cpu: p.cpu, memory: p.memory, status: 'ACTIVE' },
      }),
    },
    rds: {
      DescribeDBInstances: () => ({
        DBInstances: [
          {
            DBInstanceIdentifier: `${env}-fivestar-payments-db`,
            DBInstanceStatus: 'available',
            DBInstanceClass: p.dbClass,
            AllocatedStorage: p.storage,
            BackupRetentionPeriod: p.retention,
            MultiAZ: p.multiAz,
            StorageEncrypted: true,
            DeletionProtection: p.deletionProtection,
            ReadReplicaDBInstanceIdentifiers: Array.from(
              { length: p.replicas },
              (_, i) => `${env}-fivestar-payments-db-replica-${i + 1}`,
            ),
            ...overrides.db,
          },
        ],
      }),
    },
    elasticloadbalancing: {
      DescribeLoadBalancers: (input) => ({
        LoadBalancers: [{ LoadBalancerName: input['Names.member.1'], DNSName: albHost }],
      }),
    },
    monitoring: {
      DescribeAlarms: (input) =>
        input.StateValue === 'ALARM'
          ? {
              MetricAlarms: overrides.firingAlarms?.map((name) => alarm(name, 'ALARM')) ?? [],
              CompositeAlarms: [],
            }
          : { MetricAlarms: (input.AlarmNames ?? []).map((name) => alarm(name)), CompositeAlarms: [] },
    },
    logs: {
      DescribeLogGroups: ({ logGroupIdentifiers = [] }) => ({
        logGroups: logGroupIdentifiers.map((logGroupName) => ({
          logGroupName,
          retentionInDays: p.logDays,
          ...(p.kms ? { kmsKeyId: 'arn:aws:kms:ap-south-1:1:key/k' } : {}),
        })),
      }),
      FilterLogEvents: () => ({ events: overrides.errorEvents ?? [] }),
    },
    ssm: {
      GetParameter: ({ Name }) => ({ Parameter: { Name, Value: overrides.maintenanceMode ?? 'false' } }),
    },
  };
  const http = {
    '/health': { status: 200, body: 'ok' },
    '/ready': { status: 200, body: 'ok' },
    ...overrides.http,
  };
  return { handlers, http };
}

/** Starts the fake endpoint serving a healthy `env` (its ALB DNS names point back at it). */
export async function startFakeWorld(env, overrides = {}, options = {}) {
  const fake = await startFakeAws(options);
  const world = fivestarWorld(env, `127.0.0.1:${fake.port}`, overrides);
  Object.assign(fake.handlers, world.handlers);
  Object.assign(fake.http, world.http);
  return fake;
}
