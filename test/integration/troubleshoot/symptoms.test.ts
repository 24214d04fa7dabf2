// Each symptom runbook end to end through executeRunbook: AWS scripted at the SDK boundary, the
// payments database a real PostgreSQL database; once with the symptom's cause present, once without.
import type { Task } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseConfigText, resolveEnvironment } from '../../../src/base/config/load.js';
import type { Finding } from '../../../src/base/model/finding.js';
import { CHECKS } from '../../../src/catalogue/checks/index.js';
import { type DbSession, openDbSession } from '../../../src/domain/db/connection.js';
import { parseDbUrl } from '../../../src/domain/db/target.js';
import { planNotes, rankResolution } from '../../../src/engine/resolution.js';
import { executeRunbook } from '../../../src/engine/run-runbook.js';
import { loadRunbook } from '../../../src/engine/runbook.js';
import type { EnvSession } from '../../../src/engine/session.js';
import { testAws } from '../../helpers/context.js';
import { adminQuery, createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';
import { createPaymentsSchema, installWorld, OK_FETCH, type World } from './world.js';

// These worlds queue for the LMS in the payments database (the PostgreSQL form of lms.queue).
const config = parseConfigText('lms:\n  queue: postgres\n', 'test');
const session: EnvSession = { config, env: resolveEnvironment(config, 'prod'), aws: testAws() };

let healthyDb: TestDatabase;
let brokenDb: TestDatabase;
const sessions: DbSession[] = [];

beforeAll(async () => {
  [healthyDb, brokenDb] = await Promise.all([createTestDatabase('ts_ok'), createTestDatabase('ts_bad')]);
  await Promise.all([createPaymentsSchema(healthyDb.name), createPaymentsSchema(brokenDb.name)]);
  // The broken world: a failing gateway in the last hour and transactions stuck for the LMS.
  await adminQuery(
    `INSERT INTO payment.payments (gateway, error_code, amount, status, created_at)
       SELECT 'razorpay', 'GATEWAY_TIMEOUT', 1500, 'FAILED', now() - interval '5 minutes' FROM generate_series(1, 120);
     INSERT INTO payment.lms_sync_queue (payment_id, status, created_at)
       SELECT i, 'PENDING', now() - interval '2 hours' FROM generate_series(1, 300) i;`,
    [],
    brokenDb.name,
  );
});

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  await Promise.all([healthyDb?.cleanup(), brokenDb?.cleanup()]);
  session.aws.destroy();
});

async function troubleshoot(symptom: string, world: World, db: TestDatabase) {
  installWorld(world);
  const runbook = loadRunbook(`troubleshoot/${symptom}`);
  const findings = await executeRunbook(runbook, session, {
    checks: CHECKS,
    since: new Date(Date.now() - 3_600_000),
    fetch: OK_FETCH,
    // The test run's redis-server (test/helpers/global-setup.ts): runbook 002's "Test Redis connectivity".
    redis: { url: `${inject('redisUrl')}/7` },
    db: async () => {
      const opened = await openDbSession(parseDbUrl(db.url, 'test'), {
        readOnly: true,
        settings: config.database.session,
      });
      sessions.push(opened);
      return opened;
    },
  });
  const ranked = rankResolution(runbook.resolution, findings);
  return { findings, ranked, notes: planNotes(runbook, ranked) };
}

const statusOf = (findings: Finding[], id: string) =>
  findings.filter((f) => f.id === id).map((f) => f.status);
const problems = (findings: Finding[]) =>
  findings
    .filter((f) => f.status === 'fail' || f.status === 'error')
    .map((f) => `${f.id} ${f.status}: ${f.observed}`);

const stoppedTask = (id: string, over: Partial<Task>): Task => ({
  taskArn: `arn:aws:ecs:ap-south-1:123456789014:task/prod-fivestar-payments/${id}`,
  lastStatus: 'STOPPED',
  taskDefinitionArn: 'arn:aws:ecs:ap-south-1:123456789014:task-definition/prod-fivestar-internal-pe:43',
  stoppedAt: new Date(Date.now() - 300_000),
  ...over,
});

interface Scenario {
  symptom: string;
  cause: World;
  /** Finding ids that must fail (or warn, where noted) when the cause is present. */
  failing: string[];
  warning?: string[];
  /** The first step of the plan when the cause is present. */
  firstStep: RegExp;
}

