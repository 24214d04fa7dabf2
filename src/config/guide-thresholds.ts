/**
 * Every threshold fsops judges a metric by, with the guide section it comes from and how long the
 * metric must stay past the level before it counts (docs/thresholds.md is generated from this table:
 * `npm run docs:thresholds`). warn = the guide's target is missed; fail = the guide alerts.
 *
 * This module has no runtime imports so that scripts/docs-thresholds.mjs can load it directly
 * (Node's type stripping); keep it plain data.
 */

export type Direction = 'above' | 'below';

export interface EscalationTier {
  /** Past this level (in the metric's direction) for the duration, the finding's severity becomes `severity`. */
  level: number;
  severity: 'critical' | 'high';
  label: string;
  source: string;
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
    source: 'ops guide §6.1.1 (target < 70%), §8.1.1 (HighCPU 80% for 5 minutes); deployment guide §12.2.1',
    choice:
      'ops guide §6.1.1 calls > 90% critical, but §8.1.1 and deployment guide §12.2.1 alert at 80% for 5 minutes: fsops fails at the alert.',
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
    source: 'ops guide §6.1.1 (target < 75%); deployment guide §12.2.1 (> 85% for 3 minutes)',
    choice:
      'ops guide §6.1.1 calls > 95% critical; the deployment guide alerts at 85% for 3 minutes: fsops fails at the alert.',
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
    source:
      'ops guide §6.1.1 (target < 60%), §8.1.1 (HighConnections 160 of 200 = 80%); deployment guide §12.2.1',
    choice: 'no guide gives a duration for connections: fsops uses 5 minutes, like the CPU alert.',
  },
  {
    configKey: 'paymentSuccessRatePercent',
    metric: 'Fivestar/Payments PaymentSuccessRate',
    statistic: 'Average',
    unit: '%',
    direction: 'below',
    warn: 99,
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
      'ops guide §6.1.1 (target >= 99%), §3.2.1 (alarm < 95%, 2 x 300 s), §5.2.1 (< 90% critical), §13.3.2 (< 80% escalate)',
    choice: '§6.1.1 also names a "< 98%" warning: fsops warns as soon as the 99% target is missed.',
  },
  {
    configKey: 'errorRatePercent',
    metric: 'Fivestar/Application ErrorRate; ALB target 5XX percent',
    statistic: 'Average',
    unit: '%',
    direction: 'above',
    warn: 2,
    fail: 5,
    durationMinutes: 2,
    source: 'ops guide §3.2.1 (HighErrorRate > 5, 2 x 300 s); deployment guide §12.2.1 (> 5% for 2 minutes)',
    choice:
      "no guide gives an error-rate target: fsops warns at 2%. The duration is the deployment guide's 2 minutes (the §3.2.1 alarm waits 10).",
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
    choice: 'the guide gives no duration: fsops uses 5 minutes. The guides name p95 only (no p99).',
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
      'the guide names the KPI, not its metric or a duration: fsops assumes the metric name and 5 minutes.',
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

/** docs/thresholds.md, generated (`npm run docs:thresholds`); a test keeps the committed file in step. */
export function renderThresholdsDoc(): string {
  const rows = GUIDE_THRESHOLDS.map((t) => {
    const tiers = (t.tiers ?? []).map((tier) => `${level(t, tier.level)}: ${tier.label} (${tier.source})`);
    return `| ${cell(t.metric)} | ${t.configKey ? `\`${t.configKey}\`` : t.configPath ? `\`${t.configPath}\`` : '(fixed)'} | ${t.statistic} | ${level(t, t.warn)} | ${[level(t, t.fail), ...tiers].map(cell).join('<br>')} | ${t.durationMinutes ? `${t.durationMinutes} min` : t.configKey === 'recentErrors' ? 'the --since window' : 'one observation'} | ${cell(t.source)} | ${cell(t.choice || '-')} |`;
  });
  return [
    '# Thresholds',
    '',
    '<!-- Generated from src/config/guide-thresholds.ts by `npm run docs:thresholds`; do not edit by hand. -->',
    '',
    "Every threshold fsops judges a metric by. **warn** is where the guide's target is missed, **fail**",
    'where the guide alerts. A metric breaches a level only when every datapoint of the last',
    '*duration* is past it (judged on the datapoints of that window, not on the latest one); a window',
    'with missing datapoints is not a pass (it warns "cannot judge"). A single spike is reported in the',
    'detail but is not a breach. Levels are overridable under `thresholds:` (and per environment) in the',
    "config; durations are the guide's. Where the guides disagree or are silent, the last column says",
    'what fsops chose. The PostgreSQL diagnostics (`fsops db`) have their own thresholds:',
    '[database.md](database.md#configuration); the alarms fsops creates: `monitoring/alarms.yaml`',
    '([monitoring.md](monitoring.md)).',
    '',
    '| Metric | Config key | Statistic | Warn | Fail | Duration | Source | fsops choice |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
