import { describe, expect, it } from 'vitest';
import { type CheckContext, type CheckResult, defineCheck, noParams } from '../../../src/base/model/check.js';
import { exitCodeFor, overallStatus } from '../../../src/base/model/finding.js';
import { createFactCache, runSteps, type Step } from '../../../src/engine/runner.js';
import { testContext } from '../../helpers/context.js';

function check(id: string, run: (ctx: CheckContext) => Promise<CheckResult[]>) {
  return defineCheck({
    id,
    title: id,
    severity: 'high',
    source: 'test §1',
    remediation: 'fix it',
    params: noParams,
    run,
  });
}

const makeContext = (signal: AbortSignal): CheckContext => testContext({ signal });
/** A timeout no check here comes near: only the timeout tests wait for one, on checks that never finish. */
const options = { concurrency: 4, timeoutMs: 60_000 };

/** A promise the test settles: ordering without sleeping, so no result depends on the machine's speed. */
function deferred<T = void>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('runSteps', () => {
  it('fills findings from the check metadata, keeps step order and hides remediation on pass', async () => {
    // The first step finishes last: it waits for the second to have finished.
    const fastDone = deferred();
    const steps: Step[] = [
      {
        check: check('slow', async () => {
          await fastDone.promise;
          return [{ status: 'fail', resource: 'a', observed: 'bad' }];
        }),
        params: {},
      },
      {
        check: check('fast', async () => {
          fastDone.resolve();
          return [{ status: 'pass', resource: 'b', observed: 'good' }];
        }),
        params: {},
      },
    ];
    const findings = await runSteps(steps, makeContext, options);
    expect(findings).toEqual([
      {
        id: 'slow',
        title: 'slow',
        status: 'fail',
        severity: 'high',
        resource: 'a',
        detail: '',
        expected: '',
        observed: 'bad',
        remediation: 'fix it',
        source: 'test §1',
        checkId: 'slow',
      },
      {
        id: 'fast',
        title: 'fast',
        status: 'pass',
        severity: 'high',
        resource: 'b',
        detail: '',
        expected: '',
        observed: 'good',
        remediation: '',
        source: 'test §1',
        checkId: 'fast',
      },
    ]);
  });

  it('turns a crash and a timeout into error findings while the other checks report', async () => {
    let aborted = false;
    const steps: Step[] = [
      {
        check: check('crash', async () => {
          throw Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });
        }),
        params: {},
      },
      {
        check: check(
          'hang',
          (ctx) =>
            new Promise(() => {
              ctx.signal.addEventListener('abort', () => {
                aborted = true;
              });
            }),
        ),
        params: {},
      },
      { check: check('ok', async () => [{ status: 'pass', resource: 'c', observed: 'fine' }]), params: {} },
    ];
    // The hanging check never finishes: the only timer that can fire is the runner's timeout.
    const findings = await runSteps(steps, makeContext, { concurrency: 4, timeoutMs: 200 });
    expect(findings.map((f) => [f.id, f.status])).toEqual([
      ['crash', 'error'],
      ['hang', 'error'],
      ['ok', 'pass'],
    ]);
    expect(findings[0]!.observed).toBe(
      'could not check: access denied (AccessDeniedException): User is not authorized',
    );
    expect(findings[1]!.observed).toBe('could not check: did not finish within 0s');
    expect(aborted).toBe(true);
  });

  it('never runs more checks at once than the concurrency allows', async () => {
    let running = 0;
    let peak = 0;
    const step = (): Step => ({
      check: check('c', async () => {
        running += 1;
        peak = Math.max(peak, running);
        // Yield to the event loop (no clock): every free slot gets a check before this one ends.
        await new Promise((r) => setImmediate(r));
        running -= 1;
        return [];
      }),
      params: {},
    });
    await runSteps(Array.from({ length: 10 }, step), makeContext, { ...options, concurrency: 3 });
    expect(peak).toBe(3);
  });
});

describe('shared facts and timeouts', () => {
  it('a fact shared with a check that timed out still reaches the checks waiting on it', async () => {
    // The fact is gathered when the test says: after the first check's timeout, whatever the load.
    const gathered = deferred<string>();
    const fact = (ctx: CheckContext) =>
      ctx.once(
        'slow-fact',
        (signal) =>
          new Promise<string>((resolve, reject) => {
            void gathered.promise.then(resolve);
            signal.addEventListener('abort', () => reject(new Error('aborted')));
          }),
      );
    const once = createFactCache();
    const shared = (signal: AbortSignal): CheckContext => testContext({ signal, once });
    const impatient = check('impatient', async (ctx) => [
      { status: 'pass', resource: 'a', observed: await fact(ctx) },
    ]);
    const patient = check('patient', async (ctx) => [
      { status: 'pass', resource: 'b', observed: await fact(ctx) },
    ]);
    // The fact cannot arrive before the release below: the impatient check's 50 ms timeout always wins.
    const [first] = await runSteps([{ check: impatient, params: {} }], shared, {
      concurrency: 1,
      timeoutMs: 50,
    });
    expect(first).toMatchObject({ id: 'impatient', status: 'error' });
    const second = runSteps([{ check: patient, params: {} }], shared, { ...options, concurrency: 1 });
    gathered.resolve('gathered');
    expect((await second)[0]).toMatchObject({ id: 'patient', status: 'pass', observed: 'gathered' });
  });
});

describe('createFactCache', () => {
  it('gathers a fact once however many checks ask', async () => {
    const once = createFactCache();
    let calls = 0;
    const gather = async () => ++calls;
    expect(await Promise.all([once('k', gather), once('k', gather), once('other', gather)])).toEqual([
      1, 1, 2,
    ]);
  });
});

describe('exit codes and overall status (docs/architecture.md)', () => {
  const f = (...statuses: string[]) => statuses.map((status) => ({ status }) as { status: 'pass' });
  it('0 when nothing failed, 1 on a failure, 3 when something could not be checked, --strict for warnings', () => {
    expect(exitCodeFor(f('pass', 'warn', 'skip'), false)).toBe(0);
    expect(exitCodeFor(f('pass', 'warn'), true)).toBe(1);
    expect(exitCodeFor(f('pass', 'fail', 'error'), false)).toBe(1);
    expect(exitCodeFor(f('pass', 'error', 'warn'), false)).toBe(3);
    expect(overallStatus(f('pass', 'error', 'warn'))).toBe('error');
    expect(overallStatus(f('error', 'fail'))).toBe('fail');
    expect(overallStatus(f())).toBe('pass');
    expect(overallStatus(f('pass', 'skip'))).toBe('pass');
    expect(overallStatus(f('skip', 'skip'))).toBe('skip');
  });
});
