import type { Action } from '../action.js';
import { alarmsApplyAction } from './alarms-apply.js';
import { restoreTestOrphansAction } from './backup/orphans.js';
import { restoreTestAction } from './backup/restore-test.js';
import { snapshotAction } from './backup/snapshot.js';
import { createNextPartitionsAction } from './db/partitions.js';
import { reindexAction } from './db/reindex.js';
import { retentionDeleteAction } from './db/retention.js';
import { signalBackendAction } from './db/signal-backend.js';
import { vacuumAnalyzeAction } from './db/vacuum.js';
import { codeDeployStopAction } from './deploy/codedeploy-stop.js';
import { releaseAction } from './deploy/release.js';
import { stopReleaseAction } from './deploy/stop.js';
import { ecsTaskLossAction } from './dr/ecs-task-loss.js';
import { rdsFailoverAction } from './dr/rds-failover.js';
import { archiveExportAction } from './logs/archive-export.js';
import { maintenanceModeAction } from './maintenance/maintenance-mode.js';
import { recoverTableAction } from './recover/table.js';

/** Every mutating step a runbook can name with `action:`, by id. */
export const ACTIONS: Readonly<Record<string, Action>> = Object.fromEntries(
  [
    vacuumAnalyzeAction,
    retentionDeleteAction,
    createNextPartitionsAction,
    reindexAction,
    alarmsApplyAction,
    restoreTestAction,
    restoreTestOrphansAction,
    snapshotAction,
    rdsFailoverAction,
    ecsTaskLossAction,
    maintenanceModeAction,
    signalBackendAction,
    recoverTableAction,
    releaseAction,
    stopReleaseAction,
    archiveExportAction,
    codeDeployStopAction,
  ].map((action) => [action.id, action]),
);
