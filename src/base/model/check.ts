import { z } from 'zod';
import type { AwsClients } from '../aws/clients.js';
import type { EnvContext } from '../config/load.js';
import type { Finding, Severity, Status } from './finding.js';

/** What one check reports about one resource; the runner fills the rest from the check's metadata. */
export interface CheckResult {
  status: Status;
  resource: string;
  observed: string;
  expected?: string;
  detail?: string;
  remediation?: string;
  /** A more specific id than the check's own, e.g. `ecs.service.running` under `ecs.service`. */
  id?: string;
  title?: string;
  severity?: Severity;
  /**
   * The number the status was judged on, in `unit`, for consumers that need it as data rather than
   * text (the incident severity proposal): a metric's latest datapoint, a service's running tasks.
   */
  value?: number;
  unit?: string;
  /** A more specific guide section than the check's or action's own (one of several procedures it serves). */
  source?: string;
}

/** The diagnostic database session a check queries (read-only, with timeouts); see src/domain/db/. */
export interface DbQuery {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** server_version_num, e.g. 150004. */
  serverVersion: number;
}

/**
 * Where a run reaches Redis when the command was told (--redis-url, --redis-host/--redis-port for a
 * tunnel); without a url the environment's SSM redis_url (src/domain/redis/target.ts). Plain strings as given.
 */
export interface RedisEndpoint {
  url?: string;
  host?: string;
  port?: string;
}

export interface CheckContext {
  env: EnvContext;
  aws: AwsClients;
  /** Aborted when the check times out or the user interrupts. */
  signal: AbortSignal;
  /** Start of the look-back window for checks that read recent events or metrics. */
  since: Date;
  now: Date;
  /**
   * Gathers a fact once per run, however many checks ask for it (e.g. one batched DescribeServices).
   * `gather` gets the run's signal, not the asking check's: a shared fact must not be aborted because
   * the first check that asked for it timed out while others still wait on it.
   */
  once<T>(key: string, gather: (signal: AbortSignal) => Promise<T>): Promise<T>;
  fetch: typeof fetch;
  /** Opens (once per run) the diagnostic database session; rejects when none is configured or reachable. */
  db(): Promise<DbQuery>;
  /** The command's Redis flags; absent or empty: the environment's SSM redis_url. */
  redis?: RedisEndpoint;
}

export interface CheckDefinition<P = Record<string, unknown>> {
  id: string;
  title: string;
  severity: Severity;
  /** The guide section this check comes from, e.g. "deployment guide §11.1". */
  source: string;
  remediation: string;
  /**
   * The step parameters it takes (a strict zod object): checked when a runbook's steps or a command's
   * steps resolve, so a typo in runbooks/*.yaml is exit 2 before anything runs. Without one the check
   * takes no parameters.
   */
  params?: ParamsSchema;
  run(ctx: CheckContext, params: P): Promise<CheckResult[]>;
}

/**
 * What the runner asks of a zod schema (`z.object({...}).strict()` is one): only its verdict. Not tied
 * to the check's `P` (that would make a check of any parameters no longer a `CheckDefinition<never>`
 * in a registry); keep the schema next to the parameters' type.
 */
export interface ParamsSchema {
  safeParse(data: unknown):
    | { success: true; data: unknown }
    | {
        success: false;
        error: { issues: readonly { code: string; path: PropertyKey[]; message: string }[] };
      };
}

/**
 * The one result of a check that could not check (`error`, never `pass`): why, and what to do. The
 * runner makes it of a check that throws or times out; a check that knows better (the database
 * checks, a missing IAM permission) makes it with its own remediation.
 */
export function couldNotCheck(
  resource: string,
  why: string,
  remediation: string,
  expected = 'the check completes',
): CheckResult {
  return { status: 'error', resource, expected, observed: `could not check: ${why}`, remediation };
}

/** Parameter schemas several checks share. */
export const componentsParam = {
  /** Only these components (default: all of the environment's). */
  components: z.array(z.string().min(1)).optional(),
};
export const componentsParams = z.object(componentsParam).strict();

export function toFinding(check: CheckDefinition<never>, result: CheckResult): Finding {
  return {
    id: result.id ?? check.id,
    title: result.title ?? check.title,
    status: result.status,
    severity: result.severity ?? check.severity,
    resource: result.resource,
    detail: result.detail ?? '',
    expected: result.expected ?? '',
    observed: result.observed,
    remediation: result.status === 'pass' ? '' : (result.remediation ?? check.remediation),
    source: result.source ?? check.source,
    checkId: check.id,
    ...(result.value !== undefined && Number.isFinite(result.value)
      ? { value: result.value, unit: result.unit ?? '' }
      : {}),
  };
}

/** Components a check should look at: the step's `components` parameter, or all of them. */
export function componentsOf(ctx: CheckContext, params: { components?: string[] }): string[] {
  return params.components ?? ctx.env.components;
}
