import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The fsops package folder (the one holding package.json and runbooks/), found from this module's
 * location whichever way it runs: src/base/config/ under vitest, dist/ or dist/chunks/ in the bundle
 * (`npm run build`), an `npm link`ed or globally installed copy, or /app in the container image.
 */
export function packageRoot(from: string = import.meta.url): string {
  const start = dirname(fileURLToPath(from));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'runbooks'))) return dir;
    if (dirname(dir) === dir) return join(start, '../..', '../..');
  }
}
