import { z } from 'zod';
import type { DeployConfig } from '../../../base/config/schema.js';
import type { CheckResult } from '../../../base/model/check.js';
import { defineCheck } from '../../../base/model/check.js';

/** A configured change freeze (config `deploy.freezes`) that covers `now` in `env` blocks a deploy (pure). */
export function evaluateFreeze(
  env: string,
  freezes: DeployConfig['freezes'],
  now: Date,
  override?: string,
): CheckResult {
  const active = freezes.filter(
    (f) =>
      (!f.environments || f.environments.includes(env)) &&
      new Date(f.from).getTime() <= now.getTime() &&
      now.getTime() < new Date(f.to).getTime(),
  );
  const expected = `no change freeze in ${env} (config deploy.freezes)`;
  if (active.length === 0) {
    return {
      status: 'pass',
      resource: env,
      expected,
      observed: `none now (${freezes.length} configured)`,
    };
  }
  const list = active.map((f) => `${f.from} to ${f.to}: ${f.reason}`).join('; ');
  if (override) {
    return {
      status: 'warn',
      resource: env,
      expected,
      observed: `frozen (${list}); deployed anyway with --override-freeze: ${override}`,
    };
  }
  return {
    status: 'fail',
    resource: env,
    expected,
    observed: `frozen: ${list}`,
    remediation:
      'Wait for the freeze to end, or override it with --override-freeze --reason "<why>" (audited).',
  };
}

export const deployFreezeCheck = defineCheck({
  id: 'deploy.no-freeze',
  title: 'No change freeze',
  severity: 'high',
  source: 'ops guide §12.2.1 (Production: phased deployment approach); config deploy.freezes',
  remediation: 'Deploy after the freeze, or override with a reason.',
  params: z
    .object({
      /** --override-freeze --reason: deploy during a freeze, audited with this reason. */
      override: z.string().min(1).optional(),
    })
    .strict(),
  async run(ctx, params) {
    return [evaluateFreeze(ctx.env.name, ctx.env.config.deploy.freezes, ctx.now, params.override)];
  },
});
