import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { evaluateProbe, healthEndpointsCheck } from '../../../src/catalogue/checks/health-endpoints.js';
import { testContext } from '../../helpers/context.js';

const elb = mockClient(ElasticLoadBalancingV2Client);
let server: Server;
let host: string;
const routes: Record<string, { status: number; delayMs?: number }> = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    const route = routes[req.url ?? ''] ?? { status: 404 };
    setTimeout(() => res.writeHead(route.status).end(), route.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  elb.reset();
  for (const key of Object.keys(routes)) delete routes[key];
});

describe('evaluateProbe', () => {
  const latency = { warn: 1000, fail: 2000 };
  it('judges status and latency', () => {
    expect(evaluateProbe('pe', { url: 'u', status: 200, latencyMs: 20 }, latency, 'prod').status).toBe(
      'pass',
    );
    expect(evaluateProbe('pe', { url: 'u', status: 200, latencyMs: 1500 }, latency, 'prod').status).toBe(
      'warn',
    );
    expect(evaluateProbe('pe', { url: 'u', status: 200, latencyMs: 2500 }, latency, 'prod').status).toBe(
      'fail',
    );
    expect(evaluateProbe('pe', { url: 'u', status: 503, latencyMs: 5 }, latency, 'prod')).toMatchObject({
      status: 'fail',
      observed: 'HTTP 503 in 5ms',
    });
    expect(
      evaluateProbe('pe', { url: 'u', status: null, latencyMs: 5, error: 'ECONNREFUSED' }, latency, 'prod'),
    ).toMatchObject({
      status: 'fail',
      observed: 'no response: ECONNREFUSED',
      remediation: expect.stringContaining('`fsops logs tail pe --env prod`'),
    });
  });
});

describe('health.endpoints', () => {
  it('finds each ALB by name and probes /health and /ready', async () => {
    routes['/health'] = { status: 200 };
    routes['/ready'] = { status: 503 };
    elb.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [{ DNSName: host }] });
    const results = await healthEndpointsCheck.run(testContext(), { components: ['internal-pe'] });
    expect(elb.commandCalls(DescribeLoadBalancersCommand)[0]!.args[0].input).toEqual({
      Names: ['prod-internal-pe-alb'],
    });
    expect(results).toMatchObject([
      { status: 'pass', resource: `internal-pe http://${host}/health` },
      {
        status: 'fail',
        resource: `internal-pe http://${host}/ready`,
        observed: expect.stringMatching(/^HTTP 503/),
      },
    ]);
  });

  it("probes the customer portal's root page (deployment guide §5.1.2), not /health", async () => {
    routes['/'] = { status: 200 };
    elb.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [{ DNSName: host }] });
    const results = await healthEndpointsCheck.run(testContext(), { components: ['customer-portal'] });
    expect(results).toMatchObject([{ status: 'pass', resource: `customer-portal http://${host}/` }]);
    expect(results).toHaveLength(1);
  });

  it('uses the configured health URL instead of ELBv2, and times out a hanging endpoint', async () => {
    routes['/health'] = { status: 200, delayMs: 2000 };
    routes['/ready'] = { status: 200 };
    const ctx = testContext({
      configYaml: `health: { timeoutMs: 200 }\nenvironments: { prod: { healthUrls: { internal-pe: "http://${host}/" } } }`,
    });
    const results = await healthEndpointsCheck.run(ctx, { components: ['internal-pe'] });
    expect(elb.commandCalls(DescribeLoadBalancersCommand)).toHaveLength(0);
    expect(results).toMatchObject([
      { status: 'fail', observed: 'no response: timed out after 200ms' },
      { status: 'pass' },
    ]);
  });

  it('fails with a pointer to the config when the ALB does not exist', async () => {
    elb
      .on(DescribeLoadBalancersCommand)
      .rejects(Object.assign(new Error('nope'), { name: 'LoadBalancerNotFoundException' }));
    const results = await healthEndpointsCheck.run(testContext(), { components: ['customer-portal'] });
    expect(results).toMatchObject([
      {
        status: 'fail',
        observed: 'load balancer not found',
        remediation: expect.stringContaining('healthUrls.customer-portal'),
      },
    ]);
  });

  it('one component whose ALB cannot be described is its own error; the other is still probed', async () => {
    routes['/health'] = { status: 200 };
    routes['/ready'] = { status: 200 };
    elb
      .on(DescribeLoadBalancersCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' }));
    const ctx = testContext({
      configYaml: `environments: { prod: { healthUrls: { internal-pe: "http://${host}/" } } }`,
    });
    const results = await healthEndpointsCheck.run(ctx, { components: ['internal-pe', 'customer-portal'] });
    expect(results.map((r) => [r.status, r.resource.split(' ')[0]])).toEqual([
      ['pass', 'internal-pe'],
      ['pass', 'internal-pe'],
      ['error', 'customer-portal'],
    ]);
    expect(results[2]!.observed).toMatch(
      /^could not read the load balancer of customer-portal: access denied/,
    );
  });
});
