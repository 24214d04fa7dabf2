import type { Check } from '../../../base/model/check.js';
import { credentialsCheck, permissionsCheck } from './aws.js';
import { databaseReachableCheck } from './database.js';
import { configCheck, nodeCheck } from './local.js';

/** `fsops doctor`: the machine's checks, then each environment's. */
export const doctorChecks: Check[] = [
  nodeCheck,
  configCheck,
  credentialsCheck,
  databaseReachableCheck,
  permissionsCheck,
];
