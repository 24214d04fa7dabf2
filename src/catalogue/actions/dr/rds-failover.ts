import type { DBInstance, RDSClient } from '@aws-sdk/client-rds';
import { z } from 'zod';
import type { CheckResult } from '../../../base/model/check.js';
import { UsageError } from '../../../base/model/errors.js';
import { evaluateFailover, summarizeProbes } from '../../../domain/backup/drill.js';
import { formatMinutes } from '../../../domain/backup/evaluate.js';
import { FailoverProbe } from '../../../domain/backup/failover-probe.js';
import { describeDbInstance } from '../../../domain/backup/rds.js';
import { applyTunnel, envDbTarget, targetLabel } from '../../../domain/db/target.js';
import type { ActionContext } from '../../action.js';
import { defineAction } from '../../action.js';
import { drillRefusalNow, overrideWindowLines } from './guard.js';

const failoverParams = z
  .object({
    overrideWindow: z.boolean().optional(),
    dbHost: z.string().optional(),
    dbPort: z.string().optional(),
    /** Probe interval (default 1000 ms). */
    intervalMs: z.number().optional(),
  })
  .strict();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `fsops dr drill rds-failover` (runbook 002 Failover Testing "perform controlled failover"; runbook 003
 * Monthly Tasks "Disaster recovery drill"; deployment guide §2.2.3 Multi-AZ): RebootDBInstance with
 * ForceFailover while a probe writes and reads every second; measures the write downtime, the reads
 * lost and the new Availability Zone.
 */
export const rdsFailoverAction = defineAction({
  id: 'dr.rds-failover',
  title: 'Multi-AZ failover drill',
  severity: 'critical',
  source:
    'runbook 002 Failover Testing; runbook 003 Monthly Tasks (disaster recovery drill); deployment guide §2.2.3',
  remediation: 'Find out why the failover took longer or did not move the primary before relying on it.',
  refuse: (ctx, params) => drillRefusalNow(ctx, params.overrideWindow ?? false),
  params: failoverParams,
  async plan(ctx, params) {
    const env = ctx.env;
    if (!env || !ctx.aws) throw new UsageError('dr drill needs an environment (--env)');
    const rds = await ctx.aws.rds();
    const name = env.nameOf('dbInstance');
    const db = await describeDbInstance(rds, name);
    if (!db) throw new UsageError(`RDS instance ${name} not found (names.dbInstance in the config)`);
    if (!db.MultiAZ) {
      throw new UsageError(
        `refusing a failover drill on ${name}: it is single-AZ (MultiAZ false), so a forced failover has no standby to move to and would only reboot it`,
      );
    }
    if (db.DBInstanceStatus !== 'available') {
      throw new UsageError(
        `refusing a failover drill on ${name}: it is ${db.DBInstanceStatus}, not available`,
      );
    }
    const target = applyTunnel(await envDbTarget({ config: ctx.config, env, aws: ctx.aws }), params);
    const intervalMs = params.intervalMs ?? 1000;
    const targetSeconds = ctx.config.backup.drill.writeDowntimeSeconds;
    return {
      lines: [
        `reboot ${name} with failover (RebootDBInstance ForceFailover=true): the primary moves from ${db.AvailabilityZone ?? '?'} to ${db.SecondaryAvailabilityZone ?? 'the standby AZ'}; connections drop`,
        `probe ${targetLabel(target)} every ${intervalMs / 1000} s: INSERT into a TEMPORARY table fsops_dr_probe (gone with the session) and SELECT 1`,
        `target: writes back within ${targetSeconds} s; give up after ${ctx.config.backup.drill.timeoutMinutes} min`,
        ...overrideWindowLines(ctx, params.overrideWindow ?? false),
      ],
      preview: [
        { status: 'skip', resource: name, expected: 'failed over', observed: 'not rebooted (dry run)' },
      ],
      apply: () => runFailover(ctx, { rds, name, before: db, target, intervalMs, targetSeconds }),
    };
  },
});

