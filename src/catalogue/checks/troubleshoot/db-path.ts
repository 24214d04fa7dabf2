import type { IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';
import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { componentsParams, defineCheck } from '../../../base/model/check.js';
import { ecsServices, rdsInstance } from '../service-facts.js';

/** An IPv4 CIDR as [network, mask] numbers; null for IPv6 or malformed ranges. */
function parseCidr(cidr: string): [number, number] | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!match) return null;
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((o) => o > 255) || bits > 32) return null;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return [(address & mask) >>> 0, mask];
}

/** Whether `outer` contains every address of `inner` (both IPv4 CIDRs). */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  if (!o || !i) return false;
  return i[1] >>> 0 >= o[1] >>> 0 && (i[0] & o[1]) >>> 0 === o[0];
}

function coversPort(rule: IpPermission, port: number): boolean {
  if (rule.IpProtocol === '-1' || rule.IpProtocol === 'all') return true;
  if (rule.IpProtocol !== 'tcp' && rule.IpProtocol !== '6') return false;
  return (rule.FromPort ?? 0) <= port && port <= (rule.ToPort ?? 65535);
}

/** The first rule that lets traffic on `port` to or from `peerGroups` or every one of `peerCidrs`, described. */
export function matchingRule(
  rules: readonly IpPermission[],
  port: number,
  peerGroups: readonly string[],
  peerCidrs: readonly string[],
): string | null {
  for (const rule of rules) {
    if (!coversPort(rule, port)) continue;
    const proto = rule.IpProtocol === '-1' ? 'all traffic' : `tcp ${rule.FromPort}-${rule.ToPort}`;
    const pair = (rule.UserIdGroupPairs ?? []).find((p) => p.GroupId && peerGroups.includes(p.GroupId));
    if (pair) return `${proto} with ${pair.GroupId}`;
    const range = (rule.IpRanges ?? []).find(
      (r) => r.CidrIp && peerCidrs.length > 0 && peerCidrs.every((cidr) => cidrContains(r.CidrIp!, cidr)),
    );
    if (range) return `${proto} with ${range.CidrIp}`;
  }
  return null;
}

export interface DbPathInput {
  dbName: string;
  dbPort: number;
  dbGroupIds: string[];
  dbSubnetCidrs: string[];
  services: { name: string; groupIds: string[]; subnetCidrs: string[] }[];
  /** Every security group involved, by id, as EC2 described them. */
  groups: SecurityGroup[];
}

/**
 * Whether the security groups let each ECS service reach the database (deployment guide §3.1.2):
 * RDS ingress on the DB port from the service's group (or a CIDR holding its subnets), and the
 * service's egress to the RDS group (or a CIDR holding the DB subnets).
 */
export function evaluateDbPath(input: DbPathInput): CheckResult[] {
  const byId = new Map(input.groups.map((g) => [g.GroupId!, g]));
  const dbGroups = input.dbGroupIds.map((id) => byId.get(id)).filter((g): g is SecurityGroup => Boolean(g));
  const results: CheckResult[] = [];
  for (const service of input.services) {
    if (service.groupIds.length === 0) {
      results.push({
        id: 'net.db-path.service',
        status: 'skip',
        resource: service.name,
        expected: 'awsvpc network configuration with security groups',
        observed: 'the service has no awsvpc security groups (or was not found)',
        remediation: 'Check the service exists and uses awsvpc networking (deployment guide §3.2.2).',
      });
      continue;
    }
    const serviceGroups = service.groupIds
      .map((id) => byId.get(id))
      .filter((g): g is SecurityGroup => Boolean(g));
    const ingress = dbGroups
      .map((g) => {
        const rule = matchingRule(g.IpPermissions ?? [], input.dbPort, service.groupIds, service.subnetCidrs);
        return rule ? `${g.GroupId} allows ${rule}` : null;
      })
      .find(Boolean);
    results.push({
      id: 'net.db-path.ingress',
      title: 'RDS security group admits the ECS tasks',
      status: ingress ? 'pass' : 'fail',
      severity: 'critical',
      resource: `${input.dbName} <- ${service.name}`,
      expected: `ingress tcp ${input.dbPort} from ${service.groupIds.join(', ')} (deployment guide §3.1.2)`,
      observed:
        ingress ??
        `no ingress rule in ${input.dbGroupIds.join(', ') || '(no DB security groups)'} allows ${input.dbPort} from ${service.groupIds.join(', ')} or ${service.subnetCidrs.join(', ') || 'the task subnets'}`,
      remediation: `Add an ingress rule to the RDS security group: tcp ${input.dbPort} from ${service.groupIds[0]} (deployment guide §3.1.2).`,
    });
    const egress = serviceGroups
      .map((g) => {
        const rule = matchingRule(
          g.IpPermissionsEgress ?? [],
          input.dbPort,
          input.dbGroupIds,
          input.dbSubnetCidrs,
        );
        return rule ? `${g.GroupId} allows ${rule}` : null;
      })
      .find(Boolean);
    results.push({
      id: 'net.db-path.egress',
      title: 'ECS security group lets the tasks out to RDS',
      status: egress ? 'pass' : 'fail',
      severity: 'critical',
      resource: `${service.name} -> ${input.dbName}`,
      expected: `egress tcp ${input.dbPort} to ${input.dbGroupIds.join(', ')} (deployment guide §3.1.2)`,
      observed:
        egress ??
        `no egress rule in ${service.groupIds.join(', ')} allows ${input.dbPort} to ${input.dbGroupIds.join(', ')} or ${input.dbSubnetCidrs.join(', ') || 'the DB subnets'}`,
      remediation: `Add an egress rule to the ECS security group: tcp ${input.dbPort} to ${input.dbGroupIds[0] ?? 'the RDS security group'} (deployment guide §3.1.2).`,
    });
  }
  return results;
}

