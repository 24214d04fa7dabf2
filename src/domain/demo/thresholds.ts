/**
 * Thresholds for trouble a few seconds old: production waits a minute before calling a transaction
 * idle too long (runbook 002); a demo cannot. Plain data (docs/database.md quotes it: scripts/docs-numbers.mjs).
 */
export const DEMO_THRESHOLDS = {
  longQuerySeconds: { warn: 1, fail: 60 },
  idleInTransactionSeconds: { warn: 1, fail: 2 },
  lockWaitSeconds: { warn: 1, fail: 2 },
  unusedIndexMinBytes: 65_536,
};
