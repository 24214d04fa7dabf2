import type { CheckResult } from '../../../base/model/check.js';
import { defineCheck, noParams } from '../../../base/model/check.js';
import { judgeEach } from '../partial.js';
import { ecsServices } from '../service-facts.js';

export interface RollbackTargetFacts {
  component: string;
  family: string;
  /** The service's task definition ARN, or null when the service is missing. */
  current: string | null;
  /** ACTIVE revisions of the family, newest first. */
  active: string[];
}

const revisionOf = (arn: string) => Number(/:(\d+)$/.exec(arn)?.[1] ?? Number.NaN);

/** ops guide §12.1.2 "rollback procedures verified": an older ACTIVE revision to roll back to (deployment guide §10.1). */
export function evaluateRollbackTargets(facts: RollbackTargetFacts[]): CheckResult[] {
  return facts.map((f) => {
    const current = f.current ? revisionOf(f.current) : null;
    const older = f.active.filter((arn) => current !== null && revisionOf(arn) < current);
    return {
      status: current !== null && older.length > 0 ? 'pass' : 'fail',
      resource: f.family,
      expected: 'an ACTIVE revision older than the running one',
      observed:
        current === null
          ? 'service not found'
          : older.length
            ? `running revision ${current}; rollback target revision ${revisionOf(older[0]!)}`
            : `running revision ${current}; no older ACTIVE revision (${f.active.length} active)`,
      remediation: `Without an older ACTIVE revision there is nothing to roll back to (deployment guide §10.1): do not deregister old revisions of ${f.family} before the window.`,
    } satisfies CheckResult;
  });
}

export const rollbackTargetsCheck = defineCheck({
  id: 'maintenance.rollback-targets',
  title: 'A rollback target exists for every component',
  severity: 'critical',
  source: 'ops guide §12.1.2; deployment guide §10.1',
  remediation: 'Keep the previous task definition revision ACTIVE until the change is verified.',
  params: noParams,
  async run(ctx) {
    // Imported on use: src/domain/ecs/service-facts.ts loads the ECS SDK, which the check registry must not.
    const { listActiveRevisions } = await import('../../../domain/ecs/service-facts.js');
    const ecs = await ctx.aws.ecs();
    const services = await ecsServices(ctx);
    // One family whose revisions cannot be listed is its own error; the others are judged.
    return judgeEach(
      services,
      'maintenance.rollback-targets',
      (s) => {
        const family = ctx.env.nameOf('taskFamily', s.component);
        return { resource: family, what: `the ACTIVE revisions of ${family}` };
      },
      async (s) => {
        const family = ctx.env.nameOf('taskFamily', s.component);
        const current = s.service?.taskDefinition ?? null;
        const running = current ? revisionOf(current) : Number.NaN;
        // Revisions registered after the running one (a failed deploy, CI builds) can fill whole pages:
        // page until one reaches below the running revision. A missing service has nothing to roll back.
        const active = current
          ? await listActiveRevisions(ecs, family, { stopBelowRevision: running, signal: ctx.signal })
          : [];
        return evaluateRollbackTargets([{ component: s.component, family, current, active }]);
      },
    );
  },
});
