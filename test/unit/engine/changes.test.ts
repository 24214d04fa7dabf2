import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { noParams } from '../../../src/base/model/check.js';
import { ExitCode, ExitError, UsageError } from '../../../src/base/model/errors.js';
import { type Finding, reportExitCode } from '../../../src/base/model/finding.js';
import { type Action, defineAction, interruptedResult } from '../../../src/catalogue/action.js';
import { type ChangesResult, changeReport, PLAN_FAILED_NEXT } from '../../../src/engine/changes.js';
import { dispatchInterrupt } from '../../../src/engine/interrupt.js';
import { mergeRechecked } from '../../../src/engine/recheck.js';
import type { PromptIO } from '../../../src/engine/safety.js';
import { runTestChanges } from '../../helpers/changes.js';
import { testRuntime } from '../../helpers/runtime.js';

let audit: string;
beforeEach(() => {
  audit = join(mkdtempSync(join(tmpdir(), 'fsops-actions-')), 'audit.jsonl');
  process.env.FSOPS_AUDIT_FILE = audit;
});
afterEach(() => {
  delete process.env.FSOPS_AUDIT_FILE;
});

/** An action whose plan cannot read what it needs (here: access denied on its first AWS call). */
const failingToPlan = defineAction({
  id: 'test.failover',
  title: 'Failover drill',
  severity: 'high',
  source: 'runbook 002 Failover Testing',
  remediation: 'Find out why the failover took longer before relying on it.',
  params: noParams,
  plan: async () => {
    throw Object.assign(new Error('User is not authorized to perform rds:DescribeDBInstances'), {
      name: 'AccessDeniedException',
    });
  },
});

describe('runChanges: a step that cannot plan', () => {
  it('is an error finding saying nothing was changed, not the advice of a change that ran', async () => {
    const { findings } = await runTestChanges([{ action: failingToPlan, params: {} }], {
      command: 'dr drill',
      target: 'staging',
      protectedEnv: false,
      yes: true,
    });
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'test.failover',
        status: 'error',
        observed:
          'could not plan its changes: access denied (AccessDeniedException): User is not authorized to perform rds:DescribeDBInstances',
        remediation: PLAN_FAILED_NEXT,
      }),
    ]);
    expect(findings[0]!.remediation).not.toContain('failover took longer');
    // nothing was planned, so nothing was started
    expect(auditResults()).not.toContain('started');
  });
});

/** A terminal where the person presses Ctrl-C at the prompt. */
const ctrlC: PromptIO = {
  isTTY: true,
  ask: async () => {
    throw new ExitError(ExitCode.interrupted, 'interrupted at the confirmation prompt: nothing was changed');
  },
  print: () => {},
};

/** The results of the audit lines written so far (none when there is no audit file yet). */
function auditResults(): string[] {
  try {
    return readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).result);
  } catch {
    return [];
  }
}

/** An action with one planned change; counts how often apply ran. */
function oneChange(applied: { count: number }): Action {
  return defineAction({
    id: 'test.change',
    title: 'A change',
    severity: 'medium',
    source: 'ops guide §9',
    remediation: 'Run it again.',
    params: noParams,
    plan: async () => ({
      lines: ['change one thing'],
      preview: [{ status: 'pass', resource: 'thing', observed: 'would change' }],
      apply: async () => {
        applied.count += 1;
        return [{ status: 'pass', resource: 'thing', observed: 'changed' }];
      },
    }),
  });
}

