import { z } from 'zod';
import type { MaintenanceConfig } from '../../../base/config/schema.js';
import type { CheckResult } from '../../../base/model/check.js';
import { defineCheck } from '../../../base/model/check.js';
import { describeWindowState, nextWindow, openWindow } from '../../../domain/maintenance/window.js';

export const CHANGE_REF_ENV = 'FSOPS_CHANGE_REF';

export function evaluateWindowOpen(
  now: Date,
  rule: MaintenanceConfig,
  kind: 'any' | 'database',
): CheckResult {
  const open = openWindow(now, rule);
  const ok = open !== null && (kind === 'any' || open.kind === 'database');
  const state = describeWindowState(now, rule);
  const wanted = kind === 'database' ? 'a database maintenance window' : 'a maintenance window';
  return {
    status: ok ? 'pass' : 'fail',
    resource: rule.window.timeZone,
    expected: `${wanted} is open now`,
    observed:
      open && !ok
        ? `a regular window is open, not a database one; next database window ${nextWindow(now, rule, 'database').start.toISOString()}`
        : state.text,
    remediation:
      'Wait for the window (`fsops maintenance window`), or get emergency approval from the Engineering Manager (ops guide §12.1.1).',
  };
}

export const windowOpenCheck = defineCheck({
  id: 'maintenance.window-open',
  title: 'The maintenance window is open',
  severity: 'high',
  source: 'ops guide §12.1.1, §12.1.2',
  remediation: 'Wait for the window or get emergency approval.',
  params: z.object({ kind: z.enum(['any', 'database']).optional() }).strict(),
  async run(ctx, params) {
    return [evaluateWindowOpen(ctx.now, ctx.env.config.maintenance, params.kind ?? 'any')];
  },
});

export function evaluateChangeRef(ref: string | undefined, pattern: string): CheckResult {
  const trimmed = ref?.trim();
  const valid = Boolean(trimmed) && new RegExp(pattern).test(trimmed!);
  return {
    status: valid ? 'pass' : 'fail',
    resource: 'change approval',
    expected: `a change reference matching ${pattern} (--change-ref or ${CHANGE_REF_ENV})`,
    observed: trimmed
      ? valid
        ? trimmed
        : `'${trimmed}' does not look like a change reference`
      : 'none recorded',
    remediation: `Record the approved change: --change-ref CHG123 (or ${CHANGE_REF_ENV}); the pattern is maintenance.changeRefPattern.`,
  };
}

export const changeRefCheck = defineCheck({
  id: 'maintenance.change-ref',
  title: 'A change approval reference is recorded',
  severity: 'high',
  source: 'ops guide §12.1.2 (change management approval obtained)',
  remediation: 'Record the change reference.',
  params: z.object({ changeRef: z.string().optional() }).strict(),
  async run(ctx, params) {
    return [
      evaluateChangeRef(
        params.changeRef ?? process.env[CHANGE_REF_ENV],
        ctx.env.config.maintenance.changeRefPattern,
      ),
    ];
  },
});
