import type { Trail } from '@aws-sdk/client-cloudtrail';
import type { ConfigurationRecorderStatus } from '@aws-sdk/client-config-service';
import type { CheckResult } from '../../../base/model/check.js';
import type { Status } from '../../../base/model/finding.js';
import { oneLine } from '../../../base/model/text.js';
import { gather, unreadFact } from '../partial.js';
import { call, guarded } from './common.js';

export interface TrailFacts {
  trail: Trail;
  /** Whether it logs (GetTrailStatus), or why that could not be read: the trail's other settings are still judged. */
  isLogging: boolean | { unread: string };
}

/**
 * CloudTrail as deployment guide §2.2.3 asks: a multi-region trail, logging, with log file validation,
 * delivering to an encrypted bucket (judged by the trail's KMS key: fsops does not read S3). When one
 * trail meets all of it, the shortcomings of the other trails are warnings.
 */
export function evaluateTrails(trails: TrailFacts[]): CheckResult[] {
  if (trails.length === 0)
    return [
      {
        id: 'security.cloudtrail.trail',
        title: 'CloudTrail trail exists',
        status: 'fail',
        severity: 'critical',
        resource: 'CloudTrail',
        expected: 'a multi-region trail with log file validation (deployment guide §2.2.3)',
        observed: 'no trail visible in this region',
        remediation:
          'aws cloudtrail create-trail --name fivestar-audit --s3-bucket-name <bucket> --is-multi-region-trail --enable-log-file-validation --kms-key-id <key>; then start-logging.',
      },
    ];
  const props = (t: TrailFacts) => ({
    'multi-region': t.trail.IsMultiRegionTrail === true,
    // Unknown is not logging for "one trail meets all of it": a trail whose status could not be read
    // never turns the others' shortcomings into warnings.
    logging: t.isLogging === true,
    'log-validation': t.trail.LogFileValidationEnabled === true,
    kms: Boolean(t.trail.KmsKeyId),
  });
  const compliant = trails.some((t) => Object.values(props(t)).every(Boolean));
  const results: CheckResult[] = [];
  for (const t of trails) {
    const name = oneLine(t.trail.Name ?? t.trail.TrailARN);
    const p = props(t);
    const bad: Status = compliant ? 'warn' : 'fail';
    const add = (
      key: keyof typeof p,
      title: string,
      expected: string,
      ok: string,
      no: string,
      fix: string,
    ) => {
      if (key === 'logging' && typeof t.isLogging === 'object') {
        results.push(
          unreadFact('security.cloudtrail.logging', name, `the status of trail ${name}`, t.isLogging.unread),
        );
        return;
      }
      results.push({
        id: `security.cloudtrail.${key}`,
        title,
        status: p[key] ? 'pass' : bad,
        severity: 'critical',
        resource: name,
        expected,
        observed: p[key] ? ok : no,
        remediation: fix,
      });
    };
    add(
      'multi-region',
      'CloudTrail trail is multi-region',
      'IsMultiRegionTrail true',
      'multi-region',
      'single-region',
      `aws cloudtrail update-trail --name ${name} --is-multi-region-trail`,
    );
    add(
      'logging',
      'CloudTrail trail is logging',
      'IsLogging true (GetTrailStatus)',
      'logging',
      'NOT logging',
      `aws cloudtrail start-logging --name ${name}`,
    );
    add(
      'log-validation',
      'CloudTrail log file validation',
      'LogFileValidationEnabled true (deployment guide §2.2.3)',
      'log file validation on',
      'log file validation OFF: tampering with the audit log would go unnoticed',
      `aws cloudtrail update-trail --name ${name} --enable-log-file-validation`,
    );
    add(
      'kms',
      'CloudTrail logs encrypted with KMS',
      'a KMS key on the trail (SSE-KMS of the log bucket)',
      'KMS key set',
      `no KMS key: logs in ${oneLine(t.trail.S3BucketName ?? 'the bucket')} rely on the bucket's default encryption`,
      `aws cloudtrail update-trail --name ${name} --kms-key-id <key-arn>`,
    );
  }
  return results;
}

