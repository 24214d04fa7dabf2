import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { mapWithConcurrency } from '../../../base/model/concurrency.js';
import { oneLine } from '../../../base/model/text.js';
import { attempt, failureReason, gather, unreadFact } from '../partial.js';
import { allPages, call, guarded } from './common.js';
import { serviceTaskDefs } from './security-facts.js';

interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Principal?: string | Record<string, string | string[]>;
  Condition?: Record<string, Record<string, unknown>>;
  Sid?: string;
}

export interface PolicyDoc {
  /** Where the document comes from: `managed <arn>` or `inline <name>`. */
  name: string;
  document: string;
}

/** IAM returns policy documents URL-encoded (RFC 3986); parses one into its statements. */
export function parsePolicy(document: string): Statement[] {
  let text = document;
  try {
    if (!text.trim().startsWith('{')) text = decodeURIComponent(text);
  } catch {
    // not URL-encoded after all
  }
  const parsed = JSON.parse(text) as { Statement?: Statement | Statement[] };
  const statements = parsed.Statement ?? [];
  return Array.isArray(statements) ? statements : [statements];
}

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** Statements that allow every action (`*`) on every resource (`*`). */
export function adminStatements(statements: Statement[]): Statement[] {
  return statements.filter(
    (s) =>
      s.Effect === 'Allow' &&
      list(s.Action).some((a) => a === '*' || a === '*:*') &&
      list(s.Resource).includes('*'),
  );
}

/** Judges a role's policies (deployment guide §7.1.1: least privilege): no `*` action on `*` resource. */
export function evaluateRolePolicies(
  role: string,
  usedAs: string,
  policies: PolicyDoc[],
  /** What of the role could not be read (a list of its policies, one policy), with why: a `*` found in the rest still fails. */
  unread: string[] = [],
): CheckResult {
  const broad: string[] = [];
  const unreadable: string[] = [];
  for (const policy of policies) {
    try {
      if (adminStatements(parsePolicy(policy.document)).length) broad.push(oneLine(policy.name));
    } catch {
      unreadable.push(oneLine(policy.name));
    }
  }
  const base = {
    id: 'security.iam.role-wildcard',
    title: 'ECS role grants no * action on * resource',
    resource: `${oneLine(role)} (${usedAs})`,
    expected:
      'no Allow of Action "*" on Resource "*" (deployment guide §7.1.1: named actions on named resources)',
  };
  if (broad.length)
    return {
      ...base,
      status: 'fail',
      severity: 'critical',
      observed: `Action "*" on Resource "*" in ${broad.join(', ')}${unread.length ? `; could not read ${unread.join('; ')}` : ''}`,
      remediation:
        "Replace the policy with the least-privilege statements of deployment guide §7.1.1 (DynamoDB tables, the environment's secrets and parameters).",
    };
  if (unread.length)
    return {
      ...base,
      status: 'error',
      observed: `could not read ${unread.join('; ')}${unreadable.length ? `; could not parse ${unreadable.join(', ')}` : ''}${policies.length ? `; none of the ${policies.length} read grants * on *` : ''}`,
      remediation:
        'Check the permission or the AWS error named here, then run again; the policies that were read were judged.',
    };
  if (unreadable.length)
    return {
      ...base,
      status: 'error',
      observed: `could not parse ${unreadable.join(', ')}`,
      remediation: 'Read the policy by hand: aws iam get-role-policy / get-policy-version.',
    };
  return { ...base, status: 'pass', observed: `${policies.length} policies, none grants * on *` };
}

const MFA = 'aws:multifactorauthpresent';
const EXTERNAL_ID = 'sts:externalid';

/** Whether a trust statement lets another AWS principal assume the role (not a service). */
function trustsAwsPrincipal(s: Statement): boolean {
  if (s.Effect !== 'Allow') return false;
  if (!list(s.Action).some((a) => /^sts:AssumeRole$|^sts:\*$|^\*$/i.test(a))) return false;
  if (s.Principal === '*') return true;
  return typeof s.Principal === 'object' && s.Principal !== null && 'AWS' in s.Principal;
}

const values = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/**
 * Whether the statement's conditions demand MFA or an external id. The key alone is not enough: a
 * `Bool` MFA condition must be "true" (`"false"` lets in callers without MFA), and neither may be
 * an `...IfExists` or `Null` test (both let in a request that does not carry the key at all).
 */
