import type { RegisterTaskDefinitionCommandInput, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { UsageError } from '../../base/model/errors.js';

/**
 * The container a deploy changes the image of: `--container`, else the only one, else the one named
 * after the component. Sidecars (log routers, agents) keep their images.
 */
export function releaseContainer(def: TaskDefinition, component: string, requested?: string): string {
  const names = (def.containerDefinitions ?? []).map((c) => c.name ?? '').filter(Boolean);
  const valid = names.join(', ') || 'none';
  if (requested !== undefined) {
    if (!names.includes(requested)) {
      throw new UsageError(
        `--container '${requested}' is not in ${def.family ?? 'the task definition'}: containers are ${valid}`,
      );
    }
    return requested;
  }
  if (names.length === 1) return names[0]!;
  if (names.includes(component)) return component;
  throw new UsageError(
    `${def.family ?? 'the task definition'} has ${names.length} containers and none is named ${component}: pick one with --container (${valid})`,
  );
}

/**
 * RegisterTaskDefinition's input for a copy of `def` with one container's image replaced and nothing
 * else: every registrable field as DescribeTaskDefinition returned it (the read-only ones, such as
 * revision, status, registeredAt and requiresAttributes, are not part of a registration). Tags are the
 * ones DescribeTaskDefinition returned with `include: ['TAGS']`.
 */
export function releaseTaskDefinition(
  def: TaskDefinition,
  container: string,
  image: string,
  tags: Tag[] = [],
): RegisterTaskDefinitionCommandInput {
  if (!def.family) throw new Error('the running task definition has no family');
  const input: RegisterTaskDefinitionCommandInput = {
    family: def.family,
    containerDefinitions: (def.containerDefinitions ?? []).map((c) =>
      c.name === container ? { ...c, image } : c,
    ),
  };
  const copied = [
    'taskRoleArn',
    'executionRoleArn',
    'networkMode',
    'volumes',
    'placementConstraints',
    'requiresCompatibilities',
    'cpu',
    'memory',
    'pidMode',
    'ipcMode',
    'proxyConfiguration',
    'inferenceAccelerators',
    'ephemeralStorage',
    'runtimePlatform',
    'enableFaultInjection',
  ] as const;
  for (const key of copied) {
    const value = def[key];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) {
      (input as unknown as Record<string, unknown>)[key] = value;
    }
  }
  if (tags.length) input.tags = tags;
  return input;
}

/** The registration input as a task definition, for the plan's diff against the running one. */
export function asTaskDefinition(input: RegisterTaskDefinitionCommandInput): TaskDefinition {
  const { tags: _tags, ...rest } = input;
  return rest as TaskDefinition;
}

/** The image a container of a task definition runs. */
export function containerImage(def: TaskDefinition, container: string): string | undefined {
  return def.containerDefinitions?.find((c) => c.name === container)?.image;
}
