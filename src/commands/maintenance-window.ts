import { describeAwsError } from '../base/aws/errors.js';
import { loadConfig } from '../base/config/load.js';
import type { CheckResult } from '../base/model/check.js';
import { UnreachableError, UsageError } from '../base/model/errors.js';
import { rdsInstance } from '../catalogue/checks/service-facts.js';
import { evaluateRdsWindows } from '../domain/maintenance/rds-windows.js';
import {
  describeWindowState,
  formatInZone,
  isOpen,
  localTimeZone,
  type MaintenanceWindow,
  upcomingWindows,
  type WindowRule,
} from '../domain/maintenance/window.js';
import { commandContext } from '../engine/context.js';
import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import type { Runtime } from '../engine/runtime.js';
import { type GlobalOptions, openEnvSession } from '../engine/session.js';

export interface WindowOptions extends GlobalOptions {
  next?: string;
  requireOpen?: boolean;
  /** For tests and "what if": the instant to compute from (ISO 8601). */
  at?: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ORDINALS = ['', '1st', '2nd', '3rd', '4th'];

export function describeRule(rule: WindowRule): string {
  const w = rule.window;
  const weekday = w.weekday.charAt(0).toUpperCase() + w.weekday.slice(1);
  const months = rule.database.months.map((m) => MONTHS[m - 1]).join(', ');
  return `${ORDINALS[w.weekOfMonth]} ${weekday} of the month, ${w.start} for ${w.durationMinutes / 60}h (${w.timeZone}); database maintenance in ${months} (up to ${rule.database.durationMinutes / 60}h)`;
}

function parseCount(text: string | undefined): number {
  if (text === undefined) return 6;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > 60) {
    throw new UsageError(`invalid --next '${text}': a whole number of windows from 1 to 60`);
  }
  return count;
}

function parseAt(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const at = new Date(text);
  if (Number.isNaN(at.getTime()))
    throw new UsageError(`invalid --at '${text}': use an ISO 8601 time, e.g. 2026-12-13T02:30:00+05:30`);
  return at;
}

async function rdsWindowFindings(options: WindowOptions, rule: WindowRule): Promise<CheckResult[]> {
  const session = openEnvSession(options);
  try {
    const instance = await rdsInstance(commandContext(session));
    const name = session.env.nameOf('dbInstance');
    if (!instance) throw new UsageError(`RDS instance ${name} not found in ${session.env.name}`);
    return evaluateRdsWindows(
      name,
      instance.PreferredMaintenanceWindow,
      instance.PreferredBackupWindow,
      rule,
    );
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UnreachableError(`cannot read the RDS maintenance window: ${describeAwsError(error)}`);
  } finally {
    session.aws.destroy();
  }
}

/** `fsops maintenance window`: the next windows (ops guide §12.1.1) in the rule's zone and the local one. */
export async function maintenanceWindow(options: WindowOptions, runtime: Runtime): Promise<number> {
  const printer = printerFor(options, 'maintenance window', VIEW_FORMATS, runtime);
  const count = parseCount(options.next);
  const now = parseAt(options.at);
  const { config } = loadConfig(options.config);
  const rule = config.maintenance;
  const zone = rule.window.timeZone;
  const local = localTimeZone();
  const windows = upcomingWindows(now, rule, count);
  const state = describeWindowState(now, rule);
  const envName = options.env ?? process.env.FSOPS_ENV;
  const rds = envName ? await rdsWindowFindings({ ...options, env: envName }, rule) : [];

  const shape = (w: MaintenanceWindow) => ({
    kind: w.kind,
    start: w.start.toISOString(),
    end: w.end.toISOString(),
    startInZone: formatInZone(w.start, zone),
    endInZone: formatInZone(w.end, zone),
    startLocal: formatInZone(w.start, local),
    endLocal: formatInZone(w.end, local),
    open: isOpen(w, now),
  });
  printer.view({
    data: {
      command: 'maintenance window',
      env: envName ?? null,
      now: now.toISOString(),
      rule: describeRule(rule),
      timeZone: zone,
      localTimeZone: local,
      open: state.open,
      state: state.text,
      windows: windows.map(shape),
      ...(envName ? { rds } : {}),
      source: 'ops guide §12.1.1; deployment guide §6.1.1',
    },
    text: (view, c) => {
      const lines = [
        `${c.bold('Maintenance windows')} ${c.dim('(ops guide §12.1.1)')}: ${view.rule}`,
        `Now: ${view.open ? c.green(view.state) : view.state}`,
        '',
      ];
      const sameZone = view.localTimeZone === view.timeZone;
      const head = [
        'KIND',
        `STARTS (${view.timeZone})`,
        `ENDS (${view.timeZone})`,
        ...(sameZone ? [] : [`LOCAL (${view.localTimeZone})`]),
      ];
      const rows = view.windows.map((w) => [
        `${w.kind}${w.open ? ' (open)' : ''}`,
        w.startInZone,
        w.endInZone,
        ...(sameZone ? [] : [`${w.startLocal} - ${w.endLocal}`]),
      ]);
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (cells: string[]) =>
        `  ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd();
      lines.push(c.dim(line(head)), ...rows.map(line));
      const found = view.rds ?? [];
      if (found.length) {
        lines.push(
          '',
          `RDS windows of ${view.env} ${c.dim('(deployment guide §6.1.1; RDS windows are in UTC)')}:`,
        );
        for (const r of found) {
          const mark = r.status === 'pass' ? c.green('PASS') : c.yellow('WARN');
          lines.push(`  ${mark} ${r.title}: ${r.observed}`);
          if (r.status !== 'pass')
            lines.push(
              `       expected ${r.expected}`,
              ...(r.remediation ? [`       ${c.cyan('next:')} ${r.remediation}`] : []),
            );
        }
      }
      return lines.join('\n');
    },
  });
  if (options.requireOpen && !state.open) return 1;
  return 0;
}
