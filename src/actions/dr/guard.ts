import { drillRefusal } from '../../backup/drill.js';
import type { EnvContext } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { UsageError } from '../../engine/model/errors.js';
import { openStore } from '../../incident/flow.js';
import { describeUnreadable } from '../../incident/store.js';
import { describeWindowState } from '../../maintenance/window.js';

/**
 * The open incident of this environment in the incident records (`fsops incident`, incident.directory
 * or FSOPS_INCIDENT_DIR), if any. A record fsops cannot read is reported, not taken as "no incident".
 */
export function openIncident(config: Config, env: string): string | null {
  const { records, unreadable } = openStore(config.incident).scan();
  const open = records.find((record) => record.state === 'open' && record.env === env);
  if (open) return `${open.id}: ${open.title}`;
  // An unreadable record may be this environment's open incident: the drill cannot know, so it waits.
  if (unreadable.length > 0) {
    throw new UsageError(
      `cannot tell whether an incident is open in ${env}: ${describeUnreadable(unreadable)}; repair or move it away; nothing was changed`,
    );
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
    openIncident: openIncident(config, env.name),
    protectedEnv: env.settings.protected,
    windowOpen: window.open,
    windowText: window.text,
    overrideWindow,
  });
  if (refusal) throw new UsageError(refusal);
}
