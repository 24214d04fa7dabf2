import type { AwsClients } from '../aws/clients.js';
import type { EnvContext } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { DbTarget } from '../db/connection.js';
import type { MaintenanceDb } from '../db/writable.js';
import type { CheckContext, CheckResult } from '../engine/model/check.js';
import type { Finding, Severity } from '../engine/model/finding.js';

/** What a mutating step may use: the check context (AWS, read-only facts) and the writable database session. */
export interface ActionContext {
  /** null when the database was given directly (--db-url) rather than through an environment. */
  env: EnvContext | null;
  config: Config;
  /** The environment's AWS clients (not connected until used); for a bare --db-url, clients for the config's region. */
  aws: AwsClients;
  /** Aborted when the person presses Ctrl-C during the changes: finish the statement in flight, start no new one. */
  signal: AbortSignal;
  now: Date;
  /** The writable maintenance session (opened on first use). */
  db(): Promise<MaintenanceDb>;
  /**
   * The run's database target as the person gave it (--db-url, --db-host/--db-port, else the
   * environment's secret), not connected: for an action that opens a session of its own against it
   * (the test restore compares its copy with this database). Absent: the action resolves the
   * environment's secret itself.
   */
  dbTarget?(): Promise<DbTarget>;
  /** Progress on stderr (batches deleted, table being vacuumed). */
  log(text: string): void;
  /** True once the person pressed Ctrl-C: finish the current statement, start no new one. */
  stopRequested?(): boolean;
  /**
   * A read-only check context over the same environment, for an action that reuses a check's fact
   * gathering (e.g. the health endpoint a drill probes). Throws when the run has no environment.
   */
  checkContext?(): CheckContext;
  /**
   * Runs checks of the command's catalogue through the engine's check runner (timeouts, shared facts,
   * errors as `error` findings), for an action whose procedure judges its own change before going on
   * (`deploy.release`'s gate during the bake or after the rollout). Absent when the command passed no
   * check catalogue.
   */
  runChecks?(
    steps: { check: string; params?: Record<string, unknown> }[],
    options: { since: Date },
  ): Promise<Finding[]>;
}

/** The result for an object an action did not get to because of Ctrl-C. */
export function interruptedResult(resource: string): CheckResult {
  return {
    status: 'skip',
    resource,
    expected: 'done',
    observed: 'not done: interrupted (Ctrl-C); run again to finish',
  };
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
  /**
   * Read-only checks whose findings this action changes (e.g. VACUUM and `db.bloat`): a run that applied
   * the action checks them again, so its report shows the state after the change, not before.
   */
  recheck?: string[];
  plan(ctx: ActionContext, params: P): Promise<ActionPlan>;
}
