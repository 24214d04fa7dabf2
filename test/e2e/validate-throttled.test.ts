// `validate prod` while AWS throttles every action twice: the run keeps retrying and reaches the same
// findings as without throttling (the timings are in BENCHMARKS.md, "Retry mode"; not asserted here).
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS, runFsops } from '../helpers/cli.js';
import { type FakeAws, startFakeWorld } from '../helpers/fake-aws.js';

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

type Report = { status: string; findings: { id: string; status: string; resource: string }[] };
const summary = (r: Report) =>
  r.findings.map((f) => `${f.id} ${f.resource.replace(/127\.0\.0\.1:\d+/, '<endpoint>')} ${f.status}`).sort();

describe('validate under light throttling', () => {
  it('two throttles per action: every action is retried, and the findings are those of an unthrottled run', async () => {
    fake = await startFakeWorld('prod');
    const clean = await runFsops(
      ['validate', 'prod', '--endpoint-url', fake.url, '--output', 'json'],
      FAKE_CREDENTIALS,
    );
    const actions = [...new Set(fake.calls.map((c) => `${c.service}.${c.action}`))];
    await fake.close();

    fake = await startFakeWorld(
      'prod',
      {},
      {
        faults: actions.map((a) => {
          const [service, action] = a.split('.') as [string, string];
          return { service, action, kind: 'throttle' as const, times: 2 };
        }),
      },
    );
    const throttled = await runFsops(
      ['validate', 'prod', '--endpoint-url', fake.url, '--output', 'json'],
      FAKE_CREDENTIALS,
    );
    expect(throttled.code).toBe(clean.code);
    const report = JSON.parse(throttled.stdout) as Report;
    expect(report.status).toBe('pass');
    expect(summary(report)).toEqual(summary(JSON.parse(clean.stdout) as Report));
    expect(report.findings.filter((f) => f.status === 'error')).toEqual([]);
    // Each action was throttled twice and then answered: at least three calls of each.
    for (const a of actions) {
      expect(fake.calls.filter((c) => `${c.service}.${c.action}` === a).length, a).toBeGreaterThanOrEqual(3);
    }
  }, 60_000);
});
