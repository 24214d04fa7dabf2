import type { DescribeSecretResponse } from '@aws-sdk/client-secrets-manager';
import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { mapWithConcurrency } from '../../../base/model/concurrency.js';
import { oneLine } from '../../../base/model/text.js';
import { call, guarded, MissingPermission, missingPermissionResult } from './common.js';
import { serviceTaskDefs } from './security-facts.js';

const DAY = 86_400_000;

export interface UsedSecret {
  /** The name or ARN as the config or the task definition gives it. */
  id: string;
  /** Where it is used: the config setting or `service/container`. */
  usedBy: string[];
}

/** `arn:aws:secretsmanager:r:a:secret:name[-abc123][:json-key:stage:version]` -> the secret's ARN; null for SSM. */
export function secretArnOf(valueFrom: string): string | null {
  if (!valueFrom.startsWith('arn:')) return null;
  const parts = valueFrom.split(':');
  if (parts[2] !== 'secretsmanager' || parts.length < 7) return null;
  return parts.slice(0, 7).join(':');
}

/** A secret's name from its name or ARN, without the 6-character suffix Secrets Manager adds to ARNs. */
export function secretKey(id: string): string {
  if (!id.startsWith('arn:')) return id;
  return (id.split(':')[6] ?? id).replace(/-[A-Za-z0-9]{6}$/, '');
}

/** The secrets the environment uses: names.dbSecret, security.extraSecrets and each task definition's Secrets Manager `secrets`. */
export async function usedSecrets(ctx: CheckContext): Promise<UsedSecret[]> {
  const byId = new Map<string, string[]>();
  const add = (id: string, by: string) => byId.set(id, [...(byId.get(id) ?? []), by]);
  add(ctx.env.nameOf('dbSecret'), 'names.dbSecret');
  for (const template of ctx.env.config.security.extraSecrets)
    add(template.replaceAll('{env}', ctx.env.name), 'security.extraSecrets');
  for (const s of await serviceTaskDefs(ctx)) {
    for (const container of s.taskDef?.containerDefinitions ?? []) {
      for (const secret of container.secrets ?? []) {
        const arn = secretArnOf(secret.valueFrom ?? '');
        if (arn) add(arn, `${s.service}/${container.name ?? '?'} ${secret.name ?? ''}`.trim());
      }
    }
  }
  // The config names the DB secret; a task definition references it by ARN: one finding for both.
  const merged = new Map<string, UsedSecret>();
  for (const [id, usedBy] of byId) {
    const key = secretKey(id);
    const existing = merged.get(key);
    if (existing) existing.usedBy.push(...usedBy);
    else merged.set(key, { id, usedBy: [...usedBy] });
  }
  return [...merged.values()];
}

/**
 * One secret against runbook 003 (rotate every `maxAgeDays`): it exists, is not scheduled for deletion,
 * and rotates automatically or was rotated/changed within the age. Never looks at the value.
 */
export function evaluateSecret(
  used: UsedSecret,
  secret: DescribeSecretResponse | null,
  now: Date,
  maxAgeDays: number,
): CheckResult {
  const resource = secret?.Name ? oneLine(secret.Name) : oneLine(used.id);
  const base = {
    id: 'security.secret.rotation',
    title: 'Secret exists and is rotated',
    resource,
    detail: `used by ${used.usedBy.map((u) => oneLine(u)).join(', ')}`,
    expected: `exists, not pending deletion, rotated within ${maxAgeDays} days (runbook 003)`,
  };
  if (!secret)
    return {
      ...base,
      status: 'fail',
      severity: 'critical',
      observed: 'secret not found',
      remediation: 'Create the secret (deployment guide §4.2.2) or correct the reference.',
    };
  if (secret.DeletedDate)
    return {
      ...base,
      status: 'fail',
      severity: 'critical',
      observed: `scheduled for deletion (DeletedDate ${secret.DeletedDate.toISOString().slice(0, 10)})`,
      remediation: `aws secretsmanager restore-secret --secret-id ${resource}`,
    };
  const last = secret.LastRotatedDate ?? secret.LastChangedDate ?? secret.CreatedDate;
  const ageDays = last ? Math.floor((now.getTime() - last.getTime()) / DAY) : null;
  const what = secret.LastRotatedDate ? 'rotated' : secret.LastChangedDate ? 'changed' : 'created';
  const age = ageDays === null ? 'never rotated or changed' : `last ${what} ${ageDays} days ago`;
  const fresh = ageDays !== null && ageDays <= maxAgeDays;
  if (secret.RotationEnabled)
    return {
      ...base,
      status: fresh ? 'pass' : 'warn',
      observed: `automatic rotation on${secret.RotationRules?.AutomaticallyAfterDays ? ` (every ${secret.RotationRules.AutomaticallyAfterDays} days)` : ''}; ${age}`,
      remediation: fresh
        ? ''
        : 'Rotation is on but has not happened within the age: check the rotation Lambda and `aws secretsmanager describe-secret` for the failure.',
    };
  return {
    ...base,
    status: fresh ? 'pass' : 'fail',
    severity: 'high',
    observed: `automatic rotation off; ${age}`,
    remediation: `Rotate it now and turn on rotation: aws secretsmanager rotate-secret --secret-id ${resource} --rotation-rules AutomaticallyAfterDays=${maxAgeDays}`,
  };
}

export const secretsRotationCheck = guarded({
  id: 'security.secrets',
  title: 'Secrets exist and are rotated',
  severity: 'high',
  source: 'deployment guide §4.2.2; runbook 003 (rotate keys older than 90 days; PCI DSS 8.3.9, 8.6.3)',
  remediation: 'Rotate the secret and turn on automatic rotation.',
  async run(ctx) {
    const secrets = await usedSecrets(ctx);
    const { DescribeSecretCommand } = await import('@aws-sdk/client-secrets-manager');
    const client = await ctx.aws.secrets();
    // A resource policy may deny one secret and not the others: the denial is that secret's finding.
    return mapWithConcurrency(secrets, 8, async (used): Promise<CheckResult> => {
      try {
        const secret = await call('secretsmanager:DescribeSecret', () =>
          client.send(new DescribeSecretCommand({ SecretId: used.id }), { abortSignal: ctx.signal }),
        );
        return evaluateSecret(used, secret, ctx.now, ctx.env.config.security.secretMaxAgeDays);
      } catch (error) {
        if (error instanceof Error && error.name === 'ResourceNotFoundException')
          return evaluateSecret(used, null, ctx.now, ctx.env.config.security.secretMaxAgeDays);
        if (error instanceof MissingPermission)
          return missingPermissionResult('security.secret.rotation', oneLine(used.id), error);
        throw error;
      }
    });
  },
});
