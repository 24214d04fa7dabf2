import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExitCode, ExitError } from '../../../src/base/model/errors.js';
import { executeRunbook } from '../../../src/engine/run-runbook.js';
import type { Runbook } from '../../../src/engine/runbook.js';
import { askOnTerminal } from '../../../src/engine/safety.js';
import { testAws } from '../../helpers/context.js';

const runbook: Runbook = {
  name: 'pre-deploy',
  title: 'Pre-deployment checklist',
  source: 'deployment guide §8.1',
  description: '',
  kind: 'procedure',
  steps: [{ manual: 'Change approved in the change calendar?', id: 'change-approved' }],
  resolution: [],
};

const session = {
  env: null as never,
  aws: testAws(),
  config: { runner: { concurrency: 2, checkTimeoutMs: 5000 } },
};

/** A terminal as readline sees it: raw keystrokes in, the prompt out. */
function terminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  output.resume();
  return { input, output, ask: (question: string) => askOnTerminal(question, input, output, true) };
}

describe('executeRunbook: the manual steps a person confirms on a terminal', () => {
  it('"y" confirms, anything else fails the step', async () => {
    const tty = terminal();
    const run = executeRunbook(runbook, session, {
      checks: {},
      since: new Date(),
      askManual: tty.ask,
    });
    setImmediate(() => tty.input.write('y\r'));
    expect((await run).map((f) => [f.id, f.status])).toEqual([['manual.change-approved', 'pass']]);
  });

  it('Ctrl-C at the question is an interruption (exit 130), not an "unexpected error" (exit 3)', async () => {
    const tty = terminal();
    const run = executeRunbook(runbook, session, {
      checks: {},
      since: new Date(),
      askManual: tty.ask,
    });
    setImmediate(() => tty.input.write('\x03'));
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExitError);
    expect(error).toMatchObject({ code: ExitCode.interrupted });
  });
});
