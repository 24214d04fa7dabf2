import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, runFsops } from '../../helpers/cli.js';
import {
  addFakeWorld,
  digestOf,
  type FakeAws,
  installRelease,
  type ReleaseOptions,
  type ReleaseWorld,
  releaseWorld,
  startFakeWorld,
  type WorldOverrides,
} from '../../helpers/fake-aws.js';
import { incidentRecord } from '../../helpers/incident.js';

// Run `npm run build` first: these tests spawn bin/fsops against the local AWS endpoint, whose ECS and
// ECR keep state (scripts/fake-release.mjs): registered revisions, rolling and blue/green deployments.
let fake: FakeAws | undefined;
let dir: string;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

interface Setup {
  env: 'staging' | 'prod';
  release?: ReleaseOptions;
  /** What staging runs (prod only): its tasks' digest. */
  stagingDigest?: string;
  overrides?: WorldOverrides;
  config?: string;
}

/** A fake environment (and, for prod, staging beside it under its own access key), a config and credentials. */
async function setUp(setup: Setup): Promise<ReleaseWorld> {
  dir = mkdtempSync(join(tmpdir(), 'fsops-deploy-'));
  fake = await startFakeWorld(setup.env, setup.overrides ?? {});
  const world = installRelease(fake, setup.env, setup.release ?? {});
  fake.http['/green/health'] = { status: 200, body: 'ok' };
  fake.http['/green/ready'] = { status: 200, body: 'ok' };
  if (setup.env === 'prod') {
    const staging = addFakeWorld(fake, 'staging', 'AKIDSTAGING');
    const release = releaseWorld('staging', {
      revision: 50,
      runningDigest: setup.stagingDigest ?? digestOf(3),
    });
    for (const [svc, handlers] of Object.entries(release.handlers))
      staging[svc] = { ...staging[svc], ...handlers };
  }
  writeFileSync(
    join(dir, 'fsops.yaml'),
    `deploy:\n  pollSeconds: 0.02\n  testUrls:\n    internal-pe: ${fake.url}/green\nenvironments:\n  staging:\n    profile: staging\n${setup.config ?? ''}`,
  );
  writeFileSync(
    join(dir, 'credentials'),
    '[staging]\naws_access_key_id = AKIDSTAGING\naws_secret_access_key = fake\n',
  );
  return world;
}

const environment = () => ({
  AWS_ACCESS_KEY_ID: 'AKIDFAKE',
  AWS_SECRET_ACCESS_KEY: 'fake-secret',
  AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
  FSOPS_AUDIT_FILE: join(dir, 'audit.jsonl'),
  FSOPS_INCIDENT_DIR: join(dir, 'incidents'),
});

/** `deploy internal-pe --env <env> --image 1.4.3`, then `more` (--yes, the flag under test). */
const deployArgs = (env: string, ...more: string[]) => [
  ...['deploy', 'internal-pe', '--env', env, '--image', '1.4.3'],
  ...more,
];

const fsops = (...args: string[]) =>
  runFsops([...args, '--config', join(dir, 'fsops.yaml'), '--endpoint-url', fake!.url], environment());

