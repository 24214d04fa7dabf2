import type { Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { DBInstance } from '@aws-sdk/client-rds';
import type { CheckContext } from '../../base/model/check.js';
import { mapWithConcurrency } from '../../base/model/concurrency.js';

const DESCRIBE_SERVICES_BATCH = 10;
const DESCRIBE_SERVICES_CONCURRENCY = 4;

export interface ServiceFacts {
  component: string;
  name: string;
  /** null when ECS reports the service as missing. */
  service: Service | null;
}

/** Every component's ECS service, in as few DescribeServices calls as the API allows (10 per call). */
export function ecsServices(ctx: CheckContext): Promise<ServiceFacts[]> {
  return ctx.once('ecs.services', async (signal) => {
    const { DescribeServicesCommand } = await import('@aws-sdk/client-ecs');
    const ecs = await ctx.aws.ecs();
    const cluster = ctx.env.nameOf('cluster');
    const wanted = ctx.env.components.map((component) => ({
      component,
      name: ctx.env.nameOf('service', component),
    }));
    const batches: (typeof wanted)[] = [];
    for (let i = 0; i < wanted.length; i += DESCRIBE_SERVICES_BATCH)
      batches.push(wanted.slice(i, i + DESCRIBE_SERVICES_BATCH));
    // A fleet of services: a few batches at a time, not a burst against ECS's request rate.
    const described: Service[][] = [];
    await mapWithConcurrency(batches, DESCRIBE_SERVICES_CONCURRENCY, async (batch, index) => {
      const out = await ecs.send(
        new DescribeServicesCommand({ cluster, services: batch.map((b) => b.name) }),
        { abortSignal: signal },
      );
      described[index] = out.services ?? [];
    });
    const services = described.flat();
    return wanted.map(({ component, name }) => ({
      component,
      name,
      service: services.find((s) => s.serviceName === name) ?? null,
    }));
  });
}

export function taskDefinition(ctx: CheckContext, arn: string): Promise<TaskDefinition> {
  return ctx.once(`ecs.taskdef.${arn}`, async (signal) => {
    const { DescribeTaskDefinitionCommand } = await import('@aws-sdk/client-ecs');
    const ecs = await ctx.aws.ecs();
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }), {
      abortSignal: signal,
    });
    if (!out.taskDefinition) throw new Error(`ECS returned no task definition for ${arn}`);
    return out.taskDefinition;
  });
}

/** The environment's RDS instance, or null when it does not exist. */
export function rdsInstance(ctx: CheckContext): Promise<DBInstance | null> {
  return ctx.once('rds.instance', async (signal) => {
    const { DescribeDBInstancesCommand } = await import('@aws-sdk/client-rds');
    const rds = await ctx.aws.rds();
    try {
      const out = await rds.send(
        new DescribeDBInstancesCommand({ DBInstanceIdentifier: ctx.env.nameOf('dbInstance') }),
        {
          abortSignal: signal,
        },
      );
      return out.DBInstances?.[0] ?? null;
    } catch (error) {
      if (error instanceof Error && error.name === 'DBInstanceNotFoundFault') return null;
      throw error;
    }
  });
}
