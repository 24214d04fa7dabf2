/**
 * Every threshold fsops judges a metric by, with the guide section it comes from and how long the
 * metric must stay past the level before it counts (docs/thresholds.md is generated from this table:
 * `npm run docs:numbers`). warn = the guide's target is missed; fail = the guide alerts.
 *
 * Plain data and pure functions: scripts/docs-numbers.mjs bundles it to write docs/thresholds.md,
 * and src/base/config/defaults.ts takes its levels from it.
 */

export type Direction = 'above' | 'below';

export interface EscalationTier {
  /** Past this level (in the metric's direction) for the duration, the finding's severity becomes `severity`. */
  level: number;
  severity: 'critical' | 'high';
  label: string;
  source: string;
}

/** What one guide says about a value, in its own words (shown side by side in docs/thresholds.md). */
export interface GuideSays {
  /** "ops guide §6.1.1", "runbook 003 (Technical Metrics)". */
  guide: string;
  says: string;
}

export interface GuideThreshold {
  /** The key under `thresholds:` in the config (the levels are overridable there), or null (fixed). */
  configKey: string | null;
  /** Where the levels are overridden when they live elsewhere than `thresholds:` (configKey null). */
  configPath?: string;
  /** What is measured, e.g. "ECS service CPUUtilization". */
  metric: string;
  /** CloudWatch statistic the series is fetched with (p99/p95 where the guide names a percentile). */
  statistic: string;
  unit: string;
  /** `above`: higher is worse; `below`: lower is worse. */
  direction: Direction;
  warn: number;
  fail: number;
  /** Severity tiers past the fail level (payment success: critical < 90%, escalate < 80%). */
  tiers?: EscalationTier[];
  /** How long the metric must stay past the level (minutes) before it is a breach. */
  durationMinutes: number;
  /** Where warn, fail and duration come from. */
  source: string;
  /** Where fsops had to choose (the guides disagree or are silent): what and why. Empty when the guide says it all. */
  choice: string;
  /** Every guide's value for this metric, Fivestar's (ops, deployment guide) first, then runbooks 002-004. */
  guides: GuideSays[];
}

