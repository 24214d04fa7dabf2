import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/base/model/errors.js';
import { chooseRollbackTarget, parseToOption } from '../../../src/domain/ecs/target.js';
import { shortTaskDef } from '../../../src/domain/ecs/taskdef.js';
import { arn, deployment, FAMILY, facts, historyEntry, service } from './builders.js';

const short = (revision: number) => `${FAMILY}:${revision}`;

describe('chooseRollbackTarget without deployment history (family revisions)', () => {
  it.each([
    ['service on the newest revision', 42, [40, 41, 42], 41],
    // deployment guide §10.1 would pick taskDefinitionArns[1] = 42, the revision already running
    ['service on an older revision, a newer one never rolled out', 42, [40, 41, 42, 43], 41],
    ['after an earlier rollback (43 and 44 registered, 41 running)', 41, [39, 40, 41, 43, 44], 40],
    ['gaps from deregistered revisions', 42, [35, 38, 42, 43], 38],
  ])('%s', (_label, running, active, expected) => {
    const choice = chooseRollbackTarget(facts(service(running), active));
    expect(choice.kind).toBe('update-service');
    expect(shortTaskDef(choice.to)).toBe(short(expected));
    expect(shortTaskDef(choice.from)).toBe(short(running));
    expect(choice.notes.join(' ')).toMatch(/deployment history unavailable/);
  });

  it('refuses when nothing older is ACTIVE, pointing at --to', () => {
    expect(() => chooseRollbackTarget(facts(service(42), [42, 43]))).toThrow(
      /nothing to roll back to: prod-fivestar-internal-pe:42 is the oldest ACTIVE revision.*--to/,
    );
  });

  it('ignores revisions of a family that merely shares the prefix', () => {
    const f = facts(service(42), [42]);
    f.activeRevisions.push(arn(41, `${FAMILY}-canary`));
    expect(() => chooseRollbackTarget(f)).toThrow(UsageError);
  });

  it('refuses to undo a rollback in progress (PRIMARY older than the ACTIVE deployment)', () => {
    const running = service(42, {
      deployments: [
        deployment(42, { rolloutState: 'IN_PROGRESS', runningCount: 1 }),
        deployment(43, { status: 'ACTIVE', runningCount: 2 }),
      ],
    });
    expect(() => chooseRollbackTarget(facts(running, [41, 42, 43]))).toThrow(
      /a rollback is already in progress: the service is moving from prod-fivestar-internal-pe:43 back to prod-fivestar-internal-pe:42/,
    );
  });

  it('refuses while the PRIMARY deployment is still rolling out beside an ACTIVE one, naming --to', () => {
    const running = service(43, {
      deployments: [
        deployment(43, { rolloutState: 'IN_PROGRESS', runningCount: 1 }),
        deployment(42, { status: 'ACTIVE', runningCount: 2 }),
      ],
    });
    expect(() => chooseRollbackTarget(facts(running, [41, 42, 43]))).toThrow(
      /a rollout is in progress on prod-internal-pe-service: prod-fivestar-internal-pe:43 \(PRIMARY, IN_PROGRESS, 1\/3 running\) is replacing prod-fivestar-internal-pe:42.*--to 42/,
    );
  });
});

describe('chooseRollbackTarget while DescribeServices shows a rollout the history does not (lagging or empty)', () => {
  // :43 ran; someone rolls back to :42 (PRIMARY, in progress); the history does not list that yet.
  const inFlight = (primary: Partial<Parameters<typeof deployment>[1]> = {}) =>
    service(42, {
      deployments: [
        deployment(42, { rolloutState: 'IN_PROGRESS', runningCount: 1, ...primary }),
        deployment(43, { status: 'ACTIVE', runningCount: 2 }),
      ],
    });

  it('an empty history is not "nothing in progress": refuses instead of going :42 -> :41', () => {
    expect(() => chooseRollbackTarget(facts(inFlight(), [40, 41, 42, 43], []))).toThrow(
      /a rollback is already in progress: the service is moving from prod-fivestar-internal-pe:43 back to prod-fivestar-internal-pe:42/,
    );
  });

  it('a lagging history (only completed deployments) does not make :41 the target', () => {
    const history = [
      historyEntry(43, 'SUCCESSFUL', '2026-11-21T09:00:00Z'),
      historyEntry(42, 'SUCCESSFUL', '2026-11-20T09:00:00Z'),
      historyEntry(41, 'SUCCESSFUL', '2026-11-19T09:00:00Z'),
    ];
    expect(() => chooseRollbackTarget(facts(inFlight(), [40, 41, 42, 43], history))).toThrow(UsageError);
  });

  it('a forward rollout in flight (:42 -> :43) with an empty history is refused with the options', () => {
    const forward = service(43, {
      deployments: [
        deployment(43, { rolloutState: 'COMPLETED', runningCount: 1 }),
        deployment(42, { status: 'ACTIVE', runningCount: 2 }),
      ],
    });
    expect(() => chooseRollbackTarget(facts(forward, [41, 42, 43], []))).toThrow(
      /a rollout is in progress.*1\/3 running.*the deployment history does not list it yet; nothing was changed\. Options: wait.*--to 42/,
    );
  });

  it('--to still works while a rollout is in flight', () => {
    const choice = chooseRollbackTarget(facts(inFlight(), [40, 41, 42, 43], []), '43');
    expect(choice).toMatchObject({ kind: 'update-service', to: arn(43) });
  });
});

