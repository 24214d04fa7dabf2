import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProgress, type ProgressStream, usableColumns } from '../../../src/engine/progress.js';

/** A terminal stand-in: a TTY of the given width that records what is written to it. */
function fakeTerminal(
  columns: number | undefined,
): ProgressStream & { output: string[]; columns: number | undefined } {
  const emitter = new EventEmitter();
  const output: string[] = [];
  return Object.assign(emitter, {
    isTTY: true as const,
    columns,
    rows: 24,
    output,
    write(chunk: string | Uint8Array, ...rest: unknown[]) {
      output.push(String(chunk));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    },
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
  }) as unknown as ProgressStream & { output: string[]; columns: number | undefined };
}

const step = { check: { title: 'A check' } } as never;

describe('progress never blocks a command', () => {
  const saved = { TERM: process.env.TERM, CI: process.env.CI };
  beforeEach(() => {
    // ora draws only on what looks like an interactive terminal.
    process.env.TERM = 'xterm';
    delete process.env.CI;
  });
  afterEach(() => {
    process.env.TERM = saved.TERM;
    if (saved.CI !== undefined) process.env.CI = saved.CI;
  });

  it('usableColumns accepts real widths only', () => {
    expect(usableColumns(80)).toBe(80);
    for (const bad of [0, -1, undefined, null, Number.NaN, Number.POSITIVE_INFINITY, 2.5, '80']) {
      expect(usableColumns(bad)).toBeNull();
    }
  });

  it('a terminal reporting 0 columns gets plain lines, no spinner', async () => {
    const terminal = fakeTerminal(0);
    const progress = await createProgress('db health', 'text', terminal);
    progress.onCheckStart?.(step);
    progress.update('waiting');
    progress.log('a line');
    progress.onCheckDone?.(step, [] as never);
    progress.stop();
    expect(terminal.output).toEqual(['a line\n']);
  });

  it('a terminal resized to 0 columns mid-run does not hang the spinner', async () => {
    const terminal = fakeTerminal(80);
    const progress = await createProgress('db health', 'text', terminal);
    expect(terminal.output.length).toBeGreaterThan(0);
    terminal.columns = 0;
    progress.onCheckStart?.(step);
    progress.update('a long status line '.repeat(20));
    progress.log('a line');
    progress.onCheckDone?.(step, [] as never);
    progress.stop();
    expect(terminal.output).toContain('a line\n');
  });

  it('a stream that throws does not break the command', async () => {
    const terminal = fakeTerminal(80);
    const progress = await createProgress('db health', 'text', terminal);
    terminal.write = () => {
      throw new Error('EIO: terminal went away');
    };
    expect(() => {
      progress.onCheckStart?.(step);
      progress.update('x');
      progress.log('y');
      progress.stop();
    }).not.toThrow();
  });

  it('machine output gets no progress at all', async () => {
    const terminal = fakeTerminal(80);
    const progress = await createProgress('db health', 'json', terminal);
    progress.log('a line');
    progress.stop();
    expect(terminal.output).toEqual([]);
  });
});

describe('progress shows untrusted text neutralised', () => {
  const saved = { TERM: process.env.TERM, CI: process.env.CI };
  beforeEach(() => {
    process.env.TERM = 'xterm';
    delete process.env.CI;
  });
  afterEach(() => {
    process.env.TERM = saved.TERM;
    if (saved.CI !== undefined) process.env.CI = saved.CI;
  });

  // An ECS service event or a stopped task's reason (AWS text a container's output can shape) is logged
  // while a rollout is followed; its escape sequences must not act on the terminal.
  const hostile = 'event: (service x) task stopped: \x1b]0;pwned\x07\x1b[2J\u202eexit 1';

  it('plain lines (stderr not a terminal)', async () => {
    const pipe = fakeTerminal(0);
    const progress = await createProgress('rollback', 'text', pipe);
    progress.log(hostile);
    progress.stop();
    expect(pipe.output.join('')).not.toMatch(/[\x1b\x07\u202e]/);
    expect(pipe.output.join('')).toContain('\\x1b]0;pwned\\x07\\x1b[2J\\u202eexit 1');
  });

  it('the spinner: its log lines and its status text', async () => {
    const terminal = fakeTerminal(80);
    const progress = await createProgress('rollback', 'text', terminal);
    const before = terminal.output.length;
    progress.update(hostile);
    progress.log(hostile);
    progress.stop();
    const written = terminal.output.slice(before).join('');
    expect(written).toContain('\\x1b]0;pwned');
    expect(written).not.toContain('\x1b]0;pwned');
    expect(written).not.toContain('\u202e');
  });
});
