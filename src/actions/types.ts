import type { EnvContext } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { CheckResult } from '../core/check.js';
import type { Severity } from '../core/finding.js';
import type { MaintenanceDb } from './db/session.js';

/** What a mutating step may use: the check context (AWS, read-only facts) and the writable database session. */
export interface ActionContext {
  /** null when the database was given directly (--db-url) rather than through an environment. */
  env: EnvContext | null;
  config: Config;
  now: Date;
  /** The writable maintenance session (opened on first use). */
  db(): Promise<MaintenanceDb>;
  /** Progress on stderr (batches deleted, table being vacuumed). */
  log(text: string): void;
}

/** The work an action found to do, computed read-only; nothing changes until `apply`. */
export interface ActionPlan {
  /** Lines for the confirmation prompt; empty when there is nothing to do. */
  lines: string[];
  /** Findings when there is nothing to do (e.g. "no table needs VACUUM"), or what a dry run would do. */
  preview: CheckResult[];
  /** Makes the change and reports what changed, one result per object touched. */
  apply(): Promise<CheckResult[]>;
}

export interface ActionDefinition<P = Record<string, unknown>> {
  id: string;
  title: string;
  severity: Severity;
  source: string;
  remediation: string;
  plan(ctx: ActionContext, params: P): Promise<ActionPlan>;
}
