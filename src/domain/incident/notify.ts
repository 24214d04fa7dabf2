import type { AwsClients } from '../../base/aws/clients.js';
import { describeAwsError } from '../../base/aws/errors.js';
import type { IncidentConfig, NotifyChannel, SecretRef } from '../../base/config/incident.js';
import { splitUrlCredentials } from '../../base/model/text.js';
import { redactSecrets } from '../db/redact.js';
import type { Notice } from './notices.js';
import type { Delivery } from './record.js';
import type { SeverityLevel } from './severity.js';

export interface NotifyTarget {
  incidentId: string;
  env: string;
  severity: SeverityLevel;
}

/** A resolved secret, or why there is none (never the value). */
type Resolved = { value: string } | { missing: string };

/** Reads a URL or key: the environment variable, else the Secrets Manager secret. Never printed. */
export async function resolveSecret(ref: SecretRef, aws: AwsClients | null): Promise<Resolved> {
  const fromEnv = process.env[ref.env];
  if (fromEnv) return { value: fromEnv };
  if (!ref.secretId || !aws) return { missing: `${ref.env} not set` };
  let text: string;
  try {
    const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const client = await aws.secrets();
    text = (await client.send(new GetSecretValueCommand({ SecretId: ref.secretId }))).SecretString ?? '';
  } catch (error) {
    return {
      missing: `${ref.env} not set and secret ${ref.secretId} unreadable (${describeAwsError(error)})`,
    };
  }
  if (!ref.secretKey) return text ? { value: text } : { missing: `secret ${ref.secretId} is empty` };
  // JSON.parse's message quotes the start of the text it could not parse: never let it near a result.
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { missing: `secret ${ref.secretId} is not a JSON object (secretKey ${ref.secretKey} is set)` };
  }
  const value =
    parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>)[ref.secretKey] : null;
  return typeof value === 'string' && value
    ? { value }
    : { missing: `secret ${ref.secretId} has no key ${ref.secretKey}` };
}

const PD_SEVERITY: Record<SeverityLevel, string> = { 1: 'critical', 2: 'error', 3: 'warning', 4: 'info' };

/** The request each channel gets for a notice (pure; `secret` is the URL, or the PagerDuty routing key). */
export function channelRequest(
  channel: NotifyChannel,
  notice: Notice,
  target: NotifyTarget,
  config: IncidentConfig['notify'],
  secret: string,
): { url: string; body: unknown } | null {
  switch (channel) {
    case 'slack':
      return { url: secret, body: { text: `*${notice.subject}*\n${notice.body}` } };
    case 'webhook':
      return {
        url: secret,
        body: {
          kind: notice.kind,
          incidentId: target.incidentId,
          env: target.env,
          severity: target.severity,
          subject: notice.subject,
          body: notice.body,
        },
      };
    case 'pagerduty': {
      // Events API v2: trigger on open, resolve on resolve, the incident id as dedup_key; updates have no event.
      if (notice.kind === 'UPDATE') return null;
      const base = { routing_key: secret, dedup_key: target.incidentId };
      if (notice.kind === 'RESOLVED')
        return { url: config.pagerduty.eventsUrl, body: { ...base, event_action: 'resolve' } };
      return {
        url: config.pagerduty.eventsUrl,
        body: {
          ...base,
          event_action: 'trigger',
          payload: {
            summary: notice.subject.slice(0, 1024),
            source: `fsops ${target.env}`,
            severity: PD_SEVERITY[target.severity],
            custom_details: { incident: target.incidentId, env: target.env, notice: notice.body },
          },
        },
      };
    }
  }
}

const SECRET_OF: Record<NotifyChannel, (c: IncidentConfig['notify']) => SecretRef> = {
  slack: (c) => c.slack.url,
  pagerduty: (c) => c.pagerduty.routingKey,
  webhook: (c) => c.webhook.url,
};

/**
 * Posts a notice to each channel the severity uses and reports each delivery. Never throws: a channel
 * that fails is a failed delivery, not a lost incident. No URL or key appears in a result.
 */
export async function deliver(
  notice: Notice,
  target: NotifyTarget,
  config: IncidentConfig,
  aws: AwsClients | null,
  fetcher: typeof fetch = fetch,
): Promise<Delivery[]> {
  const channels = config.severities[target.severity].channels;
  const results = await Promise.all(
    channels.map(async (channel): Promise<Delivery | null> => {
      const at = new Date().toISOString();
      const secret = await resolveSecret(SECRET_OF[channel](config.notify), aws);
      if ('missing' in secret)
        return {
          at,
          notice: notice.kind,
          channel,
          ok: false,
          attempted: false,
          detail: `not configured: ${secret.missing}`,
        };
      const request = channelRequest(channel, notice, target, config.notify, secret.value);
      if (!request) return null;
      const known = [secret.value];
      // user:password@ in a webhook URL is sent as Basic auth (fetch refuses it in the URL).
      const endpoint = splitUrlCredentials(request.url);
      try {
        const response = await fetcher(endpoint.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...endpoint.headers },
          body: JSON.stringify(request.body),
          signal: AbortSignal.timeout(config.notify.timeoutMs),
          redirect: 'error',
        });
        await response.text().catch(() => '');
        return {
          at,
          notice: notice.kind,
          channel,
          ok: response.ok,
          attempted: true,
          detail: `HTTP ${response.status}`,
        };
      } catch (error) {
        const err = error as Error & { cause?: { code?: string; message?: string } };
        const reason =
          err.name === 'TimeoutError'
            ? `no answer within ${config.notify.timeoutMs} ms`
            : (err.cause?.code ?? err.cause?.message ?? err.message);
        return {
          at,
          notice: notice.kind,
          channel,
          ok: false,
          attempted: true,
          // The URL is the secret (a Slack hook's path is its token): any URL in the reason goes whole.
          detail: redactSecrets(reason, known).replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '(the channel URL)'),
        };
      }
    }),
  );
  return results.filter((r): r is Delivery => r !== null);
}