export const GUIDE_THRESHOLDS: readonly GuideThreshold[] = [
  {
    configKey: 'cpuPercent',
    metric: 'ECS service and RDS CPUUtilization',
    statistic: 'Average',
    unit: '%',
    direction: 'above',
    warn: 70,
    fail: 80,
    durationMinutes: 5,
    tiers: [{ level: 90, severity: 'critical', label: 'critical', source: 'ops guide §6.1.1' }],
    source:
      'ops guide §6.1.1 (target < 70%, critical > 90%), §8.1.1 (HighCPU 80% for 5 minutes); deployment guide §12.2.1',
    choice:
      "the Fivestar guides alert at 80% for 5 minutes (ops guide §8.1.1, deployment guide §12.2.1): fsops fails there; past §6.1.1's critical 90% the finding is critical. Runbooks 002/004 describe other services.",
    guides: [
      { guide: 'ops guide §6.1.1', says: 'target < 70%, warning < 80%, critical > 90%' },
      { guide: 'ops guide §8.1.1', says: 'target < 70%; HighCPU alert 80% for 5 minutes' },
      { guide: 'deployment guide §12.2.1', says: 'alert CPU > 80% for 5 minutes' },
      { guide: 'runbook 002', says: 'should be < 70%' },
      { guide: 'runbook 004', says: '< 80% average' },
    ],
  },
  {
    configKey: 'memoryPercent',
    metric: 'ECS service MemoryUtilization',
    statistic: 'Average',
    unit: '%',
    direction: 'above',
    warn: 75,
    fail: 85,
    durationMinutes: 3,
    tiers: [{ level: 95, severity: 'critical', label: 'critical', source: 'ops guide §6.1.1' }],
    source: 'ops guide §6.1.1 (target < 75%, critical > 95%); deployment guide §12.2.1 (> 85% for 3 minutes)',
    choice:
      "the deployment guide alerts at 85% for 3 minutes: fsops fails there; past §6.1.1's critical 95% the finding is critical.",
    guides: [
      { guide: 'ops guide §6.1.1', says: 'target < 75%, warning < 85%, critical > 95%' },
      { guide: 'deployment guide §12.2.1', says: 'alert memory > 85% for 3 minutes' },
      { guide: 'runbook 002', says: 'should be < 80%' },
      { guide: 'runbook 004', says: '< 80% average' },
    ],
  },
  {
    configKey: 'dbConnectionsPercent',
    metric: 'RDS DatabaseConnections, percent of max_connections',
    statistic: 'Maximum',
    unit: '%',
    direction: 'above',
    warn: 60,
    fail: 80,
    durationMinutes: 5,
    tiers: [{ level: 95, severity: 'critical', label: 'critical', source: 'ops guide §6.1.1' }],
    source:
      'ops guide §6.1.1 (target < 60%, critical > 95%), §8.1.1 (HighConnections 160 of 200 = 80%); deployment guide §12.2.1',
    choice:
      "fails at the Fivestar alert (80%); past §6.1.1's critical 95% the finding is critical. No guide gives a duration for connections: fsops uses 5 minutes, like the CPU alert.",
    guides: [
      { guide: 'ops guide §6.1.1', says: 'target < 60%, warning < 80%, critical > 95%' },
      { guide: 'ops guide §8.1.1', says: 'HighConnections 160 connections (80% of max 200)' },
      { guide: 'deployment guide §12.2.1', says: 'alert database connections > 80% of max' },
      { guide: 'runbook 003', says: 'connection pool < 80%; alert > 90% for 5 minutes (application pool)' },
    ],
  },
  {
    configKey: 'paymentSuccessRatePercent',
    metric: 'Fivestar/Payments PaymentSuccessRate',
    statistic: 'Average',
    unit: '%',
    direction: 'below',
    warn: 98,
    fail: 95,
    tiers: [
      {
        level: 90,
        severity: 'critical',
        label: 'critical: PaymentProcessingFailed',
        source: 'ops guide §5.2.1',
      },
      {
        level: 80,
        severity: 'critical',
        label: 'escalate to management within 30 minutes',
        source: 'ops guide §13.3.2',
      },
    ],
    durationMinutes: 10,
    source:
      'ops guide §6.1.1 (warning < 98%, critical < 95%), §3.2.1 (alarm < 95%, 2 x 300 s), §5.2.1 (< 90% critical), §13.3.2 (< 80% escalate)',
    choice:
      "the ops guide's own levels: warn below §6.1.1's warning (98%), fail at its critical and the §3.2.1 alarm (95%). Runbooks 002/003 (target > 95%, alert < 90%) describe other services.",
    guides: [
      { guide: 'ops guide §6.1.1', says: 'target >= 99%, warning < 98%, critical < 95%' },
      { guide: 'ops guide §3.2.1', says: 'LowPaymentSuccessRate < 95, 2 x 300 s' },
      { guide: 'ops guide §5.2.1', says: 'PaymentProcessingFailed < 90%' },
      { guide: 'ops guide §13.3.2', says: '< 80%: escalate to management within 30 minutes' },
      { guide: 'runbook 002', says: 'should be > 95%' },
      { guide: 'runbook 003', says: 'target > 95%, alert < 90% (failure rate > 10% for 5 minutes)' },
    ],
  },
  {
    configKey: 'errorRatePercent',
    metric: 'Fivestar/Application ErrorRate; ALB target 5XX percent',
    statistic: 'Average',
    unit: '%',
    direction: 'above',
    warn: 1,
    fail: 5,
    durationMinutes: 2,
    source: 'ops guide §3.2.1 (HighErrorRate > 5, 2 x 300 s); deployment guide §12.2.1 (> 5% for 2 minutes)',
    choice:
      "the Fivestar guides give the alert only (> 5%): fsops fails there, for the deployment guide's 2 minutes (the §3.2.1 alarm waits 10). It warns at runbook 002's target (< 1%), the one runbook whose alert (> 5%) is Fivestar's; runbooks 003/004 (target < 0.1%, alert > 0.5%) are held to a 99.99% SLA Fivestar does not state.",
    guides: [
      { guide: 'ops guide §3.2.1', says: 'HighErrorRate ErrorRate > 5, 2 x 300 s' },
      { guide: 'deployment guide §12.2.1', says: 'error rate > 5% for 2 minutes' },
      { guide: 'runbook 002', says: 'should be < 1%; > 5% is the high-error-rate symptom' },
      { guide: 'runbook 003', says: 'target < 0.1%, alert > 0.5%' },
      { guide: 'runbook 004', says: '< 0.1% of requests' },
    ],
  },
  {
    configKey: 'apiLatencyP95Ms',
    metric: 'ALB TargetResponseTime p95',
    statistic: 'p95',
    unit: 'ms',
    direction: 'above',
    warn: 500,
    fail: 2000,
    durationMinutes: 5,
    source: 'ops guide §6.1.1 (target < 500 ms p95, critical > 2 s)',
    choice:
      "the ops guide's target and critical level on p95, for 5 minutes (no guide gives a duration). The runbooks' p95 < 200 ms (002, 003, 004) and p99 < 500 ms (003) describe other services; §6.1.1 names no p99.",
    guides: [
      { guide: 'ops guide §6.1.1', says: 'target < 500 ms (95th percentile), warning < 1 s, critical > 2 s' },
      { guide: 'runbook 002', says: 'should be < 200 ms (p95)' },
      { guide: 'runbook 003', says: 'P50 < 100 ms, P95 < 200 ms, P99 < 500 ms' },
      { guide: 'runbook 004', says: '< 200 ms for 95% of requests' },
    ],
  },
  {
    configKey: 'paymentProcessingSeconds',
    metric: 'Fivestar/Payments PaymentProcessingTime',
    statistic: 'Average',
    unit: 's',
    direction: 'above',
    warn: 3,
    fail: 10,
    durationMinutes: 5,
    source: 'ops guide §6.1.1 (target < 3 s, critical > 10 s)',
    choice:
      "the ops guide's average (target 3 s, critical 10 s); it names the KPI, not its metric or a duration: fsops assumes the metric name and 5 minutes. Runbook 003's p99 (target < 2 s, alert > 3 s) describes another service.",
    guides: [
      { guide: 'ops guide §6.1.1', says: 'average: target < 3 s, warning < 5 s, critical > 10 s' },
      { guide: 'runbook 003', says: 'average target < 2 s, alert > 3 s; P99 > 3 s for 5 minutes (warning)' },
    ],
  },
  {
    configKey: 'rdsFreeStoragePercent',
    metric: 'RDS FreeStorageSpace, percent of allocated',
    statistic: 'Minimum',
    unit: '%',
    direction: 'below',
    warn: 30,
    fail: 20,
    durationMinutes: 5,
    source: 'ops guide §8.1.1 (LowFreeStorage < 20%)',
    choice: 'the guide gives only the alert: fsops warns at 30% free and uses 5 minutes.',
    guides: [
      { guide: 'ops guide §8.1.1', says: 'FreeStorageSpace alert < 20%; LowFreeStorage < 20% free space' },
      { guide: 'runbook 002', says: 'disk usage should be < 85%' },
      { guide: 'runbook 004', says: 'disk usage < 80% capacity' },
    ],
  },
  {
    configKey: 'rdsFreeableMemoryMb',
    metric: 'RDS FreeableMemory',
    statistic: 'Minimum',
    unit: 'MB',
    direction: 'below',
    warn: 2048,
    fail: 1024,
    durationMinutes: 5,
    source: 'ops guide §8.1.1 (alert < 1 GB)',
    choice: 'the guide gives only the alert: fsops warns below 2 GB and uses 5 minutes.',
    guides: [{ guide: 'ops guide §8.1.1', says: 'FreeableMemory alert < 1 GB' }],
  },
  {
    configKey: 'rdsReadLatencyMs',
    metric: 'RDS ReadLatency',
    statistic: 'Average',
    unit: 'ms',
    direction: 'above',
    warn: 10,
    fail: 50,
    durationMinutes: 5,
    source: 'ops guide §8.1.1 (target < 10 ms)',
    choice: 'the guide gives only the target: fsops fails at 50 ms sustained 5 minutes.',
    guides: [
      { guide: 'ops guide §8.1.1', says: 'ReadLatency target < 10 ms' },
      { guide: 'runbook 003', says: 'query time P99 < 100 ms (application side)' },
    ],
  },
  {
    configKey: 'rdsWriteLatencyMs',
    metric: 'RDS WriteLatency',
    statistic: 'Average',
    unit: 'ms',
    direction: 'above',
    warn: 20,
    fail: 100,
    durationMinutes: 5,
    source: 'ops guide §8.1.1 (target < 20 ms)',
    choice: 'the guide gives only the target: fsops fails at 100 ms sustained 5 minutes.',
    guides: [{ guide: 'ops guide §8.1.1', says: 'WriteLatency target < 20 ms' }],
  },
  {
    configKey: 'rdsDiskQueueDepth',
    metric: 'RDS DiskQueueDepth',
    statistic: 'Average',
    unit: 'count',
    direction: 'above',
    warn: 10,
    fail: 50,
    durationMinutes: 5,
    source: 'ops guide §8.1.1 (target < 10)',
    choice:
      'the guide gives only the target ("sustained high usage"): fsops fails at 50 sustained 5 minutes.',
    guides: [{ guide: 'ops guide §8.1.1', says: 'DiskQueueDepth target < 10' }],
  },
  {
    configKey: null,
    configPath: 'database.thresholds.replicationLagSeconds',
    metric: 'RDS ReplicaLag (each read replica in the region)',
    statistic: 'Maximum',
    unit: 's',
    direction: 'above',
    warn: 30,
    fail: 300,
    durationMinutes: 5,
    source: 'deployment guide §4.1.3 (prod: two read replicas); ops guide §8.1.1 (RDS monitoring)',
    choice:
      'no guide gives a replica-lag level or duration: fsops warns at 30 s and fails at 300 s held 5 minutes, like the other RDS metrics; ReplicaLag -1 (replication not running) fails at once.',
    guides: [{ guide: 'deployment guide §4.1.3', says: 'prod: 2 read replicas (no lag level)' }],
  },
  {
    configKey: 'dynamodbThrottledRequests',
    metric: 'AWS/DynamoDB ReadThrottleEvents + WriteThrottleEvents (LMS transaction queue)',
    statistic: 'Sum',
    unit: 'count',
    direction: 'above',
    warn: 1,
    fail: 1,
    durationMinutes: 1,
    source: 'ops guide §8.2.1 (any throttling events); deployment guide §12.2.1',
    choice: '',
    guides: [
      { guide: 'ops guide §8.2.1', says: 'Throttling: any throttling events' },
      { guide: 'deployment guide §12.2.1', says: 'DynamoDB throttling (a critical metric)' },
    ],
  },
  {
    configKey: 'dynamodbLatencyMs',
    metric: 'AWS/DynamoDB SuccessfulRequestLatency (LMS transaction queue)',
    statistic: 'Average',
    unit: 'ms',
    direction: 'above',
    warn: 50,
    fail: 100,
    durationMinutes: 5,
    source: 'ops guide §8.2.1 (> 100 ms average)',
    choice: 'the guide gives only the alert and no duration: fsops warns at 50 ms and uses 5 minutes.',
    guides: [{ guide: 'ops guide §8.2.1', says: 'HighLatency > 100 ms average latency' }],
  },
  {
    configKey: 'redisEngineCpuPercent',
    metric: 'AWS/ElastiCache EngineCPUUtilization (each node of the replication group)',
    statistic: 'Average',
    unit: '%',
    direction: 'above',
    warn: 70,
    fail: 90,
    durationMinutes: 5,
    source: 'runbook 003 Technical Metrics (Redis Performance)',
    choice:
      'no guide gives a Redis CPU level: Redis runs commands on one thread, so fsops warns at 70% and fails at 90% of that thread for 5 minutes (AWS guidance for EngineCPUUtilization).',
    guides: [{ guide: 'runbook 003 Technical Metrics', says: 'Redis Performance' }],
  },
  {
    configKey: 'redisMemoryPercent',
    metric: 'AWS/ElastiCache DatabaseMemoryUsagePercentage',
    statistic: 'Maximum',
    unit: '%',
    direction: 'above',
    warn: 75,
    fail: 90,
    durationMinutes: 5,
    source: 'runbook 003 Technical Metrics (Redis Memory Usage < 75%)',
    choice: 'the guide gives the target only: fsops warns at it and fails at 90%, where eviction is near.',
    guides: [{ guide: 'runbook 003 Technical Metrics', says: 'Redis Memory Usage < 75%' }],
  },
  {
    configKey: 'redisEvictions',
    metric: 'AWS/ElastiCache Evictions per minute',
    statistic: 'Sum',
    unit: 'keys',
    direction: 'above',
    warn: 1,
    fail: 100,
    durationMinutes: 5,
    source: 'runbook 003 Technical Metrics (Eviction Rate < 1%)',
    choice:
      'CloudWatch counts evicted keys, not a rate of writes: an evicted webhook is a lost webhook, so fsops warns at any eviction and fails at 100 a minute for 5 minutes.',
    guides: [{ guide: 'runbook 003 Technical Metrics', says: 'Eviction Rate < 1%' }],
  },
  {
    configKey: 'redisConnectionsPercent',
    metric: 'AWS/ElastiCache CurrConnections, percent of maxclients (redis.maxClients)',
    statistic: 'Maximum',
    unit: '%',
    direction: 'above',
    warn: 80,
    fail: 95,
    durationMinutes: 5,
    source: 'runbook 002 Key Metrics (Active Connections: Database and Redis)',
    choice:
      'no guide gives a level: the same 80% as database connections (ops guide §8.1.1), failing at 95%.',
    guides: [{ guide: 'runbook 002 Key Metrics', says: 'Active Connections: Database and Redis' }],
  },
  {
    configKey: 'redisReplicationLagSeconds',
    metric: 'AWS/ElastiCache ReplicationLag (replica nodes)',
    statistic: 'Maximum',
    unit: 's',
    direction: 'above',
    warn: 1,
    fail: 10,
    durationMinutes: 5,
    source: 'runbook 003 Technical Metrics (Redis Performance)',
    choice: 'no guide gives a level: fsops warns past 1 s and fails past 10 s for 5 minutes.',
    guides: [{ guide: 'runbook 003 Technical Metrics', says: 'Redis Performance' }],
  },
  {
    configKey: null,
    configPath: 'redis.thresholds.pingMs',
    metric: 'Redis PING round trip (fsops probe; median of 3)',
    statistic: 'median',
    unit: 'ms',
    direction: 'above',
    warn: 10,
    fail: 100,
    durationMinutes: 0,
    source: 'runbook 002 Network Issues (Test Redis connectivity: redis-cli ping)',
    choice: 'the guide only pings: fsops judges the round trip, warning at 10 ms and failing at 100 ms.',
    guides: [{ guide: 'runbook 002 Network Issues', says: 'Test Redis connectivity: redis-cli ping' }],
  },
  {
    configKey: null,
    configPath: 'redis.thresholds.memoryPercent',
    metric: 'Redis used_memory, percent of maxmemory (INFO memory)',
    statistic: 'one observation',
    unit: '%',
    direction: 'above',
    warn: 75,
    fail: 90,
    durationMinutes: 0,
    source: 'runbook 003 Technical Metrics (Redis Memory Usage < 75%)',
    choice: 'the guide gives the target: fsops warns at it and fails at 90%.',
    guides: [{ guide: 'runbook 003 Technical Metrics', says: 'Redis Memory Usage < 75%' }],
  },
  {
    configKey: null,
    configPath: 'redis.thresholds.hitRatePercent',
    metric: 'Redis keyspace hit rate (INFO stats keyspace_hits / (hits + misses), since start)',
    statistic: 'since start',
    unit: '%',
    direction: 'below',
    warn: 90,
    fail: 80,
    durationMinutes: 0,
    source: 'runbook 003 Technical Metrics (Redis Hit Rate > 90%)',
    choice:
      'the guide gives the target: fsops warns below it and fails below 80%; fewer than redis.thresholds.minKeyspaceReads lookups are not judged.',
    guides: [{ guide: 'runbook 003 Technical Metrics', says: 'Redis Hit Rate > 90%' }],
  },
  {
    configKey: null,
    configPath: 'redis.thresholds.evictedKeys',
    metric: 'Redis evicted_keys since the server started (INFO stats)',
    statistic: 'since start',
    unit: 'keys',
    direction: 'above',
    warn: 1,
    fail: 1000,
    durationMinutes: 0,
    source: 'runbook 003 Technical Metrics (Eviction Rate < 1%)',
    choice: 'INFO has no rate: any eviction warns (it may have taken queued webhooks), 1000 fail.',
    guides: [{ guide: 'runbook 003 Technical Metrics', says: 'Eviction Rate < 1%' }],
  },
  {
    configKey: null,
    configPath: 'redis.queues[].length',
    metric: 'Webhook queue length (LLEN of each redis.queues key)',
    statistic: 'one observation',
    unit: 'items',
    direction: 'above',
    warn: 100,
    fail: 1000,
    durationMinutes: 0,
    source: 'runbook 003 Daily Tasks (redis-cli llen webhook_queue), Webhook Processing Issues (webhook_dlq)',
    choice:
      'the guide gives no level: webhook_queue warns at 100 and fails at 1000; the dead-letter queue webhook_dlq warns at its first item.',
    guides: [
      {
        guide: 'runbook 003 Daily Tasks',
        says: 'redis-cli llen webhook_queue), Webhook Processing Issues (webhook_dlq',
      },
    ],
  },
  {
    configKey: null,
    configPath: 'redis.queues[].oldestMinutes',
    metric: "Age of the webhook queue's oldest item (its enqueue timestamp)",
    statistic: 'one observation',
    unit: 'min',
    direction: 'above',
    warn: 5,
    fail: 15,
    durationMinutes: 0,
    source: 'runbook 003 Webhook Processing Issues',
    choice:
      'the guide gives no level: 5 min warns, 15 min fails (webhook_dlq: 1 h / 24 h); items without a timestamp are not judged.',
    guides: [{ guide: 'runbook 003 Webhook Processing Issues', says: 'no level given' }],
  },
  {
    configKey: 'healthLatencyMs',
    metric: 'Health endpoint response time (fsops probe)',
    statistic: 'one probe',
    unit: 'ms',
    direction: 'above',
    warn: 1000,
    fail: 2000,
    durationMinutes: 0,
    source: 'ops guide §6.1.1 (API warning 1 s, critical > 2 s)',
    choice: 'a single probe, not a series: judged on the one answer.',
    guides: [
      {
        guide: 'ops guide §6.1.1',
        says: 'API response: target < 500 ms (p95), warning < 1 s, critical > 2 s',
      },
      { guide: 'deployment guide §5.1.1, §5.1.2', says: 'container health checks: timeout 3 s, 3 retries' },
    ],
  },
  {
    configKey: 'recentErrors',
    metric: 'ERROR log events per component in the --since window (CloudWatch Logs)',
    statistic: 'count',
    unit: 'events',
    direction: 'above',
    warn: 1,
    fail: 50,
    durationMinutes: 0,
    source: 'deployment guide §12.2.2 (search the application logs for ERROR)',
    choice:
      'the guide gives no count: fsops warns at the first ERROR and fails at 50 in the window (default 15 min).',
    guides: [
      { guide: 'deployment guide §12.2.2', says: 'filter-log-events --filter-pattern ERROR (no count)' },
    ],
  },
  {
    configKey: null,
    metric: 'ALB UnHealthyHostCount',
    statistic: 'Maximum',
    unit: 'count',
    direction: 'above',
    warn: 1,
    fail: 1,
    durationMinutes: 3,
    source: 'ops guide §5.2.1 (SystemDown: health check failures > 3 consecutive)',
    choice:
      'the guide counts health checks, CloudWatch counts hosts per minute: fsops fails after 3 consecutive minutes.',
    guides: [
      {
        guide: 'ops guide §5.2.1',
        says: 'SystemDown: health check failures > 3 consecutive; immediate PagerDuty',
      },
      { guide: 'deployment guide §5.1.1, §5.1.2', says: 'container health check every 30 s, 3 retries' },
    ],
  },
];

