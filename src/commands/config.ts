import { stringify } from 'yaml';
import { loadConfig, redactConfig, resolveEnvironment } from '../config/load.js';
import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import type { GlobalOptions } from '../engine/session.js';

/** `fsops config show [--env E]`: the resolved config (passwords hidden), or one environment's view of it. */
export async function configShow(options: GlobalOptions): Promise<number> {
  const printer = printerFor(options, 'config show', VIEW_FORMATS);
  const { config, path } = loadConfig(options.config);
  const safe = redactConfig(config);
  const envName = options.env ?? process.env.FSOPS_ENV;
  let shown: unknown = safe;
  if (envName) {
    const env = resolveEnvironment(safe, envName);
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
    shown = {
      environment: env.name,
      region: env.region,
      ...env.settings,
      profile: env.profile ?? null,
      accountId: env.accountId,
      names,
      thresholds: env.thresholds,
    };
  }
  const source = `# source: ${path ?? 'built-in defaults (no config file found)'}\n`;
  printer.view({ data: shown, text: (data) => source + stringify(data) });
  return 0;
}

/** `fsops config validate`: exit 0 and say which file, or exit 2 with every problem and its path. */
export async function configValidate(options: GlobalOptions): Promise<number> {
  printerFor(options, 'config validate', ['text']);
  const { path, config } = loadConfig(options.config);
  const envs = Object.keys(config.environments).join(', ');
  process.stdout.write(`${path ?? 'built-in defaults'}: valid (environments: ${envs})\n`);
  return 0;
}
