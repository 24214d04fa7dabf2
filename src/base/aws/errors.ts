import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ExitError, UnreachableError, UsageError } from '../model/errors.js';

/** One line describing an AWS SDK error: what failed and, where the SDK knows, why. */
export function describeAwsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const name = error.name;
  const message = error.message.split('\n')[0] ?? '';
  if (isCredentialsError(error)) {
    return 'no AWS credentials: set --profile, AWS_PROFILE, or environments.<env>.profile in the config';
  }
  if (isAccessDenied(error)) return `access denied (${name}): ${message}`;
  if (isThrottling(error)) return `throttled by AWS after retries (${name})`;
  // The SDK names a reset connection TimeoutError (to retry it): it was reset, not slow.
  if (isConnectionReset(error))
    return `the connection to the AWS endpoint was reset (${message || name}): a proxy, VPN or the endpoint closed it`;
  if (isTimeout(error))
    return `timed out waiting for AWS (${message.replace(/^@smithy\/[\w-]+ - \[ERROR\] /, '') || name})`;
  if (isConnectionError(error)) return `could not reach the AWS endpoint (${message || name})`;
  if (isNotAwsAnswer(error)) {
    return `the endpoint did not answer like AWS (is --endpoint-url / AWS_ENDPOINT_URL an AWS endpoint?): ${name && name !== 'Error' ? `${name}: ` : ''}${message}`;
  }
  // fsops's own errors (UnreachableError, UsageError...) say what happened; their class name is noise.
  if (error instanceof ExitError) return message;
  return name && name !== 'Error' && !message.startsWith(name) ? `${name}: ${message}` : message;
}

export function isConnectionReset(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return (
    error instanceof Error &&
    (code === 'ECONNRESET' || code === 'EPIPE' || /\bECONNRESET\b|socket hang up/.test(error.message))
  );
}

export function isCredentialsError(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'CredentialsProviderError' || /Could not load credentials/i.test(error.message))
  );
}

export function isAccessDenied(error: unknown): boolean {
  return (
    error instanceof Error &&
    /AccessDenied|UnauthorizedOperation|UnrecognizedClient|InvalidClientTokenId|ExpiredToken|NotAuthorized/i.test(
      error.name,
    )
  );
}

export function isThrottling(error: unknown): boolean {
  return (
    error instanceof Error &&
    /Throttl|TooManyRequests|RequestLimitExceeded|Rate exceeded|SlowDown/i.test(error.name + error.message)
  );
}

export function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || /timed? ?out/i.test(error.message));
}

export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return (
    error instanceof Error &&
    (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH'].includes(code ?? '') ||
      /ECONNREFUSED|ENOTFOUND|getaddrinfo|socket hang up/.test(error.message))
  );
}

export function isNotFound(error: unknown): boolean {
  return (
    error instanceof Error &&
    /NotFound|DoesNotExist|ParameterNotFound|ResourceNotFoundException|ClusterNotFound/i.test(error.name)
  );
}

/**
 * The SDK could not read the answer: HTML from a web server, JSON from something else, an invalid URL
 * that slipped past the up-front check (SyntaxError, TypeError, "XML parse error", a 404 "Unknown").
 */
export function isNotAwsAnswer(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'SyntaxError' ||
      error.name === 'TypeError' ||
      /XML parse error|Unexpected token|is not valid JSON|Invalid URL/i.test(error.message) ||
      (error.name === 'NotFound' && /^Unknown/.test(error.message)))
  );
}

/**
 * What is wrong with an endpoint URL (`--endpoint-url`, AWS_ENDPOINT_URL), or null: the SDK takes any
 * string and fails later with a TypeError. Valid: http(s)://host[:port][/path].
 */
export function endpointUrlProblem(url: string | undefined): string | null {
  if (url === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return `${parsed.protocol} is not http: or https:`;
  if (!parsed.hostname) return 'no host';
  if (parsed.username || parsed.password) return 'credentials in the URL are not supported';
  if (parsed.search || parsed.hash) return 'a query or fragment is not part of an endpoint';
  return null;
}

/** The AWS profile files the SDK reads (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/...). */
export function awsProfileFiles(
  env = process.env,
  home = homedir(),
): { config: string; credentials: string } {
  return {
    config: env.AWS_CONFIG_FILE || join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'),
  };
}

/** Whether `profile` is a section of the AWS config (`[profile X]`, `[X]` for default) or credentials (`[X]`) file. */
export function awsProfileExists(profile: string, files = awsProfileFiles()): boolean {
  const sections = (file: string) => {
    try {
      return [...readFileSync(file, 'utf8').matchAll(/^\s*\[\s*([^\]]+?)\s*\]/gm)].map((m) => m[1]!);
    } catch {
      return [];
    }
  };
  const inConfig = sections(files.config).map((s) => s.replace(/^profile\s+/, ''));
  return inConfig.includes(profile) || sections(files.credentials).includes(profile);
}

/**
 * The one conversion of an AWS failure into the one line fsops exits with: fsops's own errors pass
 * through; missing or broken credentials are a usage error (exit 2), naming the profile and where it
 * was looked for when the environment is known; anything else could not be checked (exit 3).
 */
export function awsExitError(
  error: unknown,
  what: string,
  credentials?: { env: string; profile?: string },
): Error {
  if (error instanceof ExitError) return error;
  if (isCredentialsError(error) && credentials) {
    const { env, profile } = credentials;
    if (profile && !awsProfileExists(profile)) {
      const files = awsProfileFiles();
      return new UsageError(
        `AWS profile '${profile}' not found in ${files.config} or ${files.credentials} (from --profile, AWS_PROFILE or environments.${env}.profile)`,
      );
    }
    if (profile) {
      return new UsageError(
        `AWS profile '${profile}' gives no usable credentials for ${env}: ${String((error as Error).message ?? error).split('\n')[0]}`,
      );
    }
    return new UsageError(
      `no AWS credentials for ${env}: set --profile, AWS_PROFILE or environments.${env}.profile (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)`,
    );
  }
  if (isCredentialsError(error)) return new UsageError(`${what}: ${describeAwsError(error)}`);
  return new UnreachableError(`${what}: ${describeAwsError(error)}`);
}
