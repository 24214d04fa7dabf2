import type { CheckResult } from '../../../base/model/check.js';
import { noParams } from '../../../base/model/check.js';
import { UsageError } from '../../../base/model/errors.js';
import { isKeptTagged, restoreTestInstances } from '../../../domain/backup/naming.js';
import { listDbInstances } from '../../../domain/backup/rds.js';
import { deleteTemporaryInstance } from '../../../domain/backup/restore.js';
import { defineAction } from '../../action.js';

const ID = 'backup.verify.orphan';
const TITLE = 'No restore-test instance of an earlier run is left behind';

/**
 * Restore-test instances that an earlier `backup verify` left behind (killed with SIGKILL, or a
 * deletion that failed): named in the plan and deleted under the run's one confirmation and audit.
 * A copy kept on purpose (`--keep`, tagged keep=true) is named, not deleted.
 */
export const restoreTestOrphansAction = defineAction({
  id: 'backup.restore-test-orphans',
  title: 'Delete restore-test instances left behind by earlier runs',
  severity: 'medium',
  source: 'runbook 002 Backup Verification (clean up the test database); runbook 003 Monthly Tasks',
  remediation: 'Delete the temporary instance without a final snapshot.',
  params: noParams,
  async plan(ctx) {
    if (!ctx.env || !ctx.aws) throw new UsageError('backup verify needs an environment (--env)');
    const env = ctx.env.name;
    const rds = await ctx.aws.rds();
    const found = restoreTestInstances(env, await listDbInstances(rds));
    const kept = found.filter((db) => isKeptTagged(db.TagList));
    const orphans = found.filter((db) => !isKeptTagged(db.TagList));
    const describe = (db: (typeof found)[number]) =>
      `${db.DBInstanceStatus ?? 'status unknown'}, created ${db.InstanceCreateTime?.toISOString() ?? '?'}`;
    const keptResults: CheckResult[] = kept.map((db) => ({
      id: ID,
      title: TITLE,
      status: 'warn',
      resource: db.DBInstanceIdentifier!,
      expected: 'no restore-test instance running',
      observed: `kept on purpose (--keep; ${describe(db)}): it costs money until deleted`,
      remediation: `aws rds delete-db-instance --db-instance-identifier ${db.DBInstanceIdentifier} --skip-final-snapshot`,
    }));
    const none: CheckResult = {
      id: ID,
      title: TITLE,
      status: 'pass',
      resource: `${env}-fivestar-restore-test-*`,
      expected: 'no restore-test instance running',
      observed: 'none left by an earlier run',
    };
    if (orphans.length === 0) {
      return { lines: [], preview: keptResults.length ? keptResults : [none], apply: async () => [] };
    }
    return {
      lines: orphans.map(
        (db) =>
          `delete ${db.DBInstanceIdentifier}, a restore-test instance left behind by an earlier run (${describe(db)}), without a final snapshot`,
      ),
      preview: [
        ...orphans.map(
          (db): CheckResult => ({
            id: ID,
            title: TITLE,
            status: 'warn',
            resource: db.DBInstanceIdentifier!,
            expected: 'no restore-test instance running',
            observed: `left behind by an earlier run (${describe(db)}): would be deleted`,
          }),
        ),
        ...keptResults,
      ],
      apply: async () => {
        const results: CheckResult[] = [];
        for (const db of orphans) {
          const deleted = await deleteTemporaryInstance(rds, db.DBInstanceIdentifier!, ID);
          results.push({
            ...deleted,
            title: TITLE,
            // It ran (and cost money) until now: a warning even when the deletion started.
            status: deleted.status === 'pass' ? 'warn' : deleted.status,
            observed: `left behind by an earlier run (${describe(db)}); ${deleted.observed}`,
          });
        }
        return [...results, ...keptResults];
      },
    };
  },
});
