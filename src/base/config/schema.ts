import { z } from 'zod';
import { IncidentSchema } from './incident.js';

const positiveInt = z.number().int().positive();
const percent = z.number().min(0).max(100);

export const NamesSchema = z
  .object({
    cluster: z.string().min(1),
    service: z.string().min(1),
    taskFamily: z.string().min(1),
    dbInstance: z.string().min(1),
    dbLogGroup: z.string().min(1),
    schedulerLogGroup: z.string().min(1),
    securityLogGroup: z.string().min(1),
    logGroup: z.string().min(1),
    alb: z.string().min(1),
    dbSecret: z.string().min(1),
    parameterPrefix: z.string().min(1),
    maintenanceModeParameter: z.string().min(1),
    logArchiveBucket: z
      .string()
      .min(1)
      .describe('the S3 bucket the log groups of ops guide §3.1.1 are archived to (PCI DSS 10.5.1)'),
    alarms: z.array(z.string().min(1)),
  })
  .strict();

export const ThresholdsSchema = z
  .object({
    cpuPercent: z.object({ warn: percent, fail: percent }).strict(),
    memoryPercent: z.object({ warn: percent, fail: percent }).strict(),
    dbConnectionsPercent: z.object({ warn: percent, fail: percent }).strict(),
    paymentSuccessRatePercent: z.object({ warn: percent, fail: percent }).strict(),
    errorRatePercent: z.object({ warn: percent, fail: percent }).strict(),
    apiLatencyP95Ms: z.object({ warn: positiveInt, fail: positiveInt }).strict(),
    paymentProcessingSeconds: z.object({ warn: z.number().positive(), fail: z.number().positive() }).strict(),
    rdsFreeStoragePercent: z.object({ warn: percent, fail: percent }).strict(),
    rdsFreeableMemoryMb: z.object({ warn: positiveInt, fail: positiveInt }).strict(),
    rdsReadLatencyMs: z.object({ warn: z.number().positive(), fail: z.number().positive() }).strict(),
    rdsWriteLatencyMs: z.object({ warn: z.number().positive(), fail: z.number().positive() }).strict(),
    rdsDiskQueueDepth: z.object({ warn: z.number().positive(), fail: z.number().positive() }).strict(),
    recentErrors: z.object({ warn: z.number().int().min(1), fail: z.number().int().min(1) }).strict(),
    healthLatencyMs: z.object({ warn: positiveInt, fail: positiveInt }).strict(),
    dynamodbThrottledRequests: z.object({ warn: z.number().min(0), fail: z.number().min(0) }).strict(),
    dynamodbLatencyMs: z.object({ warn: z.number().positive(), fail: z.number().positive() }).strict(),
    redisEngineCpuPercent: z.object({ warn: percent, fail: percent }).strict(),
    redisMemoryPercent: z.object({ warn: percent, fail: percent }).strict(),
    redisEvictions: z.object({ warn: z.number().min(0), fail: z.number().min(0) }).strict(),
    redisConnectionsPercent: z.object({ warn: percent, fail: percent }).strict(),
    redisReplicationLagSeconds: z.object({ warn: z.number().min(0), fail: z.number().min(0) }).strict(),
  })
  .strict();

const sqlIdentifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a plain SQL identifier: letters, digits and underscores');
const metricName = z.string().min(1).max(255);

/** Troubleshooting: Logs Insights switch-over, certificate and slow-statement thresholds. */
const TroubleshootSchema = z
  .object({
    since: z.string().min(1).describe('default look-back window of `fsops troubleshoot` and `fsops metrics`'),
    insightsAbove: z.string().min(1).describe('windows longer than this are aggregated by Logs Insights'),
    eventCap: positiveInt.describe('FilterLogEvents stops here; past it, Logs Insights aggregates'),
    queryTimeoutMs: positiveInt.describe('give up on (and stop) a Logs Insights query after this long'),
    certExpiryDays: z.object({ warn: positiveInt, fail: positiveInt }).strict(),
    slowStatementMs: z.object({ warn: positiveInt, fail: positiveInt }).strict(),
  })
  .strict();

const timeZoneName = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone, e.g. Asia/Kolkata');

