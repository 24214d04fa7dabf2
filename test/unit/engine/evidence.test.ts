import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/base/model/finding.js';
import { overallStatus } from '../../../src/base/model/finding.js';
import { stepTimer } from '../../../src/engine/evidence.js';

const step = { check: { id: 'db.health' } } as never;
const of = (...statuses: Finding['status'][]) => statuses.map((status) => ({ status }) as Finding);

describe("stepTimer: a step's status in the evidence", () => {
  it('is ranked as the report ranks it (a skipped part does not outrank a pass; a fail outranks an error)', () => {
    for (const findings of [of('pass', 'skip'), of('skip'), of('error', 'fail'), of('warn', 'skip'), of()]) {
      const timer = stepTimer({ now: () => Date.now() });
      timer.hooks.onCheckStart?.(step);
      timer.hooks.onCheckDone?.(step, findings);
      expect(timer.timings[0]!.status).toBe(overallStatus(findings));
    }
  });
});
