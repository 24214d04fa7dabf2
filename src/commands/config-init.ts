import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stringify } from 'yaml';
import { DEFAULT_CONFIG } from '../base/config/defaults.js';
import { configSearchPath } from '../base/config/load.js';
import type { Config } from '../base/config/schema.js';
import { UsageError } from '../base/model/errors.js';
import { printerFor } from '../engine/printer.js';
import type { Runtime } from '../engine/runtime.js';
import type { GlobalOptions } from '../engine/session.js';

/**
 * `fsops config init`: a commented starter file where fsops looks first (--config, FSOPS_CONFIG, else
 * ./fsops.config.yaml) with the settings a team changes for its own account: region, components, the
 * names of its resources, each environment's account and profile. It never overwrites a file.
 */
export async function configInit(options: GlobalOptions, runtime: Runtime): Promise<number> {
  printerFor(options, 'config init', ['text'], runtime);
  const target = resolve(options.config ?? (process.env.FSOPS_CONFIG || configSearchPath()[0]!));
  if (existsSync(target)) {
    throw new UsageError(
      `${target} already exists: config init never overwrites a file (edit it, check it with fsops config validate, or give another path with --config)`,
    );
  }
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, starterConfig(DEFAULT_CONFIG), { flag: 'wx' });
  runtime.stdout.write(
    `wrote ${target}\nnext: edit the names and account ids, then fsops config validate and fsops config show --env prod\n`,
  );
  return 0;
}

/** The starter file: the account-specific settings with their defaults, commented; YAML that validates. */
export function starterConfig(defaults: Config): string {
  const yaml = (value: unknown, indent: number) =>
    stringify(value, { lineWidth: 0 })
      .trimEnd()
      .split('\n')
      .map((line) => `${' '.repeat(indent)}${line}`)
      .join('\n');
  const line = (code: string, comment: string) => `    ${code.padEnd(32)} # ${comment}`;
  const environments = Object.entries(defaults.environments)
    .map(([name, env]) =>
      [
        `  ${name}:`,
        line(
          `accountId: "${env.accountId ?? ''}"`,
          'the wrong-account guard: fsops stops when the credentials are for another account (null: off)',
        ),
        line(
          `# profile: fivestar-${name}`,
          'the AWS profile of this environment (else --profile, AWS_PROFILE)',
        ),
        line(`# region: ${defaults.region}`, 'when it differs from region above'),
        line(`protected: ${env.protected}`, "true: changes ask you to type the environment's name"),
        line(
          `# healthUrls: { ${defaults.components[0]}: https://${name}.example.com }`,
          "instead of the ALB's DNS name",
        ),
        line('# database: { host: localhost, port: 15432 }', 'the database through a tunnel'),
      ].join('\n'),
    )
    .join('\n');
  return `# fsops configuration, written by \`fsops config init\`.
# Only what differs from fsops's built-in defaults (the Fivestar guides) needs to be here: objects merge
# key by key, lists replace. \`fsops config validate\` checks this file, \`fsops config show --env prod\`
# prints what an environment runs with, \`fsops config path\` where fsops looks for it.
# Every setting: README.md "Configuration" and docs/.

# AWS region of every environment that names none.
region: ${defaults.region}

# One ECS service per component; the names below use {component}.
components:
${yaml(defaults.components, 2)}

# What the resources of your account are called: templates with {env} and {component}.
names:
${yaml(defaults.names, 2)}

# Each environment's AWS account; sizes, limits and thresholds are in README.md "Configuration".
environments:
${environments}

# Changes are appended to this audit log (and to a CloudWatch Logs group when one is named).
# audit: { file: ~/.local/state/fsops/audit.jsonl, logGroup: /fivestar/ops/audit }
`;
}