async function runFailover(
  ctx: ActionContext,
  run: {
    rds: RDSClient;
    name: string;
    before: DBInstance;
    target: ReturnType<typeof applyTunnel>;
    intervalMs: number;
    targetSeconds: number;
  },
): Promise<CheckResult[]> {
  const { RebootDBInstanceCommand } = await import('@aws-sdk/client-rds');
  const probe = new FailoverProbe(run.target, ctx.config.database.session, Math.max(500, run.intervalMs));
  const pollMs = ctx.config.backup.pollSeconds * 1000;
  const deadline = Date.now() + ctx.config.backup.drill.timeoutMinutes * 60_000;
  try {
    const baseline = await probe.probe();
    if (!baseline.write) {
      return [
        {
          id: 'dr.failover.baseline',
          status: 'error',
          resource: run.name,
          expected: 'the probe writes before the failover',
          observed: `the probe could not write to ${targetLabel(run.target)} before the drill: nothing was rebooted`,
          remediation: 'Check the credentials, the tunnel (--db-host/--db-port) and the TEMP privilege.',
        },
      ];
    }
    probe.samples.length = 0;
    const rebootAt = Date.now();
    await run.rds.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: run.name, ForceFailover: true }));
    ctx.log(`Failover of ${run.name} requested; probing every ${run.intervalMs / 1000} s ...`);
    let seenDown = false;
    let available = false;
    let after: DBInstance | null = null;
    let lastPoll = 0;
    let interrupted = false;
    let healthyInARow = 0;
    let recovered = false;
    for (;;) {
      const tick = Date.now();
      const sample = await probe.probe();
      if (!sample.write) seenDown = true;
      healthyInARow = sample.write ? healthyInARow + 1 : 0;
      if (tick - lastPoll >= pollMs) {
        lastPoll = tick;
        after = (await describeDbInstance(run.rds, run.name).catch(() => null)) ?? after;
        const status = after?.DBInstanceStatus ?? '?';
        if (status !== 'available') seenDown = true;
        available = status === 'available';
        ctx.log(
          `${formatMinutes(Date.now() - rebootAt)}: ${status}, write ${sample.write ? 'ok' : 'FAILED'}, read ${sample.read ? 'ok' : 'FAILED'}`,
        );
      }
      // Done once RDS reports it available again after the failover (seen down, or in the other AZ) and
      // writes have held for 3 probes.
      const moved =
        after?.AvailabilityZone !== undefined && after.AvailabilityZone !== run.before.AvailabilityZone;
      if (available && (seenDown || moved) && healthyInARow >= 3) {
        recovered = true;
        break;
      }
      if (ctx.stopRequested?.()) {
        interrupted = true;
        break;
      }
      if (Date.now() >= deadline) break;
      await sleep(Math.max(0, run.intervalMs - (Date.now() - tick)));
    }
    after = (await describeDbInstance(run.rds, run.name).catch(() => null)) ?? after;
    const results = evaluateFailover({
      resource: run.name,
      summary: summarizeProbes(probe.samples),
      targetSeconds: run.targetSeconds,
      azBefore: run.before.AvailabilityZone,
      azAfter: after?.AvailabilityZone,
      intervalMs: run.intervalMs,
      ended: recovered ? 'recovered' : interrupted ? 'interrupted' : 'timed-out',
    });
    if (interrupted) {
      results.push({
        id: 'dr.failover.finished',
        status: 'skip',
        resource: run.name,
        expected: 'the drill measured until the instance was back',
        observed: `interrupted (Ctrl-C) after ${formatMinutes(Date.now() - rebootAt)}: the failover itself carries on in RDS`,
      });
    } else if (!available) {
      results.push({
        id: 'dr.failover.finished',
        status: 'fail',
        resource: run.name,
        expected: 'available again after the failover',
        observed: `${after?.DBInstanceStatus ?? 'unknown'} after ${formatMinutes(Date.now() - rebootAt)} (backup.drill.timeoutMinutes)`,
        remediation:
          'Watch the instance (aws rds describe-events --source-identifier <db>) until it is available.',
      });
    }
    return results;
  } finally {
    await probe.close();
  }
}
