import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';

/** A task definition named by family and revision, as ECS prints it: `prod-fivestar-internal-pe:41`. */
export interface TaskDefRef {
  family: string;
  revision: number;
}

const ARN_PATTERN = /^arn:aws[\w-]*:ecs:[^:]*:\d*:task-definition\/([A-Za-z0-9_-]+):(\d+)$/;
const FAMILY_REVISION_PATTERN = /^([A-Za-z0-9_-]+):(\d+)$/;

/** Parses a task definition ARN or `family:revision`; null for anything else. */
export function parseTaskDef(text: string | undefined): TaskDefRef | null {
  if (!text) return null;
  const match = ARN_PATTERN.exec(text) ?? FAMILY_REVISION_PATTERN.exec(text);
  if (!match) return null;
  const revision = Number(match[2]);
  return revision > 0 ? { family: match[1]!, revision } : null;
}

/** `family:41` for an ARN (or the text itself when it is not one). */
export function shortTaskDef(text: string | undefined): string {
  const ref = parseTaskDef(text);
  return ref ? `${ref.family}:${ref.revision}` : (text ?? 'unknown');
}

export function sameTaskDef(a: string | undefined, b: string | undefined): boolean {
  const left = parseTaskDef(a);
  const right = parseTaskDef(b);
  return Boolean(left && right && left.family === right.family && left.revision === right.revision);
}

/** The image tag (or digest) of an image reference: `repo/app:1.4.2` -> `1.4.2`. */
export function imageTag(image: string | undefined): string {
  if (!image) return 'unknown';
  const digest = image.indexOf('@');
  if (digest >= 0) return image.slice(digest + 1, digest + 20);
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon >= 0 ? image.slice(colon + 1) : 'latest';
}

export interface ContainerImage {
  container: string;
  image: string;
}

export function imagesOf(taskDefinition: TaskDefinition | undefined): ContainerImage[] {
  return (taskDefinition?.containerDefinitions ?? []).map((c) => ({
    container: c.name ?? '?',
    image: c.image ?? 'unknown',
  }));
}

/**
 * What changes when a service moves from one task definition to another, as lines for a plan:
 * images per container, task and container CPU/memory, and the NAMES of environment variables and
 * secrets that are added, removed or changed. Values never appear: a plain environment variable can
 * hold a credential as easily as a secret can.
 */
export function diffTaskDefinitions(from: TaskDefinition, to: TaskDefinition): string[] {
  const lines: string[] = [];
  const change = (label: string, a: string | undefined, b: string | undefined) => {
    if ((a ?? '') !== (b ?? '')) lines.push(`${label}: ${a ?? 'unset'} -> ${b ?? 'unset'}`);
  };
  change('task cpu', from.cpu, to.cpu);
  change('task memory', from.memory, to.memory);
  const before = byName(from.containerDefinitions);
  const after = byName(to.containerDefinitions);
  for (const [name, container] of after) {
    const old = before.get(name);
    if (!old) {
      lines.push(`container ${name}: added (image ${container.image ?? 'unknown'})`);
      continue;
    }
    change(`image ${name}`, old.image, container.image);
    change(`container ${name} cpu`, numberText(old.cpu), numberText(container.cpu));
    change(`container ${name} memory`, numberText(old.memory), numberText(container.memory));
    lines.push(
      ...nameChanges(
        `environment ${name}`,
        pairs(old.environment?.map((e) => [e.name, e.value])),
        pairs(container.environment?.map((e) => [e.name, e.value])),
      ),
      ...nameChanges(
        `secrets ${name}`,
        pairs(old.secrets?.map((s) => [s.name, s.valueFrom])),
        pairs(container.secrets?.map((s) => [s.name, s.valueFrom])),
      ),
    );
  }
  for (const name of before.keys()) if (!after.has(name)) lines.push(`container ${name}: removed`);
  return lines;
}

function byName(containers: ContainerDefinition[] | undefined): Map<string, ContainerDefinition> {
  return new Map((containers ?? []).map((c) => [c.name ?? '?', c]));
}

function numberText(value: number | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

function pairs(entries: (string | undefined)[][] | undefined): Map<string, string> {
  return new Map((entries ?? []).filter((e) => e[0]).map((e) => [e[0]!, e[1] ?? '']));
}

function nameChanges(label: string, before: Map<string, string>, after: Map<string, string>): string[] {
  const added = [...after.keys()].filter((k) => !before.has(k)).sort();
  const removed = [...before.keys()].filter((k) => !after.has(k)).sort();
  const changed = [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k)).sort();
  const lines: string[] = [];
  if (added.length) lines.push(`${label} added: ${added.join(', ')}`);
  if (removed.length) lines.push(`${label} removed: ${removed.join(', ')}`);
  if (changed.length) lines.push(`${label} changed (values not shown): ${changed.join(', ')}`);
  return lines;
}
