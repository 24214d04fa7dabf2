import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../../src/base/model/finding.js';
import { makeChalk, render, toText } from '../../../src/engine/render.js';

const finding = (overrides: Partial<Finding>): Finding => ({
  id: 'ecs.service.running',
  title: 'ECS running tasks match desired count',
  status: 'pass',
  severity: 'critical',
  resource: 'prod-internal-pe-service',
  detail: '',
  expected: 'running = desired (3)',
  observed: '3 running',
  remediation: '',
  source: 'deployment guide §11.1',
  // Set by the runner for fsops's own consumers; the JSON report keeps the documented fields only.
  checkId: 'ecs.service',
  ...overrides,
});

const report: Report = {
  command: 'validate',
  env: 'prod',
  status: 'fail',
  startedAt: '2026-11-21T10:00:00.000Z',
  durationMs: 1234,
  findings: [
    finding({}),
    finding({
      status: 'fail',
      resource: 'prod-customer-portal-service',
      observed: '1 running, 2 pending',
      remediation: 'Run `fsops ecs tasks`',
    }),
    finding({
      id: 'cloudwatch.alarm.data',
      title: 'Alarm <has> "data" & more',
      status: 'warn',
      observed: 'INSUFFICIENT_DATA',
    }),
  ],
};

describe('renderers', () => {
  it('text: verdict line first, problems before passes, expected/observed/next/source for problems', () => {
    const text = toText(report, makeChalk(false));
    const lines = text.split('\n');
    expect(lines[0]).toBe('fsops validate prod: FAIL  1 failed, 1 warning, 1 passed in 1s');
    expect(text.indexOf('FAIL  ECS running')).toBeLessThan(text.indexOf('WARN '));
    expect(text.indexOf('WARN ')).toBeLessThan(text.indexOf('PASS '));
    expect(text).toContain(
      '      expected: running = desired (3)\n      observed: 1 running, 2 pending\n      next:     Run `fsops ecs tasks`',
    );
    expect(text).toContain('source:   deployment guide §11.1');
    expect(text).not.toMatch(/\u001b\[/);
  });

  it('text with only problems keeps the full summary but lists no passes', () => {
    const text = render(report, 'text', { onlyProblems: true, color: false });
    expect(text).toContain('1 passed');
    expect(text).not.toContain('PASS ');
  });

  it('colors only when asked and not under NO_COLOR', () => {
    const saved = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
    process.env.FORCE_COLOR = '1';
    delete process.env.NO_COLOR;
    expect(render(report, 'text')).toMatch(/\u001b\[/);
    process.env.NO_COLOR = '1';
    delete process.env.FORCE_COLOR;
    expect(render(report, 'text')).not.toMatch(/\u001b\[/);
    Object.assign(process.env, saved);
    if (saved.FORCE_COLOR === undefined) delete process.env.FORCE_COLOR;
  });

  it('json: the docs/architecture.md report shape; --only-problems filters findings', () => {
    const parsed = JSON.parse(render(report, 'json'));
    expect(Object.keys(parsed)).toEqual([
      'command',
      'env',
      'status',
      'startedAt',
      'durationMs',
      'findings',
      'counts',
    ]);
    expect(Object.keys(parsed.findings[0])).toEqual([
      'id',
      'title',
      'status',
      'severity',
      'resource',
      'detail',
      'expected',
      'observed',
      'remediation',
      'source',
    ]);
    expect(JSON.parse(render(report, 'json', { onlyProblems: true })).findings).toHaveLength(2);
  });

  it('--only-problems shortens the list, never the counts: json and junit count all 41 passes', () => {
    const run: Report = {
      ...report,
      findings: [
        ...Array.from({ length: 41 }, (_, i) => finding({ resource: `svc-${i}` })),
        finding({ status: 'fail', resource: 'broken' }),
      ],
    };
    const json = JSON.parse(render(run, 'json', { onlyProblems: true }));
    expect(json.findings.map((f: Finding) => f.resource)).toEqual(['broken']);
    expect(json.counts).toEqual({ pass: 41, warn: 0, fail: 1, skip: 0, error: 0 });
    const xml = render(run, 'junit', { onlyProblems: true });
    expect(xml).toContain('<testsuites name="fsops" tests="42" failures="1" errors="0" skipped="0"');
    expect(xml.match(/<testcase /g)).toHaveLength(42);
  });

  it('junit: failures, warnings as output, XML escaped', () => {
    const xml = render(report, 'junit');
    expect(xml).toContain(
      '<testsuites name="fsops" tests="3" failures="1" errors="0" skipped="0" time="1.234">',
    );
    expect(xml).toContain('<failure message="1 running, 2 pending" type="critical">');
    expect(xml).toContain('Alarm &#60;has&#62; &#34;data&#34; &#38; more');
    expect(xml).toContain('<system-out>WARNING');
  });

  it('markdown: a table an incident doc can paste', () => {
    const md = render(report, 'markdown');
    expect(md).toContain('## fsops validate prod: FAIL');
    expect(md).toContain(
      '| ❌ fail | ECS running tasks match desired count | prod-customer-portal-service |',
    );
  });
});
