import { z } from 'zod';
import type { AwsClients } from '../aws/clients.js';
import type { EnvContext } from '../config/load.js';
import { UsageError } from './errors.js';
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

/** What a check or an action is known by in a finding: the runner fills a result's blanks from it. */
export interface CatalogueEntry {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** The guide section it comes from, e.g. "deployment guide §11.1". */
  readonly source: string;
  readonly remediation: string;
}

/**
 * The step parameters a check or an action takes: a strict zod object (`z.object({...}).strict()`;
 * `noParams` for none). Checked when a runbook's or a command's steps resolve, so a typo in
 * runbooks/*.yaml is exit 2 before anything runs.
 */
export type ParamsSchema = z.ZodType<Record<string, unknown>>;

/** The parameters of a check or action that takes none. */
export const noParams = z.object({}).strict();

/** A check as written (`defineCheck`): its parameters' type is its schema's (`z.infer`). */
export interface CheckSpec<S extends ParamsSchema> extends CatalogueEntry {
  params: S;
  run(ctx: CheckContext, params: z.infer<S>): Promise<CheckResult[]>;
}

/**
 * A check of the catalogue, as the registries hold it and the runner runs it: whatever a step gives
 * `run` passes the check's schema before the check's own code sees it.
 */
export interface Check extends CatalogueEntry {
  readonly params: ParamsSchema;
  /** Runs the check; `params` (default none) must pass `params`'s schema, else a UsageError. */
  run(ctx: CheckContext, params?: unknown): Promise<CheckResult[]>;
}

/**
 * The one typed constructor of a check: `run` gets its parameters as its schema parsed them, so the
 * check's parameter type is proven by the schema, not asserted by a cast.
 */
export function defineCheck<S extends ParamsSchema>(spec: CheckSpec<S>): Check {
  const { run, params: schema, ...entry } = spec;
  return {
    ...entry,
    params: schema,
    run: async (ctx, params) => run(ctx, acceptParams(schema, params, `check ${entry.id}`)),
  };
}

/**
 * Step parameters as their schema parses them; a UsageError naming `what` and the problem
 * (`paramsProblem`) when they do not pass. Absent parameters are none (`{}`).
 */
export function acceptParams<S extends ParamsSchema>(schema: S, params: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(params ?? {});
  if (result.success) return result.data;
  throw new UsageError(`${what}: ${problemOf(schema, params ?? {}, result.error.issues)}`);
}

/** What is wrong with a step's parameters for its schema (one line naming the key and the valid keys), or null. */
export function paramsProblem(schema: ParamsSchema, params: unknown): string | null {
  const result = schema.safeParse(params ?? {});
  return result.success ? null : problemOf(schema, params ?? {}, result.error.issues);
}

function problemOf(schema: ParamsSchema, params: unknown, issues: readonly z.core.$ZodIssue[]): string {
  const valid = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  if (schema instanceof z.ZodObject && valid.length === 0) {
    const given = params && typeof params === 'object' ? Object.keys(params) : [];
    if (given.length) return `takes no parameters (got ${given.join(', ')})`;
  }
  const issue = issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => `'${String(key)}'`).join(', ');
    return `unknown parameter ${keys} (valid: ${valid.join(', ') || 'none'})`;
  }
  const path = issue.path.map(String).join('.');
  return `parameter '${path}': ${issue.message}${valid.length ? ` (parameters: ${valid.join(', ')})` : ''}`;
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

export function toFinding(check: CatalogueEntry, result: CheckResult): Finding {
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
