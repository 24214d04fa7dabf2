#!/usr/bin/env node
// One truth for numbers: every default a document quotes comes from the code.
// - `<!--n:PATH-->TEXT<!--/n-->` in docs/*.md and README.md: TEXT is the default at PATH (a dotted path
//   into DEFAULT_CONFIG; `demo:KEY` into the demo's thresholds, src/domain/demo/thresholds.ts). `npm run docs:numbers` fills them in.
// - test/unit/config/docs-numbers.test.ts fails when a marker is stale, when a config key is followed by
//   a number that is not a marker, and when a ```yaml block of a document shows a default that is not
//   the code's (a block after `<!-- example -->` shows overrides and is not compared).
// Run as a script, it also writes docs/thresholds.md (src/base/config/guide-thresholds.ts).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const MARKER = /<!--n:([\w.:-]+)-->([\s\S]*?)<!--\/n-->/g;
/** A generated block: `<!--gen:NAME-->` newline, the generator's text, newline, `<!--/gen-->`. */
export const BLOCK = /<!--gen:([\w-]+)-->\n([\s\S]*?)\n<!--\/gen-->/g;
const EXAMPLE = '<!-- example -->';

/** The documents whose numbers are checked: README.md and docs/*.md (thresholds.md is generated whole). */
export function documentFiles(root) {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md') && f !== 'thresholds.md')
    .map((f) => join('docs', f));
  return ['README.md', ...docs];
}

/** The value at `root:dotted.path` (root `config` when omitted); undefined when there is none. */
export function valueAt(roots, ref) {
  const [rootName, path] = ref.includes(':') ? ref.split(':', 2) : ['config', ref];
  let node = roots[rootName];
  if (node === undefined) return undefined;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || !(part in node)) return undefined;
    node = node[part];
  }
  return node;
}

/** How a marker shows a value: 60/80 for a warn/fail pair, a list joined by commas, else the value. */
export function formatValue(value) {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'warn' in value && 'fail' in value) {
    return `${value.warn}/${value.fail}`;
  }
  if (Array.isArray(value)) return value.map(formatValue).join(', ');
  return String(value);
}

const lineOf = (text, index) => text.slice(0, index).split('\n').length;

/** The text with every marker's content set to the code's value (unknown paths are left as they are). */
export function fillMarkers(text, roots) {
  return text.replace(MARKER, (whole, ref) => {
    const value = valueAt(roots, ref);
    return value === undefined ? whole : `<!--n:${ref}-->${formatValue(value)}<!--/n-->`;
  });
}

/** The text with every generated block rewritten by its generator (`generators[name]()`). */
export function fillBlocks(text, generators) {
  return text.replace(BLOCK, (whole, name) =>
    generators[name] ? `<!--gen:${name}-->\n${generators[name]()}\n<!--/gen-->` : whole,
  );
}

/** Generated blocks that are unknown or not what their generator writes. */
export function blockProblems(file, text, generators) {
  const problems = [];
  for (const m of text.matchAll(BLOCK)) {
    const at = `${file}:${lineOf(text, m.index)}`;
    const gen = generators[m[1]];
    if (!gen) problems.push(`${at}: <!--gen:${m[1]}--> has no generator`);
    else if (m[2] !== gen())
      problems.push(`${at}: the ${m[1]} block is not what the code generates (npm run docs:numbers)`);
  }
  return problems;
}

/** Markers whose path is unknown or whose text is not the code's value. */
export function markerProblems(file, text, roots) {
  const problems = [];
  for (const m of text.matchAll(MARKER)) {
    const value = valueAt(roots, m[1]);
    const at = `${file}:${lineOf(text, m.index)}`;
    if (value === undefined) problems.push(`${at}: <!--n:${m[1]}--> names no default in the code`);
    else if (m[2] !== formatValue(value))
      problems.push(`${at}: says ${m[1]} is ${m[2]}, the code says ${formatValue(value)}`);
  }
  return problems;
}

/** Every dotted path of the config whose default is a number, a warn/fail pair or a string that starts with a digit (1h). */
export function numericPaths(node, path = []) {
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    if (typeof node.warn === 'number' && typeof node.fail === 'number') return [path.join('.')];
    return Object.entries(node).flatMap(([k, v]) => numericPaths(v, [...path, k]));
  }
  return typeof node === 'number' || (typeof node === 'string' && /^\d/.test(node)) ? [path.join('.')] : [];
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Prose outside code blocks where a config key (`cpuPercent`, `thresholds.cpuPercent`) is followed by a number that is not a marker. */
export function unmarkedNumbers(file, text, paths) {
  const keys = [...new Set(paths.map((p) => p.split('.').pop()))];
  const prose = text
    .replace(/```[\s\S]*?```/g, (block) => block.replace(/[^\n]/g, ' '))
    .replace(BLOCK, (block) => block.replace(/[^\n]/g, ' '))
    .replace(MARKER, (whole) => whole.replace(/[^\n]/g, ' '));
  const problems = [];
  for (const key of keys) {
    const re = new RegExp(
      `\`(?:[\\w.<>{}-]+\\.)?${escapeRegExp(key)}\`\\s*(?:[(:=|]\\s*)?(?:warn\\s+|fail\\s+)?\\{?\\s*(?:warn:\\s*)?\`?\\d`,
      'g',
    );
    for (const m of prose.matchAll(re)) {
      problems.push(
        `${file}:${lineOf(text, m.index)}: \`${key}\` is followed by a number that does not come from the code: write <!--n:PATH-->…<!--/n--> (npm run docs:numbers fills it in)`,
      );
    }
  }
  return problems;
}

