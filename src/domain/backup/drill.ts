import type { CheckResult } from '../../base/model/check.js';
import { formatMinutes } from './evaluate.js';

/** Pure parts of the DR drills (runbook 002 Failover Testing; runbook 003 Monthly Tasks "Disaster recovery drill"). */

/** One probe of the database during a failover: did a write and a read succeed at `at`? */
export interface ProbeSample {
  at: number;
  write: boolean;
  read: boolean;
}

export interface ProbeSummary {
  samples: number;
  writesLost: number;
  readsLost: number;
  /** First failed write to the first successful write after it; 0 when no write failed. */
  writeDowntimeMs: number;
  /** False when writes were still failing at the end. */
  recovered: boolean;
}

export function summarizeProbes(samples: readonly ProbeSample[]): ProbeSummary {
  const firstFail = samples.findIndex((s) => !s.write);
  const writesLost = samples.filter((s) => !s.write).length;
  const readsLost = samples.filter((s) => !s.read).length;
  if (firstFail < 0) {
    return { samples: samples.length, writesLost, readsLost, writeDowntimeMs: 0, recovered: true };
  }
  let lastFail = firstFail;
  for (let i = firstFail; i < samples.length; i++) if (!samples[i]!.write) lastFail = i;
  const back = samples[lastFail + 1];
  return {
    samples: samples.length,
    writesLost,
    readsLost,
    writeDowntimeMs: (back ?? samples[lastFail]!).at - samples[firstFail]!.at,
    recovered: back !== undefined,
  };
}

export function evaluateFailover(input: {
  resource: string;
  summary: ProbeSummary;
  targetSeconds: number;
  azBefore: string | undefined;
  azAfter: string | undefined;
  intervalMs: number;
  /**
   * How the probing ended: the instance came back, Ctrl-C, or the drill's time ran out. A drill that
   * did not see the failover through has not measured it: no write lost then is not a pass.
   */
  ended?: 'recovered' | 'interrupted' | 'timed-out';
}): CheckResult[] {
  const { summary } = input;
  const ended = input.ended ?? 'recovered';
  const outageSeen = summary.writesLost > 0 && summary.recovered;
  const unmeasured =
    summary.samples === 0
      ? 'not measured: no probe ran after the reboot'
      : ended === 'interrupted' && !outageSeen
        ? `not measured: interrupted (Ctrl-C) before writes ${summary.writesLost > 0 ? 'came back' : 'failed and came back'}`
        : ended === 'timed-out' && summary.writesLost === 0
          ? 'not measured: no write failed before the drill gave up (backup.drill.timeoutMinutes): the probe did not see a failover'
          : null;
  const moved = Boolean(input.azAfter && input.azBefore && input.azAfter !== input.azBefore);
  const downtime =
    summary.writeDowntimeMs === 0 && summary.writesLost === 0
      ? `no write failed (probing every ${input.intervalMs / 1000} s)`
      : `${formatMinutes(summary.writeDowntimeMs)} without writes (${summary.writesLost} of ${summary.samples} writes failed)`;
  return [
    {
      id: 'dr.failover.write-downtime',
      title: 'Writes were back within the target',
      status: unmeasured
        ? ended === 'interrupted'
          ? 'skip'
          : 'error'
        : !summary.recovered
          ? 'fail'
          : summary.writeDowntimeMs / 1000 <= input.targetSeconds
            ? 'pass'
            : 'fail',
      resource: input.resource,
      expected: `writes back within ${input.targetSeconds} s (backup.drill.writeDowntimeSeconds)`,
      observed:
        unmeasured ??
        (summary.recovered ? downtime : `${downtime}; writes were still failing when the drill ended`),
      remediation:
        'Check the application reconnects (DNS TTL, connection pool validation) and the failover events (aws rds describe-events).',
    },
    {
      id: 'dr.failover.reads',
      title: 'Reads lost during the failover',
      status: 'pass',
      resource: input.resource,
      expected: 'reported (a read every probe)',
      observed: `${summary.readsLost} of ${summary.samples} reads failed`,
    },
    {
      id: 'dr.failover.az',
      title: 'The primary moved to the standby Availability Zone',
      status: moved ? 'pass' : ended === 'interrupted' ? 'skip' : 'fail',
      resource: input.resource,
      expected: `a different AZ than ${input.azBefore ?? '?'}`,
      observed: `${input.azBefore ?? '?'} -> ${input.azAfter ?? '?'}${!moved && ended === 'interrupted' ? ' (interrupted before the failover finished)' : ''}`,
      remediation: 'The reboot did not fail over: check MultiAZ and the RDS events.',
    },
  ];
}

export function evaluateTaskRecovery(input: {
  resource: string;
  recoveredMs: number | null;
  targetSeconds: number;
  detail: string;
}): CheckResult {
  return {
    id: 'dr.ecs.recovery',
    title: 'The service replaced the lost task and answers its health endpoint',
    status:
      input.recoveredMs === null ? 'fail' : input.recoveredMs / 1000 <= input.targetSeconds ? 'pass' : 'fail',
    resource: input.resource,
    expected: `running = desired and health 2xx within ${input.targetSeconds} s (backup.drill.ecsRecoverySeconds)`,
    observed:
      input.recoveredMs === null
        ? `not recovered: ${input.detail}`
        : `recovered in ${formatMinutes(input.recoveredMs)} (${input.detail})`,
    remediation:
      'Look at the service events and stopped tasks (fsops troubleshoot task-start-failure --env <env>).',
  };
}

/** A drill may start: no open incident, and in a protected environment inside the window (or overridden). */
export function drillRefusal(input: {
  env: string;
  openIncident: string | null;
  protectedEnv: boolean;
  windowOpen: boolean;
  windowText: string;
  overrideWindow: boolean;
}): string | null {
  if (input.openIncident) {
    return `refusing a DR drill in ${input.env} during an open incident (${input.openIncident}): resolve it first (fsops incident resolve <id>), or wait until it is`;
  }
  if (input.protectedEnv && !input.windowOpen && !input.overrideWindow) {
    return `refusing a DR drill in ${input.env} outside the maintenance window (${input.windowText}); pass --override-window to run it anyway`;
  }
  return null;
}
