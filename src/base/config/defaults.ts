import { guideLevels } from './guide-thresholds.js';
import { DEFAULT_INCIDENT } from './incident.js';
import type { Config } from './schema.js';

/**
 * The Fivestar Payments Engine as the guides describe it. Where the guides disagree, the choice is
 * noted here and in README.md:
 * - task CPU/memory: deployment guide §4.1 per environment (§5.2.1's 1024/2048 is one example definition);
 * - log retention: §4.1 (7/30/90); ops guide §3.1.1 says 90 everywhere, §8.1.1 says 30 outside prod;
 *   log KMS: ops guide §3.1.1 and deployment guide §8.1.1 encrypt every log group in every environment;
 * - backup retention: §4.1 (7/14/35); §6.1.1's template gives staging 7;
 * - names: the deployment guide's env-prefixed names (§9–§11), not the ops guide's unprefixed ones;
 * - account ids: deployment guide §2.2.
 */
export const DEFAULT_CONFIG: Config = {
  region: 'ap-south-1',
  components: ['internal-pe', 'customer-portal'],
  names: {
    cluster: '{env}-fivestar-payments',
    service: '{env}-{component}-service',
    taskFamily: '{env}-fivestar-{component}',
    dbInstance: '{env}-fivestar-payments-db',
    dbLogGroup: '/aws/rds/instance/{env}-fivestar-payments-db/postgresql',
    // ops guide §3.1.1 ScheduledJobs and SecurityLogs, env-prefixed like the others
    schedulerLogGroup: '/aws/lambda/{env}-fivestar-schedulers',
    securityLogGroup: '/aws/security/{env}-fivestar-payments',
    logGroup: '/ecs/{env}-fivestar-{component}',
    alb: '{env}-{component}-alb',
    dbSecret: 'fivestar/payments/{env}/database',
    parameterPrefix: '/fivestar/payments/{env}',
    maintenanceModeParameter: '/fivestar/payments/{env}/features/maintenance_mode',
    // runbook 002 "Log Archival" names no bucket ("s3://your-bucket/payment-service-logs/"): fsops's choice
    logArchiveBucket: 'fivestar-payments-{env}-log-archive',
    alarms: ['Fivestar-High-Error-Rate', 'Fivestar-Low-Payment-Success-Rate'],
  },
  environments: {
    dev: {
      accountId: '123456789012',
      protected: false,
      ecs: { desiredCount: 1, cpu: 512, memory: 1024 },
      rds: {
        instanceClass: 'db.t3.medium',
        allocatedStorage: 100,
        backupRetentionPeriod: 7,
        multiAz: false,
        storageEncrypted: true,
        deletionProtection: false,
        readReplicas: 0,
      },
      logs: { retentionDays: 7, kmsRequired: true, archiveRequired: false },
      healthUrls: {},
      database: {},
    },
    staging: {
      accountId: '123456789013',
      protected: false,
      ecs: { desiredCount: 2, cpu: 1024, memory: 2048 },
      rds: {
        instanceClass: 'db.r6g.large',
        allocatedStorage: 500,
        backupRetentionPeriod: 14,
        multiAz: true,
        storageEncrypted: true,
        deletionProtection: false,
        readReplicas: 0,
      },
      logs: { retentionDays: 30, kmsRequired: true, archiveRequired: false },
      healthUrls: {},
      database: {},
    },
    prod: {
      accountId: '123456789014',
      protected: true,
      ecs: { desiredCount: 3, cpu: 2048, memory: 4096 },
      rds: {
        instanceClass: 'db.r6g.large',
        allocatedStorage: 1000,
        backupRetentionPeriod: 35,
        multiAz: true,
        storageEncrypted: true,
        deletionProtection: true,
        readReplicas: 2,
      },
      logs: { retentionDays: 90, kmsRequired: true, archiveRequired: true },
      healthUrls: {},
      database: {},
    },
  },
  // ops guide §6.1.1 (KPIs), §8.1.1 (RDS), deployment guide §12.2.1 (alert thresholds): one table with
  // sections and durations, src/base/config/guide-thresholds.ts (docs/thresholds.md is generated from it).
  thresholds: guideLevels() as Config['thresholds'],
  // deployment guide §5.1.1/§11.1.1 (internal-pe /health), runbook 002 (/ready), §5.1.2 (the portal's nginx answers /).
  health: {
    paths: ['/health', '/ready'],
    componentPaths: { 'customer-portal': ['/'] },
    timeoutMs: 5000,
    scheme: 'http',
  },
  logs: { errorPattern: 'ERROR', since: '15m' },
  runner: { concurrency: 16, checkTimeoutMs: 30_000 },
  aws: {
    maxAttempts: 5,
    requestTimeoutMs: 10_000,
    connectTimeoutMs: 3000,
    // A hanging endpoint would otherwise hold the account check (or a change's audit line) for
    // retries × request timeout.
    preflightTimeoutMs: 6000,
    auditTimeoutMs: 10_000,
  },
  audit: { file: '~/.local/state/fsops/audit.jsonl', logGroup: null },
  troubleshoot: {
    since: '1h',
    insightsAbove: '1h',
    eventCap: 10_000,
    queryTimeoutMs: 25_000,
    certExpiryDays: { warn: 30, fail: 7 },
    slowStatementMs: { warn: 1000, fail: 5000 },
  },
  // runbook 003 (Troubleshooting: High Payment Failure Rate) names payment.payments and its columns;
  // the LMS queue table is not named by any guide: set it to the application's own.
  payments: {
    schema: 'payment',
    table: 'payments',
    columns: {
      gateway: 'gateway',
      errorCode: 'error_code',
      amount: 'amount',
      status: 'status',
      createdAt: 'created_at',
    },
    failedStatus: 'FAILED',
    succeededStatus: 'COMPLETED',
    lmsQueue: {
      table: 'lms_sync_queue',
      statusColumn: 'status',
      createdAtColumn: 'created_at',
      pendingStatuses: ['PENDING', 'RETRY'],
      depth: { warn: 100, fail: 1000 },
      oldestMinutes: { warn: 15, fail: 60 },
    },
    // runbook 003 Daily Tasks (daily-reconciliation.sh), ops guide §10.3.1 (pending/overdue reconciliations,
    // failed LMS postings): no guide names the postings table or its statuses; the application's go here.
    reconciliation: {
      paymentIdColumn: 'id',
      channelColumn: 'channel',
      timeZone: 'Asia/Kolkata',
      postings: {
        table: 'lms_postings',
        paymentIdColumn: 'payment_id',
        statusColumn: 'status',
        postedStatuses: ['POSTED'],
      },
      pendingStatuses: ['PENDING', 'PROCESSING'],
      pendingMinutes: { warn: 30, fail: 120 },
      listLimit: 50,
    },
    metrics: {
      namespace: 'Fivestar/Payments',
      successRate: 'PaymentSuccessRate',
      processingTime: 'PaymentProcessingTime',
      errorRateNamespace: 'Fivestar/Application',
      errorRate: 'ErrorRate',
    },
  },
  // ops guide §12.1.1 (2nd Sunday, 02:00-05:00 IST; database quarterly, "during regular maintenance window",
  // "4 hours maximum": only 02:00-05:00 meets both, docs/thresholds.md); runbooks 002/003 (retention);
  // deployment guide §2.2.3 (RPO < 1 hour). Quarterly = Jan/Apr/Jul/Oct: the first month of each calendar and
  // Indian fiscal quarter (the guide names no months).
  maintenance: {
    window: {
      weekday: 'sunday',
      weekOfMonth: 2,
      start: '02:00',
      durationMinutes: 180,
      timeZone: 'Asia/Kolkata',
    },
    database: { months: [1, 4, 7, 10], durationMinutes: 180 },
    rpoMinutes: 60,
    backupMaxAgeHours: 24,
    changeRefPattern: '^[A-Z][A-Z0-9]*-?[0-9]+$',
    // No `vacuum` here: the weekly VACUUM takes its thresholds from database.thresholds (one source of truth).
    retention: [
      { table: 'payment_attempts', column: 'created_at', days: 90 },
      { table: 'webhook_logs', column: 'created_at', days: 30 },
    ],
    batchSize: 5000,
    statementTimeoutMs: 300_000,
    lockTimeoutMs: 5000,
  },
  // fsops db: connections use thresholds.dbConnectionsPercent (ops guide §6.1.1, §8.1.1); long queries: runbook
  // 002 "older than a minute"; slow queries: runbook 003 (mean_exec_time > 100 ms) and runbook 002
  // (mean_time > 1000 ms); dead tuples (also the weekly VACUUM's thresholds): 10%, 1000 rows; vacuum staleness: ops guide
  // §12.3.1 (weekly VACUUM ANALYZE); the rest follow check_postgres/PgHero practice.
  database: {
    session: {
      statementTimeoutMs: 10_000,
      lockTimeoutMs: 2000,
      idleInTransactionSessionTimeoutMs: 60_000,
      connectTimeoutMs: 5000,
      poolSize: 3,
      sslRootCert: null,
    },
    thresholds: {
      longQuerySeconds: { warn: 60, fail: 300 },
      idleInTransactionSeconds: { warn: 60, fail: 300 },
      lockWaitSeconds: { warn: 10, fail: 60 },
      slowQueryMeanMs: { warn: 100, fail: 1000 },
      deadTuplePercent: { warn: 10, fail: 30 },
      minDeadTuples: 1000,
      vacuumStaleDays: { warn: 7, fail: 30 },
      xidAgePercent: { warn: 50, fail: 75 },
      sequencePercent: { warn: 75, fail: 90 },
      cacheHitPercent: { warn: 99, fail: 95 },
      minCacheBlocks: 10_000,
      replicationLagSeconds: { warn: 30, fail: 300 },
      unusedIndexMinBytes: 1_048_576,
    },
  },
  // fsops security: runbook 003 (rotate every 90 days), deployment guide §2.3.1 (cross-account roles),
  // §3.1.2 (only the ALB is public, on 443/80), ops guide §3.1.1 (security log group), §7.1.1 (5 failed
  // logins in 1 minute), §5.2.1 (GuardDuty HIGH findings; the last 24 hours).
  security: {
    secretMaxAgeDays: 90,
    extraSecrets: [],
    crossAccountRoles: ['DeploymentRole', 'MonitoringRole'],
    failedLogin: {
      pattern: '?"login failed" ?"LOGIN_FAILED" ?"authentication failed"',
      sourceField: 'sourceIp',
      perMinute: 5,
      window: '1h',
      eventCap: 10_000,
    },
    findingsWindow: '24h',
    publicPorts: [443, 80],
  },
  incident: DEFAULT_INCIDENT,
  // deployment guide §7.1.1 (the task role reads {env}-fivestar-transaction-queue and its indexes); no guide
  // names the index or attributes: the application's own go here.
  lms: {
    queue: 'dynamodb',
    dynamodb: {
      table: '{env}-fivestar-transaction-queue',
      read: 'query',
      statusIndex: 'status-created_at-index',
      statusAttribute: 'status',
      createdAtAttribute: 'created_at',
      maxItems: 10_000,
      pageSize: 1000,
    },
  },
  // deployment guide §2.2.3 (RTO < 4 hours, RPO < 1 hour: maintenance.rpoMinutes, cross-region replication);
  // runbook 002 (RPO 15 min) and runbook 003 (RPO 5 min, RTO 1 h) describe other services. No guide names the
  // DR region: set backup.drRegion. The monthly test restore is off until enabled (it costs an instance-hour).
  backup: {
    rtoMinutes: 240,
    drRegion: null,
    pollSeconds: 15,
    copyMaxAgeHours: 26,
    verify: {
      allowProd: false,
      instanceClass: null,
      timeoutMinutes: 90,
      connectTimeoutMinutes: 10,
      keyTables: [{ table: 'payment.payments', timestampColumn: 'created_at' }],
      rowCountTolerancePercent: 5,
      monthly: false,
    },
    // fsops recover (runbook 003 Data Corruption, runbook 002 Recovery Procedures): no writer is scaled to 0
    // unless named; the copy takes the live name (the endpoint the services use stays the same).
    recover: {
      directory: '~/.local/state/fsops/recoveries',
      writerComponents: [],
      timeoutMinutes: 120,
    },
    drill: { writeDowntimeSeconds: 120, ecsRecoverySeconds: 300, timeoutMinutes: 20 },
  },
  // deployment guide §4.2.1 (redis_url in SSM); runbook 003 Daily Tasks (`llen webhook_queue`), Webhook
  // Processing Issues (webhook_dlq), Technical Metrics (Redis memory < 75%, hit rate > 90%, eviction rate
  // < 1%), Redis backup (daily BGSAVE). No guide names the replication group, the queue's item format or
  // its latency targets: those here are fsops's choices (docs/redis.md).
  redis: {
    urlParameter: '/fivestar/payments/{env}/app/redis_url',
    replicationGroup: '{env}-fivestar-redis',
    connectTimeoutMs: 3000,
    commandTimeoutMs: 3000,
    maxClients: 65_000,
    queues: [
      {
        key: 'webhook_queue',
        oldestEnd: 'tail',
        timestampFields: ['timestamp', 'created_at', 'createdAt', 'enqueued_at', 'enqueuedAt', 'received_at'],
        length: { warn: 100, fail: 1000 },
        oldestMinutes: { warn: 5, fail: 15 },
      },
      {
        key: 'webhook_dlq',
        oldestEnd: 'tail',
        timestampFields: ['timestamp', 'created_at', 'createdAt', 'failed_at', 'failedAt'],
        length: { warn: 1, fail: 100 },
        oldestMinutes: { warn: 60, fail: 1440 },
      },
    ],
    thresholds: {
      pingMs: { warn: 10, fail: 100 },
      memoryPercent: { warn: 75, fail: 90 },
      evictedKeys: { warn: 1, fail: 1000 },
      rejectedConnections: { warn: 1, fail: 100 },
      clientsPercent: { warn: 80, fail: 95 },
      blockedClients: { warn: 100, fail: 1000 },
      hitRatePercent: { warn: 90, fail: 80 },
      minKeyspaceReads: 1000,
      unsavedHours: { warn: 25, fail: 49 },
      replicaLagSeconds: { warn: 10, fail: 60 },
      snapshotAgeHours: { warn: 26, fail: 50 },
    },
  },
  // fsops deploy: ops guide §12.2.1 (tested in staging first), runbook 004 (keep blue for an instant switch
  // back). No guide names a bake time: 15 minutes covers the ops guide §3.2.1 alarms' 2 x 5-minute periods.
  deploy: {
    stagingEnv: 'staging',
    bakeTimeMinutes: 15,
    timeout: '30m',
    pollSeconds: 6,
    testUrls: {},
    codeDeploy: {},
    freezes: [],
  },
  // runbook 002 "Log Archival" (old logs to S3); PCI DSS 10.5.1 (audit log history kept at least 12 months,
  // the last 3 immediately available: ops guide §3.1.1's 90-day retention in CloudWatch Logs). Required in
  // prod only (environments.<env>.logs.archiveRequired): dev and staging keep 7 and 30 days (§4.1).
  logArchive: {
    keepDays: 365,
    availableDays: 90,
    graceDays: 7,
    pollSeconds: 10,
    timeoutMinutes: 60,
  },
};
