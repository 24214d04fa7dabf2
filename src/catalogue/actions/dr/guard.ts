import type { Config } from '../../../base/config/schema.js';
import { drillRefusal } from '../../../domain/backup/drill.js';
import { openStore } from '../../../domain/incident/flow.js';
import { describeUnreadable } from '../../../domain/incident/store.js';
import { describeWindowState } from '../../../domain/maintenance/window.js';
import type { ActionContext } from '../../action.js';

/**
 * The open incident of this environment in the incident records (`fsops incident`, incident.directory
 * or FSOPS_INCIDENT_DIR), if any. A record fsops cannot read is reported, not taken as "no incident".
 */
export function openIncident(config: Config, env: string): string | null {
  const { records, unreadable } = openStore(config.incident).scan();
  const open = records.find((record) => record.state === 'open' && record.env === env);
  if (open) return `${open.id}: ${open.title}`;
  // An unreadable record may be this environment's open incident: the drill cannot know, so it waits
  // (a refusal, audited like every other).
  if (unreadable.length > 0)
    return `possibly: a record that cannot be read, ${describeUnreadable(unreadable)}; repair or move it away`;
  return null;
}

/**
 * The read-only reason a drill must not start now (an open incident; a protected environment outside
 * the maintenance window without --override-window), or null: `Action.refuse` of the drills,
 * so the driver audits it `refused` like every other refusal.
 */
export function drillRefusalNow(
  ctx: Pick<ActionContext, 'env' | 'config' | 'now'>,
  overrideWindow: boolean,
): string | null {
  const env = ctx.env;
  if (!env) return null;
  const window = describeWindowState(ctx.now, ctx.config.maintenance);
  return drillRefusal({
    env: env.name,
    openIncident: openIncident(ctx.config, env.name),
    protectedEnv: env.settings.protected,
    windowOpen: window.open,
    windowText: window.text,
    overrideWindow,
  });
}

/** The plan line (and so the `started` audit line) that says --override-window was given, and what it overrode. */
export function overrideWindowLines(
  ctx: Pick<ActionContext, 'config' | 'now'>,
  overrideWindow: boolean,
): string[] {
  if (!overrideWindow) return [];
  const window = describeWindowState(ctx.now, ctx.config.maintenance);
  return [
    window.open
      ? `--override-window given (the maintenance window is open: ${window.text})`
      : `--override-window: running outside the maintenance window (${window.text})`,
  ];
}