/** The payments database as runbook 003 names it (`payment.payments`), and the payment metrics (ops guide §3.2.1). */
export const PaymentsSchema = z
  .object({
    schema: sqlIdentifier,
    table: sqlIdentifier,
    columns: z
      .object({
        gateway: sqlIdentifier,
        errorCode: sqlIdentifier,
        amount: sqlIdentifier,
        status: sqlIdentifier,
        createdAt: sqlIdentifier,
      })
      .strict(),
    failedStatus: z.string().min(1),
    succeededStatus: z.string().min(1),
    lmsQueue: z
      .object({
        table: sqlIdentifier,
        statusColumn: sqlIdentifier,
        createdAtColumn: sqlIdentifier,
        pendingStatuses: z.array(z.string().min(1)).min(1),
        depth: z.object({ warn: positiveInt, fail: positiveInt }).strict(),
        oldestMinutes: z.object({ warn: positiveInt, fail: positiveInt }).strict(),
      })
      .strict(),
    reconciliation: z
      .object({
        paymentIdColumn: sqlIdentifier,
        channelColumn: sqlIdentifier.describe('ops guide §6.1 "Payment Volume by Channel"'),
        timeZone: timeZoneName.describe('the business day of --date (IST: the branches are in India)'),
        postings: z
          .object({
            schema: sqlIdentifier.optional().describe('default: payments.schema'),
            table: sqlIdentifier,
            paymentIdColumn: sqlIdentifier,
            statusColumn: sqlIdentifier,
            postedStatuses: z.array(z.string().min(1)).min(1),
          })
          .strict(),
        pendingStatuses: z.array(z.string().min(1)).min(1),
        pendingMinutes: z.object({ warn: positiveInt, fail: positiveInt }).strict(),
        listLimit: positiveInt.describe('mismatches listed by id (the count covers all)'),
      })
      .strict(),
    metrics: z
      .object({
        namespace: metricName,
        successRate: metricName,
        processingTime: metricName,
        errorRateNamespace: metricName,
        errorRate: metricName,
      })
      .strict(),
  })
  .strict();