/**
 * The other numbers the guides give (schedules, objectives, paths, the failed-login rule): what each
 * guide says, what fsops uses and where it is configured. `value` is the default at `configPath`
 * (test/unit/monitoring/thresholds.test.ts compares it with DEFAULT_CONFIG, so this table cannot drift).
 */
export interface GuideValue {
  topic: string;
  /** Dotted path in the config whose default is `value`. */
  configPath: string;
  value: unknown;
  /** The value as the table shows it. */
  shown: string;
  guides: GuideSays[];
  /** Which guide fsops follows and why. */
  choice: string;
}

export const GUIDE_VALUES: readonly GuideValue[] = [
  {
    topic: 'Incident status updates',
    configPath: 'incident.updateIntervalMinutes',
    value: 30,
    shown: 'every 30 minutes',
    guides: [
      { guide: 'ops guide §11.2.1, §11.3.1', says: 'status updates every 30 minutes' },
      { guide: 'runbook 002', says: 'post status updates every 15 minutes' },
    ],
    choice: "the ops guide's (Fivestar's own incident process); runbook 002 describes another service.",
  },
  {
    topic: 'Post-mortem due',
    configPath: 'incident.postmortemDueHours',
    value: 48,
    shown: 'within 48 hours',
    guides: [
      { guide: 'ops guide §11.2.1, §11.3.1', says: 'post-mortem within 48 hours' },
      { guide: 'runbook 002', says: 'conduct post-mortem within 24 hours' },
      { guide: 'runbook 003', says: 'post-incident: 24-48 hours' },
    ],
    choice: "the ops guide's; set `incident.postmortemDueHours: 24` for runbook 002's.",
  },
  {
    topic: 'Regular maintenance window',
    configPath: 'maintenance.window.durationMinutes',
    value: 180,
    shown: '2nd Sunday, 02:00-05:00 IST (180 min)',
    guides: [
      { guide: 'ops guide §12.1.1', says: 'every 2nd Sunday, 2:00 AM - 5:00 AM IST, 3 hours maximum' },
    ],
    choice: '',
  },
  {
    topic: 'Database maintenance window',
    configPath: 'maintenance.database.durationMinutes',
    value: 180,
    shown: 'quarterly (Jan, Apr, Jul, Oct), 02:00-05:00 IST (180 min)',
    guides: [
      {
        guide: 'ops guide §12.1.1',
        says: 'quarterly, "during regular maintenance window" (02:00-05:00), "4 hours maximum"',
      },
    ],
    choice:
      'the guide puts it inside the 3-hour regular window and caps it at 4 hours: only 02:00-05:00 meets both (4 hours would run past the window to 06:00). The guide names no months: the first of each quarter.',
  },
  {
    topic: 'Recovery point objective (RPO)',
    configPath: 'maintenance.rpoMinutes',
    value: 60,
    shown: '60 minutes',
    guides: [
      { guide: 'deployment guide §2.2.3', says: 'RPO < 1 hour' },
      { guide: 'runbook 002', says: 'RPO 15 minutes' },
      { guide: 'runbook 003', says: 'RPO 5 minutes' },
    ],
    choice: "the deployment guide's (Fivestar prod); runbooks 002/003 describe other services.",
  },
  {
    topic: 'Recovery time objective (RTO)',
    configPath: 'backup.rtoMinutes',
    value: 240,
    shown: '240 minutes',
    guides: [
      { guide: 'deployment guide §2.2.3', says: 'RTO < 4 hours' },
      { guide: 'runbook 002', says: 'RTO 4 hours' },
      { guide: 'runbook 003', says: 'RTO 1 hour' },
    ],
    choice: "the deployment guide's.",
  },
  {
    topic: 'Test restore in `maintenance run monthly`',
    configPath: 'backup.verify.monthly',
    value: false,
    shown: 'off (run `fsops backup verify` by hand or enable it)',
    guides: [
      { guide: 'ops guide §12.3.1', says: 'monthly: backup integrity verification' },
      { guide: 'runbook 003', says: 'monthly: full database backup and test restore' },
      { guide: 'runbook 004', says: 'weekly: test backup restoration' },
      { guide: 'runbook 002', says: 'monthly failover test' },
    ],
    choice:
      "the ops guide's monthly integrity verification is the check `maintenance.backup-integrity` of `maintenance run monthly`; a full test restore bills an instance-hour, so it is opt-in: `backup.verify.monthly: true` adds runbook 003's monthly restore, a weekly schedule runs `fsops backup verify` (runbook 004).",
  },
  {
    topic: 'Health endpoint of internal-pe',
    configPath: 'health.paths',
    value: ['/health', '/ready'],
    shown: '`/health`, `/ready`',
    guides: [
      {
        guide: 'deployment guide §5.1.1, §11.1.1',
        says: '`http://localhost:8080/health`, `http://$ALB_DNS/health`',
      },
      { guide: 'runbook 002', says: '`/health` and `/ready`' },
    ],
    choice:
      "the deployment guide's `/health`, and runbook 002's readiness path `/ready` (a 404 there fails: set `health.paths` to drop it).",
  },
  {
    topic: 'Health endpoint of customer-portal',
    configPath: 'health.componentPaths.customer-portal',
    value: ['/'],
    shown: '`/`',
    guides: [{ guide: 'deployment guide §5.1.2', says: '`wget --spider http://localhost/`' }],
    choice: 'the portal is static files behind nginx: its health check is the root page.',
  },
  {
    topic: 'Log archive kept (S3 lifecycle and Object Lock)',
    configPath: 'logArchive.keepDays',
    value: 365,
    shown: '365 days',
    guides: [
      { guide: 'runbook 002 "Log Archival"', says: 'archive old logs, transfer to S3 (no period given)' },
      { guide: 'PCI DSS 10.5.1', says: 'audit log history retained at least 12 months' },
    ],
    choice:
      "no Fivestar guide gives the archive's period: PCI DSS 10.5.1's 12 months (a payments platform), as the lifecycle's shortest expiration and the Object Lock default retention; `logs.archive` checks prod only (`environments.<env>.logs.archiveRequired`).",
  },
  {
    topic: 'Log data immediately available (log group retention)',
    configPath: 'logArchive.availableDays',
    value: 90,
    shown: '90 days',
    guides: [
      { guide: 'ops guide §3.1.1', says: 'RetentionDays: 90 for every log group' },
      { guide: 'deployment guide §4.1', says: 'log retention 7 / 30 / 90 days (dev / staging / prod)' },
      { guide: 'PCI DSS 10.5.1', says: 'the last three months immediately available for analysis' },
    ],
    choice:
      "ops guide §3.1.1's 90 days, which is PCI DSS 10.5.1's three months: `logs.archive` fails a log group that keeps less where the archive is required (prod).",
  },
  {
    topic: 'Failed logins',
    configPath: 'security.failedLogin.perMinute',
    value: 5,
    shown: '5 failures in 1 minute (check and alarm)',
    guides: [
      {
        guide: 'ops guide §7.1.1',
        says: '5 failures in 1 minute: temporary IP block, notify the security team',
      },
      {
        guide: 'runbook 003',
        says: '> 5 failed attempts within 5 minutes from the same IP: block for 1 hour',
      },
      { guide: 'runbook 002', says: 'rate(failed_auth_total[5m]) > 10 (per second) for 2 minutes: warning' },
    ],
    choice: "the ops guide's; fsops reports and alarms, it does not block IPs.",
  },
];

