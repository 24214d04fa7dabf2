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
    kms: true,
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
    kms: true,
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

import { fakeAlarmAccount, fakeAlb } from './fake-alarms.mjs';
import { AwsFault, startFakeAws } from './fake-aws.mjs';

export const COMPONENTS = ['internal-pe', 'customer-portal'];

/**
 * Handlers for every call `fsops validate <env>` makes. `albHost` is the host:port the fake ALB DNS
 * names resolve to (the fake endpoint itself serves /health, /ready and the portal's /).
 */
export function fivestarWorld(env, albHost, overrides = {}) {
  const p = PROFILES[env];
  // The log archive (logs.archive): last month exported, the bucket keeping it a year, locked.
  const archive = logArchive(env);
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
  const managed = fakeAlarmAccount(env, p.account, COMPONENTS, overrides);
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
      // One running task per service, its container at an ECR digest (what `security.image-vulnerabilities` reads).
      ListTasks: ({ serviceName, desiredStatus }) => ({
        taskArns:
          desiredStatus === 'RUNNING'
            ? [`arn:aws:ecs:ap-south-1:${p.account}:task/${env}-fivestar-payments/${serviceName}-1`]
            : [],
      }),
      DescribeTasks: ({ tasks }) => ({
        tasks: tasks.map((taskArn) => {
          const component = /\/[a-z]+-(.+)-service-1$/.exec(taskArn)?.[1] ?? 'app';
          return {
            taskArn,
            lastStatus: 'RUNNING',
            desiredStatus: 'RUNNING',
            containers: [
              {
                name: component,
                image: `${p.account}.dkr.ecr.ap-south-1.amazonaws.com/fivestar/${component}:v1`,
                imageDigest: `sha256:${'0'.repeat(63)}1`,
              },
            ],
          };
        }),
        failures: [],
      }),
    },
    // ECR's scan of the running images: complete, nothing above MEDIUM.
    ecr: {
      DescribeImageScanFindings: ({ repositoryName, imageId }) => ({
        repositoryName,
        imageId,
        imageScanStatus: { status: 'COMPLETE' },
        imageScanFindings: {
          imageScanCompletedAt: Date.now() / 1000 - 86_400,
          findingSeverityCounts: { MEDIUM: 2, LOW: 4 },
          findings: [],
        },
      }),
      ...overrides.ecr,
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
            // Point-in-time recovery reaches 5 minutes back (RPO < 1 hour, deployment guide §2.2.3).
            LatestRestorableTime: new Date(Date.now() - 5 * 60_000),
            ReadReplicaDBInstanceIdentifiers: Array.from(
              { length: p.replicas },
              (_, i) => `${env}-fivestar-payments-db-replica-${i + 1}`,
            ),
            ...overrides.db,
          },
        ],
      }),
      // Last night's automated snapshot, encrypted.
      DescribeDBSnapshots: () => ({
        DBSnapshots: [
          {
            DBSnapshotIdentifier: `rds:${env}-fivestar-payments-db-nightly`,
            DBInstanceIdentifier: `${env}-fivestar-payments-db`,
            SnapshotType: 'automated',
            Status: 'available',
            Encrypted: true,
            SnapshotCreateTime: new Date(Date.now() - 6 * 3_600_000),
          },
        ],
      }),
    },
    // GuardDuty on, no finding (deployment guide §2.2.3); a test plants findings through overrides.guardduty.
    guardduty: {
      'GET /detector': () => ({ detectorIds: ['d1'] }),
      'GET /detector/d1': () => ({ status: 'ENABLED', serviceRole: 'r' }),
      'POST /detector/d1/findings': () => ({ findingIds: [] }),
      'POST /detector/d1/findings/get': () => ({ findings: [] }),
      ...overrides.guardduty,
    },
    elasticloadbalancing: {
      DescribeLoadBalancers: (input) => {
        const name = input['Names.member.1'];
        const component = (overrides.components ?? COMPONENTS).find((c) => name === `${env}-${c}-alb`);
        return {
          LoadBalancers: [
            {
              LoadBalancerName: name,
              DNSName: albHost,
              ...(component ? { LoadBalancerArn: fakeAlb(env, p.account, component).arn } : {}),
            },
          ],
        };
      },
      DescribeTargetGroups: (input) => {
        const component = (overrides.components ?? COMPONENTS).find(
          (c) => fakeAlb(env, p.account, c).arn === input.LoadBalancerArn,
        );
        if (!component) return { TargetGroups: [] };
        const alb = fakeAlb(env, p.account, component);
        return {
          TargetGroups: [
            {
              TargetGroupArn: alb.targetGroupArn,
              TargetGroupName: `${env}-${component}-tg`,
              LoadBalancerArns: [alb.arn],
              HealthCheckPath: component === 'customer-portal' ? '/' : '/health',
            },
          ],
        };
      },
      DescribeTargetHealth: () => ({
        TargetHealthDescriptions: [
          { Target: { Id: '10.0.1.10', Port: 8080 }, TargetHealth: { State: 'healthy' } },
        ],
      }),
    },
    monitoring: {
      DescribeAlarms: (input) =>
        input.StateValue === 'ALARM'
          ? {
              MetricAlarms: overrides.firingAlarms?.map((name) => alarm(name, 'ALARM')) ?? [],
              CompositeAlarms: [],
            }
          : {
              MetricAlarms: (input.AlarmNames ?? []).flatMap((name) =>
                managed.alarms.has(name)
                  ? [managed.alarms.get(name)]
                  : overrides.missingAlarms?.includes(name)
                    ? []
                    : [alarm(name)],
              ),
              CompositeAlarms: [],
            },
      ...managed.monitoring,
    },
    sns: managed.sns,
    kms: managed.kms,
    events: managed.events,
    logs: {
      DescribeLogGroups: ({ logGroupIdentifiers = [] }) => ({
        logGroups: logGroupIdentifiers.map((logGroupName) => ({
          logGroupName,
          retentionInDays: p.logDays,
          ...(p.kms ? { kmsKeyId: 'arn:aws:kms:ap-south-1:1:key/k' } : {}),
        })),
      }),
      FilterLogEvents: () => ({ events: overrides.errorEvents ?? [] }),
      ...managed.logs,
      ...archive.handlers.logs,
    },
    s3: archive.handlers.s3,
    ssm: {
      GetParameter: ({ Name }) =>
        Name.endsWith('/app/redis_url')
          ? {
              Parameter: {
                Name,
                Type: 'SecureString',
                Value: overrides.redisUrl ?? 'redis://127.0.0.1:6379',
              },
            }
          : { Parameter: { Name, Value: overrides.maintenanceMode ?? 'false' } },
    },
  };
  // The read replicas asked for by id (a db-instance-id filter): each available.
  const describeDb = handlers.rds.DescribeDBInstances;
  handlers.rds.DescribeDBInstances = (input = {}) =>
    input['Filters.Filter.1.Name'] === 'db-instance-id' ? replicasById(input) : describeDb(input);
  // The LMS transaction queue (deployment guide §7.1.1): empty unless a test installs its own table.
  handlers.dynamodb = {
    Query: () => ({ Count: 0, ScannedCount: 0, Items: [] }),
    Scan: () => ({ Count: 0, ScannedCount: 0, Items: [] }),
    ...overrides.dynamodb,
  };
  // The Redis (ElastiCache) group of the environment: available, Multi-AZ where the database is, encrypted,
  // snapshotted an hour ago (docs/redis.md).
  const redisGroup = `${env}-fivestar-redis`;
  const redisNodes = p.multiAz ? [`${redisGroup}-001`, `${redisGroup}-002`] : [`${redisGroup}-001`];
  handlers.elasticache = {
    DescribeReplicationGroups: () => ({
      ReplicationGroups: [
        {
          ReplicationGroupId: redisGroup,
          Status: 'available',
          MultiAZ: p.multiAz ? 'enabled' : 'disabled',
          AutomaticFailover: p.multiAz ? 'enabled' : 'disabled',
          AtRestEncryptionEnabled: true,
          TransitEncryptionEnabled: true,
          SnapshotRetentionLimit: 7,
          MemberClusters: redisNodes,
          NodeGroups: [
            {
              NodeGroupId: '0001',
              NodeGroupMembers: redisNodes.map((id, i) => ({
                CacheClusterId: id,
                CurrentRole: i === 0 ? 'primary' : 'replica',
              })),
            },
          ],
        },
      ],
    }),
    DescribeSnapshots: () => ({
      Snapshots: [
        {
          SnapshotName: `automatic.${redisGroup}`,
          NodeSnapshots: [{ SnapshotCreateTime: new Date(Date.now() - 3_600_000) }],
        },
      ],
    }),
    ...overrides.elasticache,
  };
  const http = {
    '/health': { status: 200, body: 'ok' },
    '/ready': { status: 200, body: 'ok' },
    // the customer portal's health check is its root page (deployment guide §5.1.2)
    '/': { status: 200, body: '<html></html>' },
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

/**
 * A second environment on the same endpoint, answered for requests signed with `accessKeyId` (its own
 * profile): e.g. staging beside prod for `fsops deploy`'s staging gate. Returns its handlers (live).
 */
export function addFakeWorld(fake, env, accessKeyId, overrides = {}) {
  const world = fivestarWorld(env, `127.0.0.1:${fake.port}`, overrides);
  fake.accounts[accessKeyId] = { handlers: world.handlers };
  return world.handlers;
}

/** The log groups of ops guide §3.1.1 as the default config names them. */
export function guideLogGroups(env) {
  return [
    ...COMPONENTS.map((c) => `/ecs/${env}-fivestar-${c}`),
    `/aws/lambda/${env}-fivestar-schedulers`,
    `/aws/rds/instance/${env}-fivestar-payments-db/postgresql`,
    `/aws/security/${env}-fivestar-payments`,
  ];
}

/**
 * A stateful log archive (fsops logs archive, the check logs.archive): the S3 bucket's settings and the
 * account's CloudWatch Logs export tasks. `archived` (default true): every log group's last closed
 * month already exported. CreateExportTask adds a PENDING task; each DescribeExportTasks of it moves it
 * on (RUNNING until `pollsToComplete`, then COMPLETED, or `state.outcome[group]`: FAILED/CANCELLED;
 * `state.hold` keeps a group RUNNING). `state.limitExceeded` answers that many CreateExportTask with
 * LimitExceededException. `state` is live, for assertions and changes mid-test. Install with
 * Object.assign(fake.handlers.logs, a.handlers.logs); Object.assign(fake.handlers.s3, a.handlers.s3).
 */
export function logArchive(env, options = {}) {
  const bucketName = `fivestar-payments-${env}-log-archive`;
  const now = new Date(options.now ?? Date.now());
  const from = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
  const to = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) - 1;
  const state = {
    bucket: {
      missing: false,
      lifecycleDays: 400,
      objectLock: { Mode: 'COMPLIANCE', Days: 365 },
      sseAlgorithm: 'aws:kms',
      publicAccessBlocked: true,
      ...options.bucket,
    },
    tasks:
      (options.archived ?? true)
        ? guideLogGroups(env).map((logGroupName, i) => ({
            taskId: `archived-${i}`,
            logGroupName,
            from,
            to,
            destination: bucketName,
            status: { code: 'COMPLETED' },
          }))
        : [],
    created: [],
    polls: new Map(),
    pollsToComplete: options.pollsToComplete ?? 2,
    outcome: {},
    hold: new Set(),
    limitExceeded: 0,
  };
  const bucketGuard = () => {
    if (state.bucket.missing) throw new AwsFault('NoSuchBucket', 'The specified bucket does not exist', 404);
  };
  const handlers = {
    logs: {
      DescribeSubscriptionFilters: () => ({ subscriptionFilters: [] }),
      DescribeExportTasks: ({ taskId }) => {
        if (!taskId) return { exportTasks: state.tasks };
        const task = state.tasks.find((t) => t.taskId === taskId);
        if (!task) return { exportTasks: [] };
        const polls = (state.polls.get(taskId) ?? 0) + 1;
        state.polls.set(taskId, polls);
        if (task.status.code === 'PENDING' || task.status.code === 'RUNNING') {
          const end = state.outcome[task.logGroupName] ?? 'COMPLETED';
          task.status =
            state.hold.has(task.logGroupName) || polls < state.pollsToComplete
              ? { code: 'RUNNING' }
              : { code: end, ...(end === 'COMPLETED' ? {} : { message: `export ${end.toLowerCase()}` }) };
        }
        return { exportTasks: [task] };
      },
      CreateExportTask: (input) => {
        if (state.limitExceeded > 0) {
          state.limitExceeded -= 1;
          throw new AwsFault('LimitExceededException', 'Resource limit exceeded.');
        }
        const taskId = `export-${state.created.length + 1}`;
        state.created.push({ taskId, ...input });
        state.tasks.unshift({ taskId, ...input, status: { code: 'PENDING' } });
        return { taskId };
      },
    },
    s3: {
      GetBucketLifecycleConfiguration: () => {
        bucketGuard();
        if (state.bucket.lifecycleDays === null)
          throw new AwsFault(
            'NoSuchLifecycleConfiguration',
            'The lifecycle configuration does not exist',
            404,
          );
        return {
          Rules: [
            {
              ID: 'archive',
              Status: 'Enabled',
              Filter: { Prefix: '' },
              Transitions: [{ Days: 90, StorageClass: 'GLACIER' }],
              Expiration: { Days: state.bucket.lifecycleDays },
            },
          ],
        };
      },
      GetObjectLockConfiguration: () => {
        bucketGuard();
        if (!state.bucket.objectLock)
          throw new AwsFault(
            'ObjectLockConfigurationNotFoundError',
            'Object Lock configuration does not exist for this bucket',
            404,
          );
        return { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: state.bucket.objectLock } };
      },
      GetBucketEncryption: () => {
        bucketGuard();
        return {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: state.bucket.sseAlgorithm } }],
        };
      },
      GetPublicAccessBlock: () => {
        bucketGuard();
        const on = state.bucket.publicAccessBlocked;
        return {
          BlockPublicAcls: on,
          IgnorePublicAcls: on,
          BlockPublicPolicy: on,
          RestrictPublicBuckets: on,
        };
      },
    },
  };
  return { handlers, state, bucket: bucketName };
}

