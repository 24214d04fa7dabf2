import type { TaskDefinition } from '@aws-sdk/client-ecs';
import type { EnvironmentConfig } from '../../base/config/schema.js';
import type { CheckResult } from '../../base/model/check.js';
import { componentsParams, defineCheck } from '../../base/model/check.js';
import { shortTaskDef } from '../../domain/ecs/taskdef.js';
import { judgeEach } from './partial.js';
import { ecsServices, taskDefinition } from './service-facts.js';

export function evaluateTaskSize(
  service: string,
  def: TaskDefinition,
  profile: EnvironmentConfig['ecs'],
): CheckResult {
  const cpu = Number(def.cpu);
  const memory = Number(def.memory);
  const ok = cpu === profile.cpu && memory === profile.memory;
  return {
    status: ok ? 'pass' : 'warn',
    resource: `${service} (${shortTaskDef(def.taskDefinitionArn)})`,
    expected: `cpu ${profile.cpu}, memory ${profile.memory} (deployment guide §4.1)`,
    observed: `cpu ${def.cpu ?? 'unset'}, memory ${def.memory ?? 'unset'}`,
  };
}

export const ecsTaskSizeCheck = defineCheck({
  id: 'ecs.task-size',
  title: 'Task CPU and memory match the environment profile',
  severity: 'medium',
  source: 'deployment guide §4.1, §5.2',
  remediation:
    'Register a task definition with the profile sizes, or update the profile in the config if the change was intended.',
  params: componentsParams,
  async run(ctx, params) {
    const facts = (await ecsServices(ctx)).filter(
      (f) => f.service?.taskDefinition && (!params.components || params.components.includes(f.component)),
    );
    // One task definition that cannot be read is its own error; the others are judged.
    return judgeEach(
      facts,
      'ecs.task-size',
      (f) => ({ resource: f.name, what: `the task definition ${f.service!.taskDefinition}` }),
      async (f) =>
        evaluateTaskSize(f.name, await taskDefinition(ctx, f.service!.taskDefinition!), ctx.env.settings.ecs),
    );
  },
});
