import type { Task } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import type { CheckResult } from '../../../base/model/check.js';
import { defineCheck } from '../../../base/model/check.js';

/**
 * Ops guide §12.2.1 "tested in staging first": the image (by digest, not by tag: a tag can move) runs in
 * every RUNNING task of the staging service (pure). No running task is an error: nothing was observed.
 */
export function evaluateStagingImage(
  service: string,
  tasks: readonly Task[],
  digest: string,
  target: string,
): CheckResult {
  const expected = `every running task of ${service} runs ${digest.slice(0, 19)} (the image going to ${target})`;
  if (tasks.length === 0) {
    return {
      status: 'error',
      resource: service,
      expected,
      observed: 'no running task to compare with',
      remediation: 'Deploy the image to staging first and let it settle, then deploy here.',
    };
  }
  const digests = tasks.map(
    (t) => (t.containers ?? []).map((c) => c.imageDigest).filter(Boolean) as string[],
  );
  const running = digests.filter((d) => d.includes(digest)).length;
  if (running === tasks.length) {
    return {
      status: 'pass',
      resource: service,
      expected,
      observed: `${running}/${tasks.length} running tasks run it`,
    };
  }
  const seen = [...new Set(digests.flat())].map((d) => d.slice(0, 19));
  return {
    status: 'fail',
    resource: service,
    expected,
    observed: `${running}/${tasks.length} running tasks run it (staging runs ${seen.join(', ') || 'no reported digest'})`,
    remediation: `Deploy the same image to staging first (fsops deploy <component> --env staging --image ${digest}) and let \`fsops validate staging\` pass; or skip the gate with --skip-staging-gate --reason "<why>" (audited).`,
  };
}

export const stagingImageCheck = defineCheck({
  id: 'deploy.staging-image',
  title: 'The same image runs in staging',
  severity: 'critical',
  source: 'ops guide §12.2.1 (Staging: deployment to staging environment; tested in staging first)',
  remediation: 'Deploy the image to staging first.',
  params: z
    .object({
      component: z.string().min(1),
      /**
       * The digest the deploy would run (what ECR resolved --image to). A promise while prod's ECR answer is
       * still on its way: staging's tasks are read meanwhile, so the two chains of calls overlap.
       */
      digest: z.union([z.string().min(1), z.custom<Promise<string>>((v) => v instanceof Promise)]),
      /** The environment the image goes to, for the words. */
      target: z.string().min(1),
    })
    .strict(),
  async run(ctx, params) {
    // Loaded on use: the check catalogue is imported by commands that never call AWS (`runbook list`).
    const { describeTasks, listTaskArns, serviceNames } = await import(
      '../../../domain/ecs/service-facts.js'
    );
    const ecs = await ctx.aws.ecs();
    const names = serviceNames(ctx.env, params.component);
    const arns = await listTaskArns(ecs, names, 'RUNNING', ctx.signal);
    const tasks = arns.length ? await describeTasks(ecs, names.cluster, arns, ctx.signal) : [];
    return [evaluateStagingImage(names.service, tasks, await params.digest, params.target)];
  },
});
