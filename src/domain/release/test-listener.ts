import type { LoadBalancer } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';

/** The listener a listener rule belongs to: `...:listener-rule/app/<lb>/<id>/<listener>/<rule>` -> `...:listener/app/<lb>/<id>/<listener>`. */
export function listenerArnOfRule(ruleArn: string): string | null {
  const match =
    /^(arn:[^:]+:elasticloadbalancing:[^:]*:\d*:)listener-rule\/((?:app|net)\/[^/]+\/[^/]+\/[^/]+)\/[^/]+$/.exec(
      ruleArn,
    );
  return match ? `${match[1]}listener/${match[2]}` : null;
}

/**
 * Where green answers before production traffic moves (runbook 004 "test green"): the configured URL,
 * else the ALB's DNS name on the port of the listener that holds the service's test listener rule.
 */
export async function testListenerUrl(
  elb: () => Promise<ElasticLoadBalancingV2Client>,
  loadBalancers: readonly LoadBalancer[],
  albName: string,
  configured: string | undefined,
  signal?: AbortSignal,
): Promise<string | { none: string }> {
  if (configured) return configured.replace(/\/$/, '');
  const rule = loadBalancers.find((lb) => lb.advancedConfiguration?.testListenerRule)?.advancedConfiguration
    ?.testListenerRule;
  if (!rule)
    return { none: 'the service has no test listener rule (advancedConfiguration.testListenerRule)' };
  const listenerArn = listenerArnOfRule(rule);
  if (!listenerArn) return { none: `cannot tell the listener of test listener rule ${rule}` };
  const { DescribeListenersCommand, DescribeLoadBalancersCommand } = await import(
    '@aws-sdk/client-elastic-load-balancing-v2'
  );
  const client = await elb();
  const [listeners, albs] = await Promise.all([
    client.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }), { abortSignal: signal }),
    client.send(new DescribeLoadBalancersCommand({ Names: [albName] }), { abortSignal: signal }),
  ]);
  const listener = listeners.Listeners?.[0];
  const dns = albs.LoadBalancers?.[0]?.DNSName;
  if (!listener?.Port || !dns)
    return { none: `listener ${listenerArn} or load balancer ${albName} not found` };
  const scheme = listener.Protocol === 'HTTPS' ? 'https' : 'http';
  return `${scheme}://${dns}:${listener.Port}`;
}
