import { UsageError } from '../../base/model/errors.js';
import type { Finding } from '../../base/model/finding.js';

export const SEVERITIES = [1, 2, 3, 4] as const;
export type SeverityLevel = (typeof SEVERITIES)[number];

/** Ops guide §11.1.1 (Severity2_High) and §5.2.1 (PaymentProcessingFailed): success rate below 90%. */
export const SEV2_SUCCESS_RATE_PERCENT = 90;

/** A proposed severity and the one fact that led to it. */
export interface SeverityProposal {
  severity: SeverityLevel;
  /** The fact, in words: "prod-internal-pe-service: 0 running, 0 pending, 3 desired". */
  reason: string;
  /** The finding the fact comes from (null when no finding failed). */
  findingId: string | null;
  resource: string | null;
  /** The guide's words for the rule that fired. */
  rule: string;
  /** Checks that could not run: the real severity may be higher than proposed. */
  unchecked: string[];
}

/**
 * The latest value a metric finding was judged on (its structured `value`, set by evaluateMetric), or
 * null. Not read out of the `observed` text: wording may change, the number may not.
 */
export function latestValue(finding: Pick<Finding, 'value'>): number | null {
  return typeof finding.value === 'number' && Number.isFinite(finding.value) ? finding.value : null;
}

/** Running tasks from an `ecs.service.running` finding (its structured `value`), or null. */
export function runningTasks(finding: Pick<Finding, 'value' | 'unit'>): number | null {
  return finding.unit === 'tasks' ? latestValue(finding) : null;
}

const fact = (f: Finding) => `${f.resource}: ${f.observed}`;

interface Rule {
  severity: SeverityLevel;
  rule: string;
  match(f: Finding, all: readonly Finding[]): boolean;
}

/**
 * Restore and recovery checks: failing, the data cannot be brought back as the guides require (a test
 * restore that did not come up or lost rows, point-in-time recovery out of the RPO): data loss.
 */
export const RECOVERY_CHECKS = [
  'backup.verify.restore',
  'backup.verify.schema',
  'backup.verify.row-count',
  'backup.verify.rpo',
  'maintenance.backup.pitr',
  'maintenance.backup.enabled',
];

const PERFORMANCE = [
  'metrics.alb.latency-p95',
  'metrics.payments.processing-time',
  'metrics.payments.error-rate',
];

/** Ops guide §11.1.1's examples as rules over findings, most severe first. */
const RULES: Rule[] = [
  {
    severity: 1,
    rule: 'Severity 1: payment system completely down (ECS service missing or not ACTIVE)',
    match: (f) => f.id === 'ecs.service.active' && f.status === 'fail',
  },
  {
    severity: 1,
    rule: 'Severity 1: payment system completely down (a service has 0 running tasks)',
    match: (f) => f.id === 'ecs.service.running' && f.status === 'fail' && runningTasks(f) === 0,
  },
  {
    severity: 1,
    rule: 'Severity 1: database unavailable',
    match: (f) => f.id === 'rds.instance.available' && f.status === 'fail',
  },
  {
    severity: 1,
    rule: 'Severity 1: security breach (GuardDuty HIGH findings: ops guide §5.2.1 SecurityBreach, immediate executive notification; §13.3.2 "Security breach confirmed"; confirm whether data was exposed)',
    match: (f) => f.id === 'security.guardduty.high' && f.status === 'fail',
  },
  {
    severity: 1,
    rule: 'Severity 1: data loss (a restore or recovery check failed: the data cannot be brought back within the RPO; ops guide §11.1.1, §13.3.2 "Data loss detected")',
    match: (f) => RECOVERY_CHECKS.includes(f.id) && f.status === 'fail',
  },
  {
    severity: 1,
    rule: 'Severity 1: payment system completely down (every health endpoint fails; §5.2.1 SystemDown)',
    match: (f, all) => {
      const health = all.filter((h) => h.id.startsWith('health.endpoints'));
      return f.id.startsWith('health.endpoints') && health.every((h) => h.status === 'fail');
    },
  },
  {
    severity: 2,
    rule: `Severity 2: payment success rate below ${SEV2_SUCCESS_RATE_PERCENT}%`,
    match: (f) => {
      if (!f.id.endsWith('payments.success-rate') || f.id.includes('no-data')) return false;
      const value = latestValue(f);
      return value !== null && value < SEV2_SUCCESS_RATE_PERCENT;
    },
  },
  {
    severity: 2,
    rule: 'Severity 2: single payment channel failure',
    match: (f) => f.id === 'payments.db.gateway' && f.status === 'fail',
  },
  {
    severity: 2,
    rule: 'Severity 2: performance severely degraded (a KPI past its critical threshold, ops guide §6.1.1)',
    match: (f) => PERFORMANCE.includes(f.id) && f.status === 'fail',
  },
  {
    severity: 3,
    rule: 'Severity 3: individual component failure (running below desired)',
    match: (f) => f.id === 'ecs.service.running' && f.status === 'fail',
  },
  {
    severity: 3,
    rule: 'Severity 3: minor functionality impaired (a check failed)',
    match: (f) => f.status === 'fail',
  },
  {
    severity: 3,
    rule: 'Severity 3: performance slightly degraded (a KPI past its warning threshold, ops guide §6.1.1)',
    match: (f) => f.id.startsWith('metrics.') && !f.id.startsWith('metrics.no-data') && f.status === 'warn',
  },
];

/**
 * Proposes a severity from an evidence snapshot by ops guide §11.1.1 (and §5.2.1): the first rule, most
 * severe first, that some finding matches, with that finding as the reason. Nothing failing proposes 4.
 * Pure: findings in, proposal out.
 */
export function proposeSeverity(findings: readonly Finding[]): SeverityProposal {
  const unchecked = findings.filter((f) => f.status === 'error').map((f) => `${f.id} (${f.resource})`);
  for (const rule of RULES) {
    const hit = findings.find((f) => rule.match(f, findings));
    if (hit) {
      return {
        severity: rule.severity,
        reason: fact(hit),
        findingId: hit.id,
        resource: hit.resource,
        rule: rule.rule,
        unchecked,
      };
    }
  }
  return {
    severity: 4,
    reason: 'no check failed',
    findingId: null,
    resource: null,
    rule: 'Severity 4: no failing check; cosmetic issue or minor inconvenience',
    unchecked,
  };
}

/** "SEV1 (Critical)" */
export function severityLabel(severity: SeverityLevel, name: string): string {
  return `SEV${severity} (${name})`;
}

export function parseSeverity(text: string, flag = '--severity'): SeverityLevel {
  const n = Number(text);
  if (!(SEVERITIES as readonly number[]).includes(n) || String(n) !== text.trim()) {
    throw new UsageError(`invalid ${flag} '${text}': use 1, 2, 3 or 4 (ops guide §11.1.1)`);
  }
  return n as SeverityLevel;
}
