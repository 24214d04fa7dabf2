import type { IncidentConfig } from '../../base/config/incident.js';
import type { SeverityLevel } from './severity.js';

export interface EscalationStep {
  level: string;
  title: string;
  method: string;
  recipients: string[];
  afterMinutes: number;
  dueAt: string;
  /** true once the minute has passed (at `now`). */
  due: boolean;
}

/**
 * Who is due when for a severity (ops guide §5.1.1 levels, §11.1.1 / §13.3.2 timing, from the config),
 * counted from the incident's start. Levels the severity does not use are left out. Pure.
 */
export function escalationPlan(
  config: IncidentConfig,
  severity: SeverityLevel,
  startedAt: Date,
  now: Date,
): EscalationStep[] {
  const minutes = config.severities[severity].minutes;
  return config.levels
    .filter((level) => minutes[level.id] !== undefined)
    .map((level) => {
      const after = minutes[level.id]!;
      const dueAt = new Date(startedAt.getTime() + after * 60_000);
      return {
        level: level.id,
        title: level.title,
        method: level.method,
        recipients: level.recipients,
        afterMinutes: after,
        dueAt: dueAt.toISOString(),
        due: now.getTime() >= dueAt.getTime(),
      };
    })
    .sort((a, b) => a.afterMinutes - b.afterMinutes);
}

/** The plan as lines for the terminal: "now  Level 1 Email ...", "+15m Level 3 PagerDuty ... (at 10:15Z)". */
export function escalationLines(plan: readonly EscalationStep[]): string[] {
  return plan.map((step) => {
    const when = step.due ? 'due now' : `at minute ${step.afterMinutes} (${step.dueAt.slice(11, 16)} UTC)`;
    return `  ${when.padEnd(24)} ${step.title}: ${step.recipients.join(', ')} (${step.method})`;
  });
}
