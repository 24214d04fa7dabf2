import type { CheckDefinition } from '../../core/check.js';

/** The database checks, registered in src/checks/index.ts. */
export const databaseChecks: CheckDefinition<never>[] = [];
