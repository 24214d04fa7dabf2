import { CHECKS } from '../checks/index.js';
import { makeChalk } from '../engine/render.js';
import { resolveSteps } from '../engine/run-runbook.js';
import { listRunbooks, loadRunbook } from '../engine/runbook.js';
import type { GlobalOptions } from '../engine/session.js';
import { type RunbookCommandOptions, runRunbookCommand } from './validate.js';

export async function runbookList(options: GlobalOptions): Promise<number> {
  const runbooks = listRunbooks();
  if (options.output === 'json') {
    process.stdout.write(
      `${JSON.stringify(
        runbooks.map(({ name, title, kind, source }) => ({ name, title, kind, source })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  const c = makeChalk(options.color);
  const width = Math.max(...runbooks.map((r) => r.name.length));
  for (const runbook of runbooks) {
    process.stdout.write(
      `${c.bold(runbook.name.padEnd(width))}  ${runbook.title} ${c.dim(`(${runbook.kind}; ${runbook.source})`)}\n`,
    );
  }
  return 0;
}

export async function runbookShow(name: string, options: GlobalOptions): Promise<number> {
  const runbook = loadRunbook(name);
  const steps = resolveSteps(runbook, CHECKS);
  if (options.output === 'json') {
    process.stdout.write(`${JSON.stringify(runbook, null, 2)}\n`);
    return 0;
  }
  const c = makeChalk(options.color);
  const lines = [`${c.bold(runbook.name)}: ${runbook.title}`, c.dim(`source: ${runbook.source}`)];
  if (runbook.description) lines.push('', runbook.description.trim());
  lines.push('', 'Steps:');
  let automated = 0;
  runbook.steps.forEach((step, i) => {
    if ('check' in step) {
      const check = steps[automated++]!.check;
      const params = Object.keys(step.params).length ? ` ${c.dim(JSON.stringify(step.params))}` : '';
      lines.push(`  ${i + 1}. ${check.title} ${c.dim(`[${check.id}; ${check.source}]`)}${params}`);
    } else if ('action' in step) {
      const params = Object.keys(step.params).length ? ` ${c.dim(JSON.stringify(step.params))}` : '';
      lines.push(`  ${i + 1}. ${c.red('(change)')} ${step.action}${params}`);
    } else {
      lines.push(`  ${i + 1}. ${c.yellow('(manual)')} ${step.manual}`);
    }
  });
  if (runbook.resolution.length) {
    lines.push('', 'Resolution steps:');
    for (const [i, r] of runbook.resolution.entries()) lines.push(`  ${i + 1}. ${r.step}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export async function runbookRun(name: string, options: RunbookCommandOptions): Promise<number> {
  return runRunbookCommand(name, options.env, options);
}
