import { healthPaths } from '../../base/config/load.js';
import type { CheckContext, CheckResult } from '../../base/model/check.js';
import { componentsOf, componentsParams, defineCheck } from '../../base/model/check.js';
import type { Status } from '../../base/model/finding.js';
import { splitUrlCredentials } from '../../base/model/text.js';
import { judgeEach } from './partial.js';

export interface Probe {
  url: string;
  status: number | null;
  latencyMs: number;
  error?: string;
}

export function evaluateProbe(
  component: string,
  probe: Probe,
  latency: { warn: number; fail: number },
  env: string,
): CheckResult {
  let status: Status;
  if (probe.status === null || probe.status >= 300) status = 'fail';
  else if (probe.latencyMs >= latency.fail) status = 'fail';
  else if (probe.latencyMs >= latency.warn) status = 'warn';
  else status = 'pass';
  return {
    status,
    resource: `${component} ${probe.url}`,
    expected: `HTTP 2xx within ${latency.warn}ms`,
    observed:
      probe.status === null
        ? `no response: ${probe.error}`
        : `HTTP ${probe.status} in ${Math.round(probe.latencyMs)}ms`,
    remediation:
      probe.status === null || probe.status >= 300
        ? `Read the container logs (\`fsops logs tail ${component} --env ${env}\`) and the target group health (\`fsops troubleshoot health-check-failure --env ${env}\`; deployment guide §12.1.1).`
        : `Slow health endpoint: check CPU, memory and database latency (\`fsops metrics ecs --env ${env}\`, \`fsops metrics rds --env ${env}\`).`,
  };
}

/** Base URL of a component: the config's health URL, or the DNS name of its ALB (ELBv2). */
export async function baseUrl(ctx: CheckContext, component: string): Promise<string | { missing: string }> {
  const configured = ctx.env.settings.healthUrls[component];
  if (configured) return configured.replace(/\/$/, '');
  const { DescribeLoadBalancersCommand } = await import('@aws-sdk/client-elastic-load-balancing-v2');
  const elb = await ctx.aws.elbv2();
  const name = ctx.env.nameOf('alb', component);
  try {
    const out = await elb.send(new DescribeLoadBalancersCommand({ Names: [name] }), {
      abortSignal: ctx.signal,
    });
    const dns = out.LoadBalancers?.[0]?.DNSName;
    if (!dns) return { missing: name };
    return `${ctx.env.config.health.scheme}://${dns}`;
  } catch (error) {
    if (error instanceof Error && error.name === 'LoadBalancerNotFoundException') return { missing: name };
    throw error;
  }
}

export async function probe(ctx: CheckContext, url: string, timeoutMs: number): Promise<Probe> {
  const started = performance.now();
  try {
    // user:password@ in a health URL is sent as Basic auth (fetch refuses it in the URL).
    const target = splitUrlCredentials(url);
    const response = await ctx.fetch(target.url, {
      headers: target.headers,
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]),
      redirect: 'manual',
    });
    await response.body?.cancel();
    return { url, status: response.status, latencyMs: performance.now() - started };
  } catch (error) {
    const reason =
      error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
        ? `timed out after ${timeoutMs}ms`
        : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
    return { url, status: null, latencyMs: performance.now() - started, error: reason };
  }
}

export const healthEndpointsCheck = defineCheck({
  id: 'health.endpoints',
  title: 'Health endpoints answer',
  severity: 'critical',
  source: 'deployment guide §11.1; runbook 002 (health checks)',
  remediation: 'Read the container logs and the target group health (deployment guide §12.1.1).',
  params: componentsParams,
  async run(ctx, params) {
    const { timeoutMs } = ctx.env.config.health;
    // One component whose ALB cannot be described is its own error; the others are probed.
    return judgeEach(
      componentsOf(ctx, params),
      'health.endpoints',
      (component) => ({ resource: component, what: `the load balancer of ${component}` }),
      async (component): Promise<CheckResult[]> => {
        const base = await baseUrl(ctx, component);
        if (typeof base !== 'string') {
          return [
            {
              status: 'fail',
              resource: component,
              expected: `load balancer ${base.missing} exists`,
              observed: 'load balancer not found',
              remediation: `Set environments.${ctx.env.name}.healthUrls.${component} in the config, or check names.alb.`,
            },
          ];
        }
        const probes = await Promise.all(
          healthPaths(ctx.env.config, component).map((path) => probe(ctx, `${base}${path}`, timeoutMs)),
        );
        return probes.map((p) =>
          evaluateProbe(component, p, ctx.env.thresholds.healthLatencyMs, ctx.env.name),
        );
      },
    );
  },
});