/** The facts evaluateDbPath needs: services' and DB's groups and subnets, then one DescribeSecurityGroups and one DescribeSubnets. */
export function dbPathFacts(ctx: CheckContext, components: readonly string[]): Promise<DbPathInput | null> {
  return ctx.once(`net.db-path.${components.join(',')}`, async (signal) => {
    const [services, db] = await Promise.all([ecsServices(ctx), rdsInstance(ctx)]);
    if (!db) return null;
    const wanted = services.filter((s) => components.includes(s.component));
    const vpc = (s: (typeof wanted)[number]) => s.service?.networkConfiguration?.awsvpcConfiguration;
    const dbGroupIds = (db.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId!).filter(Boolean);
    const dbSubnetIds = (db.DBSubnetGroup?.Subnets ?? []).map((s) => s.SubnetIdentifier!).filter(Boolean);
    const groupIds = [...new Set([...dbGroupIds, ...wanted.flatMap((s) => vpc(s)?.securityGroups ?? [])])];
    const subnetIds = [...new Set([...dbSubnetIds, ...wanted.flatMap((s) => vpc(s)?.subnets ?? [])])];
    const { DescribeSecurityGroupsCommand, DescribeSubnetsCommand } = await import('@aws-sdk/client-ec2');
    const ec2 = await ctx.aws.ec2();
    const [groups, subnets] = await Promise.all([
      groupIds.length
        ? ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds }), { abortSignal: signal })
        : Promise.resolve({ SecurityGroups: [] }),
      subnetIds.length
        ? ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }), { abortSignal: signal })
        : Promise.resolve({ Subnets: [] }),
    ]);
    const cidrOf = new Map((subnets.Subnets ?? []).map((s) => [s.SubnetId!, s.CidrBlock ?? '']));
    const cidrs = (ids: string[]) => ids.map((id) => cidrOf.get(id)).filter((c): c is string => Boolean(c));
    return {
      dbName: db.DBInstanceIdentifier ?? ctx.env.nameOf('dbInstance'),
      dbPort: db.Endpoint?.Port ?? db.DbInstancePort ?? 5432,
      dbGroupIds,
      dbSubnetCidrs: cidrs(dbSubnetIds),
      services: wanted.map((s) => ({
        name: s.name,
        groupIds: vpc(s)?.securityGroups ?? [],
        subnetCidrs: cidrs(vpc(s)?.subnets ?? []),
      })),
      groups: groups.SecurityGroups ?? [],
    };
  });
}

export const dbPathCheck = defineCheck({
  id: 'net.db-path',
  title: 'Security groups let ECS tasks reach RDS',
  severity: 'critical',
  source: 'deployment guide §3.1.2, §12.1.2',
  remediation: 'Fix the security group rules as deployment guide §3.1.2 defines them.',
  params: componentsParams,
  async run(ctx, params) {
    const input = await dbPathFacts(ctx, params.components ?? ctx.env.components);
    if (!input) {
      return [
        {
          id: 'net.db-path.database',
          status: 'fail',
          resource: ctx.env.nameOf('dbInstance'),
          expected: 'the RDS instance exists',
          observed: 'instance not found',
          remediation: 'Check names.dbInstance in the config and the account/region.',
        },
      ];
    }
    return evaluateDbPath(input);
  },
});
