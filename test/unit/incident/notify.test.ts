import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_INCIDENT } from '../../../src/base/config/incident.js';
import { initialNotice, resolutionNotice, updateNotice } from '../../../src/domain/incident/notices.js';
import { channelRequest, deliver } from '../../../src/domain/incident/notify.js';

const open = initialNotice({
  severity: 'SEV1 (Critical)',
  description: 'd',
  startTime: 's',
  affectedServices: 'a',
  status: 'Investigating',
  eta: 'e',
  commander: 'c',
});
const target = { incidentId: 'INC-2026-001', env: 'prod', severity: 1 as const };

let server: Server | undefined;
afterEach(async () => {
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  server = undefined;
  for (const name of ['FSOPS_SLACK_WEBHOOK_URL', 'FSOPS_PAGERDUTY_ROUTING_KEY', 'FSOPS_INCIDENT_WEBHOOK_URL'])
    delete process.env[name];
});

describe('channel requests', () => {
  it('PagerDuty: trigger on open and resolve on resolve with the incident id as dedup_key; nothing on update', () => {
    const trigger = channelRequest('pagerduty', open, target, DEFAULT_INCIDENT.notify, 'KEY');
    expect(trigger).toMatchObject({
      url: 'https://events.pagerduty.com/v2/enqueue',
      body: {
        routing_key: 'KEY',
        event_action: 'trigger',
        dedup_key: 'INC-2026-001',
        payload: { severity: 'critical', summary: open.subject },
      },
    });
    const resolved = resolutionNotice({
      incidentId: 'INC-2026-001',
      resolutionTime: 'r',
      rootCause: 'c',
      resolution: 's',
      duration: '1m',
    });
    expect(channelRequest('pagerduty', resolved, target, DEFAULT_INCIDENT.notify, 'KEY')).toEqual({
      url: 'https://events.pagerduty.com/v2/enqueue',
      body: { routing_key: 'KEY', dedup_key: 'INC-2026-001', event_action: 'resolve' },
    });
    const update = updateNotice({
      incidentId: 'INC-2026-001',
      updateNumber: 1,
      timestamp: 't',
      currentStatus: 's',
      actionsTaken: 'a',
      nextSteps: 'n',
      eta: 'e',
    });
    expect(channelRequest('pagerduty', update, target, DEFAULT_INCIDENT.notify, 'KEY')).toBeNull();
    expect(channelRequest('slack', open, target, DEFAULT_INCIDENT.notify, 'http://hook')).toEqual({
      url: 'http://hook',
      body: { text: `*${open.subject}*\n${open.body}` },
    });
  });
});

describe('deliver', () => {
  it('reports each channel: delivered, refused (HTTP 500), unreachable, not configured; never the URL', async () => {
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(req.url === '/slack' ? 200 : 500).end();
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const port = (server.address() as { port: number }).port;
    process.env.FSOPS_SLACK_WEBHOOK_URL = `http://127.0.0.1:${port}/slack`;
    process.env.FSOPS_INCIDENT_WEBHOOK_URL = `http://127.0.0.1:${port}/hook-secret-path`;
    const results = await deliver(open, target, DEFAULT_INCIDENT, null);
    expect(results.map((r) => [r.channel, r.ok, r.attempted, r.detail])).toEqual([
      ['slack', true, true, 'HTTP 200'],
      ['pagerduty', false, false, 'not configured: FSOPS_PAGERDUTY_ROUTING_KEY not set'],
      ['webhook', false, true, 'HTTP 500'],
    ]);
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((done) => closed.close(done));
    process.env.FSOPS_SLACK_WEBHOOK_URL = `http://127.0.0.1:${closedPort}/secret-token`;
    const down = await deliver(open, { ...target, severity: 3 }, DEFAULT_INCIDENT, null);
    expect(down[0]).toMatchObject({ channel: 'slack', ok: false, attempted: true, detail: 'ECONNREFUSED' });
    expect(JSON.stringify([...results, ...down])).not.toMatch(/secret|127\.0\.0\.1/);
  });
});

describe('resolveSecret', () => {
  it('a plain-string secret read with secretKey is not a JSON object: no part of it reaches the reason', async () => {
    const { mockClient } = await import('aws-sdk-client-mock');
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const { resolveSecret } = await import('../../../src/domain/incident/notify.js');
    const sm = mockClient(SecretsManagerClient);
    try {
      sm.on(GetSecretValueCommand).resolves({ SecretString: 'https://hooks.example/T000/B000/XXXXsecret' });
      const aws = { secrets: async () => new SecretsManagerClient({ region: 'eu-west-1' }) };
      const ref = { env: 'FSOPS_TEST_UNSET_URL', secretId: 'prod/slack', secretKey: 'url' };
      const resolved = await resolveSecret(ref, aws as never);
      expect(resolved).toEqual({ missing: 'secret prod/slack is not a JSON object (secretKey url is set)' });
      expect(JSON.stringify(resolved)).not.toMatch(/hooks|https/);
      sm.on(GetSecretValueCommand).resolves({ SecretString: '{"url":"https://hooks.example/x"}' });
      expect(await resolveSecret(ref, aws as never)).toEqual({ value: 'https://hooks.example/x' });
    } finally {
      sm.restore();
    }
  });
});