const audit = (): Record<string, string>[] =>
  existsSync(join(dir, 'audit.jsonl'))
    ? readFileSync(join(dir, 'audit.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
    : [];
const changes = () =>
  fake!.calls.filter((c) =>
    ['RegisterTaskDefinition', 'UpdateService', 'StopServiceDeployment'].includes(c.action),
  );

describe('fsops deploy, rolling', () => {
  it('registers a copy with only the image changed, updates with the circuit breaker, judges it, and audits before and after', async () => {
    const world = await setUp({ env: 'staging' });
    const result = await fsops(...deployArgs('staging', '--yes'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'strategy: rolling (UpdateService; deployment circuit breaker on, with rollback)',
    );
    expect(result.stdout).toMatch(/image internal-pe: \S+:1\.4\.2 -> \S+:1\.4\.3/);
    expect(result.stdout).toMatch(/PASS +Release gate/);
    const [registered] = world.state.registered;
    expect(registered!.containerDefinitions[0].image).toMatch(/fivestar\/internal-pe:1\.4\.3$/);
    expect(registered!.containerDefinitions[1].image).toBe('amazon/aws-for-fluent-bit:2.32');
    expect(registered).not.toHaveProperty('revision');
    expect(world.state.updates[0]).toMatchObject({
      taskDefinition: world.arnOf(43),
      deploymentConfiguration: {
        strategy: 'ROLLING',
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
    });
    // Audit "started" is written before RegisterTaskDefinition, the outcome after; the previous revision is in both.
    const lines = audit();
    expect(lines.map((l) => l.result)).toEqual(['started', 'succeeded']);
    expect(lines[0]!.detail).toContain('copied from staging-fivestar-internal-pe:42');
    expect(lines[1]!.detail).toContain('previous staging-fivestar-internal-pe:42');
    const startedAt = Date.parse(lines[0]!.time!);
    expect(fake!.calls.find((c) => c.action === 'RegisterTaskDefinition')!.at).toBeGreaterThanOrEqual(
      startedAt,
    );
    // `fsops rollback` then goes back to the revision the deploy replaced.
    const back = await fsops('rollback', 'internal-pe', '--env', 'staging', '--dry-run');
    expect(back.stdout).toContain('to:      staging-fivestar-internal-pe:42');
  });

  it('a gate that fails after the rollout rolls back to the previous revision and exits 1 with the failing findings', async () => {
    const world = await setUp({ env: 'staging' });
    const update = fake!.handlers.ecs!.UpdateService!;
    fake!.handlers.ecs!.UpdateService = (input) => {
      if (String(input.taskDefinition).endsWith(':43')) fake!.http['/health'] = { status: 503, body: 'down' };
      return update(input);
    };
    const result = await fsops(...deployArgs('staging', '--yes'));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL +Health endpoints answer \[internal-pe \S+\/health\]/);
    expect(result.stdout).toMatch(
      /FAIL +Rolled back \[staging-internal-pe-service\][^\n]*\n(.*\n)*?\s+observed: rolled back: staging-fivestar-internal-pe:42 runs again/,
    );
    expect(world.state.updates.map((u) => u.taskDefinition)).toEqual([world.arnOf(43), world.arnOf(42)]);
    expect(audit().map((l) => [l.command, l.result, l.from])).toEqual([
      ['deploy', 'started', world.arnOf(42)],
      ['deploy', 'rolled-back', world.arnOf(42)],
    ]);
  });

  it('the circuit breaker rolling the revision back fails the deploy (exit 1) without a second UpdateService', async () => {
    const world = await setUp({ env: 'staging', release: { rolloutFails: true } });
    const result = await fsops(...deployArgs('staging', '--yes'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('rollout was rolled back by ECS (circuit breaker)');
    expect(world.state.updates).toHaveLength(1);
  });
});

describe('the release gate: payment success rate and new error signatures (issue 20)', () => {
  it('a payment success rate below its threshold after the rollout fails the gate: rolled back, exit 1', async () => {
    const world = await setUp({ env: 'staging', release: { successRate: [93.5, 94.1] } });
    const result = await fsops('deploy', 'internal-pe', '--env', 'staging', '--image', '1.4.3', '--yes');
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toMatch(/FAIL +Payment success rate \[Fivestar\/Payments PaymentSuccessRate\]/);
    expect(result.stdout).toMatch(/Release gate[^\n]*\n(.*\n)*?.*metrics\.payments\.success-rate/);
    expect(world.state.updates.map((u) => u.taskDefinition)).toEqual([world.arnOf(43), world.arnOf(42)]);
    // One GetMetricData for the gate: the run's metrics batch.
    expect(fake!.calls.filter((c) => c.action === 'GetMetricData')).toHaveLength(1);
  });

  it('no success-rate datapoints since the deploy began is not a pass: a warning in the report', async () => {
    await setUp({ env: 'staging', release: { successRate: [] } });
    const result = await fsops('deploy', 'internal-pe', '--env', 'staging', '--image', '1.4.3', '--yes');
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/WARN +Payment success rate[^\n]*\n(.*\n)*?\s+observed: no datapoints/);
  });

  it('an error signature the old revision never logged fails the gate with its sample line (sanitised); a known one does not', async () => {
    const now = Date.now();
    const world = await setUp({
      env: 'staging',
      release: {
        logEvents: [
          { timestamp: now - 600_000, message: 'ERROR gateway timeout after 3000 ms for order 1111' },
          { timestamp: now - 300_000, message: 'ERROR gateway timeout after 2950 ms for order 2222' },
        ],
      },
    });
    const update = fake!.handlers.ecs!.UpdateService!;
    fake!.handlers.ecs!.UpdateService = (input) => {
      if (String(input.taskDefinition).endsWith(':43')) {
        world.state.logEvents.push(
          { timestamp: Date.now(), message: 'ERROR gateway timeout after 3100 ms for order 3333' },
          {
            timestamp: Date.now(),
            message: 'ERROR NullPointerException in PaymentMapper.map\u202e order 4444\u0007',
          },
        );
      }
      return update(input);
    };
    const result = await fsops('deploy', 'internal-pe', '--env', 'staging', '--image', '1.4.3', '--yes');
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toMatch(
      /FAIL +No new error signature since the deploy began \[\/ecs\/staging-fivestar-internal-pe\][^\n]*\n(.*\n)*?\s+observed: new since the deploy began: ERROR NullPointerException in PaymentMapper\.map order <n> \(1×\)/,
    );
    expect(result.stdout).toContain('sample: ERROR NullPointerException in PaymentMapper.map order 4444');
    expect(result.stdout).not.toMatch(/\u202e|\u0007|\\u202e/);
    expect(result.stdout).not.toContain('gateway timeout after <n> ms for order <n> (');
    expect(world.state.updates.map((u) => u.taskDefinition)).toEqual([world.arnOf(43), world.arnOf(42)]);
  });
});

describe('fsops deploy refuses before any change (exit 2, audited)', () => {
  it.each([
    ['a missing image', '9.9.9', {}, /FAIL +The image exists in ECR[^\n]*\n(.*\n)*?.*ImageNotFoundException/],
    [
      'a CRITICAL finding',
      '1.4.3',
      { images: { '1.4.3': { digest: digestOf(3), tags: ['1.4.3'], critical: 2 } } },
      /2 CRITICAL finding\(s\) \(CVE-2026-0001, CVE-2026-0002\)/,
    ],
    [
      'an image never scanned',
      '1.4.3',
      { images: { '1.4.3': { digest: digestOf(3), tags: ['1.4.3'], scan: null } } },
      /ERROR +The image scan has no CRITICAL finding[^\n]*\n(.*\n)*?.*never scanned/,
    ],
  ] as const)('%s', async (_name, image, release, shown) => {
    const world = await setUp({ env: 'staging', release: release as ReleaseOptions });
    const result = await fsops('deploy', 'internal-pe', '--env', 'staging', '--image', image, '--yes');
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(shown);
    expect(result.stdout).toContain('Refused before any change');
    expect(changes()).toEqual([]);
    expect(world.state.registered).toEqual([]);
    expect(audit()).toEqual([
      expect.objectContaining({ command: 'deploy', result: 'refused', from: world.arnOf(42) }),
    ]);
  });

  it('--allow-findings with a reason deploys the image anyway and audits the reason', async () => {
    await setUp({
      env: 'staging',
      release: { images: { '1.4.3': { digest: digestOf(3), tags: ['1.4.3'], critical: 1 } } },
    });
    const result = await fsops(
      ...deployArgs('staging', '--yes', '--allow-findings', '--reason', 'not reachable; fixed in 1.4.4'),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /WARN +The image scan has no CRITICAL finding[^\n]*\n(.*\n)*?.*accepted with --allow-findings: not reachable; fixed in 1.4.4/,
    );
    expect(audit()[0]!.detail).toContain('override: --allow-findings: not reachable; fixed in 1.4.4');
    const missingReason = await fsops(...deployArgs('staging', '--allow-findings'));
    expect(missingReason.code).toBe(2);
    expect(missingReason.stderr.trim()).toBe(
      'fsops: --allow-findings needs --reason "<why>" (it goes into the audit log)',
    );
  });

  it("'latest' in prod is refused with the digest it resolves to", async () => {
    await setUp({ env: 'prod' });
    const result = await fsops('deploy', 'internal-pe', '--env', 'prod', '--image', 'latest', '--yes');
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`'latest' names whatever was pushed last; it is ${digestOf(3)} now`);
    expect(result.stdout).toContain(`Deploy the digest: --image ${digestOf(3)}`);
    expect(changes()).toEqual([]);
  });

  it('a CODE_DEPLOY service whose deployment group is not found: the exact way to do it, nothing registered', async () => {
    await setUp({ env: 'staging', release: { controller: 'CODE_DEPLOY' } });
    writeFileSync(
      join(dir, 'fsops.yaml'),
      `deploy:\n  pollSeconds: 0.02\n  codeDeploy:\n    internal-pe: { application: nope, deploymentGroup: gone }\nenvironments:\n  staging:\n    profile: staging\n`,
    );
    fake!.handlers.codedeploy!.BatchGetDeploymentGroups = () => ({ deploymentGroupsInfo: [] });
    const result = await fsops(...deployArgs('staging', '--yes'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'uses the CODE_DEPLOY deployment controller and no CodeDeploy deployment group',
    );
    expect(result.stderr).toContain('aws deploy create-deployment');
    expect(changes()).toEqual([]);
    expect(fake!.calls.filter((c) => c.action === 'CreateDeployment')).toEqual([]);
    expect(audit().map((l) => l.result)).toEqual(['refused']);
  });
  it('an open SEV1 in the environment refuses; --override-incident with a reason deploys', async () => {
    await setUp({ env: 'staging' });
    const record = incidentRecord('INC-2026-001', {
      env: 'staging',
      title: 'payments failing',
      startedAt: '2026-12-07T10:00:00Z',
    });
    const folder = join(dir, 'incidents', 'INC-2026-001');
    (await import('node:fs')).mkdirSync(folder, { recursive: true });
    // A record that cannot be read may be this environment's open SEV1: refused, never "none open".
    writeFileSync(join(folder, 'incident.json'), '{"id": "INC-2026-001", "sev');
    const unreadable = await fsops(...deployArgs('staging', '--yes'));
    expect(unreadable.code).toBe(2);
    expect(unreadable.stdout).toContain('cannot be read');
    expect(changes()).toEqual([]);
    writeFileSync(join(folder, 'incident.json'), JSON.stringify(record));
    const refused = await fsops(...deployArgs('staging', '--yes'));
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('INC-2026-001 SEV1 "payments failing"');
    const overridden = await fsops(
      ...deployArgs('staging', '--yes', '--override-incident', '--reason', 'this is the fix'),
    );
    expect(overridden.code).toBe(0);
  });

  it('a change freeze refuses', async () => {
    await setUp({
      env: 'staging',
      config:
        'deploy:\n  freezes:\n    - { from: "2020-01-01T00:00:00Z", to: "2099-01-01T00:00:00Z", reason: "year end" }\n',
    });
    // The config's second `deploy:` key would be a YAML error: write the whole file instead.
    writeFileSync(
      join(dir, 'fsops.yaml'),
      `deploy:\n  pollSeconds: 0.02\n  freezes:\n    - { from: "2020-01-01T00:00:00Z", to: "2099-01-01T00:00:00Z", reason: "year end" }\nenvironments:\n  staging:\n    profile: staging\n`,
    );
    const result = await fsops(...deployArgs('staging', '--yes'));
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('frozen: 2020-01-01T00:00:00Z to 2099-01-01T00:00:00Z: year end');
    expect(changes()).toEqual([]);
  });
});

describe('the staging gate of a protected environment (ops guide §12.2.1)', () => {
  it('prod: the image runs in staging (read with staging credentials) and staging passes: deployed by digest', async () => {
    const world = await setUp({ env: 'prod' });
    const result = await fsops(...deployArgs('prod', '--yes'));
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/PASS +The same image runs in staging \[staging-internal-pe-service\]/);
    expect(result.stdout).toMatch(/PASS +staging: Health endpoints answer/);
    expect(fake!.calls.some((c) => c.accessKey === 'AKIDSTAGING' && c.action === 'DescribeTasks')).toBe(true);
    expect(world.state.registered[0]!.containerDefinitions[0].image).toMatch(new RegExp(`@${digestOf(3)}$`));
  });

  it('prod: staging runs another image: refused; --skip-staging-gate --reason deploys and says the gate was skipped', async () => {
    await setUp({ env: 'prod', stagingDigest: digestOf(7) });
    const refused = await fsops(...deployArgs('prod', '--yes'));
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(
      /FAIL +The same image runs in staging[^\n]*\n\s+expected: [^\n]*\n\s+observed: 0\/2 running tasks run it \(staging runs sha256:7777777777/,
    );
    expect(changes()).toEqual([]);
    const skipped = await fsops(
      ...deployArgs('prod', '--yes', '--skip-staging-gate', '--reason', 'hotfix for INC-2026-002'),
    );
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain('not checked: --skip-staging-gate: hotfix for INC-2026-002');
  });

  it('prod without --yes off a terminal: the plan, then a refusal (exit 2), nothing registered', async () => {
    const world = await setUp({ env: 'prod' });
    const result = await fsops(...deployArgs('prod'));
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('roll back: UpdateService back to prod-fivestar-internal-pe:42');
    expect(world.state.registered).toEqual([]);
  });
});

describe('fsops deploy, ECS native blue/green', () => {
  it('follows the stages, probes green through the test listener, runs the gate in the bake: SUCCESSFUL, traffic on green', async () => {
    const world = await setUp({ env: 'staging', release: { strategy: 'BLUE_GREEN' } });
    const result = await fsops(...deployArgs('staging', '--yes', '--bake-time', '5'));
    expect(result.code, result.stdout).toBe(0);
    expect(world.state.updates[0]).toMatchObject({
      deploymentConfiguration: {
        strategy: 'BLUE_GREEN',
        bakeTimeInMinutes: 5,
        alarms: {
          alarmNames: expect.arrayContaining(['Fivestar-System-Down-internal-pe']),
          enable: true,
          rollback: true,
        },
      },
      loadBalancers: [
        expect.objectContaining({
          advancedConfiguration: expect.objectContaining({ testListenerRule: expect.any(String) }),
        }),
      ],
    });
    expect(world.state.updates[0]!.deploymentConfiguration.alarms.alarmNames).not.toContain(
      'Fivestar-System-Down-customer-portal',
    );
    expect(result.stderr).toContain('IN_PROGRESS BAKE_TIME, production traffic on green, bake 5 min left');
    expect(result.stdout).toMatch(/PASS +Green answers through the test listener/);
    expect(result.stdout).toContain(
      'SUCCESSFUL: production traffic on green (staging-fivestar-internal-pe:43)',
    );
  });

  it('green failing its health probe: StopServiceDeployment ROLLBACK, traffic on blue, exit 1', async () => {
    const world = await setUp({ env: 'staging', release: { strategy: 'BLUE_GREEN' } });
    fake!.http['/green/health'] = { status: 503, body: 'starting' };
    const result = await fsops(...deployArgs('staging', '--yes'));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL +Green answers through the test listener/);
    expect(result.stdout).toContain(
      'green failed its health probe: stopped with rollback; production traffic on blue (staging-fivestar-internal-pe:42)',
    );
    expect(world.state.stops).toEqual([
      { serviceDeploymentArn: world.state.serviceDeployments[0]!.arn, stopType: 'ROLLBACK' },
    ]);
    expect(world.state.serviceDeployments[0]!.status).toBe('ROLLBACK_SUCCESSFUL');
    expect(world.state.running).toBe(42);
  });

  it('an alarm firing during the bake fails the gate: stopped with rollback, traffic on blue, exit 1', async () => {
    const overrides: WorldOverrides = { firingAlarms: [] };
    const world = await setUp({
      env: 'staging',
      overrides,
      release: {
        strategy: 'BLUE_GREEN',
        onStage: (stage) =>
          stage === 'BAKE_TIME' && overrides.firingAlarms!.push('Fivestar-System-Down-internal-pe'),
      },
    });
    const result = await fsops(...deployArgs('staging', '--yes'));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL +No CloudWatch alarm in ALARM \[Fivestar-System-Down-internal-pe\]/);
    expect(result.stdout).toContain(
      'the gate failed during the bake: stopped with rollback; production traffic on blue',
    );
    expect(world.state.stops.map((s) => s.stopType)).toEqual(['ROLLBACK']);
    expect(world.state.running).toBe(42);
  });

  it('the plan warns when no lifecycle hook holds test traffic (the green probe may race the shift)', async () => {
    await setUp({ env: 'staging', release: { strategy: 'BLUE_GREEN' } });
    const plan = await fsops('deploy', 'internal-pe', '--env', 'staging', '--image', '1.4.3', '--dry-run');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      'warning:  no lifecycle hook holds test traffic (TEST_TRAFFIC_SHIFT/POST_TEST_TRAFFIC_SHIFT)',
    );
  });

  it('a PAUSE hook at POST_TEST_TRAFFIC_SHIFT holds green: probed, then ContinueServiceDeployment CONTINUE; no warning', async () => {
    const world = await setUp({
      env: 'staging',
      release: { strategy: 'BLUE_GREEN', pauseHook: 'POST_TEST_TRAFFIC_SHIFT' },
    });
    const result = await fsops('deploy', 'internal-pe', '--env', 'staging', '--image', '1.4.3', '--yes');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'hold:     the PAUSE hook at POST_TEST_TRAFFIC_SHIFT holds green on the test listener',
    );
    expect(result.stdout + result.stderr).not.toContain('warning:  no lifecycle hook');
    expect(result.stderr).toContain(
      'IN_PROGRESS POST_TEST_TRAFFIC_SHIFT, production traffic on blue, held by a PAUSE hook',
    );
    expect(world.state.continues).toEqual([
      {
        serviceDeploymentArn: world.state.serviceDeployments[0]!.arn,
        hookId: 'ecs-pause-POST_TEST_TRAFFIC_SHIFT',
        action: 'CONTINUE',
      },
    ]);
    expect(result.stdout).toContain('SUCCESSFUL: production traffic on green');
  });

  it('a PAUSE hook and green failing its probe: ContinueServiceDeployment ROLLBACK, production traffic never moved, exit 1', async () => {
    const world = await setUp({
      env: 'staging',
      release: { strategy: 'BLUE_GREEN', pauseHook: 'POST_TEST_TRAFFIC_SHIFT' },
    });
    fake!.http['/green/health'] = { status: 503, body: 'starting' };
    const result = await fsops('deploy', 'internal-pe', '--env', 'staging', '--image', '1.4.3', '--yes');
    expect(result.code, result.stdout).toBe(1);
    expect(world.state.continues.map((c) => c.action)).toEqual(['ROLLBACK']);
    expect(world.state.stops).toEqual([]);
    expect(result.stdout).toContain('production traffic never left blue (staging-fivestar-internal-pe:42)');
    expect(world.state.running).toBe(42);
    expect(audit().map((l) => l.result)).toEqual(['started', 'rolled-back']);
  });

  it("ECS's own alarm rollback in the bake: reported as rolled back with the alarm, traffic on blue, exit 1", async () => {
    const world = await setUp({
      env: 'staging',
      release: {
        strategy: 'BLUE_GREEN',
        alarmRollbackAt: 'BAKE_TIME',
        alarmName: 'Fivestar-High-Error-Rate',
      },
    });
    const result = await fsops(...deployArgs('staging', '--yes'));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'ECS rolled the deployment back (alarm(s) Fivestar-High-Error-Rate fired): production traffic on blue',
    );
    expect(world.state.stops).toEqual([]);
  });

  it('a service without a test listener rule and the alternate target group cannot go blue/green: exit 2, nothing changed', async () => {
    await setUp({ env: 'staging' });
    const result = await fsops(...deployArgs('staging', '--yes', '--strategy', 'blue-green'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'cannot deploy blue/green: its load balancer has no advancedConfiguration',
    );
    expect(changes()).toEqual([]);
  });

  it('fsops rollback during a blue/green deployment stops it with rollback instead of a new deployment', async () => {
    const world = await setUp({
      env: 'staging',
      release: { strategy: 'BLUE_GREEN', hold: { stage: 'BAKE_TIME', polls: 100000 } },
    });
    fake!.handlers.ecs!.RegisterTaskDefinition!({
      family: 'staging-fivestar-internal-pe',
      containerDefinitions: [],
    });
    fake!.handlers.ecs!.UpdateService!({ cluster: 'c', service: 's', taskDefinition: world.arnOf(43) });
    const result = await fsops('rollback', 'internal-pe', '--env', 'staging', '--yes', '--no-wait');
    expect(result.stdout).toContain('StopServiceDeployment');
    expect(world.state.stops).toEqual([
      { serviceDeploymentArn: world.state.serviceDeployments[0]!.arn, stopType: 'ROLLBACK' },
    ]);
    expect(world.state.updates).toHaveLength(1);
  });
});

