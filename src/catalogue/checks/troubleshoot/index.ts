import type { Check } from '../../../base/model/check.js';
import { alarmListCheck } from './alarms.js';
import { albTargetsCheck } from './alb-targets.js';
import { certExpiryCheck } from './cert.js';
import { dbPathCheck } from './db-path.js';
import { ecsTasksCheck } from './ecs-tasks.js';
import { logErrorSignaturesCheck, rdsSlowStatementsCheck } from './log-errors.js';
import { metricsAlbCheck, metricsEcsCheck, metricsPaymentsCheck, metricsRdsCheck } from './metrics.js';
import { lmsQueueCheck, paymentFailuresCheck } from './payments-db.js';

/** The troubleshoot checks, registered in src/catalogue/checks/index.ts. */
export const troubleshootChecks: Check[] = [
  logErrorSignaturesCheck,
  rdsSlowStatementsCheck,
  ecsTasksCheck,
  metricsRdsCheck,
  metricsEcsCheck,
  metricsAlbCheck,
  metricsPaymentsCheck,
  dbPathCheck,
  certExpiryCheck,
  albTargetsCheck,
  paymentFailuresCheck,
  lmsQueueCheck,
  alarmListCheck,
];
