import type { ChalkInstance } from 'chalk';
import { formatDuration } from '../../base/model/duration.js';
import { type Finding, type Status, statusColors } from '../../base/model/finding.js';

export interface Cell {
  section: 'Services' | 'Database' | 'KPIs' | 'Queue' | 'Redis' | 'Alarms' | 'Maintenance';
  key: string;
  /** The check whose finding this cell shows (the finding's `checkId`); not part of the JSON view. */
  checkId: string;
  label: string;
  value: string;
  status: Status;
  /** When this value was observed (a cell whose last poll failed keeps its older value). */
  at: string;
  /** The last poll's error for this cell, and since when it has been failing. */
  error?: { message: string; since: string };
}

export interface Dashboard {
  env: string;
  at: string;
  cells: Cell[];
  incidents: { id: string; severity: number; title: string; startedAt: string; updateOverdue: boolean }[];
  /** The incident records could not be read (a broken incident.json, no permission): not "none open". */
  incidentsError?: string;
  /** The whole poll failed (e.g. credentials): the cells are from the last good poll. */
  pollError?: { message: string; since: string };
}

/**
 * The section of each check of runbooks/status.yaml, by the check that produced a finding (its
 * `checkId`), whatever the finding's own id (`rds.replicas` emits `db.replication.rds-lag`,
 * `lms.queue` emits `payments.lms-queue.depth`, `metrics.rds` emits `metrics.no-data.rds`).
 */
const SECTION_OF: Readonly<Record<string, Cell['section']>> = {
  'ecs.service': 'Services',
  'ecs.deployment.last': 'Services',
  'rds.instance': 'Database',
  'metrics.rds': 'Database',
  'rds.replicas': 'Database',
  'metrics.payments': 'KPIs',
  'metrics.alb': 'KPIs',
  'lms.queue': 'Queue',
  'redis.elasticache': 'Redis',
  'metrics.redis': 'Redis',
  'cloudwatch.alarms': 'Alarms',
  'ssm.maintenance-mode': 'Maintenance',
};

/** Services show running/desired and the rollout; the profile checks (class, sizes) are validate's business. */
const SHOWN =
  /^(ecs\.service\.(active|running|deployment)|ecs\.deployment\.last|rds\.instance\.available|metrics\.|db\.replication\.rds-(replicas|lag)|payments\.lms-queue\.(depth|age|table)|redis\.elasticache\.(status|failover)|cloudwatch\.alarm|ssm\.maintenance-mode)/;

const SERVICE_PART: Record<string, string> = {
  'ecs.service.active': 'status',
  'ecs.service.running': 'tasks',
  'ecs.service.deployment': 'rollout',
  'ecs.deployment.last': 'last deploy',
};

const serviceOf = (cell: Pick<Cell, 'label'>) => cell.label.split(' ')[0] ?? '';

function sectionOf(f: Finding): Cell['section'] | null {
  return Object.hasOwn(SECTION_OF, f.checkId) ? SECTION_OF[f.checkId]! : null;
}

/** A metric's "latest 88%, avg 92%, min 85%  ▇▅▁" reads as "88%  ▇▅▁" on the dashboard. */
function shortValue(f: Finding): string {
  // "available, ReplicaLag 2s (peak ...)": the replica's state only when it is not the usual one.
  if (f.id === 'db.replication.rds-lag') return f.observed.replace(/^available, /, '');
  if (f.id.startsWith('metrics.') && !f.id.startsWith('metrics.no-data')) {
    const latest = /^latest ([^,]+)/.exec(f.observed)?.[1];
    const spark = /\s{2}(\S+)$/.exec(f.observed)?.[1];
    if (latest) return spark ? `${latest}  ${spark}` : latest;
  }
  return f.observed;
}

/**
 * The previous cells an error finding is about: the same row, or, when a whole check (or one of its
 * facts) failed, every row that check showed. The runner reports a failed check under the check's own
 * id and resource, not under its rows' ids, whatever they are (`rds.replicas`'s rows are
 * `db.replication.rds-*`): matched by the check (`checkId`), so the last values stay on screen.
 */
function cellsOfError(f: Finding, previous: readonly Cell[]): Cell[] {
  const key = `${f.id} ${f.resource}`;
  const exact = previous.filter((c) => c.key === key);
  if (exact.length) return exact;
  const wholeCheck = f.id === f.checkId;
  return previous.filter((c) => {
    if (c.checkId !== f.checkId) return false;
    const id = c.key.split(' ')[0] ?? '';
    // One fact of the check failed: the rows under that fact's id.
    if (!wholeCheck && id !== f.id && !id.startsWith(`${f.id}.`)) return false;
    return f.resource === f.checkId || c.key.slice(id.length + 1) === f.resource || !f.resource.trim();
  });
}

