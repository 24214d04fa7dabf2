import { describe, expect, it } from 'vitest';
import { buildReport, type Finding, reportExitCode } from '../../../src/base/model/finding.js';
import { buildEvidence, renderEvidence } from '../../../src/engine/evidence.js';
import { printerFor } from '../../../src/engine/printer.js';
import { render } from '../../../src/engine/render.js';
import { testRuntime } from '../../helpers/runtime.js';

const finding = (id: string, status: Finding['status'], observed: string): Finding => ({
  id,
  checkId: id,
  title: id,
  status,
  severity: 'high',
  resource: 'staging-fivestar-payments-db',
  detail: '',
  expected: '',
  observed,
  remediation: '',
  source: 'runbook 003 Monthly Tasks',
});

/** `backup verify` stopped by Ctrl-C during the wait: two passes and a skip, which used to read as PASS. */
const interrupted = () =>
  buildReport(
    'backup verify',
    'staging',
    new Date(Date.now() - 1000),
    [
      finding('backup.restore-test.snapshot', 'pass', 'snapshot found'),
      finding('backup.restore-test.cleanup', 'pass', 'temporary instance deleted'),
      finding('backup.restore-test.compare', 'skip', 'not finished: interrupted'),
    ],
    [],
    Date.now,
    {
      done: ['backup.restore-test [fsops-restore-test-1]: restore started, then deleted'],
      notDone: ['backup.restore-test [compare]: not finished: interrupted'],
    },
  );

describe('an interrupted run is never a pass', () => {
  it('its report status is interrupted whatever its findings say, and its exit code 130', () => {
    const report = interrupted();
    expect(report.status).toBe('interrupted');
    expect(reportExitCode(report, false)).toBe(130);
    expect(reportExitCode(buildReport('x', null, new Date(), [finding('a', 'pass', 'ok')]), false)).toBe(0);
  });

  it('text: INTERRUPTED in the headline, what was done and what was not, never PASS', () => {
    const text = render(interrupted(), 'text', { color: false });
    expect(text.split('\n')[0]).toMatch(/^fsops backup verify staging: INTERRUPTED {2}1 skipped, 2 passed/);
    expect(text).not.toMatch(/: PASS/);
    expect(text).toContain(
      'Interrupted (Ctrl-C, SIGTERM or SIGHUP) before the run finished: this is not a pass.',
    );
    expect(text).toContain(
      'Done:\n  - backup.restore-test [fsops-restore-test-1]: restore started, then deleted',
    );
    expect(text).toContain('Not done:\n  - backup.restore-test [compare]: not finished: interrupted');
  });

  it('json: status "interrupted" with the done and not-done lists', () => {
    const json = JSON.parse(render(interrupted(), 'json'));
    expect(json.status).toBe('interrupted');
    expect(json.interruption).toEqual({
      done: ['backup.restore-test [fsops-restore-test-1]: restore started, then deleted'],
      notDone: ['backup.restore-test [compare]: not finished: interrupted'],
    });
  });

  it('junit: not a green suite (one more test case, in error, says what was not done)', () => {
    const xml = render(interrupted(), 'junit');
    expect(xml).toMatch(/<testsuites name="fsops" tests="4" failures="0" errors="1" skipped="1"/);
    expect(xml).toContain('<error message="interrupted before the run finished" type="interrupted">');
    expect(xml).toContain('Not done:');
  });

  it('markdown and the --report evidence file: INTERRUPTED, never "Result: **PASS**"', () => {
    const md = render(interrupted(), 'markdown');
    expect(md.split('\n')[0]).toBe('## fsops backup verify staging: INTERRUPTED');
    expect(md).toContain('**Not done:**');
    const evidence = renderEvidence(buildEvidence(interrupted(), [], null, new Date()), 'markdown');
    expect(evidence).toContain('- Result: **INTERRUPTED**');
    expect(evidence).not.toContain('**PASS**');
    expect(evidence).toContain('  - backup.restore-test [compare]: not finished: interrupted');
    const json = JSON.parse(renderEvidence(buildEvidence(interrupted(), [], null, new Date()), 'json'));
    expect(json.status).toBe('interrupted');
  });

  it('the printer returns 130 for it, --strict or not', () => {
    const out: string[] = [];
    const printer = printerFor({ output: 'json', strict: true }, 'backup verify', undefined, {
      stdout: { write: (t: string) => out.push(t) },
      stderr: testRuntime().stderr,
    });
    expect(printer.report(interrupted())).toBe(130);
    expect(JSON.parse(out.join('')).status).toBe('interrupted');
  });
});
