import chalk, { Chalk, type ChalkInstance } from 'chalk';
import { formatDuration } from '../base/model/duration.js';
import {
  countByStatus,
  type Finding,
  type Interruption,
  type Report,
  type Status,
  statusColors,
} from '../base/model/finding.js';

export const OUTPUT_FORMATS = ['text', 'json', 'junit', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface RenderOptions {
  /** Show only findings that are not passing. */
  onlyProblems?: boolean;
  color?: boolean;
}

/** Colors for stdout: chalk's detection, off under NO_COLOR (unless FORCE_COLOR) or `--no-color`. */
export function makeChalk(color?: boolean): ChalkInstance {
  const force = process.env.FORCE_COLOR;
  if (color === false || force === '0' || force === 'false') return new Chalk({ level: 0 });
  if (force !== undefined) return new Chalk({ level: Math.max(1, chalk.level) as 1 | 2 | 3 });
  if (process.env.NO_COLOR) return new Chalk({ level: 0 });
  return new Chalk({ level: chalk.level });
}

import { clean } from '../base/model/text.js';

export { clean };

/** A copy of `value` with every string in it cleaned (objects, arrays; Dates and others kept). */
export function cleanDeep<T>(value: T): T {
  if (typeof value === 'string') return clean(value) as T;
  if (Array.isArray(value)) return value.map((item) => cleanDeep(item)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cleanDeep(v)])) as T;
  }
  return value;
}

export function render(report: Report, format: OutputFormat, options: RenderOptions = {}): string {
  // --only-problems shortens the list, never the summary: the counts are of every finding. A JUnit
  // report keeps every test case (the passes are the CI evidence and its counts are its test cases).
  switch (format) {
    case 'json':
      return toJson(report, options.onlyProblems);
    case 'junit':
      return toJunit(report);
    case 'markdown':
      return toMarkdown(report, options.onlyProblems);
    default:
      return toText(report, makeChalk(options.color), options.onlyProblems);
  }
}

export function problemsOf(findings: Finding[]): Finding[] {
  return findings.filter((f) => f.status !== 'pass');
}

const ORDER: Record<Status, number> = { fail: 0, error: 1, warn: 2, skip: 3, pass: 4 };

function worstFirst(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
}

/** The lines an interrupted report shows after its summary: that it did not finish, what was and was not done. */
export function interruptionLines(interruption: Interruption): string[] {
  return [
    'Interrupted (Ctrl-C, SIGTERM or SIGHUP) before the run finished: this is not a pass.',
    'Done:',
    ...interruption.done.map((line) => `  - ${line}`),
    'Not done:',
    ...(interruption.notDone.length ? interruption.notDone.map((line) => `  - ${line}`) : ['  - (nothing)']),
  ];
}

/**
 * The JSON report: the documented fields (docs/architecture.md) and `counts` of every finding by
 * status, whatever `onlyProblems` leaves out of `findings`. A finding's structured `value`/`unit` is for
 * fsops's own consumers (the incident severity proposal), not this contract.
 */
export function toJson(report: Report, onlyProblems = false): string {
  const { notes, ...rest } = report;
  // The report's findings keep the documented fields (docs/architecture.md) and `counts` of every
  // finding by status, whatever `onlyProblems` leaves out; a finding's structured `value`/`unit` (the
  // incident severity proposal) and `checkId` (recheck, the dashboard) are for fsops's own consumers.
  const listed = onlyProblems ? problemsOf(report.findings) : report.findings;
  const findings = listed.map(({ value: _value, unit: _unit, checkId: _checkId, ...finding }) => finding);
  const counts = countByStatus(report.findings);
  const base = notes?.length ? { ...report } : rest;
  return `${JSON.stringify({ ...base, counts, findings }, null, 2)}\n`;
}

export function summaryLine(report: Report): string {
  const counts = countByStatus(report.findings);
  const parts = [
    counts.fail && `${counts.fail} failed`,
    counts.error && `${counts.error} could not be checked`,
    counts.warn && `${counts.warn} warning${counts.warn === 1 ? '' : 's'}`,
    counts.skip && `${counts.skip} skipped`,
    `${counts.pass} passed`,
  ].filter(Boolean);
  return `${parts.join(', ')} in ${formatDuration(report.durationMs)}`;
}

