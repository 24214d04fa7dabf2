import type { Check } from '../../../base/model/check.js';
import { cloudTrailCheck, configRecorderCheck } from './audit-trail.js';
import { logEncryptionCheck, rdsEncryptionCheck, rdsForceSslCheck, taskDefSecretsCheck } from './data.js';
import { crossAccountRolesCheck, taskRolesCheck } from './identity.js';
import { loginAbuseCheck } from './login-abuse.js';
import { networkCheck } from './network.js';
import { secretsRotationCheck } from './secrets.js';
import { guardDutyCheck } from './threat.js';
import { imageVulnerabilitiesCheck } from './vulnerabilities.js';

/** The `fsops security` checks (runbooks/security.yaml), registered in src/catalogue/checks/index.ts. */
export const securityChecks: Check[] = [
  guardDutyCheck,
  cloudTrailCheck,
  configRecorderCheck,
  networkCheck,
  rdsEncryptionCheck,
  rdsForceSslCheck,
  logEncryptionCheck,
  taskDefSecretsCheck,
  secretsRotationCheck,
  taskRolesCheck,
  crossAccountRolesCheck,
  loginAbuseCheck,
  imageVulnerabilitiesCheck,
];
