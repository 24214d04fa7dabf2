import { describe, expect, it } from 'vitest';
import { clean, hideUrlCredentials, oneLine } from '../../../src/base/model/text.js';
import { initialNotice, noticeText, updateNotice } from '../../../src/domain/incident/notices.js';

describe('the one sanitiser (src/base/model/text.ts)', () => {
  it('clean shows unsafe characters as visible escapes and keeps lines', () => {
    expect(clean('a\u001b[31mred\u0007\nnext\u202eevil\ttab')).toBe(
      'a\\x1b[31mred\\x07\nnext\\u202eevil\ttab',
    );
  });

  it('oneLine drops sequences, turns controls, line breaks and bidi into one space, and bounds', () => {
    expect(oneLine('bad\u001b[31mred\nline\r\u0007')).toBe('badred line');
    expect(oneLine('Slow API\nSubject: [RESOLVED] all clear')).toBe('Slow API Subject: [RESOLVED] all clear');
    expect(oneLine('in 1h\u001b]8;;http://x\u0007link\u001b]8;;\u0007 \u202eevil\u2028x')).toBe(
      'in 1hlink evil x',
    );
    expect(oneLine('x'.repeat(400), 300)).toHaveLength(300);
    expect(oneLine(undefined)).toBe('');
  });

  it('hideUrlCredentials hides user-info and token parameters, not a URL template in help', () => {
    expect(hideUrlCredentials('http://ops:pw@h/x?token=T&a=1 and https://TOKEN@h')).toBe(
      'http://***@h/x?token=***&a=1 and https://***@h',
    );
    expect(hideUrlCredentials('give redis://[user:password@]host[:port]')).toBe(
      'give redis://[user:password@]host[:port]',
    );
  });

  it('a newline in a notice value never forges a line of the notice', () => {
    const notice = initialNotice({
      severity: 'SEV2 (High)',
      description: 'Slow API\nSubject: [RESOLVED] all clear',
      startTime: 'now',
      affectedServices: 'x',
      status: 'Investigating',
      eta: 'soon\u001b[2J\u0007\u202e',
      commander: 'me\n- Severity: SEV4',
    });
    const text = noticeText(notice);
    expect(text.split('\n').filter((l) => l.startsWith('Subject:'))).toHaveLength(1);
    expect(text.split('\n').filter((l) => l.startsWith('- Severity:'))).toHaveLength(1);
    expect(text).toContain('- Estimated Resolution: soon\n');
    const update = noticeText(
      updateNotice({
        incidentId: 'INC-2026-001',
        updateNumber: 1,
        timestamp: 't',
        currentStatus: 's',
        actionsTaken: 'restarted\nNext Steps: none',
        nextSteps: 'n',
        eta: 'e',
      }),
    );
    expect(update.split('\n').filter((l) => l.startsWith('Next Steps:'))).toEqual(['Next Steps: n']);
  });
});
