import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/base/model/errors.js';
import { CHECKS } from '../../../src/catalogue/checks/index.js';
import { resolveSteps } from '../../../src/engine/run-runbook.js';
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
