import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliResult, FAKE_CREDENTIALS, runFsops } from '../../helpers/cli.js';
import { type FakeAws, startFakeWorld, type WorldOverrides } from '../../helpers/fake-aws.js';

/** A local stand-in for Slack, PagerDuty and a generic webhook: records every POST, answers per path. */
interface Receiver {
  url: string;
  posts: { path: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

async function startReceiver(status: Record<string, number>): Promise<Receiver> {
  const posts: Receiver['posts'] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = req.url ?? '';
    posts.push({ path, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    const code = Object.entries(status).find(([prefix]) => path.startsWith(prefix))?.[1] ?? 404;
    res.writeHead(code, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/** Answers GetMetricData from fixed series by metric name (the payment KPIs of ops guide §6.1.1). */
function metrics(fake: FakeAws, values: Record<string, number[]>) {
  (fake.handlers as Record<string, Record<string, unknown>>).monitoring!.GetMetricData = (input: {
    MetricDataQueries?: {
      Id: string;
      ReturnData?: boolean;
      MetricStat?: { Metric?: { MetricName?: string } };
    }[];
  }) => ({
    MetricDataResults: (input.MetricDataQueries ?? [])
      .filter((q) => q.ReturnData !== false)
      .map((q) => {
        const v = values[q.MetricStat?.Metric?.MetricName ?? ''] ?? [];
        const now = Math.floor(Date.now() / 1000);
        return {
          Id: q.Id,
          Timestamps: v.map((_, i) => now - (v.length - i) * 60),
          Values: v,
          StatusCode: 'Complete',
        };
      }),
  });
}

const HEALTHY = {
  PaymentSuccessRate: [99.6, 99.5, 99.7],
  ErrorRate: [0.4, 0.5, 0.3],
  PaymentProcessingTime: [1.1, 1.2, 1.0],
};

let fake: FakeAws | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await fake?.close();
  await receiver?.close();
  fake = undefined;
  receiver = undefined;
});

function setup(receiverUrl = 'http://127.0.0.1:9') {
  const root = mkdtempSync(join(tmpdir(), 'fsops-incident-'));
  const dir = join(root, 'incidents');
  const config = join(root, 'fsops.config.yaml');
  writeFileSync(
    config,
    `incident:\n  directory: ${dir}\n  notify:\n    pagerduty:\n      eventsUrl: ${receiverUrl}/pagerduty/v2/enqueue\n`,
  );
  return { dir, config };
}

async function world(overrides: WorldOverrides, values: Record<string, number[]>) {
  fake = await startFakeWorld('prod', overrides);
  metrics(fake, values);
  return fake;
}

const SECRETS = {
  FSOPS_SLACK_WEBHOOK_URL: 'T0SLACKSECRET',
  FSOPS_PAGERDUTY_ROUTING_KEY: 'R0UTINGKEYSECRET',
  FSOPS_INCIDENT_WEBHOOK_URL: 'HOOKSECRET',
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('fsops incident: a whole incident against the fake AWS endpoint and local Slack/PagerDuty', () => {
  it('open (SEV1 from a service at 0 running) -> two concurrent updates -> resolve -> post-mortem', async () => {
    let down = true;
    await world(
      {
        service: (svc, component) =>
          down && component === 'internal-pe'
            ? { ...svc, runningCount: 0, deployments: [{ ...svc.deployments[0], runningCount: 0 }] }
            : svc,
      },
      HEALTHY,
    );
    receiver = await startReceiver({ '/slack': 200, '/pagerduty': 202, '/hook': 500 });
    const { dir, config } = setup(receiver.url);
    const env = {
      ...FAKE_CREDENTIALS,
      FSOPS_SLACK_WEBHOOK_URL: `${receiver.url}/slack/services/${SECRETS.FSOPS_SLACK_WEBHOOK_URL}`,
      FSOPS_PAGERDUTY_ROUTING_KEY: SECRETS.FSOPS_PAGERDUTY_ROUTING_KEY,
      FSOPS_INCIDENT_WEBHOOK_URL: `${receiver.url}/hook/${SECRETS.FSOPS_INCIDENT_WEBHOOK_URL}`,
    };
    const fsops = (...args: string[]) =>
      runFsops(['--config', config, ...args, '--endpoint-url', fake!.url], env);
    const outputs: CliResult[] = [];

    // open: the generic webhook answers 500 -> exit 3, but the record is there and says so
    const opened = await fsops(
      'incident',
      'open',
      '--env',
      'prod',
      '--yes',
      '--notify',
      '--commander',
      'Asha',
    );
    outputs.push(opened);
    expect(opened.stderr).toBe('');
    expect(opened.code).toBe(3);
    expect(opened.stdout).toContain('Incident INC-2026-001 opened (prod, SEV1 Critical');
    expect(opened.stdout).toContain(
      'because:  prod-internal-pe-service: 0 running, 0 pending, 3 desired (ecs.service.running)',
    );
    expect(opened.stdout).toContain(
      'Subject: [INCIDENT] Fivestar Payments - SEV1 (Critical) - prod-internal-pe-service: 0 running',
    );
    expect(opened.stdout).toContain(
      '- Incident Commander: Asha\n\nWe are actively investigating and will provide updates every 30 minutes.',
    );
    expect(opened.stdout).toMatch(/sent +slack +HTTP 200/);
    expect(opened.stdout).toMatch(/sent +pagerduty +HTTP 202/);
    expect(opened.stdout).toMatch(/FAILED webhook +HTTP 500/);
    const id = 'INC-2026-001';
    let record = JSON.parse(readFileSync(join(dir, id, 'incident.json'), 'utf8'));
    expect(record).toMatchObject({
      id,
      severity: 1,
      state: 'open',
      proposal: { severity: 1, findingId: 'ecs.service.running' },
    });
    expect(record.deliveries.map((d: { channel: string; ok: boolean }) => [d.channel, d.ok])).toEqual([
      ['slack', true],
      ['pagerduty', true],
      ['webhook', false],
    ]);
    const slack = receiver.posts.find((p) => p.path.startsWith('/slack'))!;
    expect(String(slack.body.text)).toContain('*[INCIDENT] Fivestar Payments - SEV1 (Critical)');
    const trigger = receiver.posts.find((p) => p.path.startsWith('/pagerduty'))!;
    expect(trigger.body).toMatchObject({
      event_action: 'trigger',
      dedup_key: id,
      routing_key: SECRETS.FSOPS_PAGERDUTY_ROUTING_KEY,
    });

    // the service recovers; two engineers post an update at the same moment
    down = false;
    const [a, b] = await Promise.all([
      fsops(
        'incident',
        'update',
        id,
        '--status',
        'Mitigating',
        '--actions',
        'Restarted internal-pe',
        '--next',
        'Watch',
      ),
      fsops(
        'incident',
        'update',
        id,
        '--status',
        'Monitoring',
        '--actions',
        'Checked RDS',
        '--next',
        'Wait',
        '--eta',
        '10 min',
      ),
    ]);
    outputs.push(a, b);
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
    record = JSON.parse(readFileSync(join(dir, id, 'incident.json'), 'utf8'));
    expect(record.updates.map((u: { number: number }) => u.number)).toEqual([1, 2]);
    expect(record.updates.map((u: { actions: string }) => u.actions).sort()).toEqual([
      'Checked RDS',
      'Restarted internal-pe',
    ]);
    const first = [a, b].find((r) => r.stdout.includes('update #1 recorded'))!;
    expect(first.stdout).toMatch(
      /cleared {2}ecs\.service\.running \[prod-internal-pe-service\]: 0 running, 0 pending, 3 desired -> 3 running/,
    );
    expect(first.stdout).toMatch(
      /Subject: \[UPDATE\] Fivestar Payments Incident - INC-2026-001\n\nUpdate #1 - /,
    );

    const listed = await runFsops(['--config', config, 'incident', 'list'], env);
    outputs.push(listed);
    expect(listed.stdout).toMatch(/^INC-2026-001 {2}prod {5}SEV1 {2}open .* 2 updates {2}next update by /);

    const resolved = await fsops(
      'incident',
      'resolve',
      id,
      '--root-cause',
      'Task definition 43 could not start',
      '--resolution',
      'Rolled back to 42',
      '--notify',
    );
    outputs.push(resolved);
    expect(resolved.code).toBe(3); // the webhook still answers 500
    expect(resolved.stdout).toMatch(/Incident INC-2026-001 resolved after \d+m/);
    expect(resolved.stdout).toMatch(
      /Subject: \[RESOLVED\] Fivestar Payments Incident - INC-2026-001\n\nThe incident has been resolved at /,
    );
    expect(resolved.stdout).toContain(
      'Root Cause: Task definition 43 could not start\nResolution: Rolled back to 42\nDuration: ',
    );
    const pd = receiver.posts.filter((p) => p.path.startsWith('/pagerduty')).map((p) => p.body);
    expect(pd.map((p) => [p.event_action, p.dedup_key])).toEqual([
      ['trigger', id],
      ['resolve', id],
    ]);

    const pm = await runFsops(['--config', config, 'incident', 'postmortem', id], env);
    outputs.push(pm);
    expect(pm.code).toBe(0);
    const postmortem = readFileSync(join(dir, id, 'postmortem.md'), 'utf8');
    for (const section of [
      '# Post-Mortem:',
      '## Impact',
      '- Impact window: ',
      '## Timeline',
      '## Evidence',
      '## Root Cause',
      '## Prevention and action items',
    ]) {
      expect(postmortem).toContain(section);
    }
    expect(postmortem).toContain('Task definition 43 could not start');
    const show = await runFsops(['--config', config, 'incident', 'show', id], env);
    outputs.push(show);
    expect(show.stdout).toContain('### Update #2');

    // no secret anywhere: not in the record, the markdown, the post-mortem, nor any output
    const everything = [
      ...filesUnder(dir).map((f) => readFileSync(f, 'utf8')),
      ...outputs.flatMap((o) => [o.stdout, o.stderr]),
    ].join('\n');
    for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret);
    expect(filesUnder(dir).some((f) => f.endsWith('.lock') || f.endsWith('.tmp'))).toBe(false);
  });

  it('a success rate of 88% alone proposes severity 2; without a terminal it needs --yes or --severity', async () => {
    await world({}, { ...HEALTHY, PaymentSuccessRate: [97, 93, 88] });
    const { dir, config } = setup();
    const fsops = (...args: string[]) =>
      runFsops(['--config', config, ...args, '--endpoint-url', fake!.url], FAKE_CREDENTIALS);

    const refused = await fsops('incident', 'open', '--env', 'prod');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^fsops: incident open: no terminal .* pass --yes .* or --severity 1-4/);
    expect(existsSync(dir)).toBe(false);

    const opened = await fsops('incident', 'open', '--env', 'prod', '--yes', '--output', 'json');
    expect(opened.code).toBe(0);
    const out = JSON.parse(opened.stdout);
    expect(out.incident.severity).toBe(2);
    expect(out.incident.proposal).toMatchObject({ severity: 2, findingId: 'metrics.payments.success-rate' });
    expect(out.incident.proposal.reason).toContain('latest 88%');
    expect(out.notice.subject).toMatch(/^\[INCIDENT\] Fivestar Payments - SEV2 \(High\) - /);
    expect(
      out.escalation.map((s: { level: string; afterMinutes: number }) => [s.level, s.afterMinutes]),
    ).toEqual([
      ['email', 0],
      ['slack', 5],
      ['pagerduty', 15],
    ]);

    const again = await fsops('incident', 'open', '--env', 'prod', '--severity', '3');
    expect(again.stdout).toMatch(/also open in prod: INC-2026-001 SEV2 .*update it instead/);

    const overridden = await fsops(
      'incident',
      'open',
      '--env',
      'prod',
      '--severity',
      '3',
      '--output',
      'json',
    );
    expect(JSON.parse(overridden.stdout).incident).toMatchObject({
      id: 'INC-2026-003',
      severity: 3,
      severityChoice: 'override',
    });

    const bad = await fsops('incident', 'open', '--env', 'prod', '--severity', '5');
    expect([bad.code, bad.stderr]).toEqual([
      2,
      "fsops: invalid --severity '5': use 1, 2, 3 or 4 (ops guide §11.1.1)\n",
    ]);
    const missing = await runFsops(
      ['--config', config, 'incident', 'update', 'INC-2026-001', '--status', 'x'],
      FAKE_CREDENTIALS,
    );
    expect([missing.code, missing.stderr]).toEqual([
      2,
      'fsops: incident update: missing --actions, --next (see fsops incident update --help)\n',
    ]);
    const unknown = await runFsops(
      ['--config', config, 'incident', 'show', 'INC-2026-404'],
      FAKE_CREDENTIALS,
    );
    expect(unknown.code).toBe(2);

    // post-mortems come after resolution
    const early = await runFsops(
      ['--config', config, 'incident', 'postmortem', 'INC-2026-001'],
      FAKE_CREDENTIALS,
    );
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/^fsops: incident INC-2026-001 is still open: resolve it first/);

    // 45 minutes without an update: list flags it (ops guide §11.2.1, every 30 minutes)
    const file = join(dir, 'INC-2026-001', 'incident.json');
    const record = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(
      file,
      JSON.stringify({ ...record, startedAt: new Date(Date.now() - 45 * 60_000).toISOString() }),
    );
    const listed = await runFsops(['--config', config, 'incident', 'list'], FAKE_CREDENTIALS);
    expect(listed.stdout).toMatch(/^INC-2026-001 .* UPDATE OVERDUE since /m);
    expect(listed.stdout).toMatch(/^INC-2026-003 .* next update by /m);
    const json = JSON.parse(
      (await runFsops(['--config', config, 'incident', 'list', '--output', 'json'], FAKE_CREDENTIALS)).stdout,
    );
    expect(json.map((i: { id: string; updateOverdue: boolean }) => [i.id, i.updateOverdue])).toEqual([
      ['INC-2026-001', true],
      ['INC-2026-002', false],
      ['INC-2026-003', false],
    ]);
  });

  it('a check that could not run (ECS 500s) is named, and the proposal says the severity may be higher', async () => {
    fake = await startFakeWorld(
      'prod',
      {},
      { faults: [{ service: 'ecs', action: 'DescribeServices', kind: 'error500' }] },
    );
    metrics(fake, HEALTHY);
    const { config } = setup();
    const opened = await runFsops(
      ['--config', config, 'incident', 'open', '--env', 'prod', '--yes', '--endpoint-url', fake.url],
      FAKE_CREDENTIALS,
    );
    expect(opened.code).toBe(0);
    expect(opened.stdout).toMatch(
      /could not check 2: ecs\.service .*ecs\.deployment\.last .*the severity may be higher/,
    );
  });

  it('proposes SEV1 for a GuardDuty HIGH finding (security breach) and for recovery out of the RPO (data loss)', async () => {
    const open = async (overrides: WorldOverrides) => {
      await fake?.close();
      await world(overrides, HEALTHY);
      const { config } = setup();
      return runFsops(
        ['--config', config, 'incident', 'open', '--env', 'prod', '--yes', '--endpoint-url', fake!.url],
        FAKE_CREDENTIALS,
      );
    };
    const breach = await open({
      guardduty: {
        'POST /detector/d1/findings': () => ({ findingIds: ['f1'] }),
        'POST /detector/d1/findings/get': () => ({
          findings: [
            {
              id: 'f1',
              accountId: '123456789014',
              arn: 'arn:f1',
              createdAt: new Date().toISOString(),
              updatedAt: new Date().toISOString(),
              region: 'ap-south-1',
              schemaVersion: '2.0',
              severity: 8,
              title: 'Credentials exfiltrated from i-0abc',
              type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration',
              resource: { resourceType: 'Instance' },
            },
          ],
        }),
      },
    });
    expect(breach.code).toBe(0);
    expect(breach.stdout).toContain('SEV1 Critical');
    expect(breach.stdout).toContain('Severity 1: security breach');
    // Automated backups off: point-in-time recovery cannot reach back within the RPO.
    const loss = await open({ db: { LatestRestorableTime: undefined, BackupRetentionPeriod: 0 } });
    expect(loss.code).toBe(0);
    expect(loss.stdout).toContain('SEV1 Critical');
    expect(loss.stdout).toContain('Severity 1: data loss');
  });

  it('reads the Slack webhook URL from Secrets Manager when its variable is unset, and never shows it', async () => {
    receiver = await startReceiver({ '/slack': 200 });
    await world({}, HEALTHY);
    const hook = `${receiver.url}/slack/services/SMSECRETPATH`;
    (fake!.handlers as Record<string, Record<string, unknown>>).secretsmanager = {
      GetSecretValue: ({ SecretId }: { SecretId: string }) => {
        if (SecretId !== 'fivestar/incident/slack') throw new Error('unexpected secret');
        return { Name: SecretId, SecretString: JSON.stringify({ url: hook }) };
      },
    };
    const root = mkdtempSync(join(tmpdir(), 'fsops-incident-'));
    const config = join(root, 'fsops.config.yaml');
    writeFileSync(
      config,
      `incident:\n  directory: ${join(root, 'incidents')}\n  notify:\n    slack:\n      url: { env: FSOPS_SLACK_WEBHOOK_URL, secretId: fivestar/incident/slack, secretKey: url }\n`,
    );
    const opened = await runFsops(
      [
        '--config',
        config,
        'incident',
        'open',
        '--env',
        'prod',
        '--severity',
        '3',
        '--notify',
        '--endpoint-url',
        fake!.url,
      ],
      FAKE_CREDENTIALS,
    );
    expect(opened.code).toBe(0);
    expect(opened.stdout).toMatch(/sent +slack +HTTP 200/);
    expect(opened.stdout).toMatch(/skip +webhook +not configured: FSOPS_INCIDENT_WEBHOOK_URL not set/);
    expect(receiver.posts.map((p) => p.path)).toEqual(['/slack/services/SMSECRETPATH']);
    const files = filesUnder(join(root, 'incidents')).map((f) => readFileSync(f, 'utf8'));
    expect([opened.stdout, opened.stderr, ...files].join('\n')).not.toContain('SMSECRETPATH');
  });
});
