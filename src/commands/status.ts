import { parseDuration } from '../base/model/duration.js';
import { UsageError } from '../base/model/errors.js';
import { exitCodeFor, type Finding } from '../base/model/finding.js';
import { oneLine } from '../base/model/text.js';
import { openStore } from '../domain/incident/flow.js';
import { nextUpdateDue } from '../domain/incident/record.js';
import { describeUnreadable } from '../domain/incident/store.js';
import {
  type Cell,
  type Dashboard,
  dashboardView,
  renderDashboard,
  toCells,
} from '../domain/status/dashboard.js';
import { onInterrupt, readsUntilInterrupted } from '../engine/interrupt.js';
import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import type { Runtime } from '../engine/runtime.js';
import { type EnvSession, type GlobalOptions, openEnvSession, verifyAccount } from '../engine/session.js';
import { gather } from './kit/read.js';

export interface StatusOptions extends GlobalOptions {
  watch?: boolean | string;
  since?: string;
}

/** ops guide §10.2.1: RefreshRate 30 seconds. */
const DEFAULT_REFRESH = '30s';
/** Each poll is a whole runbook of AWS calls: a shorter interval would hammer AWS (and flood a pipe). */
const MIN_REFRESH_MS = 1000;

/** One frame's findings: the `status` runbook through the read-command kit. */
async function poll(
  session: EnvSession,
  sinceMs: number,
  runtime: Runtime,
  signal?: AbortSignal,
): Promise<Finding[]> {
  const now = runtime.clock.now();
  const { findings } = await gather(
    session,
    { runbook: 'status' },
    { since: new Date(now - sinceMs), runtime, ...(signal ? { signal } : {}) },
  );
  return findings;
}

/**
 * The open incidents of the environment; records fsops cannot read are named, never shown as "none
 * open", and never hide the ones it can read.
 */
function openIncidents(session: EnvSession): Pick<Dashboard, 'incidents' | 'incidentsError'> {
  const config = session.config.incident;
  const now = new Date();
  try {
    const { records, unreadable } = openStore(config).scan();
    return {
      incidents: records
        .filter((r) => r.state === 'open' && r.env === session.env.name)
        .map((r) => ({
          id: r.id,
          severity: r.severity,
          title: r.title,
          startedAt: r.startedAt,
          updateOverdue: nextUpdateDue(r, config.updateIntervalMinutes) < now,
        })),
      ...(unreadable.length > 0 ? { incidentsError: describeUnreadable(unreadable) } : {}),
    };
  } catch (error) {
    return { incidents: [], incidentsError: (error as Error).message };
  }
}

/** Exit code of one frame: the findings', and 3 when the incident records could not be read. */
function frameExitCode(findings: readonly Finding[], dashboard: Dashboard, strict: boolean): number {
  const code = exitCodeFor(findings, strict);
  return code === 0 && dashboard.incidentsError ? 3 : code;
}

/**
 * `fsops status --env E [--watch [interval]]`: the operations dashboard of ops guide §10.2.1, gathered
 * by the `status` runbook through the one runner (one batched GetMetricData), every value colored by
 * its check's status (the same thresholds as validate/metrics).
 */
export async function status(options: StatusOptions, runtime: Runtime): Promise<number> {
  const printer = printerFor(options, 'status', VIEW_FORMATS, runtime);
  const format = printer.format;
  const watch = options.watch !== undefined && options.watch !== false;
  const intervalMs = parseDuration(
    typeof options.watch === 'string' ? options.watch : DEFAULT_REFRESH,
    '--watch interval',
  );
  if (watch && intervalMs < MIN_REFRESH_MS) {
    throw new UsageError(
      `--watch interval '${options.watch}' is too short: use at least 1s (the guide refreshes every 30s)`,
    );
  }
  if (watch && format !== 'text')
    throw new UsageError('--watch redraws text: use it without --output (json gives the data once)');
  const session = openEnvSession(options);
  const sinceMs = parseDuration(options.since ?? session.config.logs.since, '--since');
  try {
    // The first frame: Ctrl-C, SIGTERM or SIGHUP while it is gathered ends the command as interrupted
    // (130), whichever signal, with no dashboard of half the checks.
    let findings = await readsUntilInterrupted(async (signal) => {
      await verifyAccount(session, false, signal);
      return poll(session, sinceMs, runtime, signal);
    });
    let dashboard: Dashboard = {
      env: session.env.name,
      at: new Date().toISOString(),
      cells: toCells(findings, new Date()),
      ...openIncidents(session),
    };
    if (!watch) {
      printer.view({
        data: dashboardView(dashboard, findings),
        text: (data, chalk) => renderDashboard(data, chalk, new Date(), oneLine),
      });
      return frameExitCode(findings, dashboard, options.strict ?? false);
    }
    // Watch: redraw in place on a terminal; on a pipe one frame per interval, no cursor codes.
    const tty = Boolean(runtime.stdout.isTTY);
    let stop: () => void = () => {};
    const interrupted = new Promise<void>((done) => {
      stop = done;
    });
    const release = onInterrupt(() => stop());
    try {
      for (;;) {
        printer.view({
          data: dashboardView(dashboard),
          text: (data, chalk) => {
            const frame = renderDashboard(data, chalk, new Date(), oneLine);
            return tty
              ? `\u001b[H\u001b[2J${frame}${chalk.dim(`refreshing every ${intervalMs / 1000}s; Ctrl-C to quit`)}\n`
              : `${frame}\n`;
          },
        });
        let timer: NodeJS.Timeout | undefined;
        const tick = new Promise<'tick'>((done) => {
          timer = setTimeout(() => done('tick'), intervalMs);
        });
        const woke = await Promise.race([tick, interrupted.then(() => 'stop' as const)]);
        clearTimeout(timer);
        if (woke === 'stop') break;
        const next = await Promise.race([
          poll(session, sinceMs, runtime).then(
            (f) => ({ findings: f }),
            (error: Error) => ({ error }),
          ),
          interrupted.then(() => null),
        ]);
        if (next === null) break;
        const at = new Date();
        if ('error' in next) {
          dashboard = {
            ...dashboard,
            pollError: { message: next.error.message, since: dashboard.pollError?.since ?? at.toISOString() },
          };
          continue;
        }
        findings = next.findings;
        const cells: Cell[] = toCells(findings, at, dashboard.cells);
        dashboard = { env: dashboard.env, at: at.toISOString(), cells, ...openIncidents(session) };
      }
    } finally {
      release();
    }
    runtime.stderr.write('\n');
    return 130;
  } finally {
    session.aws.destroy();
  }
}
