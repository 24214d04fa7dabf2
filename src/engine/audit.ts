import { appendFileSync, mkdirSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname } from 'node:path';
import { type AwsClients, DEFAULT_AUDIT_TIMEOUT_MS } from '../base/aws/clients.js';
import { describeAwsError } from '../base/aws/errors.js';
import { hideUrlCredentials } from '../base/model/text.js';
import { clean } from './render.js';

export interface AuditRecord {
  time: string;
  /** The local user and the AWS identity that made the change. */
  user: string;
  identity: string | null;
  env: string;
  command: string;
  component?: string;
  from?: string;
  to?: string;
  result: 'succeeded' | 'failed' | 'dry-run' | 'refused' | 'interrupted' | string;
  detail?: string;
}

export interface AuditTarget {
  file: string;
  logGroup: string | null;
}

export function auditFilePath(configured: string): string {
  const path = process.env.FSOPS_AUDIT_FILE || configured;
  return path.startsWith('~/') ? `${homedir()}/${path.slice(2)}` : path;
}

export function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/**
 * Appends one JSON line to the local audit log and, when the config names one, to a CloudWatch Logs
 * group. An audit failure is reported on stderr but never undoes or blocks the change it records.
 */
export async function appendAudit(
  partial: Omit<AuditRecord, 'time' | 'user'>,
  target: AuditTarget,
  aws: AwsClients | undefined,
  /** Where a warning about a failed audit write goes (the command's runtime.stderr). */
  stderr: { write(text: string): unknown },
): Promise<AuditRecord> {
  const record: AuditRecord = { time: new Date().toISOString(), user: localUser(), ...partial };
  // No URL credentials in the audit trail (an --endpoint-url, a health URL in a detail).
  const line = hideUrlCredentials(JSON.stringify(record));
  const file = auditFilePath(target.file);
  try {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, `${line}\n`, { mode: 0o600 });
  } catch (error) {
    stderr.write(
      `fsops: warning: could not write the audit log ${file}: ${clean((error as Error).message)}\n`,
    );
  }
  if (target.logGroup && aws) {
    try {
      await putAuditEvent(aws, target.logGroup, line);
    } catch (error) {
      stderr.write(
        `fsops: warning: could not write the audit record to ${target.logGroup}: ${clean(describeAwsError(error))}\n`,
      );
    }
  }
  return record;
}

async function putAuditEvent(aws: AwsClients, logGroupName: string, message: string): Promise<void> {
  const { CreateLogStreamCommand, PutLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const logs = await aws.logs();
  const logStreamName = `fsops/${new Date().toISOString().slice(0, 10)}/${localUser()}`;
  // The local line is already written: a CloudWatch Logs endpoint that hangs must not hold the change
  // (or its outcome line) for the SDK's retries × request timeout (config aws.auditTimeoutMs).
  const abortSignal = AbortSignal.timeout(aws.settings.auditTimeoutMs ?? DEFAULT_AUDIT_TIMEOUT_MS);
  try {
    await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }), { abortSignal });
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ResourceAlreadyExistsException')) throw error;
  }
  await logs.send(
    new PutLogEventsCommand({ logGroupName, logStreamName, logEvents: [{ timestamp: Date.now(), message }] }),
    { abortSignal },
  );
}
