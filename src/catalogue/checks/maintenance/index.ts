import type { Check } from '../../../base/model/check.js';
import { backupIntegrityCheck, backupRecentCheck } from './backups.js';
import { parametersCheck } from './parameters.js';
import { engineVersionsCheck, pendingActionsCheck, rdsWindowsCheck } from './rds-upgrades.js';
import { rollbackTargetsCheck } from './rollback-targets.js';
import { capacityCheck, storageCheck } from './storage.js';
import { changeRefCheck, windowOpenCheck } from './window.js';

/** The maintenance checks, registered in src/catalogue/checks/index.ts. */
export const maintenanceChecks: Check[] = [
  windowOpenCheck,
  changeRefCheck,
  backupRecentCheck,
  rollbackTargetsCheck,
  backupIntegrityCheck,
  storageCheck,
  capacityCheck,
  engineVersionsCheck,
  pendingActionsCheck,
  parametersCheck,
  rdsWindowsCheck,
];
