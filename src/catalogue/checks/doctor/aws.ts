import {
  awsProfileExists,
  awsProfileFiles,
  describeAwsError,
  isAccessDenied,
  isCredentialsError,
} from '../../../base/aws/errors.js';
import { AWS_PERMISSIONS, allActions } from '../../../base/aws/permissions.js';
import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { defineCheck, noParams } from '../../../base/model/check.js';

export interface Identity {
  account: string;
  arn: string;
}

/** The caller's identity for this environment (STS), gathered once per run. */
export function callerIdentity(ctx: CheckContext): Promise<Identity> {
  return ctx.once('doctor.identity', async (signal) => {
    const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const out = await (await ctx.aws.sts()).send(new GetCallerIdentityCommand({}), { abortSignal: signal });
    if (!out.Account || !out.Arn) throw new Error('GetCallerIdentity named no account');
    return { account: out.Account, arn: out.Arn };
  });
}

/** Why there are no usable credentials, and where to set them. */
export function credentialsFix(env: string, profile: string | undefined): string {
  if (profile && !awsProfileExists(profile)) {
    const files = awsProfileFiles();
    return `Profile '${profile}' is not in ${files.config} or ${files.credentials}: \`aws configure sso --profile ${profile}\` (or correct environments.${env}.profile / --profile / AWS_PROFILE).`;
  }
  if (profile) return `Refresh the profile's credentials: \`aws sso login --profile ${profile}\`.`;
  return `Name a profile: environments.${env}.profile in the config, --profile or AWS_PROFILE (or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).`;
}

export function evaluateIdentity(env: string, expected: string | null, identity: Identity): CheckResult {
  const ok = !expected || identity.account === expected;
  return {
    status: ok ? 'pass' : 'fail',
    resource: env,
    expected: expected ? `account ${expected}` : 'credentials (no accountId in the config: any account)',
    observed: `${identity.arn} in account ${identity.account}`,
    remediation: `These credentials are for another account: use this environment's profile (--profile, environments.${env}.profile), or correct environments.${env}.accountId.`,
  };
}

export const credentialsCheck = defineCheck({
  id: 'doctor.credentials',
  title: "AWS credentials reach the environment's account",
  severity: 'critical',
  source: 'deployment guide §2.2 (accounts); docs/startup.md (Credentials)',
  remediation: 'Set the environment profile (environments.<env>.profile, --profile or AWS_PROFILE).',
  params: noParams,
  async run(ctx) {
    try {
      return [evaluateIdentity(ctx.env.name, ctx.env.accountId, await callerIdentity(ctx))];
    } catch (error) {
      const profile = ctx.aws.settings.profile;
      return [
        {
          status: isCredentialsError(error) || isAccessDenied(error) ? 'fail' : 'error',
          resource: ctx.env.name,
          expected: ctx.env.accountId ? `account ${ctx.env.accountId}` : 'credentials',
          observed: describeAwsError(error),
          remediation:
            isCredentialsError(error) || isAccessDenied(error)
              ? credentialsFix(ctx.env.name, profile)
              : 'Check the network path to STS (proxy, --endpoint-url, AWS_ENDPOINT_URL), then run again.',
        },
      ];
    }
  },
});

/**
 * The IAM principal to simulate for an STS caller ARN: a user as is; an assumed role as its role
 * (`iam:GetRole` gives the path; without it the role is taken at the root path). Null for the root user
 * and federated users, which cannot be simulated.
 */
export function principalOf(arn: string): { kind: 'user' | 'role'; arn: string; roleName?: string } | null {
  const role = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn);
  if (role)
    return { kind: 'role', arn: `arn:${role[1]}:iam::${role[2]}:role/${role[3]}`, roleName: role[3]! };
  if (/^arn:aws[\w-]*:iam::\d{12}:user\//.test(arn)) return { kind: 'user', arn };
  return null;
}

export type Decisions = Map<string, string>;

