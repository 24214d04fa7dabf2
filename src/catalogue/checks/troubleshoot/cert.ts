import { isIP } from 'node:net';
import { connect } from 'node:tls';
import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { componentsParams, defineCheck } from '../../../base/model/check.js';
import type { Status } from '../../../base/model/finding.js';
import { gather, unreadFact } from '../partial.js';
import { albsOfEach } from './load-balancer-facts.js';

export interface TlsEndpoint {
  host: string;
  port: number;
  /** Where fsops found it: a health URL of the config or an ALB HTTPS listener. */
  from: string;
}

export interface PeerCertificate {
  subject: string;
  issuer: string;
  validTo: Date;
  /** The chain verified against the system CAs for this host name. */
  authorized: boolean;
  authorizationError?: string;
}

/** Connects with SNI, reads the peer certificate, and closes; never sends application data. */
export function readPeerCertificate(
  endpoint: Pick<TlsEndpoint, 'host' | 'port'>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: endpoint.host,
      port: endpoint.port,
      ...(isIP(endpoint.host) ? {} : { servername: endpoint.host }),
      // The point is to read the certificate even when it is expired or does not match.
      rejectUnauthorized: false,
    });
    const abort = () => socket.destroy(new Error('aborted'));
    if (signal?.aborted) abort();
    signal?.addEventListener('abort', abort, { once: true });
    socket.once('close', () => signal?.removeEventListener('abort', abort));
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no TLS handshake within ${timeoutMs}ms`)));
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const result: PeerCertificate = {
        subject: String(cert.subject?.CN ?? JSON.stringify(cert.subject ?? {})),
        issuer: String(cert.issuer?.CN ?? cert.issuer?.O ?? 'unknown'),
        validTo: new Date(cert.valid_to),
        authorized: socket.authorized,
        authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
      };
      socket.end();
      if (!cert.valid_to) reject(new Error('the server presented no certificate'));
      else resolve(result);
    });
    socket.once('error', (error) => reject(error));
  });
}

/** Days left and a verdict: fail at or under `fail` days (or expired), warn at or under `warn`. */
export function evaluateCertificate(
  endpoint: TlsEndpoint,
  cert: PeerCertificate,
  now: Date,
  thresholds: { warn: number; fail: number },
): CheckResult {
  const days = Math.floor((cert.validTo.getTime() - now.getTime()) / 86_400_000);
  const status: Status = days <= thresholds.fail ? 'fail' : days <= thresholds.warn ? 'warn' : 'pass';
  return {
    id: 'tls.cert.expiry',
    status,
    resource: `${endpoint.host}:${endpoint.port}`,
    expected: `more than ${thresholds.warn} days left (fail at ${thresholds.fail})`,
    observed:
      days < 0
        ? `EXPIRED ${-days} days ago (${cert.validTo.toISOString().slice(0, 10)})`
        : `${days} days left, expires ${cert.validTo.toISOString().slice(0, 10)}`,
    detail: [
      `subject ${cert.subject}, issuer ${cert.issuer}; from ${endpoint.from}`,
      cert.authorized ? '' : `not trusted for this name: ${cert.authorizationError ?? 'unknown reason'}`,
    ]
      .filter(Boolean)
      .join('\n'),
    remediation:
      'Renew or re-import the certificate (ACM renews DNS-validated certificates itself: check the validation records), then attach it to the listener.',
  };
}

/**
 * HTTPS endpoints: the config's https health URLs and every HTTPS listener of the components' ALBs.
 * What could not be read (the ALBs, one ALB's listeners) is in `unread`, never the others' loss.
 */
export async function tlsEndpoints(
  ctx: CheckContext,
  components: readonly string[],
): Promise<{ endpoints: TlsEndpoint[]; unread: CheckResult[] }> {
  const endpoints: TlsEndpoint[] = [];
  const unread: CheckResult[] = [];
  for (const component of components) {
    const url = ctx.env.settings.healthUrls[component];
    if (url?.startsWith('https://')) {
      const parsed = new URL(url);
      endpoints.push({
        host: parsed.hostname.replace(/^\[|\]$/g, ''),
        port: Number(parsed.port || 443),
        from: `environments.${ctx.env.name}.healthUrls.${component}`,
      });
    }
  }
  // A component with a configured health URL is reached there, not through its ALB's DNS name.
  const viaAlb = components.filter((c) => !ctx.env.settings.healthUrls[c]);
  // Each component's ALB on its own: one that cannot be described is its own error, the others'
  // listeners are still read.
  const { found: balancers, unread: unreadAlbs } = viaAlb.length
    ? await albsOfEach(ctx, viaAlb)
    : { found: [], unread: [] };
  for (const u of unreadAlbs)
    unread.push(unreadFact('tls.cert.endpoints', u.name, `the load balancer ${u.name}`, u.reason));
  if (balancers.length) {
    const { DescribeListenersCommand } = await import('@aws-sdk/client-elastic-load-balancing-v2');
    const elb = await ctx.aws.elbv2();
    const listeners = await gather(
      ...balancers.map((alb) =>
        elb.send(new DescribeListenersCommand({ LoadBalancerArn: alb.arn }), { abortSignal: ctx.signal }),
      ),
    );
    balancers.forEach((alb, i) => {
      const got = listeners[i]!;
      if (!got.ok) {
        unread.push(unreadFact('tls.cert.endpoints', alb.name, `the listeners of ${alb.name}`, got.reason));
        return;
      }
      for (const listener of got.value.Listeners ?? []) {
        if (listener.Protocol !== 'HTTPS' && listener.Protocol !== 'TLS') continue;
        endpoints.push({ host: alb.dnsName, port: listener.Port ?? 443, from: `${alb.name} listener` });
      }
    });
  }
  const seen = new Set<string>();
  const unique = endpoints.filter((e) => {
    const key = `${e.host}:${e.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { endpoints: unique, unread };
}

export const certExpiryCheck = defineCheck({
  id: 'tls.cert',
  title: 'TLS certificate expiry',
  severity: 'high',
  source: 'runbook 003 (weekly tasks: certificate expiration check)',
  remediation: 'Renew the certificate before it expires.',
  params: componentsParams,
  async run(ctx, params) {
    const components = params.components ?? ctx.env.components;
    const { endpoints, unread } = await tlsEndpoints(ctx, components);
    if (endpoints.length === 0) {
      if (unread.length) return unread;
      return [
        {
          id: 'tls.cert.endpoints',
          status: 'skip',
          resource: components.join(', '),
          expected: 'an https health URL or an ALB HTTPS listener',
          observed: 'no HTTPS endpoint found',
          remediation: `Set environments.${ctx.env.name}.healthUrls.<component> to the public https URL.`,
        },
      ];
    }
    const thresholds = ctx.env.config.troubleshoot.certExpiryDays;
    const timeoutMs = ctx.env.config.health.timeoutMs;
    const judged = await Promise.all(
      endpoints.map(async (endpoint): Promise<CheckResult> => {
        try {
          const cert = await readPeerCertificate(endpoint, timeoutMs, ctx.signal);
          return evaluateCertificate(endpoint, cert, ctx.now, thresholds);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          return {
            id: 'tls.cert.expiry',
            status: 'error',
            resource: `${endpoint.host}:${endpoint.port}`,
            expected: 'a TLS handshake',
            observed: `could not read the certificate: ${code ?? (error as Error).message}`,
            remediation: 'Check the endpoint is reachable from here (VPN, security group), then run again.',
          };
        }
      }),
    );
    return [...unread, ...judged];
  },
});
