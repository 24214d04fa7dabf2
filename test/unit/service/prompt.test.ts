import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExitError } from '../../../src/base/model/errors.js';
import { askOnTerminal } from '../../../src/engine/safety.js';

/** A terminal as readline sees it: raw keystrokes in, the prompt out. */
function terminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk) => {
    printed += String(chunk);
  });
  return { input, output, printed: () => printed };
}

describe('askOnTerminal (the confirmation prompt of rollback, restart, scale)', () => {
  it('returns what was typed', async () => {
    const tty = terminal();
    const answer = askOnTerminal("Type 'prod' to roll back: ", tty.input, tty.output, true);
    tty.input.write('prod\r');
    await expect(answer).resolves.toBe('prod');
  });

  it('Ctrl-C is an interruption (exit 130, nothing changed), not an unexpected error', async () => {
    const tty = terminal();
    const answer = askOnTerminal("Type 'prod' to roll back: ", tty.input, tty.output, true);
    tty.input.write('\x03');
    const error = await answer.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExitError);
    expect(error).toMatchObject({
      code: 130,
      message: 'interrupted at the confirmation prompt: nothing was changed',
    });
    expect(tty.printed()).toMatch(/\n$/);
  });

  it('Ctrl-D (end of input) is an empty answer: not confirmed', async () => {
    const tty = terminal();
    const answer = askOnTerminal('Restart? [y/N] ', tty.input, tty.output, true);
    tty.input.write('\x04');
    await expect(answer).resolves.toBe('');
  });
});
