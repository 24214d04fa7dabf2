// bin/fsops as a user runs it, against the local AWS endpoint (scripts/fake-aws.mjs): real SDK
// clients, real wire protocols, real exit codes.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, FAKE_CREDENTIALS, runFsops } from '../../helpers/cli.js';
import { type FakeAws, startFakeWorld } from '../../helpers/fake-aws.js';

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const account = '123456789014';
const now = () => Date.now() / 1000;
const taskArn = (id: string) => `arn:aws:ecs:ap-south-1:${account}:task/prod-fivestar-payments/${id}`;

/** The healthy prod world plus the calls the troubleshooting commands make. */
async function world(options: { pullFailures?: boolean; errors?: string[] } = {}) {
  const started = await startFakeWorld('prod', {
    errorEvents: (options.errors ?? []).map((message, i) => ({
      eventId: String(i),
      timestamp: Date.now() - (60 - i) * 1000,
      message,
      logStreamName: 'ecs/app/abc',
    })),
    service: (service: Record<string, unknown>) =>
      options.pullFailures && service.serviceName === 'prod-internal-pe-service'
        ? {
            ...service,
            runningCount: 0,
            events: [
              {
                createdAt: now() - 60,
                message:
                  '(service prod-internal-pe-service) is unable to consistently start tasks successfully.',
              },
            ],
          }
        : service,
  });
  Object.assign(started.handlers.ecs!, {
    ListTasks: (input: { serviceName: string; desiredStatus: string }) => {
      const failing = options.pullFailures && input.serviceName === 'prod-internal-pe-service';
      if (input.desiredStatus === 'STOPPED')
        return { taskArns: failing ? [taskArn('p1'), taskArn('p2')] : [] };
      return { taskArns: failing ? [] : [1, 2, 3].map((i) => taskArn(`${input.serviceName}-${i}`)) };
    },
    DescribeTasks: (input: { tasks: string[] }) => ({
      tasks: input.tasks.map((arn) =>
        /\/p\d$/.test(arn)
          ? {
              taskArn: arn,
              lastStatus: 'STOPPED',
              stopCode: 'TaskFailedToStart',
              stoppedReason:
                'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found',
              stoppedAt: now() - 120,
              taskDefinitionArn: `arn:aws:ecs:ap-south-1:${account}:task-definition/prod-fivestar-internal-pe:43`,
            }
          : {
              taskArn: arn,
              lastStatus: 'RUNNING',
              taskDefinitionArn: `arn:aws:ecs:ap-south-1:${account}:task-definition/prod-fivestar-${arn.includes('customer-portal') ? 'customer-portal' : 'internal-pe'}:42`,
            },
      ),
    }),
  });
  started.handlers.monitoring!.GetMetricData = () => ({ MetricDataResults: [] });
  return started;
}

const fsops = (...args: string[]) => runFsops([...args, '--endpoint-url', fake!.url], FAKE_CREDENTIALS);

