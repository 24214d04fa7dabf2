import type { LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import type { CheckResult } from '../../base/model/check.js';
import { defineCheck, noParams } from '../../base/model/check.js';
import { guideLogGroups } from '../../domain/logs/archive.js';

export function evaluateLogGroup(
  name: string,
  group: LogGroup | undefined,
  expected: { retentionDays: number; kmsRequired: boolean },
): CheckResult[] {
  if (!group) {
    return [
      {
        id: 'logs.group.exists',
        title: 'Log group exists',
        status: 'fail',
        resource: name,
        expected: 'log group exists',
        observed: 'not found',
        remediation:
          'Create the log group (ops guide §3.1.1, deployment guide §8.1.1) or correct its name in the config (names.logGroup, schedulerLogGroup, dbLogGroup, securityLogGroup).',
      },
    ];
  }
  const retention = group.retentionInDays;
  return [
    {
      id: 'logs.group.retention',
      title: 'Log retention matches the environment',
      status: retention === expected.retentionDays ? 'pass' : 'warn',
      resource: name,
      expected: `${expected.retentionDays} days (deployment guide §4.1; ops guide §3.1.1 says 90)`,
      observed: retention ? `${retention} days` : 'never expire',
      remediation: `aws logs put-retention-policy --log-group-name ${name} --retention-in-days ${expected.retentionDays}`,
    },
    ...(expected.kmsRequired
      ? [
          {
            id: 'logs.group.kms',
            title: 'Log group encrypted with KMS',
            status: group.kmsKeyId ? 'pass' : 'fail',
            severity: 'high',
            resource: name,
            expected: 'a KMS key (ops guide §3.1.1)',
            observed: group.kmsKeyId ? 'KMS key set' : 'no KMS key',
            remediation: `aws logs associate-kms-key --log-group-name ${name} --kms-key-id <key-arn>`,
          } satisfies CheckResult,
        ]
      : []),
  ];
}

export const logGroupsCheck = defineCheck({
  id: 'logs.groups',
  title: 'Log groups',
  severity: 'medium',
  source: 'ops guide §3.1.1; deployment guide §4.1, §8.1.1',
  remediation: 'Fix the log group settings as the guide defines them.',
  params: noParams,
  async run(ctx) {
    const { DescribeLogGroupsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    const logs = await ctx.aws.logs();
    // The five log groups of ops guide §3.1.1: each component, the scheduler Lambdas, RDS, security.
    const names = guideLogGroups(ctx.env);
    // One call for all of them (logGroupIdentifiers takes up to 50 names); missing ones are simply absent.
    const groups: LogGroup[] = [];
    let nextToken: string | undefined;
    do {
      const out = await logs.send(new DescribeLogGroupsCommand({ logGroupIdentifiers: names, nextToken }), {
        abortSignal: ctx.signal,
      });
      groups.push(...(out.logGroups ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    return names.flatMap((name) =>
      evaluateLogGroup(
        name,
        groups.find((g) => g.logGroupName === name),
        ctx.env.settings.logs,
      ),
    );
  },
});
