import { z } from 'zod';
import type { AwsClients } from '../base/aws/clients.js';
import type { EnvContext } from '../base/config/load.js';
import type { Config } from '../base/config/schema.js';
import {
  acceptParams,
  type CatalogueEntry,
  type CheckContext,
  type CheckResult,
  type ParamsSchema,
} from '../base/model/check.js';
import type { Finding } from '../base/model/finding.js';
import type { DbSession } from '../domain/db/connection.js';
import type { DbTarget } from '../domain/db/target.js';
import type { MaintenanceDb, WriteSessionOptions } from '../domain/db/writable.js';

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
  /**
   * The writable maintenance session (opened on first use). The first caller may name other
   * settings (`db.signal-backend` sends its one statement with the diagnostic timeouts, as `fsops`).
   */
  db(options?: WriteSessionOptions): Promise<MaintenanceDb>;
  /** The read-only diagnostic session of the run's database, for a plan that looks before it acts. */
  readDb?(): Promise<DbSession>;
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
    options: { since: Date; signal: AbortSignal },
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

/**
 * What `apply` gets from the run (src/engine/changes.ts): the run's abort signal — aborted by Ctrl-C,
 * SIGTERM or SIGHUP once the change has started — and a progress log (stderr). A long wait (a
 * deployment, a restore) polls under `signal` and stops at the next safe point when it is aborted.
 */
export interface ApplyRun {
  signal: AbortSignal;
  log(text: string): void;
  /**
   * The audit outcome when the results alone do not say it (an ECS rollout `rolled-back` or
   * `timed-out`, a change `accepted` but not waited for). Default: `interrupted` when the signal was
   * aborted, `failed` when a result is fail/error, else `succeeded`.
   */
  auditOutcome(outcome: ApplyOutcome): void;
  /** The one-line state of a long wait (a spinner's text on a terminal; nothing elsewhere). */
  status?(text: string): void;
}

/** An audit outcome an action may name for its change (see ApplyRun.auditOutcome). */
export interface ApplyOutcome {
  result: 'succeeded' | 'failed' | 'interrupted' | 'rolled-back' | 'timed-out' | 'accepted';
  detail?: string;
}

/** The work an action found to do, computed read-only; nothing changes until `apply`. */
export interface ActionPlan {
  /** Lines for the confirmation prompt; empty when there is nothing to do. */
  lines: string[];
  /** Findings when there is nothing to do (e.g. "no table needs VACUUM"), or what a dry run would do. */
  preview: CheckResult[];
  /**
   * The audit record's fields for this change, when the run's defaults (`<command>: <action id>`,
   * the plan lines as detail) do not name it as people know it: `db cancel 4242`, from/to values.
   * `summary` is the detail of its refused, dry-run and started lines and prefixes its outcome.
   */
  /** The prompt's verb phrase when this is the run's only change, e.g. "cancel backend 4242". */
  verb?: string;
  /**
   * A dangerous variant (scaling prod to 0): on a terminal `word` must be typed even under --yes;
   * without one, --yes and `flag` are both needed (`flagGiven`), else the run is refused.
   */
  danger?: { word: string; flag: string; flagGiven: boolean };
  /** This plan's own recheck when it differs from the action's (none after scaling to 0). */
  recheck?: string[];
  audit?: { command?: string; component?: string; from?: string; to?: string; summary?: string };
  /**
   * Makes the change and reports what changed, one result per object touched. Interrupted (the run's
   * signal aborted: Ctrl-C, SIGTERM, SIGHUP), it stops at its next safe point and returns what was done
   * as usual and what was not as `interruptedResult(resource)` (status `skip`); the driver audits
   * `interrupted` and the report is INTERRUPTED (exit 130), never a pass.
   */
  apply(run: ApplyRun): Promise<CheckResult[]>;
}

/**
 * A parameter a command builds from its facts rather than a person types (an SDK shape, a clock, a
 * callback): its schema only asks that it be there (optional: `.optional()`), and it is passed on as given.
 */
export function built<T>(what = 'a value the command builds') {
  return z.custom<T>((value) => value !== undefined && value !== null, { message: `expected ${what}` });
}

/** An action as written (`defineAction`): its parameters' type is its schema's (`z.infer`). */
export interface ActionSpec<S extends ParamsSchema> extends CatalogueEntry {
  /**
   * The step parameters it takes (a strict zod object, `noParams` for none): checked when a runbook
   * loads or a command builds its steps, before anything is refused, planned or changed.
   */
  params: S;
  /**
   * Read-only checks whose findings this action changes (e.g. VACUUM and `db.bloat`): a run that applied
   * the action checks them again, so its report shows the state after the change, not before.
   */
  recheck?: string[];
  /**
   * Read-only reasons not to start now (outside the maintenance window, an open incident): the driver
   * asks every step before any plan; a reason is audited `refused` and ends the run (exit 2).
   */
  refuse?(ctx: ActionContext, params: z.infer<S>): Promise<string | null> | string | null;
  plan(ctx: ActionContext, params: z.infer<S>): Promise<ActionPlan>;
}

/**
 * An action of the catalogue, as the registry holds it and the driver runs it (src/engine/changes.ts):
 * whatever a step gives `refuse` and `plan` passes the action's schema before its own code sees it.
 */
export interface Action extends CatalogueEntry {
  readonly params: ParamsSchema;
  readonly recheck?: string[];
  /** Absent: nothing refuses this action early. `params` must pass the schema, else a UsageError. */
  refuse?(ctx: ActionContext, params?: unknown): Promise<string | null>;
  /** `params` must pass the schema, else a UsageError (exit 2, nothing changed). */
  plan(ctx: ActionContext, params?: unknown): Promise<ActionPlan>;
}

/**
 * The one typed constructor of an action: `refuse` and `plan` get their parameters as the action's
 * schema parsed them, so the parameter type is proven by the schema, not asserted by a cast.
 */
export function defineAction<S extends ParamsSchema>(spec: ActionSpec<S>): Action {
  const { plan, refuse, params: schema, ...entry } = spec;
  const accept = (params: unknown) => acceptParams(schema, params, `action ${entry.id}`);
  return {
    ...entry,
    params: schema,
    ...(refuse
      ? { refuse: async (ctx: ActionContext, params?: unknown) => refuse(ctx, accept(params)) }
      : {}),
    plan: async (ctx, params) => plan(ctx, accept(params)),
  };
}
