import type { CheckDefinition } from '../../core/check.js';

/** The maintenance checks, registered in src/checks/index.ts. */
export const maintenanceChecks: CheckDefinition<never>[] = [];
