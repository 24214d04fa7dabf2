import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../model/errors.js';
import { DEFAULT_CONFIG } from './defaults.js';
import { type Config, ConfigSchema, type EnvironmentConfig, type Names, type Thresholds } from './schema.js';

export interface LoadedConfig {
  config: Config;
  /** The file the overrides came from, or null when only the built-in defaults apply. */
  path: string | null;
}

export function configSearchPath(cwd = process.cwd()): string[] {
  const xdg = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return [join(cwd, 'fsops.config.yaml'), join(xdg, 'fsops', 'config.yaml')];
}

/** One place fsops looks for its config, in the order it looks (`fsops config path`). */
export interface ConfigCandidate {
  source: '--config' | 'FSOPS_CONFIG' | 'working folder' | 'user config';
  /** Null when the flag or variable is not set. */
  path: string | null;
  exists: boolean;
}

/**
 * `--config` wins, then FSOPS_CONFIG, then ./fsops.config.yaml, then ~/.config/fsops/config.yaml: every
 * place in that order, and the one used (a given --config or FSOPS_CONFIG is used even when missing,
 * which is an error; else the first file found; none: the built-in defaults).
 */
export function configLookup(explicitPath?: string): {
  candidates: ConfigCandidate[];
  used: ConfigCandidate | null;
} {
  const given = (source: '--config' | 'FSOPS_CONFIG', value: string | undefined): ConfigCandidate => {
    const path = value ? resolve(value) : null;
    return { source, path, exists: path !== null && existsSync(path) };
  };
  const [cwdFile, userFile] = configSearchPath();
  const candidates: ConfigCandidate[] = [
    given('--config', explicitPath),
    given('FSOPS_CONFIG', process.env.FSOPS_CONFIG || undefined),
    { source: 'working folder', path: cwdFile!, exists: existsSync(cwdFile!) },
    { source: 'user config', path: userFile!, exists: existsSync(userFile!) },
  ];
  const used =
    candidates.slice(0, 2).find((candidate) => candidate.path !== null) ??
    candidates.slice(2).find((candidate) => candidate.exists) ??
    null;
  return { candidates, used };
}

/** `--config` wins, then FSOPS_CONFIG, then ./fsops.config.yaml, then ~/.config/fsops/config.yaml. */
export function loadConfig(explicitPath?: string): LoadedConfig {
  const { used } = configLookup(explicitPath);
  if (!used) return { config: DEFAULT_CONFIG, path: null };
  if (!used.exists) {
    throw new UsageError(`config file not found: ${explicitPath ?? process.env.FSOPS_CONFIG}`);
  }
  const path = used.path!;
  return { config: parseConfigText(readConfigFile(path), path), path };
}

/** A config path that cannot be read (a directory, no permission, ...) is a config error: one line, exit 2. */
function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EISDIR'
        ? 'it is a directory, not a file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : firstLine(error);
    throw new UsageError(
      `cannot read config file ${path}: ${why} (give a YAML file with --config or FSOPS_CONFIG)`,
    );
  }
}