function requiresMfaOrExternalId(s: Statement): boolean {
  return Object.entries(s.Condition ?? {}).some(([operator, block]) => {
    const op = operator.toLowerCase();
    if (op.endsWith('ifexists') || op === 'null') return false;
    return Object.entries(block ?? {}).some(([key, value]) => {
      const k = key.toLowerCase();
      if (k === MFA) return op === 'bool' && values(value).every((v) => String(v).toLowerCase() === 'true');
      if (k === EXTERNAL_ID)
        return (
          (op === 'stringequals' || op === 'stringlike') &&
          values(value).length > 0 &&
          values(value).every((v) => typeof v === 'string' && v.length > 0 && v !== '*')
        );
      return false;
    });
  });
}

/** A cross-account role's trust policy must require MFA or an external id (deployment guide §2.2.3, §2.3.1). */
export function evaluateTrustPolicy(role: string, document: string | undefined): CheckResult {
  const base = {
    id: 'security.iam.cross-account-trust',
    title: 'Cross-account role requires MFA or an external id',
    resource: oneLine(role),
    expected:
      'every AWS principal trusted must present MFA (aws:MultiFactorAuthPresent) or an sts:ExternalId (deployment guide §2.2.3 "MFA Required", §2.3.1)',
  };
  if (document === undefined)
    return {
      ...base,
      status: 'warn',
      observed: 'role not found in this account',
      remediation:
        'Check security.crossAccountRoles in the config: §2.3.1 puts DeploymentRole in production only.',
    };
  const open = parsePolicy(document)
    .filter(trustsAwsPrincipal)
    .filter((s) => !requiresMfaOrExternalId(s));
  const principals = (s: Statement) =>
    s.Principal === '*'
      ? '*'
      : list((s.Principal as Record<string, string | string[]>).AWS)
          .map((p) => oneLine(p))
          .join(', ');
  return open.length
    ? {
        ...base,
        status: 'fail',
        severity: 'critical',
        observed: `trusts ${open.map(principals).join('; ')} with neither MFA nor an external id`,
        remediation:
          'Add a Condition to the trust statement: "Bool": {"aws:MultiFactorAuthPresent": "true"} for people, or "StringEquals": {"sts:ExternalId": "<id>"} for the CI/CD and monitoring accounts.',
      }
    : { ...base, status: 'pass', observed: 'every trusted AWS principal needs MFA or an external id' };
}

