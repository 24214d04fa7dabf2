import { UsageError } from '../base/model/errors.js';
import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import { planNotes, rankResolution } from '../engine/resolution.js';
import { listRunbooks, type Runbook } from '../engine/runbook.js';
import type { Runtime } from '../engine/runtime.js';
import { type ReadCommandOptions, runReadCommand } from './kit/read.js';

const PREFIX = 'troubleshoot/';

/** The symptoms: runbooks under runbooks/troubleshoot/, by their short name. */
export function symptoms(): (Runbook & { symptom: string })[] {
  return listRunbooks()
    .filter((r) => r.name.startsWith(PREFIX))
    .map((r) => ({ ...r, symptom: r.name.slice(PREFIX.length) }));
}

function listSymptoms(options: ReadCommandOptions, runtime: Runtime): number {
  const printer = printerFor(options, 'troubleshoot (symptom list)', VIEW_FORMATS, runtime);
  printer.view({
    data: symptoms().map(({ symptom, title, source }) => ({ symptom, title, source })),
    text: (all, c) => {
      const width = Math.max(...all.map((s) => s.symptom.length));
      const lines = all.map(
        (s) => `  ${c.bold(s.symptom.padEnd(width))}  ${s.title} ${c.dim(`(${s.source})`)}`,
      );
      return `Symptoms (fsops troubleshoot <symptom> --env <env>):\n${lines.join('\n')}`;
    },
  });
  return 0;
}

/**
 * `fsops troubleshoot <symptom> --env E`: gathers the facts the guide's procedure asks for, judges
 * them, then prints the guide's investigation and resolution steps with the ones the findings point
 * to first. Without a symptom, lists them.
 */
export async function troubleshoot(
  symptom: string | undefined,
  options: ReadCommandOptions,
  runtime: Runtime,
): Promise<number> {
  if (!symptom) return listSymptoms(options, runtime);
  const runbook = symptoms().find((s) => s.symptom === symptom);
  if (!runbook) {
    throw new UsageError(
      `unknown symptom '${symptom}': valid symptoms are ${symptoms()
        .map((s) => s.symptom)
        .join(', ')}`,
    );
  }
  return runReadCommand(
    {
      label: `troubleshoot ${symptom}`,
      procedure: { runbook },
      defaultSince: (config) => config.troubleshoot.since,
      notes: ({ findings }) => planNotes(runbook, rankResolution(runbook.resolution, findings)),
    },
    options,
    runtime,
  );
}