const SCENARIOS: Scenario[] = [
  {
    symptom: 'payment-failures',
    cause: {
      metrics: { 'Fivestar/Payments:PaymentSuccessRate': [99.2, 93.5] },
      appErrors: {
        'internal-pe': [
          'ERROR RazorPay gateway timeout after 30000ms for order 1881',
          'ERROR RazorPay gateway timeout after 30000ms for order 1882',
        ],
      },
      firingAlarms: ['Fivestar-Low-Payment-Success-Rate'],
    },
    failing: ['metrics.payments.success-rate', 'payments.db.gateway', 'cloudwatch.alarms'],
    warning: ['logs.errors.gateway'],
    firstStep: /^Check the external payment services' status/,
  },
  {
    symptom: 'lms-sync',
    cause: {
      appErrors: { 'internal-pe': ['ERROR MuleSoft receipt posting failed for receipt 77: HTTP 503'] },
    },
    failing: ['payments.lms-queue.age'],
    warning: ['payments.lms-queue.depth', 'logs.errors.lms'],
    firstStep: /^Check LMS connectivity/,
  },
  {
    symptom: 'slow-api',
    cause: {
      metrics: { 'AWS/ApplicationELB:TargetResponseTime': [0.4, 3.2], 'AWS/ECS:CPUUtilization': [70, 96] },
    },
    failing: ['metrics.alb.latency-p95', 'metrics.ecs.cpu'],
    firstStep: /^Monitor CPU and memory/,
  },
  {
    symptom: 'db-performance',
    cause: {
      slowStatements: [
        'LOG:  duration: 8123.456 ms  statement: SELECT * FROM payment.payments WHERE customer_id = 991 ORDER BY created_at DESC',
      ],
      metrics: { 'AWS/RDS:CPUUtilization': [60, 94], 'AWS/RDS:ReadLatency': [0.004, 0.08] },
    },
    failing: ['logs.slow-statements', 'metrics.rds.cpu', 'metrics.rds.read-latency'],
    firstStep: /^Review the slow query log/,
  },
  {
    symptom: 'service-unavailable',
    cause: {
      running: 0,
      stoppedTasks: {
        'internal-pe': [1, 2, 3].map((i) =>
          stoppedTask(`oom-${i}`, {
            stopCode: 'EssentialContainerExited',
            stoppedReason: 'Essential container in task exited',
            containers: [
              {
                name: 'app',
                exitCode: 137,
                reason: 'OutOfMemoryError: Container killed due to memory usage',
              },
            ],
          }),
        ),
      },
      targetHealth: [],
    },
    failing: ['ecs.service.running', 'ecs.tasks.running', 'ecs.tasks.oom', 'alb.targets.none'],
    firstStep: /^Tasks crashing/,
  },
  {
    symptom: 'high-error-rate',
    cause: {
      metrics: { 'Fivestar/Application:ErrorRate': [0.5, 8.2], 'alb.5xx-rate': [0.2, 6.5] },
      appErrors: {
        'internal-pe': Array.from(
          { length: 60 },
          (_, i) => `ERROR could not acquire connection from pool after 5000ms (request ${i})`,
        ),
      },
    },
    failing: [
      'metrics.payments.error-rate',
      'metrics.alb.5xx-rate',
      'logs.errors.count',
      'logs.errors.db-connection',
    ],
    firstStep: /^Read the most frequent error signatures/,
  },
  {
    symptom: 'task-start-failure',
    cause: {
      running: 1,
      stoppedTasks: {
        'internal-pe': [1, 2].map((i) =>
          stoppedTask(`pull-${i}`, {
            stopCode: 'TaskFailedToStart',
            stoppedReason: `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789014.dkr.ecr.ap-south-1.amazonaws.com/internal-pe:v${i}: not found`,
          }),
        ),
      },
      service: (s, component) =>
        component === 'internal-pe'
          ? {
              ...s,
              events: [
                {
                  createdAt: new Date(Date.now() - 120_000),
                  message: `(service ${s.serviceName}) is unable to consistently start tasks successfully.`,
                },
              ],
            }
          : s,
    },
    failing: ['ecs.service.running', 'ecs.tasks.failed-to-start', 'ecs.events.launch-failed'],
    firstStep: /^Check the task definition/,
  },
  {
    symptom: 'health-check-failure',
    cause: {
      targetHealth: [
        {
          Target: { Id: '192.168.0.70', Port: 8080 },
          TargetHealth: { State: 'unhealthy', Reason: 'Target.Timeout' },
        },
      ],
      stoppedTasks: {
        'internal-pe': [
          stoppedTask('hc-1', {
            stopCode: 'ServiceSchedulerInitiated',
            stoppedReason:
              'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:ap-south-1:1:targetgroup/tg/1)',
            containers: [{ name: 'app', exitCode: 143 }],
          }),
        ],
      },
      metrics: { 'AWS/ApplicationELB:UnHealthyHostCount': [0, 1] },
    },
    failing: ['alb.targets.unhealthy', 'ecs.tasks.health-check', 'metrics.alb.unhealthy-hosts'],
    firstStep: /^Check the container logs/,
  },
  {
    symptom: 'db-connection-timeout',
    cause: {
      rdsIngress: [
        { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: 'sg-lambda' }] },
      ],
      appErrors: { 'internal-pe': ['ERROR connect ETIMEDOUT 192.168.0.140:5432'] },
    },
    failing: ['net.db-path.ingress'],
    warning: ['logs.errors.timeout'],
    firstStep: /^Check the security group rules/,
  },
];