describe('runChanges: Ctrl-C at the confirmation prompt', () => {
  it('is an interruption (the caller exits 130), not a decline that exits 0; nothing applied', async () => {
    const applied = { count: 0 };
    const { findings, interrupted, declined } = await runTestChanges(
      [{ action: oneChange(applied), params: {} }],
      {
        command: 'maintenance run weekly',
        target: 'staging',
        protectedEnv: false,
        io: ctrlC,
      },
    );
    expect(applied.count).toBe(0);
    expect(interrupted).toBe(true);
    expect(declined).toBe(false);
    expect(findings.map((f) => f.status)).toEqual(['skip']);
    expect(auditResults()).toEqual(['refused']);
  });

  it('is returned as the stop (exit 130, its message) for a command that ends with it instead of a report', async () => {
    const applied = { count: 0 };
    const { stop } = await runTestChanges([{ action: oneChange(applied), params: {} }], {
      command: 'maintenance run weekly',
      target: 'staging',
      protectedEnv: false,
      io: ctrlC,
    });
    expect(stop).toMatchObject({
      code: ExitCode.interrupted,
      message: 'interrupted at the confirmation prompt: nothing was changed',
    });
    expect(applied.count).toBe(0);
  });
});

describe('runChanges: Ctrl-C during one step', () => {
  it('starts no later step: no "started" audit line, no apply, the step reported as not done', async () => {
    const second = { count: 0 };
    const interruptedWhileApplying: Action = {
      ...oneChange({ count: 0 }),
      id: 'test.first',
      plan: async () => ({
        lines: ['first change'],
        preview: [],
        apply: async () => {
          // Ctrl-C (or SIGTERM) arrives while the first step's statement is in flight.
          dispatchInterrupt();
          return [{ status: 'pass', resource: 'first', observed: 'changed' }];
        },
      }),
    };
    const later = { ...oneChange(second), id: 'test.second' };
    const runtime = testRuntime();
    const { findings, interrupted } = await runTestChanges(
      [
        { action: interruptedWhileApplying, params: {} },
        { action: later, params: {} },
      ],
      {
        command: 'dr drill',
        target: 'staging',
        protectedEnv: false,
        yes: true,
        runtime,
      },
    );
    expect(runtime.err()).toContain('fsops: stopping after the current statement');
    expect(interrupted).toBe(true);
    expect(second.count).toBe(0);
    expect(findings.map((f) => [f.id, f.status])).toEqual([
      ['test.first', 'pass'],
      ['test.second', 'skip'],
    ]);
    expect(findings[1]!.observed).toContain('interrupted');
    const records = readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((r) => [r.command, r.result])).toEqual([
      ['dr drill: test.first', 'started'],
      ['dr drill: test.first', 'interrupted'],
    ]);
  });
});

describe('runChanges: declined at the confirmation prompt', () => {
  const answering = (answer: string): PromptIO => ({ isTTY: true, ask: async () => answer, print: () => {} });
  const options = (io: PromptIO) => ({
    command: 'maintenance run weekly',
    target: 'staging',
    protectedEnv: false,
    io,
  });

  it('is a refusal like every other (the caller exits 2 after its report), nothing applied, audited refused', async () => {
    const applied = { count: 0 };
    const { findings, declined, interrupted } = await runTestChanges(
      [{ action: oneChange(applied), params: {} }],
      options(answering('n')),
    );
    expect(applied.count).toBe(0);
    expect(declined).toBe(true);
    expect(interrupted).toBe(false);
    expect(findings.map((f) => f.status)).toEqual(['skip']);
    expect(auditResults()).toEqual(['refused']);
  });

  it('is returned as the stop (exit 2, its message) for a command that ends with it instead of a report', async () => {
    const applied = { count: 0 };
    const { stop } = await runTestChanges(
      [{ action: oneChange(applied), params: {} }],
      options(answering('n')),
    );
    expect(stop).toMatchObject({ code: ExitCode.usage, message: 'not confirmed: nothing was changed' });
    expect(applied.count).toBe(0);
  });
});