describe('fsops troubleshoot', () => {
  it('lists the symptoms with their sources', async () => {
    const result = await runFsops(['troubleshoot']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('payment-failures');
    expect(result.stdout).toContain('db-connection-timeout');
    expect(result.stdout).toContain('(deployment guide §12.1.1 (ECS tasks failing to start))');
  });

  it('refuses an unknown symptom with one line and exit 2', async () => {
    const result = await runFsops(['troubleshoot', 'everything-is-on-fire', '--env', 'prod']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^fsops: unknown symptom 'everything-is-on-fire': valid symptoms are db-connection-timeout, /,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('task-start-failure: finds the image pull failures, exits 1, and puts the task definition step first', async () => {
    fake = await world({ pullFailures: true });
    const result = await fsops('troubleshoot', 'task-start-failure', '--env', 'prod');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^fsops troubleshoot task-start-failure prod: FAIL/);
    expect(result.stdout).toContain('FAIL  Stopped tasks: TaskFailedToStart [prod-internal-pe-service]');
    expect(result.stdout).toContain('observed: 2 tasks: CannotPullContainerError');
    expect(result.stdout).toMatch(
      /What to do first \(the findings point here; deployment guide §12\.1\.1[^\n]*\n {2}1\. Check the task definition/,
    );
    expect(result.stdout).toContain('because: FAIL ecs.');
  });

  it('task-start-failure on a healthy environment exits 0, JSON carries the plan as notes', async () => {
    fake = await world();
    const result = await fsops('troubleshoot', 'task-start-failure', '--env', 'prod', '--output', 'json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ command: 'troubleshoot task-start-failure', env: 'prod', status: 'pass' });
    expect(report.findings.map((f: { id: string }) => f.id)).toContain('ecs.tasks.running');
    expect(report.notes[0]).toMatch(/^Nothing the checks found points to a step/);
  });
});

describe('building blocks', () => {
  it('logs errors groups the events by signature', async () => {
    fake = await world({
      errors: [
        'ERROR RazorPay gateway returned 502 for order 1001',
        'ERROR RazorPay gateway returned 502 for order 1002',
        'ERROR RazorPay gateway returned 504 for order 1003',
      ],
    });
    const result = await fsops('logs', 'errors', 'internal-pe', '--env', 'prod', '--since', '30m');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'WARN  ERROR RazorPay gateway returned <n> for order <n> [/ecs/prod-fivestar-internal-pe]',
    );
    expect(result.stdout).toMatch(/observed: 3× between/);
    expect(result.stdout).toContain('example: ERROR RazorPay gateway returned 504 for order 1003');
  });

  it('logs tail prints the events oldest first, as JSON lines with --output json', async () => {
    fake = await world({ errors: ['first line', 'second line'] });
    const text = await fsops('logs', 'tail', 'internal-pe', '--env', 'prod', '--since', '5m');
    expect(text.code).toBe(0);
    expect(
      text.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ').slice(2).join(' ')),
    ).toEqual(['first line', 'second line']);
    const json = await fsops('logs', 'tail', 'internal-pe', '--env', 'prod', '--output', 'json');
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).message),
    ).toEqual(['first line', 'second line']);
  });

  it('logs tail on an empty window says so on stderr (exit 0), instead of printing nothing', async () => {
    fake = await world({ errors: [] });
    const empty = await fsops('logs', 'tail', 'internal-pe', '--env', 'prod', '--since', '5m');
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toBe('fsops: no events in /ecs/prod-fivestar-internal-pe in the last 5m\n');
  });

  it('logs tail --follow keeps polling until Ctrl-C, then exits 130', async () => {
    fake = await world({ errors: ['only line'] });
    const home = mkdtempSync(join(tmpdir(), 'fsops-home-'));
    const child = spawn(
      process.execPath,
      [BIN, 'logs', 'tail', 'internal-pe', '--env', 'prod', '--follow', '--endpoint-url', fake.url],
      {
        env: {
          PATH: process.env.PATH,
          HOME: home,
          NO_COLOR: '1',
          AWS_EC2_METADATA_DISABLED: 'true',
          ...FAKE_CREDENTIALS,
        },
        cwd: home,
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const polled = () => fake!.calls.filter((c) => c.action === 'FilterLogEvents').length;
    for (let i = 0; i < 100 && polled() < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(polled()).toBeGreaterThanOrEqual(2);
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    // The event comes back on every poll (same timestamp) but is printed once.
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stdout).toContain('only line');
  });

  it('ecs tasks lists the tasks and their stop reasons', async () => {
    fake = await world({ pullFailures: true });
    const result = await fsops('ecs', 'tasks', 'internal-pe', '--env', 'prod');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('prod-internal-pe-service: task definition prod-fivestar-internal-pe:42');
    expect(result.stdout).toContain('Recently stopped tasks:');
    expect(result.stdout).toContain('TaskFailedToStart: CannotPullContainerError');
    expect(result.stdout).toContain('Recent service events:');
  });

  it('metrics without datapoints warn instead of passing; --strict makes that exit 1', async () => {
    fake = await world();
    const result = await fsops('metrics', 'payments', '--env', 'prod', '--output', 'json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.findings.map((f: { id: string; status: string }) => [f.id, f.status])).toEqual([
      ['metrics.no-data.payments.success-rate', 'warn'],
      ['metrics.no-data.payments.error-rate', 'warn'],
      ['metrics.no-data.payments.processing-time', 'warn'],
    ]);
    expect((await fsops('metrics', 'payments', '--env', 'prod', '--strict')).code).toBe(1);
  });

  it("net db-path reads the security groups over EC2's own protocol: a missing ingress rule fails, exit 1", async () => {
    const dbPathWorld = async (ingressFromEcs: boolean) => {
      const started = await startFakeWorld(
        'prod',
        {
          db: {
            Endpoint: { Address: 'db.internal', Port: 5432 },
            VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-rds', Status: 'active' }],
            DBSubnetGroup: { DBSubnetGroupName: 'db', Subnets: [{ SubnetIdentifier: 'subnet-db' }] },
          },
          service: (service: Record<string, unknown>) => ({
            ...service,
            networkConfiguration: {
              awsvpcConfiguration: { subnets: ['subnet-app'], securityGroups: ['sg-ecs'] },
            },
          }),
        },
        // EC2's throttling error, answered in EC2's error shape, is retried by the SDK.
        { faults: [{ service: 'ec2', action: 'DescribeSecurityGroups', kind: 'throttle', times: 1 }] },
      );
      started.handlers.ec2 = {
        DescribeSecurityGroups: () => ({
          SecurityGroups: [
            {
              GroupId: 'sg-rds',
              IpPermissions: ingressFromEcs
                ? [
                    {
                      IpProtocol: 'tcp',
                      FromPort: 5432,
                      ToPort: 5432,
                      UserIdGroupPairs: [{ GroupId: 'sg-ecs' }],
                    },
                  ]
                : [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }],
              IpPermissionsEgress: [],
            },
            {
              GroupId: 'sg-ecs',
              IpPermissions: [],
              IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
            },
          ],
        }),
        DescribeSubnets: () => ({
          Subnets: [
            { SubnetId: 'subnet-db', CidrBlock: '10.0.10.0/24' },
            { SubnetId: 'subnet-app', CidrBlock: '10.0.1.0/24' },
          ],
        }),
      };
      return started;
    };
    fake = await dbPathWorld(false);
    const closed = await fsops('net', 'db-path', '--env', 'prod');
    expect(closed.code).toBe(1);
    expect(closed.stdout).toContain(
      'FAIL  RDS security group admits the ECS tasks [prod-fivestar-payments-db <- prod-internal-pe-service]',
    );
    expect(closed.stdout).toContain(
      'observed: no ingress rule in sg-rds allows 5432 from sg-ecs or 10.0.1.0/24',
    );
    expect(closed.stdout).toContain('PASS  ECS security group lets the tasks out to RDS');
    expect(fake.calls.filter((c) => c.action === 'DescribeSecurityGroups')).toHaveLength(2);
    await fake.close();

    fake = await dbPathWorld(true);
    const open = await fsops('net', 'db-path', '--env', 'prod', '--output', 'json');
    expect(open.code).toBe(0);
    const report = JSON.parse(open.stdout);
    expect(report.status).toBe('pass');
    expect(report.findings.map((f: { observed: string }) => f.observed)).toContain(
      'sg-rds allows tcp 5432-5432 with sg-ecs',
    );
  });

  it('bad input: no component, unknown group, unknown environment, bad duration -> exit 2, one line', async () => {
    for (const args of [
      ['logs', 'errors', '--env', 'prod'],
      ['metrics', '--env', 'prod'],
      ['ecs', 'tasks', '--env', 'prod'],
      ['metrics', 'disk', '--env', 'prod'],
      ['ecs', 'tasks', 'internal-pe', '--env', 'qa'],
      ['logs', 'tail', 'internal-pe', '--env', 'prod', '--since', 'yesterday'],
      ['alarms', '--env', 'prod', '--state', 'RED'],
    ]) {
      const result = await runFsops(args, FAKE_CREDENTIALS);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/^fsops: .*valid|^fsops: invalid --since/);
      expect(result.stdout).toBe('');
    }
  });

  it('no AWS credentials: one line, exit 2, no stack trace', async () => {
    fake = await world();
    const result = await runFsops(['alarms', '--env', 'prod', '--endpoint-url', fake.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^fsops: no AWS credentials for prod/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
