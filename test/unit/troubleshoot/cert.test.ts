import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certExpiryCheck,
  evaluateCertificate,
  readPeerCertificate,
} from '../../../src/catalogue/checks/troubleshoot/cert.js';
import { testContext } from '../../helpers/context.js';

const dir = mkdtempSync(join(tmpdir(), 'fsops-cert-'));
const servers: Server[] = [];

/** A real TLS server on 127.0.0.1 presenting a self-signed certificate valid for `days`. */
async function tlsServer(days: number): Promise<number> {
  const key = join(dir, `${days}.key`);
  const cert = join(dir, `${days}.crt`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      String(days),
      '-subj',
      '/CN=payments.example.test',
    ],
    { stdio: 'ignore' },
  );
  const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (socket) => socket.end());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

let soon: number;
let later: number;
let fine: number;
beforeAll(async () => {
  [soon, later, fine] = await Promise.all([tlsServer(5), tlsServer(20), tlsServer(365)]);
});
afterAll(async () => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('evaluateCertificate', () => {
  const endpoint = { host: 'api.example.test', port: 443, from: 'test' };
  const now = new Date('2026-11-21T00:00:00Z');
  const cert = (validTo: string) => ({
    subject: 's',
    issuer: 'i',
    validTo: new Date(validTo),
    authorized: true,
  });

  it('fails at 7 days or fewer and when expired, warns at 30 or fewer, passes beyond', () => {
    const t = { warn: 30, fail: 7 };
    expect(evaluateCertificate(endpoint, cert('2026-11-27T12:00:00Z'), now, t).status).toBe('fail');
    expect(evaluateCertificate(endpoint, cert('2026-11-01T00:00:00Z'), now, t)).toMatchObject({
      status: 'fail',
      observed: 'EXPIRED 20 days ago (2026-11-01)',
    });
    expect(evaluateCertificate(endpoint, cert('2026-12-15T00:00:00Z'), now, t)).toMatchObject({
      status: 'warn',
      observed: '24 days left, expires 2026-12-15',
    });
    expect(evaluateCertificate(endpoint, cert('2027-06-01T00:00:00Z'), now, t).status).toBe('pass');
  });
});

describe('tls.cert against real TLS servers', () => {
  it('reads the peer certificate even when it is not trusted', async () => {
    const cert = await readPeerCertificate({ host: '127.0.0.1', port: fine }, 2000);
    expect(cert.subject).toBe('payments.example.test');
    expect(cert.authorized).toBe(false);
    expect(cert.validTo.getTime()).toBeGreaterThan(Date.now() + 300 * 86_400_000);
  });

  it('judges each https health URL of the config', async () => {
    const ctx = testContext({
      now: new Date(),
      configYaml: `environments:\n  prod:\n    healthUrls:\n      internal-pe: https://127.0.0.1:${soon}\n      customer-portal: https://127.0.0.1:${later}\n`,
    });
    const results = await certExpiryCheck.run(ctx, {});
    expect(results.map((r) => [r.resource, r.status])).toEqual([
      [`127.0.0.1:${soon}`, 'fail'],
      [`127.0.0.1:${later}`, 'warn'],
    ]);
    expect(results[0]!.observed).toMatch(/^[45] days left/);
    expect(results[0]!.detail).toContain('not trusted for this name');
  });

  it('without a health URL, reads the HTTPS listeners of the ALB', async () => {
    const elb = mockClient(ElasticLoadBalancingV2Client);
    try {
      elb.on(DescribeLoadBalancersCommand, { Names: ['prod-internal-pe-alb'] }).resolves({
        LoadBalancers: [
          {
            LoadBalancerArn: 'arn:aws:elasticloadbalancing:ap-south-1:1:loadbalancer/app/pe/1',
            DNSName: '127.0.0.1',
          },
        ],
      });
      elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });
      elb.on(DescribeListenersCommand).resolves({
        Listeners: [
          { Protocol: 'HTTP', Port: 80 },
          { Protocol: 'HTTPS', Port: fine },
        ],
      });
      const results = await certExpiryCheck.run(testContext({ now: new Date() }), {
        components: ['internal-pe'],
      });
      expect(results).toMatchObject([
        {
          resource: `127.0.0.1:${fine}`,
          status: 'pass',
          detail: expect.stringContaining('prod-internal-pe-alb listener'),
        },
      ]);
    } finally {
      elb.restore();
    }
  });

  it("one component's ALB that cannot be described is its own error; the other's listeners are still judged", async () => {
    const elb = mockClient(ElasticLoadBalancingV2Client);
    try {
      elb
        .on(DescribeLoadBalancersCommand, { Names: ['prod-internal-pe-alb'] })
        .resolves({
          LoadBalancers: [
            {
              LoadBalancerArn: 'arn:aws:elasticloadbalancing:ap-south-1:1:loadbalancer/app/pe/1',
              DNSName: '127.0.0.1',
            },
          ],
        })
        .on(DescribeLoadBalancersCommand, { Names: ['prod-customer-portal-alb'] })
        .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
      elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });
      elb.on(DescribeListenersCommand).resolves({ Listeners: [{ Protocol: 'HTTPS', Port: soon }] });
      const results = await certExpiryCheck.run(testContext({ now: new Date() }), {});
      expect(results.map((r) => [r.id, r.resource, r.status])).toEqual([
        ['tls.cert.endpoints', 'prod-customer-portal-alb', 'error'],
        ['tls.cert.expiry', `127.0.0.1:${soon}`, 'fail'],
      ]);
      expect(results[0]!.observed).toBe(
        'could not read the load balancer prod-customer-portal-alb: throttled by AWS after retries (ThrottlingException)',
      );
    } finally {
      elb.restore();
    }
  });

  it('reports an endpoint that does not speak TLS as not checkable', async () => {
    const plain = createTcpServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const port = (plain.address() as AddressInfo).port;
    try {
      const ctx = testContext({
        now: new Date(),
        configYaml: `environments:\n  prod:\n    healthUrls:\n      internal-pe: https://127.0.0.1:${port}\n      customer-portal: http://127.0.0.1:1\n`,
      });
      const results = await certExpiryCheck.run(ctx, { components: ['internal-pe'] });
      expect(results).toMatchObject([
        { status: 'error', observed: expect.stringMatching(/^could not read the certificate/) },
      ]);
    } finally {
      plain.close();
    }
  });
});