/** DescribeDBInstances with a db-instance-id filter (the read replicas, by id): each available. */
function replicasById(input) {
  const ids = Object.keys(input)
    .filter((k) => k.startsWith('Filters.Filter.1.Values.'))
    .map((k) => input[k]);
  return { DBInstances: ids.map((id) => ({ DBInstanceIdentifier: id, DBInstanceStatus: 'available' })) };
}

/**
 * A stateful RDS for the backup and DR commands (fsops backup ..., fsops dr drill ...): the environment's
 * instance with its snapshots and restore window, restores that become `available` after
 * `restoreDelayMs` with their Endpoint at `restoredEndpoint` (a real PostgreSQL in tests), deletes,
 * manual snapshots, and reboots with failover that swap the Availability Zones. `state` is live, for
 * assertions. Install with Object.assign(fake.handlers.rds, backupRds(...).handlers).
 */
export function backupRds(env, options = {}) {
  const p = PROFILES[env];
  const now = options.now ?? Date.now();
  const dbName = `${env}-fivestar-payments-db`;
  const arn = (id) => `arn:aws:rds:ap-south-1:${p.account}:db:${id}`;
  const state = {
    source: {
      DBInstanceIdentifier: dbName,
      DBInstanceArn: arn(dbName),
      DBInstanceStatus: 'available',
      DBInstanceClass: p.dbClass,
      Engine: 'postgres',
      AllocatedStorage: p.storage,
      BackupRetentionPeriod: p.retention,
      MultiAZ: p.multiAz,
      AvailabilityZone: 'ap-south-1a',
      ...(p.multiAz ? { SecondaryAvailabilityZone: 'ap-south-1b' } : {}),
      StorageEncrypted: true,
      DeletionProtection: p.deletionProtection,
      PubliclyAccessible: false,
      LatestRestorableTime: new Date(now - 5 * 60_000),
      Endpoint: options.sourceEndpoint ?? {
        Address: `${dbName}.abc.ap-south-1.rds.amazonaws.com`,
        Port: 5432,
      },
      DBSubnetGroup: { DBSubnetGroupName: `${env}-fivestar-db-subnets`, VpcId: 'vpc-1' },
      VpcSecurityGroups: [{ VpcSecurityGroupId: `sg-${env}-db`, Status: 'active' }],
      TagList: [],
      ...options.source,
    },
    snapshots: options.snapshots ?? [
      {
        DBSnapshotIdentifier: `rds:${dbName}-daily`,
        DBInstanceIdentifier: dbName,
        SnapshotType: 'automated',
        Status: 'available',
        Encrypted: true,
        SnapshotCreateTime: new Date(now - 6 * 3_600_000),
      },
    ],
    /** Instances fsops created (restores), by id. */
    instances: new Map(),
    deleted: [],
    restores: [],
    modifications: [],
    reboots: [],
    drRegion: options.drRegion ?? null,
    drReplicatedLatest: options.drReplicatedLatest ?? null,
    drCopies: options.drCopies ?? [],
  };
  const AwsFaultLike = (code, message) => new AwsFault(code, message, 404);
  const restoredView = (db) => {
    const ready = Date.now() - db.createdAt >= (options.restoreDelayMs ?? 0);
    return {
      ...db.instance,
      DBInstanceStatus: db.deleting
        ? 'deleting'
        : !ready
          ? 'creating'
          : renaming(db.renamedAt)
            ? 'renaming'
            : 'available',
      ...(ready && options.restoredEndpoint ? { Endpoint: options.restoredEndpoint } : {}),
    };
  };
  const sourceView = () => {
    const reboot = state.reboots.at(-1);
    const rebooting = reboot && Date.now() - reboot.at < (options.failoverMs ?? 0);
    const status = rebooting
      ? 'rebooting'
      : renaming(state.source.renamedAt)
        ? 'renaming'
        : state.source.DBInstanceStatus;
    const { renamedAt: _renamedAt, ...source } = state.source;
    return { ...source, DBInstanceStatus: status };
  };
  const restore = (input, from) => {
    const id = input.DBInstanceIdentifier ?? input.TargetDBInstanceIdentifier;
    if (options.restoreFault) throw options.restoreFault;
    const tags = [];
    for (let i = 1; input[`Tags.Tag.${i}.Key`] ?? input[`Tags.member.${i}.Key`]; i++) {
      tags.push({
        Key: input[`Tags.Tag.${i}.Key`] ?? input[`Tags.member.${i}.Key`],
        Value: input[`Tags.Tag.${i}.Value`] ?? input[`Tags.member.${i}.Value`],
      });
    }
    const instance = {
      DBInstanceIdentifier: id,
      DBInstanceArn: arn(id),
      DBInstanceClass: input.DBInstanceClass ?? state.source.DBInstanceClass,
      Engine: 'postgres',
      MultiAZ: input.MultiAZ === 'true',
      DeletionProtection: input.DeletionProtection === 'true',
      PubliclyAccessible: input.PubliclyAccessible === 'true',
      TagList: tags,
      InstanceCreateTime: new Date(),
    };
    state.instances.set(id, { instance, createdAt: Date.now(), deleting: false });
    state.restores.push({ id, from, input });
    return { DBInstance: { ...instance, DBInstanceStatus: 'creating' } };
  };
  // Renames (ModifyDBInstance NewDBInstanceIdentifier): the instance is `renaming` for renameDelayMs.
  const renaming = (at) => at !== undefined && Date.now() - at < (options.renameDelayMs ?? 0);
  const handlers = {
    DescribeDBInstances: ({ DBInstanceIdentifier }) => {
      if (!DBInstanceIdentifier) {
        return { DBInstances: [sourceView(), ...[...state.instances.values()].map(restoredView)] };
      }
      if (DBInstanceIdentifier === state.source.DBInstanceIdentifier) return { DBInstances: [sourceView()] };
      const db = state.instances.get(DBInstanceIdentifier);
      if (!db) throw AwsFaultLike('DBInstanceNotFound', `DBInstance ${DBInstanceIdentifier} not found.`);
      return { DBInstances: [restoredView(db)] };
    },
    ModifyDBInstance: (input) => {
      const id = input.DBInstanceIdentifier;
      const isSource = id === state.source.DBInstanceIdentifier;
      const db = isSource ? null : state.instances.get(id);
      if (!isSource && !db) throw AwsFaultLike('DBInstanceNotFound', `DBInstance ${id} not found.`);
      const next = input.NewDBInstanceIdentifier;
      if (next && (next === state.source.DBInstanceIdentifier || state.instances.has(next))) {
        throw new AwsFault('DBInstanceAlreadyExists', `DBInstance ${next} already exists.`);
      }
      const changes = {
        ...(input.DeletionProtection !== undefined
          ? { DeletionProtection: input.DeletionProtection === 'true' }
          : {}),
        ...(next ? { DBInstanceIdentifier: next, DBInstanceArn: arn(next) } : {}),
      };
      state.modifications.push({ id, input });
      if (isSource) {
        state.source = { ...state.source, ...changes, ...(next ? { renamedAt: Date.now() } : {}) };
        return { DBInstance: sourceView() };
      }
      db.instance = { ...db.instance, ...changes };
      if (next) {
        db.renamedAt = Date.now();
        state.instances.delete(id);
        state.instances.set(next, db);
      }
      return { DBInstance: restoredView(db) };
    },
    AddTagsToResource: (input) => {
      const tags = [];
      for (let i = 1; input[`Tags.Tag.${i}.Key`] ?? input[`Tags.member.${i}.Key`]; i++) {
        tags.push({
          Key: input[`Tags.Tag.${i}.Key`] ?? input[`Tags.member.${i}.Key`],
          Value: input[`Tags.Tag.${i}.Value`] ?? input[`Tags.member.${i}.Value`],
        });
      }
      const merge = (list = []) => [...list.filter((t) => !tags.some((n) => n.Key === t.Key)), ...tags];
      if (input.ResourceName === state.source.DBInstanceArn)
        state.source.TagList = merge(state.source.TagList);
      else {
        const db = [...state.instances.values()].find((d) => d.instance.DBInstanceArn === input.ResourceName);
        if (!db) throw AwsFaultLike('DBInstanceNotFound', `${input.ResourceName} not found.`);
        db.instance.TagList = merge(db.instance.TagList);
      }
      return {};
    },
    DescribeDBSnapshots: ({ DBInstanceIdentifier, DBSnapshotIdentifier }, request) => {
      if (state.drRegion && request?.region === state.drRegion) return { DBSnapshots: state.drCopies };
      const found = state.snapshots.filter(
        (s) =>
          (!DBInstanceIdentifier || s.DBInstanceIdentifier === DBInstanceIdentifier) &&
          (!DBSnapshotIdentifier || s.DBSnapshotIdentifier === DBSnapshotIdentifier),
      );
      if (DBSnapshotIdentifier && found.length === 0) {
        throw AwsFaultLike('DBSnapshotNotFound', `DBSnapshot ${DBSnapshotIdentifier} not found.`);
      }
      return { DBSnapshots: found };
    },
    DescribeDBInstanceAutomatedBackups: (_input, request) => {
      if (state.drRegion && request?.region === state.drRegion) {
        return {
          DBInstanceAutomatedBackups: state.drReplicatedLatest
            ? [
                {
                  DBInstanceIdentifier: dbName,
                  Status: 'replicating',
                  RestoreWindow: {
                    EarliestTime: new Date(now - 86_400_000),
                    LatestTime: state.drReplicatedLatest,
                  },
                },
              ]
            : [],
        };
      }
      return {
        DBInstanceAutomatedBackups: [
          {
            DBInstanceIdentifier: dbName,
            Status: 'active',
            RestoreWindow: {
              EarliestTime: new Date(now - p.retention * 86_400_000),
              LatestTime: state.source.LatestRestorableTime,
            },
          },
        ],
      };
    },
    RestoreDBInstanceFromDBSnapshot: (input) => {
      if (!state.snapshots.some((s) => s.DBSnapshotIdentifier === input.DBSnapshotIdentifier)) {
        throw AwsFaultLike('DBSnapshotNotFound', `DBSnapshot ${input.DBSnapshotIdentifier} not found.`);
      }
      return restore(input, input.DBSnapshotIdentifier);
    },
    RestoreDBInstanceToPointInTime: (input) =>
      restore(input, input.UseLatestRestorableTime === 'true' ? 'latest' : input.RestoreTime),
    DeleteDBInstance: ({ DBInstanceIdentifier, SkipFinalSnapshot }) => {
      const db = state.instances.get(DBInstanceIdentifier);
      if (!db) throw AwsFaultLike('DBInstanceNotFound', `DBInstance ${DBInstanceIdentifier} not found.`);
      state.instances.delete(DBInstanceIdentifier);
      state.deleted.push({ id: DBInstanceIdentifier, skipFinalSnapshot: SkipFinalSnapshot === 'true' });
      return { DBInstance: { ...db.instance, DBInstanceStatus: 'deleting' } };
    },
    CreateDBSnapshot: (input) => {
      const tags = [];
      for (let i = 1; input[`Tags.Tag.${i}.Key`]; i++) {
        tags.push({ Key: input[`Tags.Tag.${i}.Key`], Value: input[`Tags.Tag.${i}.Value`] });
      }
      const snapshot = {
        DBSnapshotIdentifier: input.DBSnapshotIdentifier,
        DBInstanceIdentifier: input.DBInstanceIdentifier,
        SnapshotType: 'manual',
        Status: 'creating',
        Encrypted: true,
        SnapshotCreateTime: new Date(),
        TagList: tags,
      };
      state.snapshots.push(snapshot);
      setTimeout(() => {
        snapshot.Status = 'available';
      }, options.snapshotDelayMs ?? 0);
      return { DBSnapshot: snapshot };
    },
    RebootDBInstance: ({ DBInstanceIdentifier, ForceFailover }) => {
      if (DBInstanceIdentifier !== dbName) throw AwsFaultLike('DBInstanceNotFound', 'not found');
      state.reboots.push({ at: Date.now(), forceFailover: ForceFailover === 'true' });
      if (ForceFailover === 'true' && state.source.SecondaryAvailabilityZone) {
        const { AvailabilityZone, SecondaryAvailabilityZone } = state.source;
        state.source = {
          ...state.source,
          AvailabilityZone: SecondaryAvailabilityZone,
          SecondaryAvailabilityZone: AvailabilityZone,
        };
      }
      return { DBInstance: { ...state.source, DBInstanceStatus: 'rebooting' } };
    },
  };
  return { handlers, state };
}
