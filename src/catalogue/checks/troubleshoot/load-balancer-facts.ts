import type { TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { formatDuration } from '../../../base/model/duration.js';
import { gather } from '../partial.js';
import { call } from '../security/common.js';

/** The look-back window as people say it ("1h", "15m"), for findings. */
export function windowText(ctx: Pick<CheckContext, 'since' | 'now'>): string {
  return formatDuration(ctx.now.getTime() - ctx.since.getTime());
}

export interface AlbInfo {
  component: string;
  name: string;
  arn: string;
  dnsName: string;
  /** `app/<name>/<id>`: the LoadBalancer dimension of AWS/ApplicationELB metrics. */
  dimension: string;
  targetGroups: (TargetGroup & { dimension: string })[];
  /** The ALB's security groups (for `fsops security`). */
  securityGroups: string[];
}

/** `arn:...:loadbalancer/app/name/id` -> `app/name/id`; `arn:...:targetgroup/name/id` -> `targetgroup/name/id`. */
export function arnDimension(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.startsWith('loadbalancer/') ? resource.slice('loadbalancer/'.length) : resource;
}

/**
 * Each component's ALB (names.alb) with its target groups; components without one are left out.
 * One DescribeLoadBalancers per name (a batch fails whole when one name is missing), run together.
 */
export function albs(
  ctx: CheckContext,
  components: readonly string[] = ctx.env.components,
): Promise<AlbInfo[]> {
  return ctx.once(`elbv2.albs.${components.join(',')}`, async (signal) => {
    const { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand } = await import(
      '@aws-sdk/client-elastic-load-balancing-v2'
    );
    const elb = await ctx.aws.elbv2();
    const found = await Promise.all(
      components.map(async (component): Promise<AlbInfo | null> => {
        const name = ctx.env.nameOf('alb', component);
        let lb: { LoadBalancerArn?: string; DNSName?: string; SecurityGroups?: string[] } | undefined;
        try {
          const out = await elb.send(new DescribeLoadBalancersCommand({ Names: [name] }), {
            abortSignal: signal,
          });
          lb = out.LoadBalancers?.[0];
        } catch (error) {
          if (error instanceof Error && error.name === 'LoadBalancerNotFoundException') return null;
          throw error;
        }
        if (!lb?.LoadBalancerArn) return null;
        // An ALB without target groups answers TargetGroupNotFound: that is "none", not a failure.
        let groups: { TargetGroups?: TargetGroup[] };
        try {
          groups = await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn }), {
            abortSignal: signal,
          });
        } catch (error) {
          if (!(error instanceof Error && /TargetGroupNotFound/.test(error.name))) throw error;
          groups = { TargetGroups: [] };
        }
        return {
          component,
          name,
          arn: lb.LoadBalancerArn,
          dnsName: lb.DNSName ?? '',
          dimension: arnDimension(lb.LoadBalancerArn),
          securityGroups: lb.SecurityGroups ?? [],
          targetGroups: (groups.TargetGroups ?? []).map((tg) => ({
            ...tg,
            dimension: arnDimension(tg.TargetGroupArn ?? ''),
          })),
        };
      }),
    );
    return found.filter((alb): alb is AlbInfo => alb !== null);
  });
}

/** The ALBs of the components that could be read, and why the others could not (one name each). */
export interface AlbsRead {
  found: AlbInfo[];
  unread: { component: string; name: string; reason: string }[];
}

/**
 * `albs` one component at a time: an ALB that cannot be described (a denied call, a throttle) is
 * named with its reason and never hides the other components' ALBs (src/catalogue/checks/partial.ts).
 */
export async function albsOfEach(ctx: CheckContext, components: readonly string[]): Promise<AlbsRead> {
  const got = await gather(
    ...components.map((component) =>
      call('elasticloadbalancing:DescribeLoadBalancers', () => albs(ctx, [component])),
    ),
  );
  const read: AlbsRead = { found: [], unread: [] };
  got.forEach((one, i) => {
    const component = components[i]!;
    if (one.ok) read.found.push(...one.value);
    else read.unread.push({ component, name: ctx.env.nameOf('alb', component), reason: one.reason });
  });
  return read;
}

/** The `skip` a check reports when none of the components has an ALB to look at. */
export function noAlbResult(ctx: CheckContext, components: readonly string[], id: string): CheckResult {
  return {
    id,
    status: 'skip',
    resource: components.map((c) => ctx.env.nameOf('alb', c)).join(', '),
    expected: 'an ALB per component (names.alb)',
    observed: 'no load balancer found',
    remediation: 'Check names.alb in the config.',
  };
}
