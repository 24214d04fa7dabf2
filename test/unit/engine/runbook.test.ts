import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/base/model/errors.js';
import { ACTIONS } from '../../../src/catalogue/actions/index.js';
import { CHECKS } from '../../../src/catalogue/checks/index.js';
import { resolveActionSteps, resolveSteps } from '../../../src/engine/run-runbook.js';
import { listRunbooks, loadRunbook, parseRunbook } from '../../../src/engine/runbook.js';
import { stepsFor } from '../../../src/engine/runner.js';

describe('runbooks/', () => {
  const runbooks = listRunbooks();

  it('every runbook parses, cites its source and names only checks that exist', () => {
    expect(runbooks.map((r) => r.name)).toContain('validate');
    for (const runbook of runbooks) {
      expect(runbook.source, runbook.name).toMatch(/guide|runbook/);
      expect(() => resolveSteps(runbook, CHECKS), runbook.name).not.toThrow();
    }
  });

  it('every check cites a guide section', () => {
    for (const check of Object.values(CHECKS)) expect(check.source, check.id).toMatch(/§|runbook|guide/);
  });

  it('validate covers every area issue 2 lists', () => {
    const ids = loadRunbook('validate').steps.map((step) => ('check' in step ? step.check : ''));
    expect(ids).toEqual([
      'ecs.service',
      'ecs.task-size',
      'rds.instance',
      'health.endpoints',
      'cloudwatch.alarms',
      'alarms.audit',
      'logs.groups',
      'logs.recent-errors',
      'ssm.maintenance-mode',
    ]);
  });
});

describe('parseRunbook', () => {
  const valid = 'name: demo\ntitle: Demo\nsource: ops guide §1\nsteps:\n  - check: ecs.service\n';

  it('accepts a minimal runbook', () => {
    expect(parseRunbook(valid, 'demo.yaml')).toMatchObject({
      name: 'demo',
      kind: 'procedure',
      steps: [{ check: 'ecs.service', params: {} }],
    });
  });

  it('reports problems with their path', () => {
    expect(() => parseRunbook(`${valid}  - chek: typo\n`, 'demo.yaml')).toThrow(UsageError);
    expect(() => parseRunbook('name: demo\ntitle: Demo\nsteps: []\n', 'demo.yaml')).toThrow(/source/);
    expect(() => parseRunbook(valid, 'other.yaml')).toThrow(/name 'demo' must match its file \(other\)/);
  });

  it('refuses a runbook naming a check that does not exist before anything runs', () => {
    const runbook = parseRunbook(valid.replace('ecs.service', 'ecs.servise'), 'demo.yaml');
    expect(() => resolveSteps(runbook, CHECKS)).toThrow(/unknown check 'ecs.servise': valid checks are/);
  });
});

describe('step parameters are checked against the check’s schema when the steps resolve', () => {
  const runbook = (steps: string) =>
    parseRunbook(`name: demo\ntitle: Demo\nsource: ops guide §1\nsteps:\n${steps}`, 'demo.yaml');
  const problem = (steps: string) => {
    try {
      resolveSteps(runbook(steps), CHECKS);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
    return null;
  };

  it('a misspelt parameter: one line naming the runbook, the step, the check and what is valid', () => {
    expect(
      problem(
        '  - manual: Is the change approved?\n    id: approved\n  - check: alarms.audit\n    params: { sumary: true }\n',
      ),
    ).toBe("runbook demo, step 2 (alarms.audit): unknown parameter 'sumary' (valid: summary, catalogue)");
  });

  it('a parameter of the wrong kind', () => {
    expect(problem('  - check: metrics.rds\n    params: { metrics: cpu }\n')).toMatch(
      /^runbook demo, step 1 \(metrics\.rds\): parameter 'metrics': .+ \(parameters: metrics, components\)$/,
    );
    expect(problem("  - check: cloudwatch.alarm-list\n    params: { state: 'FIRING' }\n")).toMatch(
      /^runbook demo, step 1 \(cloudwatch\.alarm-list\): parameter 'state': /,
    );
  });

  it('a parameter given to a check that takes none', () => {
    expect(problem('  - check: rds.instance\n    params: { components: [internal-pe] }\n')).toBe(
      'runbook demo, step 1 (rds.instance): takes no parameters (got components)',
    );
  });

  it('what the shipped runbooks give passes', () => {
    expect(problem('  - check: lms.queue\n    params: { metrics: false, database: false }\n')).toBeNull();
    expect(
      problem('  - check: logs.errors\n    params: { components: [internal-pe], show: 5 }\n'),
    ).toBeNull();
  });

  it("a command's own steps the same, named by their check", () => {
    expect(() => stepsFor(CHECKS, [{ check: 'tls.cert', params: { component: ['x'] } }])).toThrow(
      "check tls.cert: unknown parameter 'component' (valid: components)",
    );
  });
});

describe('action steps: their parameters are checked against the action’s schema when the runbook loads', () => {
  const runbook = (steps: string) =>
    parseRunbook(`name: demo\ntitle: Demo\nsource: ops guide §1\nsteps:\n${steps}`, 'demo.yaml');
  const problem = (steps: string) => {
    try {
      resolveActionSteps(runbook(steps), ACTIONS);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
    return null;
  };

  it('a misspelt parameter: one line naming the runbook, the step, the action, the key and the valid keys', () => {
    expect(
      problem('  - check: db.bloat\n  - action: db.vacuum-analyze\n    params: { table: [payments] }\n'),
    ).toBe("runbook demo, step 2 (db.vacuum-analyze): unknown parameter 'table' (valid: tables)");
  });

  it('a parameter of the wrong kind, and one given to an action that takes none', () => {
    expect(problem('  - action: backup.restore-test\n    params: { onlyIfEnabled: "yes" }\n')).toMatch(
      /^runbook demo, step 1 \(backup\.restore-test\): parameter 'onlyIfEnabled': .+ \(parameters: from, time, keep, dbHost, dbPort, onlyIfEnabled\)$/,
    );
    expect(problem('  - action: backup.restore-test-orphans\n    params: { all: true }\n')).toBe(
      'runbook demo, step 1 (backup.restore-test-orphans): takes no parameters (got all)',
    );
  });

  it('an unknown action id is refused the same way', () => {
    expect(problem('  - action: db.vacuum-everything\n')).toMatch(/^unknown action 'db.vacuum-everything'/);
  });

  it('every shipped runbook’s action steps pass', () => {
    for (const shipped of listRunbooks()) {
      expect(() => resolveActionSteps(shipped, ACTIONS), shipped.name).not.toThrow();
    }
    expect(problem('  - action: backup.restore-test\n    params: { onlyIfEnabled: true }\n')).toBeNull();
  });
});

describe('the catalogue entries themselves refuse parameters their schema does not take', () => {
  it('a check run with a misspelt parameter throws a usage error before its code runs', async () => {
    await expect(CHECKS['tls.cert']!.run({} as never, { component: ['x'] })).rejects.toThrow(
      "check tls.cert: unknown parameter 'component' (valid: components)",
    );
  });

  it('an action planned with a misspelt parameter: the same, before anything is read', async () => {
    await expect(ACTIONS['db.reindex']!.plan({} as never, { indx: 'payments_pkey' })).rejects.toThrow(
      "action db.reindex: unknown parameter 'indx' (valid: index)",
    );
  });
});
