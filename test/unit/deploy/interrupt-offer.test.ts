import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deploy } from '../../../src/commands/deploy.js';
import { dispatchInterrupt } from '../../../src/engine/interrupt.js';
import { type FakeAws, installRelease, type ReleaseWorld, startFakeWorld } from '../../helpers/fake-aws.js';
import { type TestRuntime, testRuntime } from '../../helpers/runtime.js';

// In process, with a terminal that answers: Ctrl-C during the bake, then the offer to stop with rollback.
let fake: FakeAws;
let world: ReleaseWorld;
let dir: string;
const saved = { ...process.env };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fsops-offer-'));
  fake = await startFakeWorld('staging');
  world = installRelease(fake, 'staging', {
    strategy: 'BLUE_GREEN',
    hold: { stage: 'BAKE_TIME', polls: 100000 },
    // Ctrl-C as the bake begins (the interrupt the terminal's SIGINT dispatches).
    onStage: (stage) => {
      if (stage === 'BAKE_TIME') setTimeout(() => dispatchInterrupt(), 50);
    },
  });
  fake.http['/green/health'] = { status: 200, body: 'ok' };
  fake.http['/green/ready'] = { status: 200, body: 'ok' };
  writeFileSync(
    join(dir, 'fsops.yaml'),
    `deploy:\n  pollSeconds: 0.02\n  testUrls:\n    internal-pe: ${fake.url}/green\n`,
  );
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDFAKE',
    AWS_SECRET_ACCESS_KEY: 'fake',
    FSOPS_AUDIT_FILE: join(dir, 'audit.jsonl'),
    FSOPS_INCIDENT_DIR: join(dir, 'incidents'),
  });
});

afterEach(async () => {
  process.env = { ...saved };
  await fake.close();
});

/** `deploy internal-pe --env staging --image 1.4.3` in process, on the runtime's scripted terminal. */
const deployOnTerminal = (runtime: TestRuntime) =>
  deploy(
    'internal-pe',
    {
      env: 'staging',
      image: '1.4.3',
      config: join(dir, 'fsops.yaml'),
      endpointUrl: fake.url,
      output: 'text',
    },
    runtime,
  );

describe('Ctrl-C during a deploy, on a terminal', () => {
  it('reports the stage, then offers to stop with rollback: answered yes, the deployment is stopped (audited), exit 130', async () => {
    const runtime = testRuntime({ answers: ['y', 'y'] });
    const code = await deployOnTerminal(runtime);
    expect(code).toBe(130);
    expect(runtime.asked).toHaveLength(2);
    expect(runtime.asked[1]).toMatch(/deploy internal-pe stop: deploy.stop\? \[y\/N\]/i);
    expect(world.state.stops).toEqual([
      { serviceDeploymentArn: world.state.serviceDeployments[0]!.arn, stopType: 'ROLLBACK' },
    ]);
    const audit = readFileSync(join(dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { command: string; result: string });
    expect(audit.map((l) => [l.command, l.result])).toEqual([
      ['deploy', 'started'],
      ['deploy', 'interrupted'],
      ['deploy internal-pe stop: deploy.stop', 'started'],
      ['deploy internal-pe stop: deploy.stop', 'succeeded'],
    ]);
  });

  it('answered no: nothing more is changed, the deployment continues in ECS', async () => {
    const code = await deployOnTerminal(testRuntime({ answers: ['y', 'n'] }));
    expect(code).toBe(130);
    expect(world.state.stops).toEqual([]);
    expect(world.state.serviceDeployments[0]!.status).toBe('IN_PROGRESS');
  });
});