/** Expected sizes of one environment: deployment guide §4.1, §6.1.1, §8.1.1. */
export const EnvironmentSchema = z
  .object({
    accountId: z
      .string()
      .regex(/^\d{12}$/, 'an AWS account id is 12 digits')
      .nullable()
      .describe('checked against STS GetCallerIdentity before anything else; null disables the guard'),
    profile: z.string().min(1).optional(),
    protected: z
      .boolean()
      .default(false)
      .describe('mutations must be confirmed by typing the environment name'),
    region: z.string().min(1).optional(),
    ecs: z.object({ desiredCount: positiveInt, cpu: positiveInt, memory: positiveInt }).strict(),
    limits: z
      .object({
        maxDesiredCount: positiveInt.describe(
          '`fsops scale` refuses more tasks than this when Application Auto Scaling does not manage the service (default 20)',
        ),
      })
      .strict()
      .optional(),
    rds: z
      .object({
        instanceClass: z.string().min(1),
        allocatedStorage: positiveInt,
        backupRetentionPeriod: z.number().int().min(0).max(35),
        multiAz: z.boolean(),
        storageEncrypted: z.boolean(),
        deletionProtection: z.boolean(),
        readReplicas: z.number().int().min(0),
        maxConnections: positiveInt
          .optional()
          .describe(
            'max_connections of the DB parameter group (not a CloudWatch metric); unset: asked from the database',
          ),
      })
      .strict(),
    logs: z
      .object({
        retentionDays: positiveInt,
        kmsRequired: z.boolean(),
        archiveRequired: z
          .boolean()
          .default(false)
          .describe(
            'the log groups must be archived to S3 and kept 12 months (PCI DSS 10.5.1; the cardholder data environment)',
          ),
      })
      .strict(),
    healthUrls: z
      .record(z.string(), z.url())
      .default({})
      .describe('component -> base URL, instead of the ALB DNS name'),
    names: NamesSchema.partial().optional().describe('per-environment overrides of the naming templates'),
    thresholds: ThresholdsSchema.partial().optional(),
    database: z
      .object({
        host: z.string().min(1).optional(),
        port: z.number().int().min(1).max(65535).optional(),
        // Per-environment overrides of database.thresholds (lazy: DatabaseSchema is declared below).
        thresholds: z.lazy(() => DatabaseSchema.shape.thresholds.partial()).optional(),
        database: z.string().min(1).optional(),
        user: z.string().min(1).optional(),
        password: z.string().optional(),
        ssl: z.enum(['disable', 'require', 'verify-full']).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a 24-hour time, e.g. 02:00');
const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone, e.g. Asia/Kolkata');

/** Scheduled maintenance (ops guide §12; runbooks 002/003; deployment guide §2.2.3). */
export const MaintenanceSchema = z
  .object({
    window: z
      .object({
        weekday: z.enum(['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']),
        weekOfMonth: z.number().int().min(1).max(4).describe('1 = first, 2 = second ... of the month'),
        start: clockTime,
        durationMinutes: positiveInt,
        timeZone,
      })
      .strict(),
    database: z
      .object({
        months: z
          .array(z.number().int().min(1).max(12))
          .min(1)
          .describe('months whose window is the database one'),
        durationMinutes: positiveInt,
      })
      .strict(),
    rpoMinutes: positiveInt.describe('deployment guide §2.2.3: RPO < 1 hour'),
    backupMaxAgeHours: positiveInt,
    changeRefPattern: z.string().min(1),
    vacuum: z
      .object({
        deadTuplePercent: percent,
        minDeadTuples: z.number().int().min(0),
        staleDays: positiveInt,
      })
      .strict()
      .optional()
      .describe(
        'override only: the weekly VACUUM uses database.thresholds (deadTuplePercent.warn, minDeadTuples, vacuumStaleDays.warn) unless set',
      ),
    retention: z.array(
      z
        .object({
          table: z
            .string()
            .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/, 'table or schema.table'),
          column: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a column name'),
          days: positiveInt,
        })
        .strict(),
    ),
    batchSize: positiveInt,
    statementTimeoutMs: positiveInt,
    lockTimeoutMs: positiveInt,
  })
  .strict();

/** Backups and disaster recovery (deployment guide §2.2.3; runbook 002 Disaster Recovery; runbook 003 Monthly Tasks). */
const BackupSchema = z
  .object({
    rtoMinutes: positiveInt.describe(
      'deployment guide §2.2.3: RTO < 4 hours (the RPO is maintenance.rpoMinutes)',
    ),
    drRegion: z
      .string()
      .min(1)
      .nullable()
      .describe('region holding the cross-region backup copies; null: not checked (reported as skipped)'),
    pollSeconds: z
      .number()
      .positive()
      .describe('how often fsops asks AWS about a restore, snapshot, reboot or task it waits for'),
    copyMaxAgeHours: positiveInt.describe('newest snapshot copied to the DR region must be this recent'),
    verify: z
      .object({
        allowProd: z.boolean().describe('`fsops backup verify` may restore a copy of prod (it costs money)'),
        instanceClass: z
          .string()
          .min(1)
          .nullable()
          .describe('class of the temporary instance; null: the source class'),
        timeoutMinutes: z
          .number()
          .positive()
          .describe('give up waiting for the restored instance after this long'),
        connectTimeoutMinutes: z
          .number()
          .positive()
          .describe(
            'give up on a copy that is available but does not answer queries after this long (it is billed while fsops waits)',
          ),
        keyTables: z.array(
          z
            .object({
              table: z
                .string()
                .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/, 'table or schema.table'),
              timestampColumn: sqlIdentifier.optional(),
            })
            .strict(),
        ),
        rowCountTolerancePercent: percent,
        monthly: z.boolean().describe('`maintenance run monthly` also runs the test restore'),
      })
      .strict(),
    recover: z
      .object({
        directory: z
          .string()
          .min(1)
          .describe(
            'one journal per recovery under here (default beside the audit log; FSOPS_RECOVERY_DIR overrides)',
          ),
        writerComponents: z
          .array(z.string().min(1))
          .describe(
            'components that write to the database: scaled to 0 while a recovery runs, their counts restored after',
          ),
        timeoutMinutes: z
          .number()
          .positive()
          .describe('give up waiting for a restore or a rename after this long'),
      })
      .strict(),
    drill: z
      .object({
        writeDowntimeSeconds: positiveInt.describe(
          'target for a Multi-AZ failover: writes back within this long',
        ),
        ecsRecoverySeconds: positiveInt.describe(
          'target for a lost task: running = desired and healthy again',
        ),
        timeoutMinutes: z.number().positive().describe('give up measuring a drill after this long'),
      })
      .strict(),
  })
  .strict();

/** A warn/fail pair; `higherIsWorse: false` for ratios where lower is worse (cache hit ratio). */
const levels = (higherIsWorse = true) =>
  z
    .object({ warn: z.number().min(0), fail: z.number().min(0) })
    .strict()
    .refine((pair) => (higherIsWorse ? pair.warn <= pair.fail : pair.warn >= pair.fail), {
      message: higherIsWorse ? 'warn must not exceed fail' : 'warn must not be below fail',
    });

/**
 * PostgreSQL diagnostics (`fsops db ...`): session limits and the thresholds findings are judged by
 * (ops guide §6.1.1, §8.1.1 via thresholds.dbConnectionsPercent; runbook 002 "older than a minute";
 * runbooks 002/003 slow-query cut-offs).
 */
export const DatabaseSchema = z
  .object({
    session: z
      .object({
        statementTimeoutMs: positiveInt.describe('each diagnostic query is cancelled after this long'),
        lockTimeoutMs: positiveInt,
        idleInTransactionSessionTimeoutMs: positiveInt,
        connectTimeoutMs: positiveInt,
        poolSize: z.number().int().min(1).max(10).describe('connections one fsops run opens at most'),
        sslRootCert: z
          .string()
          .min(1)
          .nullable()
          .describe('CA bundle for sslmode verify-full (the RDS global-bundle.pem)'),
      })
      .strict(),
    thresholds: z
      .object({
        longQuerySeconds: levels(),
        idleInTransactionSeconds: levels(),
        lockWaitSeconds: levels(),
        slowQueryMeanMs: levels(),
        deadTuplePercent: levels(),
        minDeadTuples: z.number().int().min(0),
        vacuumStaleDays: levels(),
        xidAgePercent: levels(),
        sequencePercent: levels(),
        cacheHitPercent: levels(false),
        minCacheBlocks: z
          .number()
          .int()
          .min(0)
          .describe('below this many block reads the ratio is not judged'),
        replicationLagSeconds: levels(),
        unusedIndexMinBytes: z.number().int().min(0).describe('smaller unused indexes are not reported'),
      })
      .strict(),
  })
  .strict();

/** `fsops security` (deployment guide §2.2.3, §2.3.1, §3.1.2; ops guide §3.1.1, §7.1.1; runbook 003). */
const SecuritySchema = z
  .object({
    secretMaxAgeDays: positiveInt.describe('runbook 003: rotate secrets and keys older than 90 days'),
    extraSecrets: z
      .array(z.string().min(1))
      .describe(
        'more Secrets Manager names (templates with {env}) the environment uses, besides names.dbSecret',
      ),
    crossAccountRoles: z
      .array(z.string().min(1))
      .describe('deployment guide §2.3.1 roles whose trust policy must require MFA or an external id'),
    failedLogin: z
      .object({
        pattern: z.string().min(1).describe('CloudWatch Logs filter pattern of one failed login'),
        sourceField: z.string().min(1).describe('JSON field of the client address, for the top sources'),
        perMinute: positiveInt.describe('ops guide §7.1.1: 5 failures in 1 minute'),
        window: z.string().min(1).describe('look-back window, e.g. 1h'),
        eventCap: positiveInt,
      })
      .strict(),
    findingsWindow: z.string().min(1).describe('GuardDuty findings updated within this window (24h)'),
    publicPorts: z
      .array(z.number().int().min(0).max(65535))
      .describe('deployment guide §3.1.2: the ALB on 443/80'),
  })
  .strict();

/**
 * The LMS transaction queue: DynamoDB `{env}-fivestar-transaction-queue` (deployment guide §7.1.1; ops
 * guide §8.2.1), or a table in the payments database (payments.lmsQueue) for deployments that queue there.
 */
export const LmsSchema = z
  .object({
    queue: z.enum(['dynamodb', 'postgres']).describe('where the LMS transaction queue lives'),
    dynamodb: z
      .object({
        table: z.string().min(1).describe('table name template ({env})'),
        read: z
          .enum(['query', 'scan'])
          .describe(
            'query: the status index (partition key status, sort key createdAt); scan: a bounded Scan',
          ),
        statusIndex: z.string().min(1),
        statusAttribute: z.string().min(1),
        createdAtAttribute: z.string().min(1).describe('ISO-8601 text or epoch seconds/milliseconds'),
        maxItems: positiveInt.describe(
          'stop counting after this many items (Query COUNT pages / Scan items)',
        ),
        pageSize: positiveInt.describe('Limit of each Query/Scan page'),
      })
      .strict(),
  })
  .strict();

/**
 * `fsops deploy` (ops guide §12.2.1 Application Updates; runbook 002 "Rolling Updates"; runbook 004
 * "Blue-Green Deployment"): where an image must run first, how long blue/green bakes, and freezes.
 */
export const DeploySchema = z
  .object({
    stagingEnv: z
      .string()
      .min(1)
      .describe("the environment a protected environment's image must run in (and validate in) first"),
    bakeTimeMinutes: z
      .number()
      .int()
      .min(0)
      .max(1440)
      .describe(
        'blue/green: how long blue is kept beside green after production traffic moved (runbook 004)',
      ),
    timeout: z.string().min(1).describe('how long a deploy may take before fsops stops waiting, e.g. 30m'),
    pollSeconds: z
      .number()
      .positive()
      .describe('how often the rollout and the blue/green stages are read (seconds)'),
    testUrls: z
      .record(z.string(), z.url())
      .default({})
      .describe(
        'component -> base URL of its test listener (green before production traffic moves); default: the ALB DNS name on the test listener port',
      ),
    codeDeploy: z
      .record(
        z.string(),
        z.object({ application: z.string().min(1), deploymentGroup: z.string().min(1) }).strict(),
      )
      .default({})
      .describe(
        'component -> its CodeDeploy application and deployment group (CODE_DEPLOY services); default: the group whose ecsServices name the service',
      ),
    freezes: z
      .array(
        z
          .object({
            from: z.iso.datetime({ offset: true }),
            to: z.iso.datetime({ offset: true }),
            reason: z.string().min(1),
            environments: z
              .array(z.string().min(1))
              .optional()
              .describe('the environments frozen; absent: all of them'),
          })
          .strict(),
      )
      .default([])
      .describe('change freezes: no deploy between from and to unless --override-freeze --reason'),
  })
  .strict();

/**
 * Redis (ElastiCache) and the webhook queue (runbook 003 Daily Tasks `redis-cli llen webhook_queue`,
 * Webhook Processing Issues, Redis backup; runbook 002 Test Redis connectivity; deployment guide §4.2.1
 * redis_url). Levels are judged by `fsops redis` and the daily run; docs/thresholds.md lists them.
 */
export const RedisSchema = z
  .object({
    urlParameter: z
      .string()
      .min(1)
      .describe('SSM SecureString holding the redis_url, template with {env} (deployment guide §4.2.1)'),
    replicationGroup: z
      .string()
      .min(1)
      .describe('ElastiCache replication group id, template with {env} (no guide names it)'),
    connectTimeoutMs: positiveInt,
    commandTimeoutMs: positiveInt,
    maxClients: positiveInt.describe(
      'maxclients when INFO does not report it (Redis < 7), and the base of CloudWatch CurrConnections; ElastiCache fixes it at 65000',
    ),
    queues: z.array(
      z
        .object({
          key: z.string().min(1),
          oldestEnd: z
            .enum(['head', 'tail'])
            .describe('tail: LPUSH producers with (B)RPOP consumers; head: RPUSH with (B)LPOP'),
          timestampFields: z
            .array(z.string().min(1))
            .describe('JSON fields of an item holding its enqueue time (ISO-8601 or epoch s/ms)'),
          length: levels(),
          oldestMinutes: levels(),
        })
        .strict(),
    ),
    thresholds: z
      .object({
        pingMs: levels(),
        memoryPercent: levels(),
        evictedKeys: levels(),
        rejectedConnections: levels(),
        clientsPercent: levels(),
        blockedClients: levels(),
        hitRatePercent: levels(false),
        minKeyspaceReads: z
          .number()
          .int()
          .min(0)
          .describe('below this many lookups the hit rate is not judged'),
        unsavedHours: levels(),
        replicaLagSeconds: levels(),
        snapshotAgeHours: levels(),
      })
      .strict(),
  })
  .strict();

/**
 * The log archive (runbook 002 "Log Archival"; PCI DSS 10.5.1: audit logs kept at least 12 months, the
 * last 3 immediately available): the S3 bucket (names.logArchiveBucket), what it must keep, and the
 * monthly CreateExportTask of `fsops logs archive`.
 */
export const LogArchiveSchema = z
  .object({
    keepDays: positiveInt.describe(
      'the archive keeps every object at least this long: lifecycle expiration and Object Lock retention (PCI DSS 10.5.1: 12 months)',
    ),
    availableDays: positiveInt.describe(
      "each log group's own retention, immediately available in CloudWatch Logs (PCI DSS 10.5.1: 3 months)",
    ),
    graceDays: z
      .number()
      .int()
      .min(0)
      .describe('days after a month closes before a missing export of it fails (it warns until then)'),
    pollSeconds: z.number().positive().describe('how often a running export task is read (seconds)'),
    timeoutMinutes: positiveInt.describe(
      "how long one export may take, waiting for the account's one export slot included",
    ),
  })
  .strict();

export const ConfigSchema = z
  .object({
    region: z.string().min(1),
    components: z.array(z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes')).min(1),
    names: NamesSchema,
    environments: z.record(z.string().regex(/^[a-z0-9-]+$/), EnvironmentSchema),
    thresholds: ThresholdsSchema,
    health: z
      .object({
        paths: z.array(z.string().startsWith('/')).min(1),
        componentPaths: z
          .record(z.string(), z.array(z.string().startsWith('/')).min(1))
          .describe(
            "a component's own health paths instead of `paths` (deployment guide §5.1.2: the portal's is /)",
          ),
        timeoutMs: positiveInt,
        scheme: z.enum(['http', 'https']),
      })
      .strict(),
    logs: z.object({ errorPattern: z.string().min(1), since: z.string().min(1) }).strict(),
    runner: z.object({ concurrency: positiveInt, checkTimeoutMs: positiveInt }).strict(),
    aws: z
      .object({
        maxAttempts: positiveInt,
        requestTimeoutMs: positiveInt,
        connectTimeoutMs: positiveInt,
        /** The account check (STS GetCallerIdentity) in all, retries included. */
        preflightTimeoutMs: positiveInt,
        /** The CloudWatch Logs copy of one audit line in all (the local line is written first). */
        auditTimeoutMs: positiveInt,
      })
      .strict(),
    audit: z.object({ file: z.string().min(1), logGroup: z.string().min(1).nullable() }).strict(),
    troubleshoot: TroubleshootSchema,
    payments: PaymentsSchema,
    maintenance: MaintenanceSchema,
    database: DatabaseSchema,
    security: SecuritySchema,
    incident: IncidentSchema,
    lms: LmsSchema,
    backup: BackupSchema,
    deploy: DeploySchema,
    redis: RedisSchema,
    logArchive: LogArchiveSchema,
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type EnvironmentConfig = z.infer<typeof EnvironmentSchema>;
export type Names = z.infer<typeof NamesSchema>;
export type Thresholds = z.infer<typeof ThresholdsSchema>;
export type PaymentsConfig = z.infer<typeof PaymentsSchema>;
export type MaintenanceConfig = z.infer<typeof MaintenanceSchema>;
export type DatabaseConfig = z.infer<typeof DatabaseSchema>;
export type LmsConfig = z.infer<typeof LmsSchema>;
export type DeployConfig = z.infer<typeof DeploySchema>;
export type RedisConfig = z.infer<typeof RedisSchema>;
export type LogArchiveConfig = z.infer<typeof LogArchiveSchema>;
