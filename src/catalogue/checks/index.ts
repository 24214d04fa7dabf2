import type { Check } from '../../base/model/check.js';
import { alarmsAuditCheck } from './alarms-audit.js';
import { backupStatusChecks } from './backup/status.js';
import { cloudwatchAlarmsCheck } from './cloudwatch-alarms.js';
import { databaseChecks } from './database/index.js';
import { rdsReplicasCheck } from './database/rds-replicas.js';
import { deployChecks } from './deploy/index.js';
import { doctorChecks } from './doctor/index.js';
import { ecsLastDeploymentCheck } from './ecs-last-deployment.js';
import { ecsServiceCheck } from './ecs-service.js';
import { ecsTaskSizeCheck } from './ecs-task-size.js';
import { healthEndpointsCheck } from './health-endpoints.js';
import { lmsQueueStoreCheck, metricsDynamodbCheck } from './lms-queue.js';
import { logGroupsCheck } from './log-groups.js';
import { logArchiveCheck } from './logs/archive.js';
import { maintenanceChecks } from './maintenance/index.js';
import { maintenanceModeCheck } from './maintenance-mode.js';
import { paymentsReconcileCheck } from './payments/reconcile.js';
import { rdsInstanceCheck } from './rds-instance.js';
import { recentErrorsCheck } from './recent-errors.js';
import { redisChecks } from './redis/index.js';
import { securityChecks } from './security/index.js';
import { troubleshootChecks } from './troubleshoot/index.js';

/** Every check a runbook can name, by id. */
export const CHECKS: Readonly<Record<string, Check>> = Object.fromEntries(
  [
    ecsServiceCheck,
    ecsTaskSizeCheck,
    rdsInstanceCheck,
    healthEndpointsCheck,
    cloudwatchAlarmsCheck,
    logGroupsCheck,
    logArchiveCheck,
    recentErrorsCheck,
    maintenanceModeCheck,
    ...databaseChecks,
    ...troubleshootChecks,
    ...maintenanceChecks,
    ...securityChecks,
    ecsLastDeploymentCheck,
    alarmsAuditCheck,
    lmsQueueStoreCheck,
    metricsDynamodbCheck,
    ...backupStatusChecks,
    rdsReplicasCheck,
    ...redisChecks,
    paymentsReconcileCheck,
    ...deployChecks,
    ...doctorChecks,
  ].map((check) => [check.id, check]),
);