describe.each(SCENARIOS)('troubleshoot $symptom', (scenario) => {
  it('finds the cause when it is present and puts the matching step first', async () => {
    const { findings, ranked, notes } = await troubleshoot(scenario.symptom, scenario.cause, brokenDb);
    for (const id of scenario.failing) expect(statusOf(findings, id), id).toContain('fail');
    for (const id of scenario.warning ?? [])
      expect(statusOf(findings, id), id).toEqual(
        expect.arrayContaining([expect.stringMatching(/warn|fail/)]),
      );
    expect(ranked[0]!.step).toMatch(scenario.firstStep);
    expect(ranked[0]!.because.length).toBeGreaterThan(0);
    expect(notes[0]).toMatch(/^What to do first/);
    expect(findings.filter((f) => f.status === 'error')).toEqual([]);
  });

  it('reports nothing failing when the cause is absent', async () => {
    const { findings, ranked } = await troubleshoot(scenario.symptom, {}, healthyDb);
    expect(problems(findings)).toEqual([]);
    for (const id of scenario.failing) expect(statusOf(findings, id)).not.toContain('fail');
    expect(ranked.filter((r) => r.because.some((f) => f.status === 'fail'))).toEqual([]);
  });
});

describe('payments database facts', () => {
  it('counts only the window, by gateway, with runbook 003 error codes', async () => {
    const { findings } = await troubleshoot('payment-failures', {}, brokenDb);
    const gateway = findings.find((f) => f.id === 'payments.db.gateway' && f.resource.endsWith('razorpay'))!;
    // 500 GATEWAY_TIMEOUT failures three hours ago are outside the 1h window.
    expect(gateway.observed).toBe('80.3% success: 123 failed of 623');
    expect(gateway.detail).toBe(
      'failures by error code: GATEWAY_TIMEOUT 120× (avg amount 1500.00); CARD_DECLINED 3× (avg amount 250.00)',
    );
  });

  it('an error-code query that cannot be read is its own error; the gateways are still judged', async () => {
    const wrong = parseConfigText('payments:\n  columns:\n    errorCode: failure_reason\n', 'test');
    installWorld({});
    const findings = await executeRunbook(
      loadRunbook('troubleshoot/payment-failures'),
      { config: wrong, env: resolveEnvironment(wrong, 'prod'), aws: session.aws },
      {
        checks: CHECKS,
        since: new Date(Date.now() - 3_600_000),
        db: async () => {
          const opened = await openDbSession(parseDbUrl(brokenDb.url, 'test'), {
            readOnly: true,
            settings: config.database.session,
          });
          sessions.push(opened);
          return opened;
        },
      },
    );
    expect(findings.find((f) => f.id === 'payments.db.error-codes')).toMatchObject({
      status: 'error',
      observed: expect.stringMatching(/^could not query the failures by error code: .*failure_reason/),
    });
    const gateway = findings.find((f) => f.id === 'payments.db.gateway' && f.resource.endsWith('razorpay'))!;
    expect(gateway).toMatchObject({ status: 'fail', observed: '80.3% success: 123 failed of 623' });
  });

  it('reports an error finding, not a crash, when the database cannot be opened; the AWS facts still report', async () => {
    installWorld({});
    const runbook = loadRunbook('troubleshoot/payment-failures');
    const findings = await executeRunbook(runbook, session, {
      checks: CHECKS,
      since: new Date(Date.now() - 3_600_000),
      db: () =>
        openDbSession(parseDbUrl('postgres://nobody@127.0.0.1:1/none', '--db-url'), {
          readOnly: true,
          settings: config.database.session,
        }),
    });
    expect(findings.find((f) => f.id === 'payments.db.failures')).toMatchObject({
      status: 'error',
      observed: expect.stringContaining('cannot connect to PostgreSQL'),
    });
    expect(findings.filter((f) => f.id.startsWith('metrics.payments')).map((f) => f.status)).toEqual([
      'pass',
      'pass',
      'pass',
    ]);
  });

  it('says which config keys to set when the tables are named differently', async () => {
    const renamed = parseConfigText(
      'lms:\n  queue: postgres\npayments:\n  table: transactions\n  lmsQueue:\n    table: lms_outbox\n',
      'test',
    );
    installWorld({});
    const findings = await executeRunbook(
      loadRunbook('troubleshoot/lms-sync'),
      { config: renamed, env: resolveEnvironment(renamed, 'prod'), aws: session.aws },
      {
        checks: CHECKS,
        since: new Date(Date.now() - 3_600_000),
        db: async () => {
          const opened = await openDbSession(parseDbUrl(healthyDb.url, 'test'), {
            readOnly: true,
            settings: config.database.session,
          });
          sessions.push(opened);
          return opened;
        },
      },
    );
    expect(findings.find((f) => f.id === 'payments.lms-queue.table')).toMatchObject({
      status: 'skip',
      resource: 'payment.lms_outbox',
      remediation: expect.stringContaining('payments.lmsQueue.table'),
    });
  });
});
