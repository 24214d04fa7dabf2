import type { DBEngineVersion, PendingMaintenanceAction } from '@aws-sdk/client-rds';
import type { CheckResult } from '../../../base/model/check.js';
import { defineCheck, noParams } from '../../../base/model/check.js';
import { evaluateRdsWindows } from '../../../domain/maintenance/rds-windows.js';
import { rdsInstance } from '../service-facts.js';

export function evaluateMinorVersions(
  name: string,
  current: string | undefined,
  version: DBEngineVersion | null,
): CheckResult {
  const minors = (version?.ValidUpgradeTarget ?? [])
    .filter((t) => !t.IsMajorVersionUpgrade && t.EngineVersion)
    .map((t) => t.EngineVersion!);
  return {
    status: minors.length ? 'warn' : 'pass',
    resource: name,
    expected: 'the newest minor version of the current major',
    observed: minors.length
      ? `running ${current}; available: ${minors.join(', ')}`
      : `running ${current ?? 'unknown'}; no newer minor version`,
    remediation: `Schedule the minor upgrade in the next database window: aws rds modify-db-instance --db-instance-identifier ${name} --engine-version ${minors.at(-1) ?? '<version>'} (applied in the RDS maintenance window)`,
  };
}

export function evaluatePendingActions(
  name: string,
  actions: PendingMaintenanceAction[],
  now: Date,
): CheckResult[] {
  if (actions.length === 0) {
    return [
      {
        status: 'pass',
        resource: name,
        expected: 'no pending maintenance actions',
        observed: 'none pending',
      },
    ];
  }
  return actions.map((a) => {
    const forced = a.ForcedApplyDate ?? a.AutoAppliedAfterDate;
    const soon = forced && forced.getTime() - now.getTime() < 14 * 86_400_000;
    return {
      status: soon ? 'fail' : 'warn',
      resource: name,
      expected: 'pending actions applied in a planned window',
      observed:
        `${a.Action}: ${a.Description ?? ''}${forced ? ` (applied automatically after ${forced.toISOString()})` : ''}`.trim(),
      remediation: `Apply it in the next window: aws rds apply-pending-maintenance-action --resource-identifier <instance arn> --apply-action ${a.Action} --opt-in-type next-maintenance`,
    } satisfies CheckResult;
  });
}

export const engineVersionsCheck = defineCheck({
  id: 'maintenance.engine-versions',
  title: 'Available minor engine versions',
  severity: 'medium',
  source: 'ops guide §12.3.1 (quarterly: minor version updates)',
  remediation: 'Plan the minor upgrade.',
  params: noParams,
  async run(ctx) {
    const { DescribeDBEngineVersionsCommand } = await import('@aws-sdk/client-rds');
    const db = await rdsInstance(ctx);
    const name = ctx.env.nameOf('dbInstance');
    if (!db)
      return [
        { status: 'fail', resource: name, observed: 'instance not found', expected: 'the instance exists' },
      ];
    const rds = await ctx.aws.rds();
    const out = await rds.send(
      new DescribeDBEngineVersionsCommand({
        Engine: db.Engine ?? 'postgres',
        EngineVersion: db.EngineVersion,
      }),
      { abortSignal: ctx.signal },
    );
    return [evaluateMinorVersions(name, db.EngineVersion, out.DBEngineVersions?.[0] ?? null)];
  },
});

export const pendingActionsCheck = defineCheck({
  id: 'maintenance.pending-actions',
  title: 'Pending RDS maintenance actions',
  severity: 'medium',
  source: 'ops guide §12.3.1 (quarterly); deployment guide §6.1.1 (PreferredMaintenanceWindow)',
  remediation: 'Apply pending actions in a planned window.',
  params: noParams,
  async run(ctx) {
    const { DescribePendingMaintenanceActionsCommand } = await import('@aws-sdk/client-rds');
    const db = await rdsInstance(ctx);
    const name = ctx.env.nameOf('dbInstance');
    if (!db?.DBInstanceArn)
      return [
        {
          status: 'fail',
          resource: name,
          observed: db ? 'RDS reported no DBInstanceArn' : 'instance not found',
          expected: 'the instance and its ARN',
        },
      ];
    const rds = await ctx.aws.rds();
    const out = await rds.send(
      new DescribePendingMaintenanceActionsCommand({ ResourceIdentifier: db.DBInstanceArn }),
      { abortSignal: ctx.signal },
    );
    const actions = (out.PendingMaintenanceActions ?? []).flatMap(
      (r) => r.PendingMaintenanceActionDetails ?? [],
    );
    return evaluatePendingActions(name, actions, ctx.now);
  },
});

export const rdsWindowsCheck = defineCheck({
  id: 'maintenance.rds-windows',
  title: 'RDS backup and maintenance windows',
  severity: 'medium',
  source: 'deployment guide §6.1.1; ops guide §12.1.1',
  remediation: 'Align the RDS windows with the ops maintenance window.',
  params: noParams,
  async run(ctx) {
    const db = await rdsInstance(ctx);
    const name = ctx.env.nameOf('dbInstance');
    if (!db)
      return [
        { status: 'fail', resource: name, observed: 'instance not found', expected: 'the instance exists' },
      ];
    return evaluateRdsWindows(
      name,
      db.PreferredMaintenanceWindow,
      db.PreferredBackupWindow,
      ctx.env.config.maintenance,
    );
  },
});
