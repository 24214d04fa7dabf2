import type { LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import type { DBInstance, DBSnapshot, Parameter } from '@aws-sdk/client-rds';
import type { CheckResult } from '../../../base/model/check.js';
import { oneLine } from '../../../base/model/text.js';
import { allPages, call, guarded } from './common.js';
import { dbInstance, serviceTaskDefs } from './security-facts.js';

/** Names that look like secrets when given as a plain environment variable. */
export const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL/i;

/**
 * Name endings that describe a secret's setting or point to it rather than hold it:
 * TOKEN_TTL_SECONDS, JWT_SECRET_ROTATION_DAYS, PASSWORD_MIN_LENGTH, DB_SECRET_ARN, API_KEY_HEADER...
 */
export const HARMLESS_SUFFIX =
  /_(TTL|SECONDS|SECS|MS|MILLIS|MINUTES|HOURS|DAYS|TIMEOUT|EXPIRY|EXPIRES|EXPIRATION|LENGTH|LEN|COUNT|SIZE|LIMIT|MAX|MIN|RETRIES|ENABLED|DISABLED|ENABLE|DISABLE|REQUIRED|URL|URI|ENDPOINT|ARN|NAME|PATH|FILE|HEADER|ALGORITHM|ALG|TYPE|FORMAT|REGION|VERSION)$/i;

/** `scheme://user:password@host`: a URL carrying credentials, whatever its variable is called. */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^@\s]+@/i;

/** A value that is a number or a boolean: a setting, not a secret. */
const SETTING_VALUE = /^(-?\d+(\.\d+)?|true|false|yes|no|on|off)$/i;

/**
 * Whether a plain `environment` variable exposes a secret. Only the name and the shape of the value
 * are looked at; the value itself is never reported. A secret-like name counts unless its ending
 * says it is a setting or a reference (HARMLESS_SUFFIX; a `_URL` only when it carries no
 * credentials) or its value is empty, a number or a boolean; any URL with a password counts.
 */
export function exposesSecret(name: string, value: string | undefined): boolean {
  const v = (value ?? '').trim();
  if (URL_WITH_PASSWORD.test(v)) return true;
  if (!SECRET_NAME.test(name)) return false;
  if (HARMLESS_SUFFIX.test(name)) return false;
  return v !== '' && !SETTING_VALUE.test(v);
}

/** RDS storage and every snapshot of the instance encrypted (deployment guide §6.1.1). */
export function evaluateRdsEncryption(name: string, db: DBInstance, snapshots: DBSnapshot[]): CheckResult[] {
  const plain = snapshots.filter((s) => s.Encrypted !== true);
  return [
    {
      id: 'security.rds.storage-encrypted',
      title: 'RDS storage encrypted at rest',
      status: db.StorageEncrypted ? 'pass' : 'fail',
      severity: 'critical',
      resource: name,
      expected: 'StorageEncrypted true with a KMS key (deployment guide §6.1.1)',
      observed: db.StorageEncrypted
        ? `encrypted (KMS key ${db.KmsKeyId ? 'set' : 'default'})`
        : 'NOT encrypted',
      remediation:
        'Encryption cannot be turned on in place: copy a snapshot with --kms-key-id, restore it, and switch over in a maintenance window.',
    },
    {
      id: 'security.rds.snapshots-encrypted',
      title: 'RDS snapshots encrypted',
      status: plain.length ? 'fail' : 'pass',
      severity: 'high',
      resource: name,
      expected: 'every snapshot encrypted (deployment guide §6.1.1)',
      observed: plain.length
        ? `${plain.length} of ${snapshots.length} unencrypted: ${plain
            .slice(0, 10)
            .map((s) => oneLine(s.DBSnapshotIdentifier))
            .join(', ')}${plain.length > 10 ? ', ...' : ''}`
        : `${snapshots.length} snapshot(s), all encrypted`,
      remediation:
        'Copy each unencrypted snapshot with aws rds copy-db-snapshot --kms-key-id <key>, then delete the unencrypted one.',
    },
  ];
}