function roleName(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

/**
 * Every policy document of a role: attached managed policies (default version) and inline policies,
 * all paged. Each list and each document is a fact of its own: what could not be read is named in
 * `unread` (with why), and the documents that were read are judged (a `*` among them still fails).
 */
async function rolePolicies(
  ctx: CheckContext,
  role: string,
): Promise<{ docs: PolicyDoc[]; unread: string[] }> {
  const iam = await ctx.aws.iam();
  const sdk = await import('@aws-sdk/client-iam');
  const signal = ctx.signal;
  const [attached, inline] = await gather(
    allPages((Marker) =>
      call('iam:ListAttachedRolePolicies', () =>
        iam.send(new sdk.ListAttachedRolePoliciesCommand({ RoleName: role, Marker }), {
          abortSignal: signal,
        }),
      ).then((o) => ({ items: o.AttachedPolicies, next: o.IsTruncated ? o.Marker : undefined })),
    ),
    allPages((Marker) =>
      call('iam:ListRolePolicies', () =>
        iam.send(new sdk.ListRolePoliciesCommand({ RoleName: role, Marker }), { abortSignal: signal }),
      ).then((o) => ({ items: o.PolicyNames, next: o.IsTruncated ? o.Marker : undefined })),
    ),
  );
  const unread: string[] = [];
  if (!attached.ok) unread.push(`its attached policies (${attached.reason})`);
  if (!inline.ok) unread.push(`its inline policies (${inline.reason})`);
  const managed = await mapWithConcurrency(attached.ok ? attached.value : [], 4, (p) =>
    attempt(
      // Managed policies are shared between roles: each fetched once per run.
      ctx.once(`security.iam.policy.${p.PolicyArn}`, async (runSignal) => {
        const policy = await call('iam:GetPolicy', () =>
          iam.send(new sdk.GetPolicyCommand({ PolicyArn: p.PolicyArn }), { abortSignal: runSignal }),
        );
        const version = await call('iam:GetPolicyVersion', () =>
          iam.send(
            new sdk.GetPolicyVersionCommand({
              PolicyArn: p.PolicyArn,
              VersionId: policy.Policy?.DefaultVersionId,
            }),
            { abortSignal: runSignal },
          ),
        );
        return {
          name: `managed ${p.PolicyName ?? p.PolicyArn}`,
          document: version.PolicyVersion?.Document ?? '{}',
        };
      }),
    ).then((got) => ({ got, name: `managed ${p.PolicyName ?? p.PolicyArn}` })),
  );
  const inlineDocs = await mapWithConcurrency(inline.ok ? inline.value : [], 4, (name) =>
    attempt(
      call('iam:GetRolePolicy', () =>
        iam.send(new sdk.GetRolePolicyCommand({ RoleName: role, PolicyName: name }), {
          abortSignal: signal,
        }),
      ).then((out) => ({ name: `inline ${name}`, document: out.PolicyDocument ?? '{}' })),
    ).then((got) => ({ got, name: `inline ${name}` })),
  );
  const docs: PolicyDoc[] = [];
  for (const { got, name } of [...managed, ...inlineDocs]) {
    if (got.ok) docs.push(got.value);
    else unread.push(`${oneLine(name)} (${got.reason})`);
  }
  return { docs, unread };
}

export const taskRolesCheck = guarded({
  id: 'security.iam-task-roles',
  title: 'ECS task and execution roles are least-privilege',
  severity: 'critical',
  source:
    'deployment guide §7.1.1, §5.2.1; runbook 003 PCI DSS (monthly: review user access rights; PCI DSS 7.2)',
  remediation: 'Grant only the actions and resources deployment guide §7.1.1 lists.',
  async run(ctx) {
    const services = await serviceTaskDefs(ctx);
    const roles = new Map<string, string[]>();
    for (const s of services) {
      for (const [arn, kind] of [
        [s.taskDef?.taskRoleArn, 'task role'],
        [s.taskDef?.executionRoleArn, 'execution role'],
      ] as const) {
        if (arn) roles.set(roleName(arn), [...(roles.get(roleName(arn)) ?? []), `${kind} of ${s.service}`]);
      }
    }
    const results: CheckResult[] = services
      .filter((s) => !s.taskDef)
      .map((s) => ({
        id: 'security.iam.role-wildcard',
        status: 'error' as const,
        resource: s.service,
        expected: 'the service and its task definition',
        observed: s.taskDefError
          ? `could not read its task definition: ${s.taskDefError}; its roles were not checked`
          : 'the service was not found or has no task definition: its roles were not checked',
        remediation: 'Check names.service and names.cluster in the config.',
      }));
    // One role that cannot be read is its own error finding; the other roles are still judged.
    const judged = await mapWithConcurrency([...roles], 4, async ([role, usedAs]) => {
      const policies = await attempt(rolePolicies(ctx, role));
      return policies.ok
        ? evaluateRolePolicies(role, usedAs.join(', '), policies.value.docs, policies.value.unread)
        : unreadFact('security.iam.role-wildcard', role, `the policies of ${role}`, policies.reason);
    });
    return [...results, ...judged];
  },
});

export const crossAccountRolesCheck = guarded({
  id: 'security.iam-cross-account',
  title: 'Cross-account roles require MFA or an external id',
  severity: 'critical',
  source: 'deployment guide §2.2.3, §2.3.1; runbook 003 PCI DSS (PCI DSS 8.4)',
  remediation: 'Require MFA or an external id in the trust policy.',
  async run(ctx) {
    const { GetRoleCommand } = await import('@aws-sdk/client-iam');
    const iam = await ctx.aws.iam();
    return mapWithConcurrency(ctx.env.config.security.crossAccountRoles, 4, async (role) => {
      try {
        const out = await call('iam:GetRole', () =>
          iam.send(new GetRoleCommand({ RoleName: role }), { abortSignal: ctx.signal }),
        );
        return evaluateTrustPolicy(role, out.Role?.AssumeRolePolicyDocument ?? '{}');
      } catch (error) {
        if (error instanceof Error && error.name === 'NoSuchEntityException')
          return evaluateTrustPolicy(role, undefined);
        return unreadFact(
          'security.iam.cross-account-trust',
          role,
          `the trust policy of ${role}`,
          failureReason(error),
        );
      }
    });
  },
});