/** AWS Config recording (deployment guide §2.2.3: "Config: Enabled for compliance monitoring"). */
export function evaluateConfigRecorders(statuses: ConfigurationRecorderStatus[]): CheckResult[] {
  const base = {
    id: 'security.config.recorder',
    title: 'AWS Config recorder on',
    severity: 'high' as const,
    expected: 'a configuration recorder recording (deployment guide §2.2.3)',
  };
  if (statuses.length === 0)
    return [
      {
        ...base,
        status: 'fail',
        resource: 'AWS Config',
        observed: 'no configuration recorder in this region',
        remediation:
          'Set up AWS Config (aws configservice put-configuration-recorder, put-delivery-channel, start-configuration-recorder).',
      },
    ];
  return statuses.map((s) => {
    const name = oneLine(s.name ?? 'default');
    if (!s.recording)
      return {
        ...base,
        status: 'fail',
        resource: name,
        observed: 'recorder stopped',
        remediation: `aws configservice start-configuration-recorder --configuration-recorder-name ${name}`,
      };
    const failing = s.lastStatus === 'Failure';
    return {
      ...base,
      status: failing ? 'warn' : 'pass',
      resource: name,
      observed: failing
        ? `recording, but the last delivery failed: ${oneLine(s.lastErrorCode ?? '')} ${oneLine(s.lastErrorMessage ?? '')}`.trim()
        : 'recording',
      remediation: failing ? 'Check the delivery channel (S3 bucket policy, SNS topic) of AWS Config.' : '',
    };
  });
}

export const cloudTrailCheck = guarded({
  id: 'security.cloudtrail',
  title: 'CloudTrail audit trail',
  severity: 'critical',
  source: 'deployment guide §2.2.3; runbook 003 PCI DSS (audit trail; PCI DSS 10.2, 10.3.4, 10.5)',
  remediation: 'Set up a multi-region trail with log file validation and a KMS key.',
  async run(ctx) {
    const { DescribeTrailsCommand, GetTrailStatusCommand } = await import('@aws-sdk/client-cloudtrail');
    const ct = await ctx.aws.cloudtrail();
    const out = await call('cloudtrail:DescribeTrails', () =>
      ct.send(new DescribeTrailsCommand({ includeShadowTrails: true }), { abortSignal: ctx.signal }),
    );
    const seen = new Set<string>();
    const trails = (out.trailList ?? []).filter((t) => {
      const key = t.TrailARN ?? t.Name ?? '';
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    // One trail whose status cannot be read (a denied GetTrailStatus, a throttle) is its own error;
    // every trail's other settings, and the other trails, are still judged.
    const statuses = await gather(
      ...trails.map((trail) =>
        call('cloudtrail:GetTrailStatus', () =>
          ct.send(new GetTrailStatusCommand({ Name: trail.TrailARN ?? trail.Name }), {
            abortSignal: ctx.signal,
          }),
        ),
      ),
    );
    const facts: TrailFacts[] = trails.map((trail, i) => {
      const got = statuses[i]!;
      return { trail, isLogging: got.ok ? got.value.IsLogging === true : { unread: got.reason } };
    });
    return evaluateTrails(facts);
  },
});

export const configRecorderCheck = guarded({
  id: 'security.config-recorder',
  title: 'AWS Config recording',
  severity: 'high',
  source: 'deployment guide §2.2.3; runbook 003 PCI DSS (continuous compliance monitoring; PCI DSS 11.5.2)',
  remediation: 'Turn on the AWS Config recorder.',
  async run(ctx) {
    const { DescribeConfigurationRecorderStatusCommand } = await import('@aws-sdk/client-config-service');
    const client = await ctx.aws.configService();
    const out = await call('config:DescribeConfigurationRecorderStatus', () =>
      client.send(new DescribeConfigurationRecorderStatusCommand({}), { abortSignal: ctx.signal }),
    );
    return evaluateConfigRecorders(out.ConfigurationRecordersStatus ?? []);
  },
});
