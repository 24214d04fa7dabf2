import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/base/config/defaults.js';
import {
  ENVIRONMENT_VARIABLES,
  environmentHelp,
  environmentMarkdown,
} from '../../../src/base/config/environment-variables.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const listed = new Set(ENVIRONMENT_VARIABLES.map((v) => v.name));

/** Every variable name the code reads: process.env.NAME, and 'FSOPS_…' names held in constants. */
function namesInCode(): Map<string, string> {
  const files = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(ROOT, 'src', file));
  files.push(join(ROOT, 'bin', 'fsops'));
  const found = new Map<string, string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(
      /process\.env\.([A-Z][A-Z0-9_]*)|['"`]((?:FSOPS|AWS)_[A-Z0-9_]+)['"`]/g,
    ))
      found.set(match[1] ?? match[2]!, file.slice(ROOT.length + 1));
  }
  return found;
}

describe('one list of environment variables', () => {
  it('names every variable src/ and bin/fsops read', () => {
    // PATH only locates programs (the PostgreSQL binaries), as for any tool.
    const missing = [...namesInCode()]
      .filter(([name]) => !listed.has(name) && name !== 'PATH')
      .map(([name, file]) => `${name} (${file})`);
    expect(missing).toEqual([]);
  });

  it('names the variables the default notification channels read', () => {
    const { slack, pagerduty, webhook } = DEFAULT_CONFIG.incident.notify;
    for (const name of [slack.url.env, pagerduty.routingKey.env, webhook.url.env])
      expect(listed).toContain(name);
  });

  it('has each variable once, each with a meaning', () => {
    expect(listed.size).toBe(ENVIRONMENT_VARIABLES.length);
    for (const v of ENVIRONMENT_VARIABLES) expect(v.meaning.length, v.name).toBeGreaterThan(10);
  });

  it("README.md's table is the list (paste environmentMarkdown() between the markers to fix)", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = /<!-- environment-variables:start -->\n([\s\S]*?)\n<!-- environment-variables:end -->/.exec(
      readme,
    )?.[1];
    expect(table).toBe(environmentMarkdown());
  });

  it('fsops help environment lists them by group', () => {
    const text = environmentHelp();
    for (const v of ENVIRONMENT_VARIABLES) expect(text).toContain(`  ${v.name} `);
    expect(text).toMatch(/^notifications:$/m);
    expect(text).not.toContain('`');
  });
});
