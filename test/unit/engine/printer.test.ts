import { describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../../src/base/model/finding.js';
import { parseOutput, printerFor } from '../../../src/engine/printer.js';
import { clean, render } from '../../../src/engine/render.js';
import { testRuntime } from '../../helpers/runtime.js';

// Text fsops did not write: a query that clears the screen and retitles the terminal, a log line with
// an OSC 8 hyperlink and a C1 CSI, an AWS message with a right-to-left override that reverses "exe.txt".
const HOSTILE_QUERY = "SELECT 1 /* \u001b[2J\u001b]0;pwned\u0007 */ FROM payments WHERE note = 'a|b'";
const HOSTILE_LOG = 'ERROR \u001b]8;;http://evil.example\u001b\\click\u001b]8;;\u001b\\ \u009b31m red';
const HOSTILE_AWS = 'AccessDenied for user \u202eexe.txt\u202c (\r overwritten)';

const hostile: Finding = {
  id: 'db.long-queries',
  checkId: 'db.long-queries',
  title: 'Long-running queries',
  status: 'fail',
  severity: 'high',
  resource: `pid 4242 (app \u001b[31mred\u001b[0m)`,
  detail: `query: ${HOSTILE_QUERY}\nblocked by pid 17 -> pid 18\n  lock chain: relation payments (RowExclusiveLock)`,
  expected: 'no query runs longer than 5m',
  observed: HOSTILE_LOG,
  remediation: HOSTILE_AWS,
  source: 'ops guide §9.2',
};

const report: Report = {
  command: 'db long-queries',
  env: 'prod',
  status: 'fail',
  startedAt: '2026-11-21T10:00:00.000Z',
  durationMs: 10,
  findings: [hostile],
  notes: [`note from ${HOSTILE_LOG}`],
};

const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('untrusted text never reaches the terminal raw', () => {
  for (const format of ['text', 'markdown', 'junit'] as const) {
    it(`${format}: no ESC, C0/C1 control or bidi override from query text, log lines, AWS messages`, () => {
      const out = render(report, format, { color: false });
      expect(out).not.toContain('\u001b');
      expect(out).not.toMatch(UNSAFE);
      // Shown, not acted on: the engineer still sees that something was there.
      expect(out).toContain('\\x1b[2J');
      expect(out).toContain('\\u202eexe.txt');
    });
  }

  it('text with colors on: only the color codes fsops writes, none from the data', () => {
    const out = render(report, 'text', { color: true });
    expect(out).not.toContain('\u001b[2J');
    expect(out).not.toContain('\u001b]');
    expect(out).not.toContain('\u009b');
  });

  it('json keeps the data exact and escapes it (JSON cannot carry a raw ESC)', () => {
    const out = render(report, 'json');
    expect(out).not.toContain('\u001b');
    expect(JSON.parse(out).findings[0].detail).toContain(HOSTILE_QUERY);
  });

  it('views (not findings) are neutralised the same way', () => {
    let out = '';
    const printer = printerFor({ output: 'text', color: false }, 'test view', ['text', 'json'], {
      stdout: {
        write: (t: string) => {
          out += t;
        },
      },
      stderr: testRuntime().stderr,
    });
    printer.view({
      data: { message: HOSTILE_AWS, line: HOSTILE_LOG },
      text: (d) => `${d.message}\n${d.line}`,
    });
    expect(out).not.toMatch(UNSAFE);
    expect(out).toContain('\\u202e');
  });

  it('keeps newlines and tabs, escapes carriage returns', () => {
    expect(clean('a\tb\nc\rd')).toBe('a\tb\nc\\x0dd');
  });
});

describe('markdown keeps the detail', () => {
  it('query text and lock chains are in the markdown report', () => {
    const md = render(
      {
        ...report,
        findings: [
          { ...hostile, detail: 'query: SELECT * FROM payments WHERE a < b\nlock chain: pid 17 -> pid 18' },
        ],
      },
      'markdown',
    );
    expect(md).toContain('| Detail |');
    expect(md).toContain('query: SELECT * FROM payments WHERE a &lt; b<br>lock chain: pid 17 -&gt; pid 18');
  });
});

describe('each command declares its formats', () => {
  it('refuses a format the command does not print (exit 2), never prints text instead', () => {
    expect(() => parseOutput('junit', 'runbook list', ['text', 'json', 'markdown'])).toThrow(
      expect.objectContaining({
        code: 2,
        message: 'runbook list prints text, json or markdown, not junit: use --output text|json|markdown',
      }),
    );
    expect(() => parseOutput('yaml', 'validate')).toThrow(/unknown output format 'yaml'/);
    expect(parseOutput(undefined, 'validate')).toBe('text');
  });
});