describe('chooseRollbackTarget with ECS deployment history', () => {
  it('picks the task definition of the last deployment that completed before the current one', () => {
    const history = [
      historyEntry(42, 'SUCCESSFUL', '2026-11-21T09:00:00Z'),
      historyEntry(43, 'ROLLBACK_SUCCESSFUL', '2026-11-20T12:00:00Z'),
      historyEntry(40, 'SUCCESSFUL', '2026-11-19T09:00:00Z'),
      historyEntry(38, 'SUCCESSFUL', '2026-11-18T09:00:00Z'),
    ];
    // 41 was registered but never deployed: the family's "nearest older" would pick it
    const choice = chooseRollbackTarget(facts(service(42), [38, 40, 41, 42, 43], history));
    expect(choice.kind).toBe('update-service');
    expect(shortTaskDef(choice.to)).toBe(short(40));
    expect(choice.reason).toMatch(/last deployment that completed before the current one on 2026-11-19/);
  });

  it('skips a completed revision that has since been deregistered', () => {
    const history = [
      historyEntry(42, 'SUCCESSFUL', '2026-11-21T09:00:00Z'),
      historyEntry(40, 'SUCCESSFUL', '2026-11-19T09:00:00Z'),
      historyEntry(37, 'SUCCESSFUL', '2026-11-17T09:00:00Z'),
    ];
    const choice = chooseRollbackTarget(facts(service(42), [37, 42], history));
    expect(shortTaskDef(choice.to)).toBe(short(37));
    expect(choice.notes).toContain(`skipped ${short(40)}: no longer ACTIVE (deregistered)`);
  });

  it('after an earlier rollback (42 -> 41) goes further back, never forward to the revision rolled back from', () => {
    const history = [
      historyEntry(41, 'SUCCESSFUL', '2026-11-21T09:00:00Z'),
      historyEntry(42, 'SUCCESSFUL', '2026-11-20T09:00:00Z'),
      historyEntry(39, 'SUCCESSFUL', '2026-11-19T09:00:00Z'),
    ];
    const choice = chooseRollbackTarget(facts(service(41), [39, 40, 41, 42], history));
    expect(shortTaskDef(choice.to)).toBe(short(39));
    expect(choice.notes).toContain(
      `skipped ${short(42)}: newer than the running revision 41 (the service was rolled back from it; --to 42 returns to it)`,
    );
  });

  it('after an earlier rollback with nothing older in the history, falls back to the nearest older ACTIVE revision', () => {
    const history = [
      historyEntry(41, 'SUCCESSFUL', '2026-11-21T09:00:00Z'),
      historyEntry(42, 'SUCCESSFUL', '2026-11-20T09:00:00Z'),
    ];
    const choice = chooseRollbackTarget(facts(service(41), [40, 41, 42], history));
    expect(shortTaskDef(choice.to)).toBe(short(40));
  });

  it('refuses to undo a rollback that is still in progress (it would return to the bad revision)', () => {
    // An earlier `fsops rollback` 43 -> 42 whose wait was interrupted: StopServiceDeployment ROLLBACK
    // would take the service back to 43.
    const goingBack = historyEntry(42, 'IN_PROGRESS', '2026-11-21T10:00:00Z', {
      finishedAt: undefined,
      sourceTaskDefinitions: [arn(43)],
    });
    const running = service(42, {
      deployments: [deployment(42, { rolloutState: 'IN_PROGRESS' }), deployment(43, { status: 'ACTIVE' })],
    });
    const history = [goingBack, historyEntry(43, 'SUCCESSFUL', '2026-11-20T09:00:00Z')];
    expect(() => chooseRollbackTarget(facts(running, [41, 42, 43], history))).toThrow(
      /a rollback is already in progress: the service is moving from prod-fivestar-internal-pe:43 back to prod-fivestar-internal-pe:42; follow it with `fsops deployments`/,
    );
  });

  it('falls back to the nearest older ACTIVE revision when the history has nothing earlier', () => {
    const history = [historyEntry(42, 'SUCCESSFUL', '2026-11-21T09:00:00Z')];
    const choice = chooseRollbackTarget(facts(service(42), [40, 41, 42], history));
    expect(shortTaskDef(choice.to)).toBe(short(41));
    expect(choice.notes.join(' ')).toMatch(/no earlier completed deployment/);
  });

  it('lets ECS roll back a deployment in progress (StopServiceDeployment ROLLBACK)', () => {
    const inProgress = historyEntry(43, 'IN_PROGRESS', '2026-11-21T10:00:00Z', {
      finishedAt: undefined,
      sourceTaskDefinitions: [arn(42)],
    });
    const running = service(43, {
      deployments: [deployment(43, { rolloutState: 'IN_PROGRESS' }), deployment(42, { status: 'ACTIVE' })],
    });
    const history = [inProgress, historyEntry(42, 'SUCCESSFUL', '2026-11-20T09:00:00Z')];
    const choice = chooseRollbackTarget(facts(running, [41, 42, 43], history));
    expect(choice).toMatchObject({
      kind: 'stop-deployment',
      deploymentArn: inProgress.arn,
      from: arn(43),
      to: arn(42),
    });
  });
});

