import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../src/checks/index.js';
import { UsageError } from '../../../src/engine/model/errors.js';
import { resolveSteps } from '../../../src/engine/run-runbook.js';
import { listRunbooks, loadRunbook, parseRunbook } from '../../../src/engine/runbook.js';

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