describe('fsops deploy, a service on the CODE_DEPLOY controller (CodeDeploy)', () => {
  const cdChanges = () =>
    fake!.calls.filter((c) => ['CreateDeployment', 'StopDeployment', 'UpdateService'].includes(c.action));

  it('finds the deployment group, registers the revision, CreateDeployment with the AppSpec, runs the gate while the original task set is kept: Succeeded', async () => {
    const world = await setUp({ env: 'staging', release: { controller: 'CODE_DEPLOY' } });
    const plan = await fsops('deploy', 'internal-pe', '--env', 'staging', '--image', '1.4.3', '--dry-run');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      'strategy: CodeDeploy (deployment controller CODE_DEPLOY): application staging-fivestar, deployment group staging-internal-pe-dg (CodeDeployDefault.ECSAllAtOnce)',
    );
    expect(plan.stdout).toContain('container internal-pe port 8080');
    expect(plan.stdout).toContain('roll back: CodeDeploy StopDeployment --auto-rollback-enabled');
    expect(world.state.cdCreates).toEqual([]);
    const result = await fsops('deploy', 'internal-pe', '--env', 'staging', '--image', '1.4.3', '--yes');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(world.state.updates).toEqual([]);
    expect(world.state.cdCreates).toHaveLength(1);
    const create = world.state.cdCreates[0]!;
    expect(create).toMatchObject({
      applicationName: 'staging-fivestar',
      deploymentGroupName: 'staging-internal-pe-dg',
      revision: { revisionType: 'AppSpecContent' },
    });
    expect(JSON.parse(create.revision.appSpecContent.content)).toEqual({
      version: 0,
      Resources: [
        {
          TargetService: {
            Type: 'AWS::ECS::Service',
            Properties: {
              TaskDefinition: world.arnOf(43),
              LoadBalancerInfo: { ContainerName: 'internal-pe', ContainerPort: 8080 },
            },
          },
        },
      ],
    });
    expect(result.stderr).toContain('original task set kept (termination wait)');
    expect(result.stdout).toMatch(
      /PASS +The service runs the new revision[^\n]*\n(.*\n)*?.*task set PRIMARY, 2\/2 running; also ACTIVE staging-fivestar-internal-pe:42/,
    );
    expect(result.stdout).toContain('Succeeded: production traffic on staging-fivestar-internal-pe:43');
    expect(world.state.cdStops).toEqual([]);
    expect(audit().map((l) => l.result)).toEqual(['dry-run', 'started', 'succeeded']);
  });

  it('a gate failing while the original task set is kept: StopDeployment with auto-rollback, traffic back, exit 1', async () => {
    const world = await setUp({ env: 'staging', release: { controller: 'CODE_DEPLOY', cdHold: 1000 } });
    const get = fake!.handlers.codedeploy!.GetDeployment!;
    fake!.handlers.codedeploy!.GetDeployment = (input) => {
      const out = get(input) as { deploymentInfo: { instanceTerminationWaitTimeStarted: boolean } };
      if (out.deploymentInfo.instanceTerminationWaitTimeStarted)
        fake!.http['/health'] = { status: 503, body: 'down' };
      return out;
    };
    const result = await fsops('deploy', 'internal-pe', '--env', 'staging', '--image', '1.4.3', '--yes');
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toMatch(/FAIL +Health endpoints answer/);
    expect(world.state.cdStops).toEqual([{ deploymentId: 'd-FAKE1', autoRollbackEnabled: true }]);
    expect(result.stdout).toContain(
      'the gate failed: CodeDeploy d-FAKE1 stopped with auto-rollback (d-FAKE2 Succeeded); production traffic on staging-fivestar-internal-pe:42',
    );
    expect(world.state.running).toBe(42);
    expect(audit().map((l) => l.result)).toEqual(['started', 'rolled-back']);
    expect(cdChanges().map((c) => c.action)).toEqual(['CreateDeployment', 'StopDeployment']);
  });

  it("CodeDeploy's own failure and rollback: reported with its reason, exit 1, no StopDeployment", async () => {
    const world = await setUp({ env: 'staging', release: { controller: 'CODE_DEPLOY', cdFails: true } });
    const result = await fsops('deploy', 'internal-pe', '--env', 'staging', '--image', '1.4.3', '--yes');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'Failed: The ECS service could not start tasks of the replacement task set.',
    );
    expect(result.stdout).toContain('CodeDeploy rolled back (d-FAKE2)');
    expect(world.state.cdStops).toEqual([]);
  });

  it('Ctrl-C while CodeDeploy moves traffic: exit 130 with its state; `fsops rollback` then stops it with auto-rollback; `fsops deployments` shows it', async () => {
    const world = await setUp({ env: 'staging', release: { controller: 'CODE_DEPLOY', cdHold: 100000 } });
    // The gate never finishes: Ctrl-C comes while the original task set is kept.
    fake!.http['/health'] = { status: 200, body: 'ok', delayMs: 60_000 };
    const run = await interruptAt(
      ['deploy', 'internal-pe', '--env', 'staging', '--image', '1.4.3', '--yes'],
      /original task set kept/,
    );
    expect(run.code).toBe(130);
    expect(run.stdout).toMatch(
      /interrupted \(Ctrl-C\); state: CodeDeploy d-FAKE1 InProgress, production traffic on green/,
    );
    expect(run.stderr).toContain('it continues in CodeDeploy');
    expect(run.stderr).toContain('fsops rollback internal-pe --env staging');
    expect(world.state.cdStops).toEqual([]);
    expect(audit().map((l) => l.result)).toEqual(['started', 'interrupted']);
    fake!.http['/health'] = { status: 200, body: 'ok' };

    const shown = await fsops('deployments', 'internal-pe', '--env', 'staging');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('strategy: CODE_DEPLOY');
    expect(shown.stdout).toContain(
      'codedeploy: application staging-fivestar, deployment group staging-internal-pe-dg',
    );
    expect(shown.stdout).toMatch(
      /in flight: CodeDeploy d-FAKE1 InProgress: production traffic on green, original task set kept/,
    );

    const back = await fsops('rollback', 'internal-pe', '--env', 'staging', '--yes');
    expect(back.code, back.stdout + back.stderr).toBe(0);
    expect(back.stdout).toContain('StopDeployment --auto-rollback-enabled accepted');
    expect(world.state.cdStops).toEqual([{ deploymentId: 'd-FAKE1', autoRollbackEnabled: true }]);
    expect(world.state.updates).toEqual([]);
    expect(world.state.running).toBe(42);
  });
});

