import { AwsClients } from '../aws/clients.js';
import { describeAwsError, isCredentialsError } from '../aws/errors.js';
import { type EnvContext, loadConfig, resolveEnvironment } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { UnreachableError, UsageError } from './model/errors.js';
import { parseOutput } from './printer.js';
import type { OutputFormat } from './render.js';

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
}

export interface EnvSession {
  config: Config;
  env: EnvContext;
  aws: AwsClients;
}

/** Loads the config, resolves the environment and builds its AWS clients (not yet connected). */
export function openEnvSession(
  options: GlobalOptions,
  envName = options.env ?? process.env.FSOPS_ENV,
): EnvSession {
  const { config } = loadConfig(options.config);
  const env = resolveEnvironment(config, envName);
  const aws = new AwsClients({
    region: options.region ?? process.env.AWS_REGION ?? env.region,
    profile: options.profile ?? process.env.AWS_PROFILE ?? env.profile,
    endpoint: options.endpointUrl,
    ...config.aws,
  });
  return { config, env, aws };
}

/** docs/architecture.md: a command that changes something never takes its environment from FSOPS_ENV. */
export function requireExplicitEnv(options: Pick<GlobalOptions, 'env'>, what: string): string {
  if (!options.env) {
    throw new UsageError(`${what}: pass --env explicitly (FSOPS_ENV is not used for changes)`);
  }
  return options.env;
}

/** The chosen format of a command that prints a report (every format); views use printerFor's list. */
export function outputFormat(
  options: GlobalOptions,
  command = 'this command',
  supported?: readonly OutputFormat[],
): OutputFormat {
  return parseOutput(options.output, command, supported);
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
export async function verifyAccount(session: EnvSession, required = false): Promise<CallerIdentity | null> {
  const expected = session.env.accountId;
  if (!expected && !required) return null;
  const identity = await callerIdentity(session);
  if (expected && identity.account !== expected) {
    throw new UsageError(
      `wrong AWS account for ${session.env.name}: credentials are for ${identity.account}, the config expects ${expected} ` +
        `(use --profile, or set environments.${session.env.name}.accountId)`,
    );
  }
  return identity;
}

async function callerIdentity(session: EnvSession): Promise<CallerIdentity> {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const sts = await session.aws.sts();
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    return { account: out.Account ?? 'unknown', arn: out.Arn ?? 'unknown' };
  } catch (error) {
    throw classifyPreflightError(error, session.env.name);
  }
}

export function classifyPreflightError(error: unknown, env: string): Error {
  if (isCredentialsError(error)) {
    return new UsageError(
      `no AWS credentials for ${env}: set --profile, AWS_PROFILE or environments.${env}.profile (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)`,
    );
  }
  return new UnreachableError(`cannot verify the AWS identity for ${env}: ${describeAwsError(error)}`);
}