/** `rds.force_ssl` = 1 in the instance's parameter group (encryption in transit; PostgreSQL 15 defaults to 0). */
export function evaluateForceSsl(
  name: string,
  groupName: string,
  parameter: Parameter | undefined,
): CheckResult {
  const value = parameter?.ParameterValue;
  return {
    id: 'security.rds.force-ssl',
    title: 'RDS requires TLS (rds.force_ssl)',
    status: value === '1' ? 'pass' : 'fail',
    severity: 'high',
    resource: `${name} (parameter group ${groupName})`,
    expected: 'rds.force_ssl = 1 (deployment guide §6.1.1: encryption in transit)',
    observed:
      value === undefined
        ? 'rds.force_ssl not set (PostgreSQL 15 default: 0)'
        : `rds.force_ssl = ${oneLine(value)}`,
    remediation: `aws rds modify-db-parameter-group --db-parameter-group-name ${groupName} --parameters ParameterName=rds.force_ssl,ParameterValue=1,ApplyMethod=immediate (clients must use sslmode=require or stricter).`,
  };
}

/** Log groups the ops guide §3.1.1 requires KMS-encrypted, judged when the environment requires it. */
export function evaluateLogEncryption(
  names: string[],
  groups: LogGroup[],
  kmsRequired: boolean,
  env: string,
): CheckResult[] {
  return names.map((name) => {
    const group = groups.find((g) => g.logGroupName === name);
    if (!group)
      return {
        id: 'security.logs.kms',
        status: kmsRequired ? 'fail' : 'warn',
        resource: name,
        expected: 'the log group exists, KMS-encrypted (ops guide §3.1.1)',
        observed: 'log group not found',
        remediation: 'Create the log group with a KMS key, or correct its name in the config.',
      };
    return {
      id: 'security.logs.kms',
      status: group.kmsKeyId ? 'pass' : kmsRequired ? 'fail' : 'warn',
      resource: name,
      expected: kmsRequired
        ? 'a KMS key (ops guide §3.1.1, deployment guide §8.1.1)'
        : `a KMS key (ops guide §3.1.1; not required in ${env}: environments.${env}.logs.kmsRequired)`,
      observed: group.kmsKeyId ? 'KMS key set' : 'no KMS key',
      remediation: `aws logs associate-kms-key --log-group-name ${name} --kms-key-id <key-arn>`,
    };
  });
}

/**
 * Environment variables of the task definition whose names look like secrets but are given in plain
 * `environment` instead of `secrets` (deployment guide §4.2.2, §5.2.1). Only names are reported, never values.
 */
export function evaluatePlaintextSecrets(service: string, taskDef: TaskDefinition): CheckResult {
  const found = (taskDef.containerDefinitions ?? []).flatMap((c) =>
    (c.environment ?? [])
      .filter((e) => e.name && exposesSecret(e.name, e.value))
      .map((e) => `${oneLine(c.name)}: ${oneLine(e.name)}`),
  );
  const family = `${taskDef.family ?? '?'}:${taskDef.revision ?? '?'}`;
  return {
    id: 'security.taskdef.plaintext-secrets',
    title: 'No secrets in plain task definition environment variables',
    status: found.length ? 'fail' : 'pass',
    severity: 'critical',
    resource: `${service} (${family})`,
    expected:
      'secret-like variables come from `secrets` (Secrets Manager/SSM), not `environment` (deployment guide §4.2.2)',
    observed: found.length
      ? `plain environment variables holding what looks like a secret (values not shown): ${found.join(', ')}`
      : 'no secret-like values in plain environment variables',
    remediation:
      'Move each value to Secrets Manager (deployment guide §4.2.2), reference it under `secrets` with valueFrom, register a new revision, and rotate the exposed value.',
  };
}

export const rdsEncryptionCheck = guarded({
  id: 'security.rds-encryption',
  title: 'RDS and its snapshots encrypted at rest',
  severity: 'critical',
  source: 'deployment guide §6.1.1; runbook 003 PCI DSS (daily: encryption compliance; PCI DSS 3.5)',
  remediation: 'Encrypt the instance and its snapshots with KMS (deployment guide §6.1.1).',
  async run(ctx) {
    const db = await dbInstance(ctx);
    const name = ctx.env.nameOf('dbInstance');
    if (!db)
      return [
        {
          id: 'security.rds.storage-encrypted',
          status: 'fail',
          resource: name,
          expected: 'the RDS instance exists',
          observed: 'instance not found',
          remediation: 'Check names.dbInstance in the config and the account/region.',
        },
      ];
    const { DescribeDBSnapshotsCommand } = await import('@aws-sdk/client-rds');
    const rds = await ctx.aws.rds();
    const snapshots = await allPages((Marker) =>
      call('rds:DescribeDBSnapshots', () =>
        rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: name, Marker, MaxRecords: 100 }), {
          abortSignal: ctx.signal,
        }),
      ).then((out) => ({ items: out.DBSnapshots, next: out.Marker })),
    );
    return evaluateRdsEncryption(name, db, snapshots);
  },
});

