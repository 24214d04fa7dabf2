import { CHECKS } from '../catalogue/checks/index.js';
import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import { resolveActionSteps, resolveSteps } from '../engine/run-runbook.js';
import { listRunbooks, loadRunbook } from '../engine/runbook.js';
import type { Runtime } from '../engine/runtime.js';
import type { GlobalOptions } from '../engine/session.js';
import { type ReadCommandOptions, runReadCommand } from './kit/read.js';

export async function runbookList(options: GlobalOptions, runtime: Runtime): Promise<number> {
  const printer = printerFor(options, 'runbook list', ['text', 'json', 'markdown'], runtime);
  const runbooks = listRunbooks().map(({ name, title, kind, source }) => ({ name, title, kind, source }));
  printer.view({
    data: runbooks,
    text: (list, c) => {
      const width = Math.max(...list.map((r) => r.name.length));
      return list
        .map((r) => `${c.bold(r.name.padEnd(width))}  ${r.title} ${c.dim(`(${r.kind}; ${r.source})`)}`)
        .join('\n');
    },
    markdown: (list) =>
      [
        '| Runbook | Title | Kind | Source |',
        '|---|---|---|---|',
        ...list.map((r) => `| ${r.name} | ${r.title} | ${r.kind} | ${r.source} |`),
      ].join('\n'),
  });
  return 0;
}

export async function runbookShow(name: string, options: GlobalOptions, runtime: Runtime): Promise<number> {
  const printer = printerFor(options, 'runbook show', VIEW_FORMATS, runtime);
  const runbook = loadRunbook(name);
  const steps = resolveSteps(runbook, CHECKS);
  // The actions load only here (they bring the AWS SDK clients `runbook list` does without).
  resolveActionSteps(runbook, (await import('../catalogue/actions/index.js')).ACTIONS);
  printer.view({
    data: runbook,
    text: (rb, c) => {
      const lines = [`${c.bold(rb.name)}: ${rb.title}`, c.dim(`source: ${rb.source}`)];
      if (rb.description) lines.push('', rb.description.trim());
      lines.push('', 'Steps:');
      let automated = 0;
      rb.steps.forEach((step, i) => {
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
      if (rb.resolution.length) {
        lines.push('', 'Resolution steps:');
        for (const [i, r] of rb.resolution.entries()) lines.push(`  ${i + 1}. ${r.step}`);
      }
      return lines.join('\n');
    },
  });
  return 0;
}

export async function runbookRun(
  name: string,
  options: ReadCommandOptions,
  runtime: Runtime,
): Promise<number> {
  return runReadCommand(
    { label: `runbook run ${name}`, procedure: { runbook: name }, askManual: true },
    options,
    runtime,
  );
}