/** Parses YAML overrides, merges them over the defaults, and reports every problem with its path at once. */
export function parseConfigText(text: string, label = 'config'): Config {
  let overrides: unknown;
  try {
    overrides = parseYaml(text) ?? {};
  } catch (error) {
    throw new UsageError(`${label}${yamlPosition(error, text)}: not valid YAML (${yamlReason(error)})`);
  }
  if (typeof overrides !== 'object' || Array.isArray(overrides) || overrides === null) {
    throw new UsageError(`${label}: expected a mapping of settings at the top level`);
  }
  const merged = deepMerge(DEFAULT_CONFIG, overrides as Record<string, unknown>);
  const result = ConfigSchema.safeParse(merged);
  const problems = result.success ? templateProblems(result.data) : formatIssues(result.error.issues);
  if (problems.length > 0 || !result.success) {
    throw new UsageError(`${label} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return result.data;
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    if (issue.code === 'unrecognized_keys') {
      const valid = settingsAt(issue.path).filter((key) => !issue.keys.includes(key));
      const named = issue.keys.map((key) => ({ key, near: nearest(key, valid) }));
      const list = named.every((n) => n.near) || valid.length === 0 ? '' : ` (valid: ${valid.join(', ')})`;
      return `${path}: unknown setting ${named.map((n) => (n.near ? `${n.key} (did you mean ${n.near}?)` : n.key)).join(', ')}${list}`;
    }
    // zod says "Invalid input: expected number, received undefined" for a setting left out.
    if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) {
      const what =
        { object: 'a mapping', array: 'a list' }[issue.expected as string] ?? `a ${issue.expected}`;
      return `${path}: missing (${what} is required)`;
    }
    return `${path}: ${plainIssue(issue)}`;
  });
}

const ARTICLE: Record<string, string> = { object: 'a mapping', array: 'a list', int: 'a whole number' };

/** A zod issue in the words of a config file ("needs at least 1 item"), not zod's ("Too small: ..."). */
export function plainIssue(issue: z.core.$ZodIssue): string {
  const what = (type: string) => ARTICLE[type] ?? `a ${type}`;
  switch (issue.code) {
    case 'too_small':
    case 'too_big': {
      const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const least = issue.code === 'too_small' ? 'at least' : 'at most';
      const strict = issue.inclusive === false;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `needs ${least} ${bound} item${bound === 1 ? '' : 's'}`;
      if (issue.origin === 'string')
        return issue.code === 'too_small' && bound === 1
          ? 'must not be empty'
          : `must be ${least} ${bound} character${bound === 1 ? '' : 's'} long`;
      if (strict) return `must be ${issue.code === 'too_small' ? 'more' : 'less'} than ${bound}`;
      return `must be ${least} ${bound}`;
    }
    case 'invalid_type': {
      const received = /received (\w+)/.exec(issue.message)?.[1];
      return `expected ${what(String(issue.expected))}${received ? `, not ${what(received)}` : ''}`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'regex' ? issue.message : `must be a valid ${issue.format}`;
    default:
      return issue.message;
  }
}

/** The setting names the schema allows at a path of the config (for "unknown setting" messages). */
function settingsAt(path: readonly PropertyKey[]): string[] {
  let schema: unknown = ConfigSchema;
  for (let i = 0; i <= path.length; i++) {
    // Unwrap optional/default/lazy wrappers down to the object, record or array at this level.
    for (;;) {
      const def = (schema as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
      if (!def) return [];
      if (def.innerType) schema = def.innerType;
      else if (def.type === 'lazy') schema = (def.getter as () => unknown)();
      else break;
    }
    const def = (schema as { _zod: { def: Record<string, unknown> } })._zod.def;
    if (i === path.length) return def.type === 'object' ? Object.keys(def.shape as object) : [];
    const key = String(path[i]);
    if (def.type === 'object') schema = (def.shape as Record<string, unknown>)[key];
    else if (def.type === 'record') schema = def.valueType;
    else if (def.type === 'array') schema = def.element;
    else return [];
  }
  return [];
}

/** A valid setting that differs from `key` only in case or by a letter or two. */
function nearest(key: string, valid: readonly string[]): string | undefined {
  const wanted = key.toLowerCase();
  return valid.find(
    (candidate) =>
      candidate.toLowerCase() === wanted ||
      editDistance(candidate.toLowerCase(), wanted) <= Math.min(2, Math.floor(key.length / 4)),
  );
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length]!;
}

const PLACEHOLDER = /\{([^}]*)\}/g;
const ALLOWED_PLACEHOLDERS = new Set(['env', 'component']);

function templateProblems(config: Config): string[] {
  const problems: string[] = [];
  const check = (path: string, template: string) => {
    for (const match of template.matchAll(PLACEHOLDER)) {
      if (!ALLOWED_PLACEHOLDERS.has(match[1]!)) {
        problems.push(`${path}: unknown placeholder {${match[1]}} (valid: {env}, {component})`);
      }
    }
  };
  for (const [key, value] of Object.entries(config.names)) {
    if (typeof value === 'string') check(`names.${key}`, value);
  }
  for (const [env, settings] of Object.entries(config.environments)) {
    for (const [key, value] of Object.entries(settings.names ?? {})) {
      if (typeof value === 'string') check(`environments.${env}.names.${key}`, value);
    }
    for (const component of Object.keys(settings.healthUrls)) {
      if (!config.components.includes(component)) {
        problems.push(
          `environments.${env}.healthUrls.${component}: unknown component (valid: ${config.components.join(', ')})`,
        );
      }
    }
  }
  for (const [key, pair] of Object.entries(config.thresholds)) {
    const higherIsWorse = ![
      'paymentSuccessRatePercent',
      'rdsFreeStoragePercent',
      'rdsFreeableMemoryMb',
    ].includes(key);
    if (higherIsWorse ? pair.warn > pair.fail : pair.warn < pair.fail) {
      problems.push(`thresholds.${key}: warn (${pair.warn}) must come before fail (${pair.fail})`);
    }
  }
  return problems;
}

/** Objects merge key by key; arrays and scalars from `override` replace. */
export function deepMerge<T>(base: T, override: Record<string, unknown>): T {
  if (!isPlainObject(base)) return override as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Where a YAML error is, within the file: the parser reports an unclosed bracket one line past the
 * last (where it met the end), which is no line of the file.
 */
export function yamlPosition(error: unknown, text: string): string {
  if (!(error instanceof YAMLParseError) || !error.linePos) return '';
  const lines = text.replace(/\n$/, '').split('\n').length;
  const line = error.linePos[0].line;
  return line > lines ? ` at the end of the file (after line ${lines})` : ` line ${line}`;
}

/** The parser's reason without its own "at line X, column Y:" (said once, in yamlPosition). */
export function yamlReason(error: unknown): string {
  return firstLine(error).replace(/ at line \d+, column \d+:?$/, '');
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0]!;
}

/** Everything a command needs to know about one environment, templates and overrides applied. */
export interface EnvContext {
  name: string;
  region: string;
  profile: string | undefined;
  accountId: string | null;
  components: string[];
  settings: EnvironmentConfig;
  thresholds: Thresholds;
  names: Names;
  nameOf(key: Exclude<keyof Names, 'alarms'>, component?: string): string;
  config: Config;
}

export function resolveEnvironment(config: Config, env: string | undefined): EnvContext {
  const valid = Object.keys(config.environments).join(', ');
  if (!env) throw new UsageError(`no environment given: pass --env (or set FSOPS_ENV); valid: ${valid}`);
  const settings = config.environments[env];
  if (!settings) throw new UsageError(`unknown environment '${env}': valid environments are ${valid}`);
  const names: Names = { ...config.names, ...settings.names };
  const thresholds: Thresholds = { ...config.thresholds, ...settings.thresholds };
  // environments.<env>.database.thresholds override database.thresholds for this environment: the
  // checks read ctx.env.config.database.thresholds, so the environment's config carries the merge.
  const envConfig: Config = settings.database.thresholds
    ? {
        ...config,
        database: {
          ...config.database,
          thresholds: { ...config.database.thresholds, ...settings.database.thresholds },
        },
      }
    : config;
  return {
    name: env,
    region: settings.region ?? config.region,
    profile: settings.profile,
    accountId: settings.accountId,
    components: config.components,
    settings,
    thresholds,
    names,
    config: envConfig,
    nameOf(key, component) {
      return renderTemplate(names[key], { env, component });
    },
  };
}

export function renderTemplate(template: string, values: { env: string; component?: string }): string {
  return template.replace(PLACEHOLDER, (_, key: string) => {
    const value = values[key as 'env' | 'component'];
    if (value === undefined) throw new UsageError(`name template '${template}' needs {${key}}`);
    return value;
  });
}

export function requireComponent(env: EnvContext, component: string | undefined): string {
  const valid = env.components.join(', ');
  if (!component) throw new UsageError(`no component given: valid components are ${valid}`);
  if (!env.components.includes(component)) {
    throw new UsageError(`unknown component '${component}': valid components are ${valid}`);
  }
  return component;
}

/** The config as `config show` prints it: passwords hidden. */
export function redactConfig(config: Config): Config {
  const copy = structuredClone(config);
  for (const settings of Object.values(copy.environments)) {
    if (settings.database.password !== undefined) settings.database.password = '********';
  }
  return copy;
}

/** The health paths fsops probes on a component: its own (`health.componentPaths`), else `health.paths`. */
export function healthPaths(config: Pick<Config, 'health'>, component: string): string[] {
  return config.health.componentPaths[component] ?? config.health.paths;
}