export const rdsForceSslCheck = guarded({
  id: 'security.rds-ssl',
  title: 'RDS encryption in transit (rds.force_ssl)',
  severity: 'high',
  source: 'deployment guide §6.1.1; runbook 003 PCI DSS (PCI DSS 4.2.1)',
  remediation: 'Set rds.force_ssl = 1 in the DB parameter group.',
  async run(ctx) {
    const db = await dbInstance(ctx);
    const name = ctx.env.nameOf('dbInstance');
    const groupName = db?.DBParameterGroups?.[0]?.DBParameterGroupName;
    if (!db || !groupName)
      return [
        {
          id: 'security.rds.force-ssl',
          status: 'error',
          resource: name,
          expected: 'the instance and its DB parameter group',
          observed: db ? 'the instance reports no DB parameter group' : 'instance not found',
          remediation: 'Check names.dbInstance in the config and the account/region.',
        },
      ];
    const { DescribeDBParametersCommand } = await import('@aws-sdk/client-rds');
    const rds = await ctx.aws.rds();
    const find = async (Source: string) =>
      (
        await allPages((Marker) =>
          call('rds:DescribeDBParameters', () =>
            rds.send(
              new DescribeDBParametersCommand({
                DBParameterGroupName: groupName,
                Source,
                Marker,
                MaxRecords: 100,
              }),
              { abortSignal: ctx.signal },
            ),
          ).then((out) => ({ items: out.Parameters, next: out.Marker })),
        )
      ).find((p) => p.ParameterName === 'rds.force_ssl');
    // A value set in the group (Source user) wins; otherwise the engine default applies.
    const parameter = (await find('user')) ?? (await find('engine-default'));
    return [evaluateForceSsl(name, groupName, parameter)];
  },
});

export const logEncryptionCheck = guarded({
  id: 'security.log-encryption',
  title: 'Log groups encrypted with KMS',
  severity: 'high',
  source: 'ops guide §3.1.1; deployment guide §8.1.1; runbook 003 PCI DSS (PCI DSS 10.3.2)',
  remediation: 'Associate a KMS key with the log groups (ops guide §3.1.1).',
  async run(ctx) {
    const names = [
      ...ctx.env.components.map((c) => ctx.env.nameOf('logGroup', c)),
      ctx.env.nameOf('dbLogGroup'),
      ctx.env.nameOf('securityLogGroup'),
    ];
    const { DescribeLogGroupsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    const logs = await ctx.aws.logs();
    const groups: LogGroup[] = [];
    for (let i = 0; i < names.length; i += 50) {
      const batch = names.slice(i, i + 50);
      groups.push(
        ...(await allPages((nextToken) =>
          call('logs:DescribeLogGroups', () =>
            logs.send(new DescribeLogGroupsCommand({ logGroupIdentifiers: batch, nextToken }), {
              abortSignal: ctx.signal,
            }),
          ).then((out) => ({ items: out.logGroups, next: out.nextToken })),
        )),
      );
    }
    return evaluateLogEncryption(names, groups, ctx.env.settings.logs.kmsRequired, ctx.env.name);
  },
});

export const taskDefSecretsCheck = guarded({
  id: 'security.taskdef-secrets',
  title: 'No plaintext secrets in task definitions',
  severity: 'critical',
  source: 'deployment guide §4.2.2, §5.2.1; runbook 003 PCI DSS (PCI DSS 8.6.2)',
  remediation: 'Give secrets through `secrets` (Secrets Manager), never `environment`.',
  async run(ctx) {
    const services = await serviceTaskDefs(ctx);
    return services.map((s) =>
      s.taskDef
        ? evaluatePlaintextSecrets(s.service, s.taskDef)
        : {
            id: 'security.taskdef.plaintext-secrets',
            status: 'error',
            resource: s.service,
            expected: 'the service and its task definition',
            observed: s.taskDefError
              ? `could not read its task definition: ${s.taskDefError}`
              : 'the service was not found or has no task definition: not checked',
            remediation: 'Check names.service and names.cluster in the config.',
          },
    );
  },
});