/** The guide's entry for a config threshold key. */
export function guideThreshold(configKey: string): GuideThreshold | undefined {
  return GUIDE_THRESHOLDS.find((t) => t.configKey === configKey);
}

/** The entry whose levels live at a config path outside `thresholds:` (e.g. `database.thresholds.replicationLagSeconds`). */
export function guideThresholdAt(configPath: string): GuideThreshold | undefined {
  return GUIDE_THRESHOLDS.find((t) => t.configPath === configPath);
}

/** The config's default `thresholds:` levels for every entry that has a config key. */
export function guideLevels(): Record<string, { warn: number; fail: number }> {
  return Object.fromEntries(
    GUIDE_THRESHOLDS.filter((t) => t.configKey).map((t) => [t.configKey, { warn: t.warn, fail: t.fail }]),
  );
}

const cell = (text: string) => text.replaceAll('|', '\\|');

function level(t: GuideThreshold, value: number): string {
  const op = t.direction === 'above' ? '>=' : '<=';
  return `${op} ${value}${t.unit === '%' ? '%' : ` ${t.unit}`}`;
}

const says = (guides: readonly GuideSays[]) => guides.map((g) => `${g.guide}: ${g.says}`).join('<br>') || '-';

/** docs/thresholds.md, generated (`npm run docs:numbers`); a test keeps the committed file in step. */
export function renderThresholdsDoc(): string {
  const rows = GUIDE_THRESHOLDS.map((t) => {
    const tiers = (t.tiers ?? []).map((tier) => `${level(t, tier.level)}: ${tier.label} (${tier.source})`);
    return `| ${cell(t.metric)} | ${t.configKey ? `\`${t.configKey}\`` : t.configPath ? `\`${t.configPath}\`` : '(fixed)'} | ${t.statistic} | ${level(t, t.warn)} | ${[level(t, t.fail), ...tiers].map(cell).join('<br>')} | ${t.durationMinutes ? `${t.durationMinutes} min` : t.configKey === 'recentErrors' ? 'the --since window' : 'one observation'} | ${cell(says(t.guides))} | ${cell(t.choice || '-')} |`;
  });
  const values = GUIDE_VALUES.map(
    (v) =>
      `| ${cell(v.topic)} | \`${v.configPath}\` | ${cell(v.shown)} | ${cell(says(v.guides))} | ${cell(v.choice || '-')} |`,
  );
  return [
    '# Thresholds',
    '',
    '<!-- Generated from src/base/config/guide-thresholds.ts by `npm run docs:numbers`; do not edit by hand. -->',
    '',
    "Every threshold fsops judges a metric by. **warn** is where the guide's target or warning level is",
    'missed, **fail** where the guide alerts; past a **tier** the finding takes its severity. A metric',
    'breaches a level only when every datapoint of the last',
    '*duration* is past it (judged on the datapoints of that window, not on the latest one); a window',
    'with missing datapoints is not a pass (it warns "cannot judge"). A single spike is reported in the',
    'detail but is not a breach. Levels are overridable under `thresholds:` (and per environment) in the',
    'config. The Fivestar guides (ops guide, deployment guide) set the defaults; the runbooks 002-004',
    "describe other payment services: every guide's value is shown side by side, and the last column says",
    'which one fsops uses and why. The PostgreSQL diagnostics (`fsops db`) have their own thresholds:',
    '[database.md](database.md#configuration); the alarms fsops creates: `monitoring/alarms.yaml`',
    '([monitoring.md](monitoring.md)).',
    '',
    "| Metric | Config key | Statistic | Warn | Fail | Duration | Every guide's value | fsops uses, and why |",
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '## Schedules, objectives and other numbers',
    '',
    "| Topic | Config | fsops default | Every guide's value | fsops uses, and why |",
    '|---|---|---|---|---|',
    ...values,
    '',
  ].join('\n');
}
