import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `node --import` this to list every module a spawned fsops resolves (see module-probe.mjs). */
export const MODULE_PROBE = ['--import', resolve(import.meta.dirname, 'module-probe.mjs')];

/** The module URLs the probe reported on stderr; throws when the probe did not report (so a test cannot pass blind). */
export function loadedModules(stderr: string): string[] {
  const line = stderr.split('\n').find((l) => l.startsWith('MODULES-LOADED:'));
  if (!line) throw new Error(`the module probe did not report; stderr: ${stderr.slice(0, 500)}`);
  return JSON.parse(line.slice('MODULES-LOADED:'.length)) as string[];
}

/**
 * The loaded modules that are, or were bundled from, the AWS SDK (@aws-sdk/*, @smithy/*): module
 * URLs under node_modules, and bundle files (dist/**.js) whose source map lists SDK sources.
 */
export function sdkModules(urls: string[]): string[] {
  const sdk = /node_modules\/(@aws-sdk|@smithy)\//;
  return urls.filter((url) => {
    if (sdk.test(url)) return true;
    if (!url.startsWith('file:') || !url.endsWith('.js')) return false;
    const map = `${fileURLToPath(url)}.map`;
    if (!existsSync(map)) return false;
    const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
    return sources.some((source) => sdk.test(source));
  });
}

/** The SDK packages (e.g. `@aws-sdk/client-ecs`) the loaded modules are, or were bundled from. */
export function sdkPackages(urls: string[]): string[] {
  const packages = new Set<string>();
  const add = (text: string) => {
    for (const match of text.matchAll(/node_modules\/((?:@aws-sdk|@smithy)\/[^/]+)\//g))
      packages.add(match[1]!);
  };
  for (const url of sdkModules(urls)) {
    add(url);
    const map = url.startsWith('file:') ? `${fileURLToPath(url)}.map` : '';
    if (map && existsSync(map))
      for (const source of JSON.parse(readFileSync(map, 'utf8')).sources) add(source);
  }
  return [...packages].sort();
}
