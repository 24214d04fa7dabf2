import { drillRefusal } from '../../backup/drill.js';
import type { EnvContext } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { UsageError } from '../../engine/model/errors.js';
import { openStore } from '../../incident/flow.js';
import { describeWindowState } from '../../maintenance/window.js';

/**
 * The open incident of this environment in the incident records (`fsops incident`, incident.directory
 * or FSOPS_INCIDENT_DIR), if any. A record fsops cannot read is reported, not taken as "no incident".
 */
export function openIncident(config: Config, env: string): string | null {
  const open = openStore(config.incident)
    .list()
    .find((record) => record.state === 'open' && record.env === env);
  return open ? `${open.id}: ${open.title}` : null;
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
    openIncident: openIncident(config, env.name),
    protectedEnv: env.settings.protected,
    windowOpen: window.open,
    windowText: window.text,
    overrideWindow,
  });
  if (refusal) throw new UsageError(refusal);
}
