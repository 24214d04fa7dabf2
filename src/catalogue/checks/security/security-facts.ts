import type { SecurityGroup } from '@aws-sdk/client-ec2';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import type { CheckContext } from '../../../base/model/check.js';
import { attempt } from '../partial.js';
import { ecsServices, rdsInstance, taskDefinition } from '../service-facts.js';
import { albsOfEach } from '../troubleshoot/load-balancer-facts.js';
import { allPages, call } from './common.js';

/** The facts of `fsops security` that several checks share, each gathered once per run (ctx.once). */

export interface ServiceTaskDef {
  component: string;
  service: string;
  /** null when the service is missing or has no task definition. */
  taskDef: TaskDefinition | null;
  /** awsvpc security groups of the service. */
  groupIds: string[];
  /** Why the task definition could not be read (one service's failure never hides the others'). */
  taskDefError?: string;
}

/** Each component's service, its security groups and its current task definition. */
export function serviceTaskDefs(ctx: CheckContext): Promise<ServiceTaskDef[]> {
  return ctx.once('security.services', async () => {
    const services = await call('ecs:DescribeServices', () => ecsServices(ctx));
    return Promise.all(
      services.map(async (s) => {
        const arn = s.service?.taskDefinition;
        const got = arn
          ? await attempt(call('ecs:DescribeTaskDefinition', () => taskDefinition(ctx, arn)))
          : null;
        return {
          component: s.component,
          service: s.name,
          taskDef: got?.ok ? got.value : null,
          groupIds: s.service?.networkConfiguration?.awsvpcConfiguration?.securityGroups ?? [],
          ...(got && !got.ok ? { taskDefError: got.reason } : {}),
        };
      }),
    );
  });
}

export function dbInstance(ctx: CheckContext) {
  return call('rds:DescribeDBInstances', () => rdsInstance(ctx));
}

/** Each component's ALB on its own: one that cannot be described is named with its reason, never the others' loss. */
export function loadBalancers(ctx: CheckContext) {
  return albsOfEach(ctx, ctx.env.components);
}

const GROUP_BATCH = 100;

/**
 * The named security groups only (never every group of the account): DescribeSecurityGroups with
 * GroupIds in batches, each paged. A group id that does not exist fails its whole batch
 * (InvalidGroup.NotFound), so a failed batch is retried one id at a time and the missing ids are left out.
 */
export function securityGroups(ctx: CheckContext, ids: readonly string[]): Promise<SecurityGroup[]> {
  const wanted = [...new Set(ids)].sort();
  return ctx.once(`security.sgs.${wanted.join(',')}`, async (signal) => {
    if (wanted.length === 0) return [];
    const { DescribeSecurityGroupsCommand } = await import('@aws-sdk/client-ec2');
    const ec2 = await ctx.aws.ec2();
    const describe = (GroupIds: string[]) =>
      allPages((NextToken) =>
        call('ec2:DescribeSecurityGroups', () =>
          ec2.send(new DescribeSecurityGroupsCommand({ GroupIds, NextToken }), { abortSignal: signal }),
        ).then((out) => ({ items: out.SecurityGroups, next: out.NextToken })),
      );
    const batches: string[][] = [];
    for (let i = 0; i < wanted.length; i += GROUP_BATCH) batches.push(wanted.slice(i, i + GROUP_BATCH));
    const found = await Promise.all(
      batches.map(async (batch) => {
        try {
          return await describe(batch);
        } catch (error) {
          if (!(error instanceof Error && /InvalidGroup/.test(error.name)) || batch.length === 1) {
            if (error instanceof Error && /InvalidGroup/.test(error.name)) return [];
            throw error;
          }
          const single = await Promise.all(
            batch.map((id) =>
              describe([id]).catch((e) => (/InvalidGroup/.test((e as Error).name) ? [] : Promise.reject(e))),
            ),
          );
          return single.flat();
        }
      }),
    );
    return found.flat();
  });
}
