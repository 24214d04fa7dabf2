import type { Parameter } from '@aws-sdk/client-rds';
import type { CheckResult } from '../../../base/model/check.js';
import { defineCheck, noParams } from '../../../base/model/check.js';
import { rdsInstance } from '../service-facts.js';

const REVIEWED = [
  'shared_preload_libraries',
  'log_min_duration_statement',
  'rds.force_ssl',
  'autovacuum',
] as const;

/** Quarterly configuration review of the DB parameter group (ops guide §12.3.1 "Configuration optimization"). */
export function evaluateParameters(
  group: string,
  parameters: Pick<Parameter, 'ParameterName' | 'ParameterValue'>[],
): CheckResult[] {
  const value = (name: string) => parameters.find((p) => p.ParameterName === name)?.ParameterValue;
  const preload = value('shared_preload_libraries') ?? '';
  const minDuration = value('log_min_duration_statement');
  const forceSsl = value('rds.force_ssl');
  const autovacuum = value('autovacuum');
  return [
    {
      id: 'maintenance.parameters.pg-stat-statements',
      title: 'pg_stat_statements is preloaded',
      status: preload
        .split(',')
        .map((s) => s.trim())
        .includes('pg_stat_statements')
        ? 'pass'
        : 'fail',
      resource: group,
      expected: 'shared_preload_libraries includes pg_stat_statements (slow-query review, ops guide §13.2.2)',
      observed: `shared_preload_libraries = ${preload || '(empty)'}`,
      remediation:
        'Add pg_stat_statements to shared_preload_libraries (needs a reboot in the window), then CREATE EXTENSION pg_stat_statements.',
    },
    {
      id: 'maintenance.parameters.slow-log',
      title: 'Slow statements are logged',
      status: minDuration !== undefined && minDuration !== '-1' ? 'pass' : 'warn',
      resource: group,
      expected:
        'log_min_duration_statement set (e.g. 1000 ms; deployment guide §12.2.2 reads the slow-query log)',
      observed: `log_min_duration_statement = ${minDuration ?? 'engine default (-1, off)'}`,
      remediation: 'Set log_min_duration_statement to 1000 in the parameter group (dynamic, no reboot).',
    },
    {
      id: 'maintenance.parameters.force-ssl',
      title: 'Connections must use TLS',
      status: forceSsl === '1' ? 'pass' : 'warn',
      resource: group,
      expected: 'rds.force_ssl = 1',
      observed: `rds.force_ssl = ${forceSsl ?? 'engine default'}`,
      remediation: 'Set rds.force_ssl = 1 (PostgreSQL 15 on RDS defaults to 0).',
    },
    {
      id: 'maintenance.parameters.autovacuum',
      title: 'Autovacuum is on',
      status: autovacuum === undefined || autovacuum === '1' || autovacuum === 'on' ? 'pass' : 'fail',
      resource: group,
      expected: 'autovacuum on',
      observed: `autovacuum = ${autovacuum ?? 'engine default (on)'}`,
      remediation: 'Turn autovacuum back on; the weekly VACUUM does not replace it.',
    },
  ];
}

export const parametersCheck = defineCheck({
  id: 'maintenance.parameters',
  title: 'DB parameter group review',
  severity: 'medium',
  source: 'ops guide §12.3.1 (quarterly: configuration optimization)',
  remediation: 'Adjust the DB parameter group.',
  params: noParams,
  async run(ctx) {
    const { paginateDescribeDBParameters } = await import('@aws-sdk/client-rds');
    const db = await rdsInstance(ctx);
    const name = ctx.env.nameOf('dbInstance');
    const group = db?.DBParameterGroups?.[0]?.DBParameterGroupName;
    if (!group)
      return [
        {
          status: 'fail',
          resource: name,
          observed: db ? 'no parameter group' : 'instance not found',
          expected: 'a DB parameter group',
        },
      ];
    const client = await ctx.aws.rds();
    const parameters: Parameter[] = [];
    for await (const page of paginateDescribeDBParameters({ client }, { DBParameterGroupName: group })) {
      parameters.push(
        ...(page.Parameters ?? []).filter((p) =>
          (REVIEWED as readonly string[]).includes(p.ParameterName ?? ''),
        ),
      );
    }
    return evaluateParameters(group, parameters);
  },
});
