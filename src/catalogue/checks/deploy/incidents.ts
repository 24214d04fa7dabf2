import { z } from 'zod';
import type { CheckResult } from '../../../base/model/check.js';
import { defineCheck } from '../../../base/model/check.js';
import { openStore } from '../../../domain/incident/flow.js';
import type { IncidentRecord } from '../../../domain/incident/record.js';
import { describeUnreadable } from '../../../domain/incident/store.js';

/** SEV1 and SEV2 (ops guide §11.1.1) stop deploys: a release is not the moment to add a second change. */
export const BLOCKING_SEVERITIES = [1, 2];

/** Open SEV1/SEV2 incidents of the environment block a deploy unless overridden with a reason (pure). */
export function evaluateOpenIncidents(
  env: string,
  records: readonly IncidentRecord[],
  override?: string,
): CheckResult {
  const blocking = records.filter(
    (r) => r.env === env && r.state === 'open' && BLOCKING_SEVERITIES.includes(r.severity),
  );
  const expected = `no open SEV1/SEV2 incident in ${env}`;
  if (blocking.length === 0) {
    return { status: 'pass', resource: env, expected, observed: 'none open' };
  }
  const list = blocking.map((r) => `${r.id} SEV${r.severity} "${r.title}" since ${r.startedAt}`).join('; ');
  if (override) {
    return {
      status: 'warn',
      resource: env,
      expected,
      observed: `${list}; deployed anyway with --override-incident: ${override}`,
      remediation: 'Record the deploy in the incident: fsops incident update <id> --actions "..."',
    };
  }
  return {
    status: 'fail',
    resource: env,
    expected,
    observed: list,
    remediation: `Resolve the incident first (fsops incident show ${blocking[0]!.id}); a deploy that IS the fix goes with --override-incident --reason "<why>".`,
  };
}

export const deployIncidentsCheck = defineCheck({
  id: 'deploy.no-open-incident',
  title: 'No open SEV1/SEV2 incident',
  severity: 'critical',
  source: 'ops guide §11.1.1 (severity levels), §12.2.1 (Production: rollback ready if needed)',
  remediation: 'Resolve the incident before deploying, or override with a reason.',
  params: z
    .object({
      /** --override-incident --reason: deploy during an open SEV1/SEV2 (a fix for it), audited with this reason. */
      override: z.string().min(1).optional(),
    })
    .strict(),
  async run(ctx, params) {
    const { records, unreadable } = openStore(ctx.env.config.incident).scan();
    const results = [evaluateOpenIncidents(ctx.env.name, records, params.override)];
    // A record fsops cannot read may be this environment's open SEV1: never taken as "none open".
    if (unreadable.length > 0 && !params.override) {
      results.push({
        status: 'error',
        resource: ctx.env.name,
        expected: `every incident record readable (no open SEV1/SEV2 in ${ctx.env.name})`,
        observed: `cannot be read: ${describeUnreadable(unreadable)}`,
        remediation:
          'Repair or move the unreadable record away (fsops incident list names it), or deploy with --override-incident --reason "<why>".',
      });
    }
    return results;
  },
});