describe('fsops deployments during a blue/green deployment', () => {
  it('shows the strategy, the lifecycle stage, the bake time left and which revision holds the traffic', async () => {
    const world = await setUp({
      env: 'staging',
      release: { strategy: 'BLUE_GREEN', hold: { stage: 'BAKE_TIME', polls: 100000 } },
    });
    const ecs = fake!.handlers.ecs!;
    ecs.RegisterTaskDefinition!({ family: 'staging-fivestar-internal-pe', containerDefinitions: [] });
    ecs.UpdateService!({ cluster: 'c', service: 's', taskDefinition: world.arnOf(43) });
    const arn = world.state.serviceDeployments[0]!.arn;
    for (let i = 0; i < 12; i++) ecs.DescribeServiceDeployments!({ serviceDeploymentArns: [arn] });
    expect(world.state.serviceDeployments[0]!.lifecycleStage).toBe('BAKE_TIME');
    const text = await fsops('deployments', 'internal-pe', '--env', 'staging');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('strategy: ECS BLUE_GREEN');
    expect(text.stdout).toMatch(
      /in flight: sd1 IN_PROGRESS BAKE_TIME \(BLUE_GREEN\): production traffic on green \(revision 43\), bake 15 of 15 min left/,
    );
    const json = JSON.parse(
      (await fsops('deployments', 'internal-pe', '--env', 'staging', '--output', 'json')).stdout,
    );
    expect(json.inFlight).toMatchObject({
      stage: 'BAKE_TIME',
      traffic: 'green',
      trafficRevision: 43,
      bakeTimeInMinutes: 15,
    });
    expect(json.rollback.action).toBe('stop-deployment');
  });
});

