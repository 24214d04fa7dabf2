import { AwsClients, DEFAULT_PREFLIGHT_TIMEOUT_MS } from '../base/aws/clients.js';
import { awsExitError, endpointUrlProblem, isCredentialsError } from '../base/aws/errors.js';
import { loadConfig, resolveEnvironment } from '../base/config/load.js';
import type { Config } from '../base/config/schema.js';
import { UnreachableError, UsageError } from '../base/model/errors.js';
import type { EnvSession } from '../base/model/session.js';

/** Flags every command shares (declared once in cli.ts). */
export interface GlobalOptions {
  env?: string;
  config?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  output?: string;
  strict?: boolean;
  onlyProblems?: boolean;
  color?: boolean;
  /** Publish the run as CloudWatch metrics (src/engine/publish.ts, started by the printer). */
  publish?: boolean;
}

export type { EnvSession } from '../base/model/session.js';

/** Loads the config, resolves the environment and builds its AWS clients (not yet connected). */
export function openEnvSession(
  options: GlobalOptions,
  envName = options.env ?? process.env.FSOPS_ENV,
  /** `adaptive` only for a long loop on one API (wait loops, tail --follow): BENCHMARKS.md "Retry mode". */
  retryMode: 'standard' | 'adaptive' = 'standard',
): EnvSession {
  return envSessionOf(loadConfig(options.config).config, options, envName, retryMode);
}

/** `openEnvSession` over a config already loaded (a second environment of the same run: deploy's staging gate). */
export function envSessionOf(
  config: Config,
  options: GlobalOptions,
  envName: string | undefined,
  retryMode: 'standard' | 'adaptive' = 'standard',
): EnvSession {
  const env = resolveEnvironment(config, envName);
  const aws = awsClientsFor(options, config, { region: env.region, profile: env.profile, retryMode });
  return { config, env, aws };
}

/**
 * The one way AWS clients are built (environment runs, database commands, a bare database): the
 * flags win, then AWS_REGION/AWS_PROFILE, then what the environment (or the config) says; the
 * endpoint URLs are checked first; retries and timeouts from the config's `aws`.
 */
export function awsClientsFor(
  options: Pick<GlobalOptions, 'region' | 'profile' | 'endpointUrl'>,
  config: Config,
  defaults: { region: string; profile?: string; retryMode?: 'standard' | 'adaptive' } = {
    region: config.region,
  },
): AwsClients {
  checkEndpointUrls(options);
  return new AwsClients({
    region: options.region ?? process.env.AWS_REGION ?? defaults.region,
    profile: options.profile ?? process.env.AWS_PROFILE ?? defaults.profile,
    endpoint: options.endpointUrl,
    ...config.aws,
    retryMode: defaults.retryMode ?? 'standard',
  });
}

/**
 * `--endpoint-url` and AWS_ENDPOINT_URL(_<SERVICE>) checked before any client is built: the SDK takes
 * any string and fails on the first call with a TypeError. One line, exit 2.
 */
export function checkEndpointUrls(options: Pick<GlobalOptions, 'endpointUrl'>): void {
  const given: [string, string | undefined][] = [
    ['--endpoint-url', options.endpointUrl],
    ...Object.entries(process.env)
      .filter(([key]) => /^AWS_ENDPOINT_URL(_[A-Z0-9_]+)?$/.test(key))
      .map(([key, value]): [string, string | undefined] => [key, value || undefined]),
  ];
  for (const [where, url] of given) {
    const problem = endpointUrlProblem(url);
    if (problem) {
      throw new UsageError(
        `${where} '${url}' is not a valid endpoint URL (${problem}): give http(s)://host[:port], e.g. https://sts.ap-south-1.amazonaws.com or http://localhost:4566`,
      );
    }
  }
}

/** docs/architecture.md: a command that changes something never takes its environment from FSOPS_ENV. */
export function requireExplicitEnv(options: Pick<GlobalOptions, 'env'>, what: string): string {
  if (!options.env) {
    throw new UsageError(`${what}: pass --env explicitly (FSOPS_ENV is not used for changes)`);
  }
  return options.env;
}

export interface CallerIdentity {
  account: string;
  arn: string;
}

/**
 * The wrong-account guard: when the config names the environment's account, the caller's identity
 * must match before anything else runs. Without an account id only the identity is fetched (for the
 * audit log) when `required` is set.
 */
export async function verifyAccount(
  session: EnvSession,
  required = false,
  /** The run's signal (src/engine/interrupt.ts readsUntilInterrupted): Ctrl-C ends the call at once. */
  signal?: AbortSignal,
): Promise<CallerIdentity | null> {
  const expected = session.env.accountId;
  if (!expected && !required) return null;
  const identity = await callerIdentity(session, signal);
  if (expected && identity.account !== expected) {
    throw new UsageError(
      `wrong AWS account for ${session.env.name}: credentials are for ${identity.account}, the config expects ${expected} ` +
        `(use --profile, or set environments.${session.env.name}.accountId)`,
    );
  }
  return identity;
}

async function callerIdentity(session: EnvSession, signal?: AbortSignal): Promise<CallerIdentity> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const sts = await session.aws.sts();
  // A hanging endpoint would otherwise hold the check for retries × request timeout (aws.preflightTimeoutMs).
  const timeoutMs = session.aws.settings.preflightTimeoutMs ?? DEFAULT_PREFLIGHT_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  let out: { Account?: string; Arn?: string };
  try {
    out = await sts.send(new GetCallerIdentityCommand({}), {
      abortSignal: signal ? AbortSignal.any([deadline, signal]) : deadline,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    if (deadline.aborted && !isCredentialsError(error)) {
      throw new UnreachableError(
        `cannot verify the AWS identity for ${session.env.name}: no answer from STS within ${timeoutMs / 1000} s${session.aws.settings.endpoint ? ` (endpoint ${session.aws.settings.endpoint})` : ''}`,
      );
    }
    throw classifyPreflightError(error, session.env.name, session.aws.settings.profile);
  }
  if (!out.Account) {
    throw new UnreachableError(
      `cannot verify the AWS identity for ${session.env.name}: the answer to GetCallerIdentity names no account (is --endpoint-url / AWS_ENDPOINT_URL an AWS endpoint?)`,
    );
  }
  return { account: out.Account, arn: out.Arn ?? 'unknown' };
}

/** Why the account check failed, as the line fsops exits with (src/base/aws/errors.ts awsExitError). */
export function classifyPreflightError(error: unknown, env: string, profile?: string): Error {
  return awsExitError(error, `cannot verify the AWS identity for ${env}`, { env, profile });
}
