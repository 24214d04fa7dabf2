import { stringify } from 'yaml';
import { loadConfig, redactConfig, renderTemplate, resolveEnvironment } from '../base/config/load.js';
import type { Config } from '../base/config/schema.js';
import { DEFAULT_MAX_DESIRED_COUNT } from '../domain/ecs/scale-limits.js';
import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import type { Runtime } from '../engine/runtime.js';
import type { GlobalOptions } from '../engine/session.js';

/** `fsops config show [--env E]`: the resolved config (passwords hidden), or one environment's view of it. */
export async function configShow(options: GlobalOptions, runtime: Runtime): Promise<number> {
  const printer = printerFor(options, 'config show', VIEW_FORMATS, runtime);
  const { config, path } = loadConfig(options.config);
  const safe = redactConfig(config);
  const envName = options.env ?? process.env.FSOPS_ENV;
  const shown: unknown = envName ? environmentView(safe, envName) : safe;
  const source = `# source: ${path ?? 'built-in defaults (no config file found)'}\n`;
  printer.view({ data: shown, text: (data) => source + stringify(data) });
  return 0;
}

/**
 * What one environment runs with: its own settings (sizes, account, limits), the names filled in, and
 * every shared section as it applies to it (environment overrides merged: thresholds, database
 * thresholds, logs; the LMS table named). Give it a redacted config: it adds no secrets, and the
 * notification channels are references (variable names, secret ids), never values.
 */
export function environmentView(config: Config, envName: string): Record<string, unknown> {
  const env = resolveEnvironment(config, envName);
  const names = Object.fromEntries(
    Object.entries(env.names).map(([key, template]) => [
      key,
      key === 'alarms'
        ? template
        : /\{component\}/.test(template as string)
          ? Object.fromEntries(env.components.map((c) => [c, env.nameOf(key as 'service', c)]))
          : env.nameOf(key as 'cluster'),
    ]),
  );
  const { names: _names, thresholds: _thresholds, database, logs, limits, ...settings } = env.settings;
  const { thresholds: databaseThresholds, ...connection } = database;
  const shared = env.config;
  return {
    environment: env.name,
    region: env.region,
    ...settings,
    limits: { maxDesiredCount: limits?.maxDesiredCount ?? DEFAULT_MAX_DESIRED_COUNT },
    profile: env.profile ?? null,
    accountId: env.accountId,
    components: env.components,
    names,
    thresholds: env.thresholds,
    health: shared.health,
    logs: { ...shared.logs, ...logs },
    database: {
      ...shared.database,
      thresholds: { ...shared.database.thresholds, ...databaseThresholds },
      ...connection,
    },
    runner: shared.runner,
    aws: shared.aws,
    audit: shared.audit,
    troubleshoot: shared.troubleshoot,
    payments: shared.payments,
    maintenance: shared.maintenance,
    security: shared.security,
    incident: shared.incident,
    lms: {
      ...shared.lms,
      dynamodb: {
        ...shared.lms.dynamodb,
        table: renderTemplate(shared.lms.dynamodb.table, { env: env.name }),
      },
    },
    backup: shared.backup,
    logArchive: shared.logArchive,
  };
}

/** `fsops config validate`: exit 0 and say which file, or exit 2 with every problem and its path. */
export async function configValidate(options: GlobalOptions, runtime: Runtime): Promise<number> {
  printerFor(options, 'config validate', ['text'], runtime);
  const { path, config } = loadConfig(options.config);
  const envs = Object.keys(config.environments).join(', ');
  runtime.stdout.write(`${path ?? 'built-in defaults'}: valid (environments: ${envs})\n`);
  return 0;
}