/** The summary counts every finding; `onlyProblems` hides the passing ones from the list only. */
export function toText(untrusted: Report, c: ChalkInstance, onlyProblems = false): string {
  // JSON escapes control characters itself; every other format neutralises them (see clean).
  const report = cleanDeep(untrusted);
  const paint = statusColors(c);
  const label: Record<Status, string> = {
    pass: 'PASS ',
    warn: 'WARN ',
    fail: 'FAIL ',
    error: 'ERROR',
    skip: 'SKIP ',
  };
  const lines: string[] = [];
  const where = report.env ? ` ${report.env}` : '';
  lines.push(
    `${c.bold(`fsops ${report.command}${where}`)}: ${paint[report.status](report.status.toUpperCase())}  ${c.dim(summaryLine(report))}`,
  );
  lines.push('');
  if (report.interruption)
    lines.push(...interruptionLines(report.interruption).map((l, i) => (i === 0 ? c.bold(l) : l)), '');
  const listed = onlyProblems ? problemsOf(report.findings) : report.findings;
  for (const f of worstFirst(listed)) {
    lines.push(`${paint[f.status](label[f.status])} ${f.title} ${c.dim(`[${f.resource}]`)}`);
    if (f.status === 'pass') {
      if (f.observed) lines.push(`      ${c.dim(f.observed)}`);
      continue;
    }
    if (f.expected) lines.push(`      expected: ${f.expected}`);
    lines.push(`      observed: ${f.observed}`);
    if (f.detail) for (const line of f.detail.split('\n')) lines.push(`      ${c.dim(line)}`);
    if (f.remediation) lines.push(`      ${c.cyan('next:')}     ${f.remediation}`);
    lines.push(`      ${c.dim(`source:   ${f.source}   id: ${f.id}`)}`);
  }
  if (listed.length === 0) lines.push(c.dim(onlyProblems ? '  (no problems)' : '  (nothing to show)'));
  for (const note of report.notes ?? []) lines.push('', note);
  return `${lines.join('\n')}\n`;
}

function escapeXml(text: string): string {
  return text
    .replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

export function toJunit(untrusted: Report): string {
  const report = cleanDeep(untrusted);
  const counts = countByStatus(report.findings);
  const suite = `fsops ${report.command}${report.env ? ` ${report.env}` : ''}`;
  const cases = report.findings.map((f) => {
    const name = escapeXml(`${f.title} [${f.resource}]`);
    const body = escapeXml(
      [
        `expected: ${f.expected}`,
        `observed: ${f.observed}`,
        f.detail,
        `next: ${f.remediation}`,
        `source: ${f.source}`,
      ]
        .filter((line) => line && !line.endsWith(': '))
        .join('\n'),
    );
    const open = `    <testcase classname="${escapeXml(f.id)}" name="${name}">`;
    switch (f.status) {
      case 'fail':
        return `${open}\n      <failure message="${escapeXml(f.observed)}" type="${f.severity}">${body}</failure>\n    </testcase>`;
      case 'error':
        return `${open}\n      <error message="${escapeXml(f.observed)}">${body}</error>\n    </testcase>`;
      case 'skip':
        return `${open}\n      <skipped message="${escapeXml(f.observed)}"/>\n    </testcase>`;
      case 'warn':
        return `${open}\n      <system-out>WARNING\n${body}</system-out>\n    </testcase>`;
      default:
        return `${open}</testcase>`;
    }
  });
  // An interrupted run is never a green suite: one more test case, in error, says what was not done.
  if (report.interruption) {
    const body = escapeXml(interruptionLines(report.interruption).join('\n'));
    cases.push(
      `    <testcase classname="fsops.interrupted" name="${escapeXml(`fsops ${report.command} finished`)}">\n      <error message="interrupted before the run finished" type="interrupted">${body}</error>\n    </testcase>`,
    );
  }
  const tests = cases.length;
  const errors = counts.error + (report.interruption ? 1 : 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="fsops" tests="${tests}" failures="${counts.fail}" errors="${errors}" skipped="${counts.skip}" time="${(report.durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${escapeXml(suite)}" tests="${tests}" failures="${counts.fail}" errors="${errors}" skipped="${counts.skip}" timestamp="${report.startedAt}" time="${(report.durationMs / 1000).toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
}

/** The detail (query text, lock chains) as code in the cell: `<`, `>` and `&` escaped, lines kept. */
function mdDetail(text: string): string {
  if (!text) return '';
  const escaped = text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/`/g, '&#96;');
  return `<code>${mdCell(escaped)}</code>`;
}

export function toMarkdown(untrusted: Report, onlyProblems = false): string {
  const report = cleanDeep(untrusted);
  const icon: Record<Status, string> = { pass: '✅', warn: '⚠️', fail: '❌', error: '❓', skip: '⏭️' };
  const lines = [
    `## fsops ${report.command}${report.env ? ` ${report.env}` : ''}: ${report.status.toUpperCase()}`,
    '',
    `Started ${report.startedAt}; ${summaryLine(report)}.`,
    '',
    ...(report.interruption
      ? [...interruptionLines(report.interruption).map((l) => (l.startsWith('  ') ? l : `**${l}**`)), '']
      : []),
    '| | Check | Resource | Expected | Observed | Detail | Next step | Source |',
    '|---|---|---|---|---|---|---|---|',
    ...worstFirst(onlyProblems ? problemsOf(report.findings) : report.findings).map(
      (f) =>
        `| ${icon[f.status]} ${f.status} | ${mdCell(f.title)} | ${mdCell(f.resource)} | ${mdCell(f.expected)} | ${mdCell(f.observed)} | ${mdDetail(f.detail)} | ${mdCell(f.remediation)} | ${mdCell(f.source)} |`,
    ),
  ];
  for (const note of report.notes ?? []) lines.push('', note);
  return `${lines.join('\n')}\n`;
}
