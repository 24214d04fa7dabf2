import type { TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CheckResult } from '../../../base/model/check.js';
import { componentsOf, componentsParams, defineCheck } from '../../../base/model/check.js';
import { gather, unreadFact } from '../partial.js';
import { call } from '../security/common.js';
import { type AlbInfo, albsOfEach, noAlbResult } from './load-balancer-facts.js';

type TargetGroupInfo = AlbInfo['targetGroups'][number];

const REASON_HINTS: Record<string, string> = {
  'Target.Timeout':
    'the health check timed out: the app is slow to answer or the security group blocks the ALB',
  'Target.ResponseCodeMismatch': 'the health path answers with the wrong status code',
  'Target.FailedHealthChecks': 'the target failed its health checks (app down or crashing)',
  'Elb.InitialHealthChecking': 'new target, health checks still running',
  'Target.DeregistrationInProgress': 'target being deregistered',
};

/** Judges one target group's targets (pure): unhealthy ones with the reason ELB gives. */
export function evaluateTargetHealth(
  alb: string,
  group: Pick<TargetGroupInfo, 'TargetGroupName' | 'HealthCheckPath' | 'HealthCheckPort' | 'Matcher'>,
  targets: readonly TargetHealthDescription[],
): CheckResult {
  const resource = `${alb} ${group.TargetGroupName ?? ''}`.trim();
  const healthCheck = `health check ${group.HealthCheckPath ?? '/'} on port ${group.HealthCheckPort ?? 'traffic-port'}, expecting ${group.Matcher?.HttpCode ?? '200'}`;
  if (targets.length === 0) {
    return {
      id: 'alb.targets.none',
      status: 'fail',
      resource,
      expected: 'registered, healthy targets',
      observed: 'no targets registered',
      detail: healthCheck,
      remediation: 'No task is registered: see `fsops ecs tasks <component>` (deployment guide §12.1.1).',
    };
  }
  const unhealthy = targets.filter((t) => t.TargetHealth?.State !== 'healthy');
  const healthy = targets.length - unhealthy.length;
  const lines = unhealthy.map((t) => {
    const reason = t.TargetHealth?.Reason ?? '';
    return `${t.Target?.Id}:${t.Target?.Port} ${t.TargetHealth?.State}: ${reason} ${REASON_HINTS[reason] ? `(${REASON_HINTS[reason]})` : (t.TargetHealth?.Description ?? '')}`.trim();
  });
  const starting = unhealthy.every((t) => ['initial', 'draining'].includes(t.TargetHealth?.State ?? ''));
  return {
    id: unhealthy.length === 0 ? 'alb.targets' : 'alb.targets.unhealthy',
    status: unhealthy.length === 0 ? 'pass' : healthy === 0 && !starting ? 'fail' : 'warn',
    severity: 'critical',
    resource,
    expected: 'every target healthy',
    observed: `${healthy} healthy, ${unhealthy.length} not healthy`,
    detail: [...lines, healthCheck].join('\n'),
    remediation:
      'Compare the health check path/port with the container, read the container logs (`fsops logs tail <component>`), and check the ECS security group admits the ALB (deployment guide §3.1.2, §12.1.1).',
  };
}

export const albTargetsCheck = defineCheck({
  id: 'alb.targets',
  title: 'ALB target health',
  severity: 'critical',
  source: 'deployment guide §12.1.1; runbook 002 (service unavailable)',
  remediation: 'Fix the unhealthy targets.',
  params: componentsParams,
  async run(ctx, params) {
    const components = componentsOf(ctx, params);
    // Each ALB and each target group on its own: one that cannot be read is its own error finding,
    // the others are judged (src/catalogue/checks/partial.ts).
    const { found, unread } = await albsOfEach(ctx, components);
    const results = unread.map((u) =>
      unreadFact('alb.targets', u.name, `the load balancer ${u.name} and its target groups`, u.reason),
    );
    if (found.length === 0 && unread.length === 0) {
      return [noAlbResult(ctx, components, 'alb.targets.missing')];
    }
    const { DescribeTargetHealthCommand } = await import('@aws-sdk/client-elastic-load-balancing-v2');
    const elb = await ctx.aws.elbv2();
    const pairs = found.flatMap((alb) => alb.targetGroups.map((tg) => ({ alb, tg })));
    const healths = await gather(
      ...pairs.map(({ tg }) =>
        call('elasticloadbalancing:DescribeTargetHealth', () =>
          elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }), {
            abortSignal: ctx.signal,
          }),
        ),
      ),
    );
    pairs.forEach(({ alb, tg }, i) => {
      const got = healths[i]!;
      results.push(
        got.ok
          ? evaluateTargetHealth(alb.name, tg, got.value.TargetHealthDescriptions ?? [])
          : unreadFact(
              'alb.targets',
              `${alb.name} ${tg.TargetGroupName ?? ''}`.trim(),
              `the target health of ${tg.TargetGroupName ?? tg.TargetGroupArn}`,
              got.reason,
            ),
      );
    });
    return results;
  },
});