/** Spawns a deploy and sends `signal` once stderr shows `when` (or `when()` holds). */
async function interruptAt(
  args: string[],
  when: RegExp | (() => boolean),
  signal: NodeJS.Signals = 'SIGINT',
) {
  const child = spawn(
    process.execPath,
    [BIN, ...args, '--config', join(dir, 'fsops.yaml'), '--endpoint-url', fake!.url],
    {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        NO_COLOR: '1',
        AWS_EC2_METADATA_DISABLED: 'true',
        ...environment(),
      },
    },
  );
  let stderr = '';
  let stdout = '';
  child.stdout!.on('data', (chunk) => {
    stdout += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    const reached = () => (typeof when === 'function' ? when() : when.test(stderr));
    const timer = setInterval(() => {
      if (!reached()) return;
      clearInterval(timer);
      resolve();
    }, 20);
    child.stderr!.on('data', (chunk) => {
      stderr += String(chunk);
    });
  });
  child.kill(signal);
  const code = await exited;
  return { code, stderr, stdout };
}

describe('Ctrl-C says what state ECS is in, at each stage', () => {
  it('during the rolling rollout: exit 130, the state, the way back, audited interrupted', async () => {
    await setUp({ env: 'staging', release: { rolloutPolls: 100000 } });
    const run = await interruptAt(deployArgs('staging', '--yes'), /rollout IN_PROGRESS/);
    expect(run.code).toBe(130);
    expect(run.stdout).toMatch(
      /interrupted \(Ctrl-C\); ECS state: staging-fivestar-internal-pe:43 rollout IN_PROGRESS/,
    );
    expect(run.stderr).toContain('To stop it with rollback: fsops rollback internal-pe --env staging');
    expect(audit().map((l) => l.result)).toEqual(['started', 'interrupted']);
  });

  it.each([
    ['while green scales up', 'SCALE_UP', /IN_PROGRESS SCALE_UP/, 'production traffic on blue'],
    ['during the bake', 'BAKE_TIME', /bake \d+ min left/, 'production traffic on green'],
  ])(
    'blue/green %s: exit 130 with the stage and where the traffic is',
    async (_name, stage, when, traffic) => {
      const world = await setUp({
        env: 'staging',
        release: { strategy: 'BLUE_GREEN', hold: { stage, polls: 100000 } },
      });
      const run = await interruptAt(deployArgs('staging', '--yes'), when);
      expect(run.code).toBe(130);
      expect(run.stdout).toContain(`ECS state: IN_PROGRESS ${stage}, ${traffic}`);
      expect(run.stdout).toContain('`fsops rollback internal-pe` stops it with rollback');
      expect(world.state.stops).toEqual([]);
      expect(audit().map((l) => l.result)).toEqual(['started', 'interrupted']);
    },
  );

  it('during the gates, before any change: exit 130, nothing registered', async () => {
    const world = await setUp({ env: 'staging' });
    fake!.handlers.ecr!.DescribeImages = () => new Promise(() => undefined);
    const run = await interruptAt(
      deployArgs('staging', '--yes'),
      () => fake!.calls.some((c) => c.action === 'DescribeImages'),
      'SIGTERM',
    );
    expect(run.code).toBe(130);
    expect(world.state.registered).toEqual([]);
    expect(changes()).toEqual([]);
  });
});