describe('chooseRollbackTarget with --to', () => {
  const running = () => facts(service(42), [40, 41, 42, 43]);

  it.each([
    ['41', 41],
    [`${FAMILY}:40`, 40],
    [arn(43), 43],
  ])('--to %s picks that revision', (to, expected) => {
    const choice = chooseRollbackTarget(running(), to);
    expect(choice.kind).toBe('update-service');
    expect(shortTaskDef(choice.to)).toBe(short(expected));
    expect(choice.reason).toBe('chosen with --to');
  });

  it.each([
    [
      'another family',
      arn(41, 'prod-fivestar-customer-portal'),
      /is from family prod-fivestar-customer-portal, but the service runs prod-fivestar-internal-pe/,
    ],
    [
      'an INACTIVE revision',
      '39',
      /--to prod-fivestar-internal-pe:39 is not an ACTIVE revision .*ACTIVE revisions: 43, 42, 41, 40/,
    ],
    ['the revision already running', '42', /already runs: nothing to roll back/],
    ['nonsense', 'latest', /invalid --to 'latest': use a revision number/],
    ['zero', '0', /invalid --to '0'/],
  ])('refuses %s with one line', (_label, to, message) => {
    let thrown: unknown;
    try {
      chooseRollbackTarget(running(), to);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain('\n');
  });

  it('--to wins over a deployment in progress', () => {
    const inProgress = historyEntry(43, 'IN_PROGRESS', '2026-11-21T10:00:00Z', {
      sourceTaskDefinitions: [arn(42)],
    });
    const choice = chooseRollbackTarget(facts(service(43), [40, 41, 42, 43], [inProgress]), '40');
    expect(choice).toMatchObject({ kind: 'update-service', to: arn(40) });
  });
});

describe('parseToOption', () => {
  it('accepts a number, family:revision and an ARN', () => {
    expect(parseToOption('41')).toEqual({ revision: 41 });
    expect(parseToOption(`${FAMILY}:41`)).toEqual({ ref: { family: FAMILY, revision: 41 } });
    expect(parseToOption(arn(41))).toEqual({ ref: { family: FAMILY, revision: 41 } });
  });
});

describe('chooseRollbackTarget while ECS is already rolling back', () => {
  it('refuses when the history shows a rollback in progress', () => {
    const undoing = historyEntry(43, 'ROLLBACK_IN_PROGRESS', '2026-11-21T10:00:00Z', {
      finishedAt: undefined,
    });
    expect(() => chooseRollbackTarget(facts(service(42), [41, 42, 43], [undoing]))).toThrow(
      /ECS is already rolling back deployment d\d+ \(ROLLBACK_IN_PROGRESS\) of prod-fivestar-internal-pe:43; follow it with `fsops deployments`/,
    );
  });

  it('refuses when the circuit breaker is returning the service to the previous revision (no history)', () => {
    const running = service(42, {
      deployments: [
        deployment(42, { id: 'ecs-svc/42b', rolloutState: 'IN_PROGRESS' }),
        deployment(43, { status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: 'circuit breaker' }),
      ],
    });
    // Without this guard the "ACTIVE deployment" rule would pick :43, the revision that just failed.
    expect(() => chooseRollbackTarget(facts(running, [41, 42, 43]))).toThrow(
      /ECS is already rolling back from prod-fivestar-internal-pe:43 to prod-fivestar-internal-pe:42 \(circuit breaker\)/,
    );
  });

  it('still accepts an explicit --to', () => {
    const undoing = historyEntry(43, 'ROLLBACK_IN_PROGRESS', '2026-11-21T10:00:00Z');
    expect(chooseRollbackTarget(facts(service(42), [41, 42, 43], [undoing]), '41')).toMatchObject({
      to: arn(41),
    });
  });
});
