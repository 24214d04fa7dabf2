import type { CheckDefinition } from '../../core/check.js';

/** The troubleshoot checks, registered in src/checks/index.ts. */
export const troubleshootChecks: CheckDefinition<never>[] = [];
