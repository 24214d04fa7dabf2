import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { drillRefusal } from '../../backup/drill.js';
import type { EnvContext } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { UsageError } from '../../engine/model/errors.js';
import { describeWindowState } from '../../maintenance/window.js';

/**
 * The open incident in backup.drill.incidentDir, if any: a file named `open` or `<anything>.open`, or a
 * JSON record with "status": "open" (and an "env" that is this environment or absent). Kept simple on
 * purpose: `fsops incident` owns the record format; this only looks for an open marker.
 */
export function openIncident(dir: string | null, env: string): string | null {
  if (!dir || !existsSync(dir)) return null;
  for (const name of readdirSync(dir).sort()) {
    if (name === 'open' || name.endsWith('.open')) return name;
    if (!name.endsWith('.json')) continue;
    try {
      const record = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { status?: string; env?: string };
      if (record.status === 'open' && (!record.env || record.env === env)) return name;
    } catch {
      // Not a record fsops can read: not an open incident.
    }
  }
  return null;
}

/** Throws the one-line refusal (exit 2) when a drill must not start now. */
export function assertDrillAllowed(
  env: EnvContext,
  config: Config,
  now: Date,
  overrideWindow: boolean,
): void {
  const window = describeWindowState(now, config.maintenance);
  const refusal = drillRefusal({
    env: env.name,
    openIncident: openIncident(config.backup.drill.incidentDir, env.name),
    protectedEnv: env.settings.protected,
    windowOpen: window.open,
    windowText: window.text,
    overrideWindow,
  });
  if (refusal) throw new UsageError(refusal);
}
