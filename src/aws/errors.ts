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
  if (isTimeout(error))
    return `timed out waiting for AWS (${message.replace(/^@smithy\/[\w-]+ - \[ERROR\] /, '') || name})`;
  if (isConnectionError(error)) return `could not reach the AWS endpoint (${message || name})`;
  return name && name !== 'Error' && !message.startsWith(name) ? `${name}: ${message}` : message;
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
    /Throttl|TooManyRequests|RequestLimitExceeded|Rate exceeded/i.test(error.name + error.message)
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
