import type { IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';
import type { CheckResult } from '../../../base/model/check.js';
import { oneLine } from '../../../base/model/text.js';
import { attempt, gather, unreadFact } from '../partial.js';
import { guarded } from './common.js';
import { dbInstance, loadBalancers, securityGroups, serviceTaskDefs } from './security-facts.js';

export type GroupRole = 'alb' | 'ecs' | 'rds';

export interface NetworkInput {
  albs: { name: string; groupIds: string[] }[];
  services: { name: string; groupIds: string[] }[];
  /** null when the RDS instance does not exist. */
  db: { name: string; port: number; groupIds: string[]; publiclyAccessible: boolean } | null;
  /** The attached groups as EC2 described them (missing ones are absent); null when they could not be read. */
  groups: SecurityGroup[] | null;
  /**
   * Whether every ALB (each component's is its own fact) and the services could be read. While one is
   * missing, a group's ingress is still judged from what arrived: a source that is an arrived group
   * passes, a CIDR or prefix list (never the group of an ALB or a service) is foreign, and another
   * security group is not judged (it may be the missing one's): an unknown list is never "nothing
   * else admitted".
   */
  known: { albs: boolean; services: boolean };
  /** deployment guide §3.1.2: the ALB may be open to the world on these ports (443, 80). */
  publicPorts: number[];
}

const WORLD = new Set(['0.0.0.0/0', '::/0']);

function ports(rule: IpPermission): string {
  if (rule.IpProtocol === '-1' || rule.IpProtocol === 'all') return 'all traffic';
  const from = rule.FromPort ?? 0;
  const to = rule.ToPort ?? 65535;
  return `${rule.IpProtocol} ${from === to ? from : `${from}-${to}`}`;
}

/** Whether a rule opens exactly the allowed ports (tcp, one port each) and nothing more. */
function onlyPorts(rule: IpPermission, allowed: readonly number[]): boolean {
  if (rule.IpProtocol !== 'tcp' && rule.IpProtocol !== '6') return false;
  const from = rule.FromPort ?? 0;
  const to = rule.ToPort ?? 65535;
  for (let p = from; p <= to; p++) if (!allowed.includes(p)) return false;
  return true;
}

/** The world-open (0.0.0.0/0, ::/0) parts of a group's ingress, described. */
export function worldOpenRules(group: SecurityGroup): { rule: IpPermission; text: string }[] {
  const out: { rule: IpPermission; text: string }[] = [];
  for (const rule of group.IpPermissions ?? []) {
    const cidrs = [
      ...(rule.IpRanges ?? []).map((r) => r.CidrIp),
      ...(rule.Ipv6Ranges ?? []).map((r) => r.CidrIpv6),
    ].filter((c): c is string => Boolean(c && WORLD.has(c)));
    for (const cidr of cidrs) out.push({ rule, text: `${ports(rule)} from ${cidr}` });
  }
  return out;
}

/**
 * Ingress sources of a group other than the allowed security groups: other groups (`isGroup`), CIDRs,
 * prefix lists.
 */
function foreignSources(
  group: SecurityGroup,
  allowedGroups: readonly string[],
): { text: string; isGroup: boolean }[] {
  const out: { text: string; isGroup: boolean }[] = [];
  const add = (rule: IpPermission, from: string, isGroup = false) =>
    out.push({ text: `${ports(rule)} from ${from}`, isGroup });
  for (const rule of group.IpPermissions ?? []) {
    for (const pair of rule.UserIdGroupPairs ?? [])
      if (pair.GroupId && !allowedGroups.includes(pair.GroupId) && pair.GroupId !== group.GroupId)
        add(rule, pair.GroupId, true);
    for (const r of rule.IpRanges ?? []) if (r.CidrIp) add(rule, r.CidrIp);
    for (const r of rule.Ipv6Ranges ?? []) if (r.CidrIpv6) add(rule, r.CidrIpv6);
    for (const p of rule.PrefixListIds ?? []) if (p.PrefixListId) add(rule, p.PrefixListId);
  }
  return out;
}

/**
 * Judges every security group attached to the ALBs, the ECS services and the database against
 * deployment guide §3.1.2: nothing open to 0.0.0.0/0 or ::/0 except the ALB on its public ports; the
 * ECS groups admit only the ALB's groups; the RDS groups admit only the ECS groups; RDS is not public.
 */
export function evaluateNetwork(input: NetworkInput): CheckResult[] {
  const results: CheckResult[] = [];
  if (input.db) results.push(rdsPublic(input.db));
  // The groups could not be described: that fact's own error finding says so; nothing to judge here.
  if (input.groups === null) return results;
  const byId = new Map(input.groups.map((g) => [g.GroupId ?? '', g]));
  const attached: { role: GroupRole; owner: string; id: string }[] = [
    ...input.albs.flatMap((a) => a.groupIds.map((id) => ({ role: 'alb' as const, owner: a.name, id }))),
    ...input.services.flatMap((s) => s.groupIds.map((id) => ({ role: 'ecs' as const, owner: s.name, id }))),
    ...(input.db ? input.db.groupIds.map((id) => ({ role: 'rds' as const, owner: input.db!.name, id })) : []),
  ];
  const albGroups = input.albs.flatMap((a) => a.groupIds);
  const ecsGroups = input.services.flatMap((s) => s.groupIds);
  const seen = new Set<string>();
  for (const { role, owner, id } of attached) {
    const key = `${role}:${id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const group = byId.get(id);
    const label = (n?: string) => `${id}${n ? ` ${n}` : ''} (${role.toUpperCase()} ${owner})`;
    const resource = label();
    if (!group) {
      results.push({
        id: 'security.network.group',
        status: 'error',
        resource,
        expected: 'the attached security group can be described',
        observed: 'EC2 did not return this group (deleted, or in another account)',
        remediation: 'Check the group exists in this account and region.',
      });
      continue;
    }
    const named = label(oneLine(group.GroupName));
    const open = worldOpenRules(group);
    const allowedOpen = role === 'alb' ? open.filter((o) => onlyPorts(o.rule, input.publicPorts)) : [];
    const badOpen = open.filter((o) => !allowedOpen.includes(o));
    results.push({
      id: 'security.network.world-open',
      title: 'Nothing open to the internet but the ALB on 443/80',
      status: badOpen.length ? 'fail' : 'pass',
      severity: 'critical',
      resource: named,
      expected:
        role === 'alb'
          ? `only tcp ${input.publicPorts.join(', ')} from 0.0.0.0/0 (deployment guide §3.1.2)`
          : 'no ingress from 0.0.0.0/0 or ::/0 (deployment guide §3.1.2)',
      observed: badOpen.length
        ? `open to the world: ${badOpen.map((o) => o.text).join('; ')}`
        : open.length
          ? `world-open only on ${allowedOpen.map((o) => o.text).join('; ')}`
          : 'no world-open ingress',
      remediation: `Remove the world-open ingress rules from ${id} (aws ec2 revoke-security-group-ingress --group-id ${id} ...); reach the service through the ALB.`,
    });
    const sourcesKnown = role === 'ecs' ? input.known.albs : input.known.services;
    if (role === 'ecs' || role === 'rds') {
      const allowed = role === 'ecs' ? albGroups : ecsGroups;
      // World-open sources count too: "admits only X" is false while 0.0.0.0/0 is admitted.
      const sources = foreignSources(group, allowed);
      // With an ALB (or the services) unread, another group may be the missing one's: not judged.
      const foreign = sourcesKnown ? sources : sources.filter((s) => !s.isGroup);
      const unjudged = sourcesKnown ? [] : sources.filter((s) => s.isGroup);
      const missing =
        role === 'ecs' ? 'an ALB that could not be read' : 'the ECS services, which could not be read';
      // Nothing can be said of this group from what arrived: the unread fact's error stands for it.
      if (!sourcesKnown && foreign.length === 0 && (unjudged.length > 0 || allowed.length === 0)) continue;
      const from = role === 'ecs' ? "the ALB's security group" : "the ECS services' security group";
      // An empty expectation can never pass: with no group to admit, "only those" is not a judgement.
      const status = foreign.length ? 'warn' : allowed.length === 0 ? 'error' : 'pass';
      results.push({
        id: `security.network.${role}-ingress`,
        title: role === 'ecs' ? 'ECS admits only the ALB' : 'RDS admits only the ECS services',
        status,
        severity: 'high',
        resource: named,
        expected: `ingress only from ${from}: ${allowed.join(', ') || '(none found)'} (deployment guide §3.1.2)`,
        observed: foreign.length
          ? `also admits ${foreign.map((f) => f.text).join('; ')}${unjudged.length ? `; not judged: ${unjudged.map((f) => f.text).join('; ')} (may be the group of ${missing})` : ''}`
          : allowed.length === 0
            ? `no ${role === 'ecs' ? 'ALB' : 'ECS service'} security group was found to compare against: not judged`
            : `ingress only from ${from}`,
        remediation:
          role === 'rds'
            ? `Remove other sources from ${id}; §3.1.2 also allows the Lambda security group — if that is one of these, it is expected.`
            : `Remove other sources from ${id}: tasks are reached through the ALB only.`,
      });
    }
  }
  return results;
}

/** Needs only the RDS instance: judged whatever else could not be read. */
function rdsPublic(db: NonNullable<NetworkInput['db']>): CheckResult {
  return {
    id: 'security.network.rds-public',
    title: 'RDS is not publicly accessible',
    status: db.publiclyAccessible ? 'fail' : 'pass',
    severity: 'critical',
    resource: db.name,
    expected: 'PubliclyAccessible false (deployment guide §6.1.1)',
    observed: db.publiclyAccessible ? 'PubliclyAccessible true' : 'PubliclyAccessible false',
    remediation: `aws rds modify-db-instance --db-instance-identifier ${db.name} --no-publicly-accessible --apply-immediately`,
  };
}

export const networkCheck = guarded({
  id: 'security.network',
  title: 'Security groups of the ALB, ECS and RDS',
  severity: 'critical',
  source:
    'deployment guide §3.1.2, §6.1.1; runbook 003 PCI DSS (quarterly: review firewall rules; PCI DSS 1.3, 1.4)',
  remediation: 'Make the security groups match deployment guide §3.1.2.',
  async run(ctx) {
    // Each fact on its own, each component's ALB too: one that cannot be read is its own error
    // finding, the rest are judged.
    const [servicesGot, dbGot, balancersGot] = await gather(
      serviceTaskDefs(ctx),
      dbInstance(ctx),
      loadBalancers(ctx),
    );
    const id = 'security.network';
    const results: CheckResult[] = [];
    if (!servicesGot.ok)
      results.push(unreadFact(id, ctx.env.nameOf('cluster'), 'the ECS services', servicesGot.reason));
    if (!dbGot.ok)
      results.push(unreadFact(id, ctx.env.nameOf('dbInstance'), 'the RDS instance', dbGot.reason));
    const albsRead = balancersGot.ok
      ? balancersGot.value
      : { found: [], unread: [{ name: 'the ALBs (names.alb)', reason: balancersGot.reason }] };
    for (const u of albsRead.unread)
      results.push(unreadFact(id, u.name, `the load balancer ${u.name}`, u.reason));
    const services = servicesGot.ok ? servicesGot.value : [];
    const db = dbGot.ok ? dbGot.value : null;
    const balancers = albsRead.found;
    const dbGroupIds = (db?.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId ?? '').filter(Boolean);
    const input: NetworkInput = {
      albs: balancers.map((a) => ({ name: a.name, groupIds: a.securityGroups })),
      services: services.map((s) => ({ name: s.service, groupIds: s.groupIds })),
      db: db
        ? {
            name: db.DBInstanceIdentifier ?? ctx.env.nameOf('dbInstance'),
            port: db.Endpoint?.Port ?? db.DbInstancePort ?? 5432,
            groupIds: dbGroupIds,
            publiclyAccessible: db.PubliclyAccessible === true,
          }
        : null,
      groups: [],
      known: { albs: albsRead.unread.length === 0, services: servicesGot.ok },
      publicPorts: ctx.env.config.security.publicPorts,
    };
    const ids = [...input.albs, ...input.services].flatMap((x) => x.groupIds).concat(dbGroupIds);
    const groupsGot = await attempt(securityGroups(ctx, ids));
    if (!groupsGot.ok)
      results.push(unreadFact(id, ids.join(', ') || id, 'the security groups', groupsGot.reason));
    input.groups = groupsGot.ok ? groupsGot.value : null;
    results.push(...evaluateNetwork(input));
    if (dbGot.ok && !db)
      results.push({
        id: 'security.network.rds-public',
        status: 'fail',
        resource: ctx.env.nameOf('dbInstance'),
        expected: 'the RDS instance exists',
        observed: 'instance not found',
        remediation: 'Check names.dbInstance in the config and the account/region.',
      });
    for (const s of services)
      if (s.groupIds.length === 0)
        results.push({
          id: 'security.network.service',
          status: 'error',
          resource: s.service,
          expected: 'an awsvpc service with security groups',
          observed:
            'the service was not found or has no awsvpc security groups: its network could not be checked',
          remediation: 'Check the service exists (names.service) and uses awsvpc networking.',
        });
    return results;
  },
});