function leaves(node, path = []) {
  if (node && typeof node === 'object' && !Array.isArray(node)) {
    return Object.entries(node).flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  return [[path, node]];
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * ```yaml blocks that show a default the code does not have (keys under `environments` are per-environment
 * overrides; a block after `<!-- example -->` shows overrides and is skipped).
 */
export function yamlBlockProblems(file, text, config) {
  const problems = [];
  for (const m of text.matchAll(/(^.*\n)?```yaml\n([\s\S]*?)```/gm)) {
    if (m[1]?.trim() === EXAMPLE) continue;
    let doc;
    try {
      doc = parseYaml(m[2]);
    } catch {
      continue;
    }
    if (!doc || typeof doc !== 'object') continue;
    for (const [path] of leaves(doc)) {
      if (path[0] === 'environments') continue;
      // Compare at the first path where the code has a value, not an object of settings: a warn/fail
      // pair or a list is one value.
      for (let n = 1; n <= path.length; n++) {
        const at = path.slice(0, n).join('.');
        const code = valueAt({ config }, at);
        if (code === undefined) break;
        if (code !== null && typeof code === 'object' && !Array.isArray(code) && !('warn' in code)) continue;
        const shown = valueAt({ doc }, `doc:${at}`);
        if (!same(shown, code))
          problems.push(
            `${file}:${lineOf(text, m.index + (m[1]?.length ?? 0))}: the yaml block says ${at}: ${JSON.stringify(shown)}, the code's default is ${JSON.stringify(code)} (put ${EXAMPLE} before a block of overrides)`,
          );
        break;
      }
    }
  }
  return [...new Set(problems)];
}

/** Loads a TypeScript module of src/ by bundling it (esbuild), for this script only. */
async function loadTs(root, entry) {
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    absWorkingDir: root,
    logLevel: 'silent',
    // Dependencies stay imports, resolved from the package's node_modules: the bundle is written under
    // the package folder for that (and for packageRoot), and removed at once.
    packages: 'external',
  });
  const dir = mkdtempSync(join(root, '.docs-numbers-'));
  const file = join(dir, 'module.mjs');
  writeFileSync(file, out.outputFiles[0].text);
  try {
    return await import(pathToFileURL(file).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const { renderThresholdsDoc } = await loadTs(root, 'src/base/config/guide-thresholds.ts');
  writeFileSync(join(root, 'docs', 'thresholds.md'), renderThresholdsDoc());
  process.stdout.write('wrote docs/thresholds.md\n');
  const { DEFAULT_CONFIG } = await loadTs(root, 'src/base/config/defaults.ts');
  const { DEMO_THRESHOLDS } = await loadTs(root, 'src/domain/demo/thresholds.ts');
  const roots = { config: DEFAULT_CONFIG, demo: DEMO_THRESHOLDS };
  const { renderAlarmTable } = await loadTs(root, 'src/domain/monitoring/alarm-table.ts');
  const { loadAlarmCatalogue } = await loadTs(root, 'src/domain/monitoring/alarm-catalogue.ts');
  const catalogue = loadAlarmCatalogue(join(root, 'monitoring', 'alarms.yaml'));
  const generators = { 'alarm-table': () => renderAlarmTable(catalogue, DEFAULT_CONFIG) };
  for (const file of documentFiles(root)) {
    const path = join(root, file);
    const text = readFileSync(path, 'utf8');
    const filled = fillBlocks(fillMarkers(text, roots), generators);
    if (filled !== text) {
      writeFileSync(path, filled);
      process.stdout.write(`updated the numbers of ${file}\n`);
    }
    for (const problem of [
      ...markerProblems(file, filled, roots),
      ...blockProblems(file, filled, generators),
      ...unmarkedNumbers(file, filled, numericPaths(DEFAULT_CONFIG)),
      ...yamlBlockProblems(file, filled, DEFAULT_CONFIG),
    ])
      process.stderr.write(`${problem}\n`);
  }
}