describe('runChanges: an interrupted run is never a pass', () => {
  it('two passes and an interrupted step make an INTERRUPTED report (exit 130), with what was done and not', async () => {
    const partly: Action = {
      ...oneChange({ count: 0 }),
      id: 'test.partly',
      recheck: ['test.check'],
      plan: async () => ({
        lines: ['delete expired rows of two tables'],
        preview: [],
        apply: async (run) => {
          dispatchInterrupt();
          expect(run.signal.aborted).toBe(true);
          return [
            { status: 'pass', resource: 'payment_attempts', observed: 'deleted 10 rows' },
            interruptedResult('webhook_logs'),
          ];
        },
      }),
    };
    const runtime = testRuntime();
    const result: ChangesResult = await runTestChanges([{ action: partly, params: {} }], {
      command: 'db retention',
      target: 'staging',
      yes: true,
      runtime,
    });
    expect(runtime.err()).toContain('fsops: stopping after the current statement');
    expect(result.interrupted).toBe(true);
    expect(result.interruptedAt).toBe('changes');
    const report = changeReport('db retention', 'staging', new Date(), Date.now, result.findings, result);
    // Its findings alone would say PASS (a pass and a skip).
    expect(report.findings.map((f) => f.status)).toEqual(['pass', 'skip']);
    expect(report.status).toBe('interrupted');
    expect(reportExitCode(report, false)).toBe(130);
    expect(report.interruption).toEqual({
      done: ['test.partly [payment_attempts]: deleted 10 rows'],
      notDone: [
        'test.partly [webhook_logs]: not done: interrupted (Ctrl-C); run again to finish',
        'not checked again after the changes: test.check',
      ],
    });
  });

  it('Ctrl-C at the prompt: INTERRUPTED, nothing was changed', async () => {
    const result = await runTestChanges([{ action: oneChange({ count: 0 }), params: {} }], {
      command: 'alarms apply',
      target: 'staging',
      io: ctrlC,
    });
    const report = changeReport('alarms apply', 'staging', new Date(), Date.now, result.findings, result);
    expect(report.status).toBe('interrupted');
    expect(report.interruption!.done).toEqual(['nothing was changed']);
    expect(report.interruption!.notDone).toEqual(['test.change: not started (1 change(s) planned)']);
  });
});

describe('the recheck merge rule', () => {
  const f = (id: string, status: Finding['status']): Finding => ({
    id,
    checkId: id,
    title: id,
    status,
    severity: 'medium',
    resource: 'r',
    detail: '',
    expected: '',
    observed: '',
    remediation: '',
    source: '',
  });

  it('a check that did not run before the changes comes after the changes’ findings, said so in a note', () => {
    const { findings, note } = mergeRechecked(
      [f('alarms.apply', 'pass')],
      [f('alarms.audit', 'pass')],
      ['alarms.audit'],
    );
    expect(findings.map((x) => x.id)).toEqual(['alarms.apply', 'alarms.audit']);
    expect(note).toBe("Checked again after the changes: alarms.audit (the findings after the changes' own).");
  });
});

describe("runChanges: a command's step whose parameters its action does not take", () => {
  it('is exit 2 naming the action, the key and the valid keys, before anything is refused, planned or audited', async () => {
    const asked: string[] = [];
    const picky = defineAction({
      id: 'test.picky',
      title: 'A change with parameters',
      severity: 'medium',
      source: 'ops guide §9',
      remediation: 'Run it again.',
      params: z.object({ tables: z.array(z.string()).optional() }).strict(),
      refuse: () => {
        asked.push('refuse');
        return null;
      },
      plan: async () => {
        asked.push('plan');
        return { lines: [], preview: [], apply: async () => [] };
      },
    });
    const run = runTestChanges(
      [
        { action: oneChange({ count: 0 }), params: {} },
        { action: picky, params: { table: ['payments'] } },
      ],
      { command: 'db vacuum', target: 'staging', yes: true },
    );
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow("action test.picky: unknown parameter 'table' (valid: tables)");
    expect(asked).toEqual([]);
    let lines: string[] = [];
    try {
      lines = readFileSync(audit, 'utf8').trim().split('\n').filter(Boolean);
    } catch {}
    expect(lines).toEqual([]);
  });
});