/** The dashboard's cells from the status runbook's findings (pure). Errors keep the previous values. */
export function toCells(findings: readonly Finding[], at: Date, previous: readonly Cell[] = []): Cell[] {
  const cells: Cell[] = [];
  const kept = new Set<string>();
  for (const f of findings) {
    if (f.status === 'error') {
      const before = cellsOfError(f, previous).filter((c) => !kept.has(c.key));
      if (before.length) {
        for (const cell of before) {
          kept.add(cell.key);
          cells.push({
            ...cell,
            error: { message: f.observed, since: cell.error?.since ?? at.toISOString() },
          });
        }
        continue;
      }
    }
    const section = sectionOf(f);
    if (!section || !(SHOWN.test(f.id) || f.status === 'error')) continue;
    if (f.id.startsWith('ecs.service.active') && f.status === 'pass') continue;
    if (f.id.startsWith('cloudwatch.alarm.exists') && f.status === 'pass') continue;
    // The replica count is shown when it is wrong; each replica's lag always.
    if (f.id === 'db.replication.rds-replicas' && f.status === 'pass') continue;
    const key = `${f.id} ${f.resource}`;
    const label =
      section === 'Services'
        ? `${f.resource} ${SERVICE_PART[f.id] ?? ''}`.trim()
        : section === 'Alarms'
          ? f.resource
          : f.id === 'db.replication.rds-lag'
            ? `Replica lag ${f.resource}`
            : f.title;
    if (f.status === 'error') {
      // Nothing shown before: the error is its own row.
      cells.push({
        section,
        key,
        checkId: f.checkId,
        label,
        value: '',
        status: 'error',
        at: at.toISOString(),
        error: { message: f.observed, since: at.toISOString() },
      });
      continue;
    }
    cells.push({
      section,
      key,
      checkId: f.checkId,
      label,
      value: shortValue(f),
      status: f.status,
      at: at.toISOString(),
    });
  }
  return cells;
}

const SECTIONS: Cell['section'][] = [
  'Services',
  'Database',
  'KPIs',
  'Queue',
  'Redis',
  'Alarms',
  'Maintenance',
];

/** What a dashboard prints: its cells without `checkId` (fsops's own, like the report's). */
export type DashboardView = Omit<Dashboard, 'cells'> & { cells: Omit<Cell, 'checkId'>[] };

/**
 * The dashboard and its findings as `status --output json` prints them: the documented fields, no
 * `checkId` (it says which check a row came from, for the dashboard itself and the recheck).
 */
export function dashboardView(
  d: Dashboard,
  findings?: readonly Finding[],
): DashboardView & { findings?: Omit<Finding, 'checkId'>[] } {
  const cells = d.cells.map(({ checkId: _checkId, ...cell }) => cell);
  return {
    ...d,
    cells,
    ...(findings ? { findings: findings.map(({ checkId: _checkId, ...finding }) => finding) } : {}),
  };
}

/** One screen of text (no cursor codes: the caller decides how to redraw). Pure. */
export function renderDashboard(
  d: DashboardView,
  c: ChalkInstance,
  now: Date,
  clean: (s: string) => string,
): string {
  const paint = statusColors(c);
  const age = (iso: string) => formatDuration(now.getTime() - new Date(iso).getTime());
  // The first failed poll has no age yet: "error for 0ms" reads like a bug.
  const failing = (since: string) =>
    now.getTime() - new Date(since).getTime() < 1000 ? 'error (this poll)' : `error for ${age(since)}`;
  const lines = [
    `${c.bold(`fsops status ${d.env}`)}  ${c.dim(`as of ${d.at.replace('T', ' ').slice(0, 19)} UTC`)}`,
  ];
  if (d.pollError) {
    lines.push(
      c.magenta(
        `  last poll failed (${age(d.pollError.since)} ago): ${clean(d.pollError.message)}; showing the last good values`,
      ),
    );
  }
  const width = Math.min(60, Math.max(20, ...d.cells.map((x) => x.label.length)));
  for (const section of SECTIONS) {
    const cells = d.cells.filter((x) => x.section === section);
    // A service's rows together: tasks, rollout, last deploy (stable within one service).
    if (section === 'Services') cells.sort((a, b) => serviceOf(a).localeCompare(serviceOf(b)));
    lines.push('', c.bold(section));
    if (section === 'Alarms' && !cells.some((x) => x.status !== 'pass')) {
      lines.push(`  ${c.green('none in ALARM')}`);
      continue;
    }
    if (cells.length === 0) lines.push(c.dim('  (nothing reported)'));
    for (const cell of cells) {
      if (section === 'Alarms' && cell.status === 'pass') continue;
      const value = cell.value ? paint[cell.status](clean(cell.value)) : '';
      const error = cell.error
        ? c.magenta(
            `${value ? `  (${age(cell.at)} old) ` : ''}${failing(cell.error.since)}: ${clean(cell.error.message)}`,
          )
        : '';
      lines.push(`  ${clean(cell.label).slice(0, width).padEnd(width)}  ${value}${error}`);
    }
  }
  lines.push('', c.bold('Incident'));
  if (d.incidentsError) {
    lines.push(c.magenta(`  could not read the incident records: ${clean(d.incidentsError)}`));
  } else if (d.incidents.length === 0) lines.push(`  ${c.green('none open')}`);
  for (const i of d.incidents) {
    lines.push(
      `  ${c.red.bold(`${i.id} SEV${i.severity}`)} ${clean(i.title)} ${c.dim(`open for ${age(i.startedAt)}`)}${i.updateOverdue ? c.red(' UPDATE OVERDUE') : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