/** One result per command family: which of its actions the caller's policies do not allow. */
export function evaluatePermissions(principal: string, decisions: Decisions): CheckResult[] {
  return AWS_PERMISSIONS.map((family) => {
    const denied = family.actions.filter((action) => decisions.get(action) !== 'allowed');
    return {
      id: `doctor.permissions.${family.family.replace(/\W+/g, '-')}`,
      title: `IAM permissions for ${family.family}`,
      status: denied.length === 0 ? 'pass' : 'fail',
      resource: principal,
      expected: `${family.actions.length} action${family.actions.length === 1 ? '' : 's'} allowed (${family.commands})`,
      observed:
        denied.length === 0
          ? `all ${family.actions.length} allowed`
          : `not allowed: ${denied.map((action) => `${action} (${decisions.get(action) ?? 'not evaluated'})`).join(', ')}`,
      remediation: `Allow ${denied.join(', ')} in a policy of ${principal} (needed by ${family.commands}).`,
    } satisfies CheckResult;
  });
}

async function simulate(ctx: CheckContext, principal: string, signal: AbortSignal): Promise<Decisions> {
  const { SimulatePrincipalPolicyCommand } = await import('@aws-sdk/client-iam');
  const iam = await ctx.aws.iam();
  const decisions: Decisions = new Map();
  let marker: string | undefined;
  // Bounded: 10 pages of 100 is ten times the list.
  for (let page = 0; page < 10; page++) {
    const out = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: principal,
        ActionNames: allActions(),
        ...(marker ? { Marker: marker } : {}),
      }),
      { abortSignal: signal },
    );
    for (const result of out.EvaluationResults ?? []) {
      if (result.EvalActionName) decisions.set(result.EvalActionName, result.EvalDecision ?? 'unknown');
    }
    if (!out.IsTruncated || !out.Marker || out.Marker === marker) return decisions;
    marker = out.Marker;
  }
  return decisions;
}

/** The role's ARN with its path (GetRole); the path-less ARN when GetRole is not allowed. */
async function roleArn(
  ctx: CheckContext,
  roleName: string,
  fallback: string,
  signal: AbortSignal,
): Promise<string> {
  const { GetRoleCommand } = await import('@aws-sdk/client-iam');
  try {
    const out = await (await ctx.aws.iam()).send(new GetRoleCommand({ RoleName: roleName }), {
      abortSignal: signal,
    });
    return out.Role?.Arn ?? fallback;
  } catch (error) {
    if (isAccessDenied(error)) return fallback;
    throw error;
  }
}

export const permissionsCheck = defineCheck({
  id: 'doctor.permissions',
  title: 'IAM permissions of each command family',
  severity: 'high',
  source: 'deployment guide §2.3.1 (IAM cross-account roles), §7.1 (IAM roles and policies)',
  remediation: 'Allow the listed actions in a policy of the role fsops runs as.',
  params: noParams,
  async run(ctx) {
    let identity: Identity;
    try {
      identity = await callerIdentity(ctx);
    } catch (error) {
      return [
        {
          status: 'error',
          resource: ctx.env.name,
          observed: `not checked: no identity (${describeAwsError(error)})`,
          expected: 'the caller is known (doctor.credentials)',
          remediation: 'Fix the credentials first (doctor.credentials).',
        },
      ];
    }
    const principal = principalOf(identity.arn);
    if (!principal) {
      return [
        {
          status: identity.arn.endsWith(':root') ? 'warn' : 'skip',
          resource: identity.arn,
          expected: 'an IAM user or role',
          observed: identity.arn.endsWith(':root')
            ? 'the account root user: every permission, and no guard rails'
            : 'a federated or service principal IAM cannot simulate',
          remediation: 'Run fsops as an IAM role (SSO permission set or an assumed role), not as root.',
        },
      ];
    }
    try {
      const arn =
        principal.kind === 'role'
          ? await roleArn(ctx, principal.roleName!, principal.arn, ctx.signal)
          : principal.arn;
      return evaluatePermissions(arn, await simulate(ctx, arn, ctx.signal));
    } catch (error) {
      return [
        {
          status: 'error',
          resource: principal.arn,
          expected: 'iam:SimulatePrincipalPolicy answers for the caller',
          observed: `could not simulate the policies: ${describeAwsError(error)}`,
          remediation: isAccessDenied(error)
            ? `Allow iam:SimulatePrincipalPolicy on ${principal.arn} to itself (read-only), or ask an administrator to run \`fsops doctor\`; the actions fsops needs: src/base/aws/permissions.ts, \`fsops doctor --output json\`.`
            : 'Run again; check the network path to IAM.',
        },
      ];
    }
  },
});
