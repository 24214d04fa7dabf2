import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { plainIssue, yamlPosition, yamlReason } from '../base/config/load.js';
import { packageRoot } from '../base/config/package-root.js';
import { UsageError } from '../base/model/errors.js';

const StepSchema = z.union([
  z
    .object({
      check: z.string().min(1),
      params: z.record(z.string(), z.unknown()).default({}),
    })
    .strict(),
  z
    .object({
      manual: z.string().min(1).describe('a step a person must confirm'),
      id: z.string().min(1),
    })
    .strict(),
  z
    .object({
      action: z
        .string()
        .min(1)
        .describe('a mutating step from src/catalogue/actions/ (runs only where a command allows it)'),
      params: z.record(z.string(), z.unknown()).default({}),
    })
    .strict(),
]);

export const RunbookSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9/-]*$/),
    title: z.string().min(1),
    source: z.string().min(1),
    description: z.string().default(''),
    kind: z.enum(['validation', 'troubleshooting', 'maintenance', 'procedure']).default('procedure'),
    steps: z.array(StepSchema).min(1),
    /** Troubleshooting runbooks: the guide's investigation/resolution steps, ranked by findings. */
    resolution: z
      .array(
        z
          .object({
            step: z.string().min(1),
            when: z
              .array(z.string())
              .default([])
              .describe('finding ids (prefixes) that make this step urgent'),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type Runbook = z.infer<typeof RunbookSchema>;
export type RunbookStep = z.infer<typeof StepSchema>;
export type ActionStep = Extract<RunbookStep, { action: string }>;

export const RUNBOOK_DIR = join(packageRoot(), 'runbooks');

/** Every runbook under runbooks/ (subfolders give the name a prefix, e.g. maintenance/weekly). */
export function listRunbooks(dir = RUNBOOK_DIR): Runbook[] {
  return yamlFiles(dir)
    .map((file) => parseRunbook(readFileSync(file, 'utf8'), relative(dir, file)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function loadRunbook(name: string, dir = RUNBOOK_DIR): Runbook {
  const all = listRunbooks(dir);
  const found = all.find((runbook) => runbook.name === name);
  if (!found) {
    throw new UsageError(
      `unknown runbook '${name}': valid runbooks are ${all.map((r) => r.name).join(', ')}`,
    );
  }
  return found;
}

export function parseRunbook(text: string, label: string): Runbook {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new UsageError(
      `runbook ${label}${yamlPosition(error, text)}: not valid YAML (${yamlReason(error)})`,
    );
  }
  const result = RunbookSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `  - ${issue.path.join('.') || '(top level)'}: ${plainIssue(issue)}`,
    );
    throw new UsageError(`runbook ${label} is invalid:\n${problems.join('\n')}`);
  }
  const expectedName = label.replace(/\.ya?ml$/, '');
  if (result.data.name !== expectedName) {
    throw new UsageError(
      `runbook ${label}: name '${result.data.name}' must match its file (${expectedName})`,
    );
  }
  return result.data;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(basename(path)) ? [path] : [];
  });
}
