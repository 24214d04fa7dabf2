// npm run bench: measures what on-call engineers wait for, and writes the figures to BENCHMARKS.md.
// - cold start: `fsops --help` and `fsops --version` (no AWS SDK may load);
// - `fsops validate prod` against a local AWS endpoint that adds a fixed delay to every AWS call, so
//   the wall time shows how deep the chain of calls is (independent calls run concurrently);
// - `fsops db health` on a large catalog (scripts/bench-db.mjs), when PostgreSQL is available.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeWorld } from './fake-world.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'fsops');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const DELAY_MS = Number(process.env.BENCH_AWS_DELAY_MS ?? 100);

function run(args, env = {}) {
  const home = mkdtempSync(join(tmpdir(), 'fsops-bench-'));
  return new Promise((done, fail) => {
    const started = performance.now();
    execFile(
      process.execPath,
      [bin, ...args],
      {
        env: { PATH: process.env.PATH, HOME: home, NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true', ...env },
        cwd: home,
      },
      (error, stdout, stderr) => {
        const ms = performance.now() - started;
        if (error && typeof error.code !== 'number') return fail(error);
        done({ ms, code: error ? error.code : 0, stdout, stderr });
      },
    );
  });
}

async function measure(name, args, env) {
  const times = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    last = await run(args, env);
    times.push(last.ms);
  }
  times.sort((a, b) => a - b);
  const result = {
    name,
    runs: RUNS,
    medianMs: Math.round(times[Math.floor(RUNS / 2)]),
    minMs: Math.round(times[0]),
    maxMs: Math.round(times.at(-1)),
    exit: last.code,
  };
  console.error(
    `${name}: median ${result.medianMs}ms (min ${result.minMs}, max ${result.maxMs}), exit ${result.exit}`,
  );
  return result;
}

const results = [];
results.push(await measure('fsops --help (cold start)', ['--help']));
results.push(await measure('fsops --version', ['--version']));

const credentials = { AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench' };
async function measureValidate(delayMs) {
  const fake = await startFakeWorld('prod', {}, { delayMs });
  const args = ['validate', 'prod', '--endpoint-url', fake.url, '--output', 'json'];
  const result = await measure(`fsops validate prod (every AWS call +${delayMs}ms)`, args, credentials);
  fake.calls.length = 0;
  await run(args, credentials);
  const calls = fake.calls.length;
  await fake.close();
  return { result, calls };
}
const baseline = await measureValidate(0);
const delayed = await measureValidate(DELAY_MS);
results.push(baseline.result, delayed.result);
const awsCalls = delayed.calls;
const depth = ((delayed.result.medianMs - baseline.result.medianMs) / DELAY_MS).toFixed(1);
console.error(
  `validate: ${awsCalls} AWS calls per run; the delay adds ${depth} x ${DELAY_MS}ms (the deepest chain of calls)`,
);

// Retry mode under light throttling: every action validate calls answers ThrottlingException twice,
// then normally. Standard (the default for read-only commands) against adaptive (AWS_RETRY_MODE wins).
async function measureThrottled(mode) {
  const probe = await startFakeWorld('prod');
  await run(['validate', 'prod', '--endpoint-url', probe.url, '--output', 'json'], credentials);
  const actions = [...new Set(probe.calls.map((c) => `${c.service}.${c.action}`))];
  await probe.close();
  const times = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    const faults = actions.map((a) => {
      const [service, action] = a.split('.');
      return { service, action, kind: 'throttle', times: 2 };
    });
    const fake = await startFakeWorld('prod', {}, { faults });
    last = await run(['validate', 'prod', '--endpoint-url', fake.url, '--output', 'json'], {
      ...credentials,
      AWS_RETRY_MODE: mode,
    });
    times.push(last.ms);
    await fake.close();
  }
  times.sort((a, b) => a - b);
  const result = {
    name: `fsops validate prod, 2 throttles per action, ${mode} retries`,
    runs: RUNS,
    medianMs: Math.round(times[Math.floor(RUNS / 2)]),
    minMs: Math.round(times[0]),
    maxMs: Math.round(times.at(-1)),
    exit: last.code,
  };
  console.error(`${result.name}: median ${result.medianMs}ms, exit ${result.exit}`);
  return { result, actions: actions.length };
}
const throttled = [await measureThrottled('standard'), await measureThrottled('adaptive')];

let db = null;
const dbBench = join(root, 'scripts', 'bench-db.mjs');
if (existsSync(dbBench) && process.env.BENCH_SKIP_DB !== '1') {
  const out = await new Promise((done) =>
    execFile(
      process.execPath,
      [dbBench],
      { cwd: root, maxBuffer: 10 * 1024 * 1024, timeout: 600_000 },
      (error, stdout, stderr) => done({ error, stdout, stderr }),
    ),
  );
  const line = out.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .at(-1);
  if (line) db = JSON.parse(line);
  else
    console.error(`bench-db did not report: ${(out.stderr || String(out.error)).trim().split('\n').at(-1)}`);
}

const date = new Date().toISOString().slice(0, 10);
const retryRows = throttled.map(
  ({ result: r }) => `| ${r.name} | ${r.medianMs} | ${r.minMs} | ${r.maxMs} | ${r.exit} |`,
);
const rows = results.map((r) => `| ${r.name} | ${r.medianMs} | ${r.minMs} | ${r.maxMs} | ${r.exit} |`);
const dbRows = db
  ? [`| ${db.name} | ${db.medianMs} | ${db.minMs ?? ''} | ${db.maxMs ?? ''} | ${db.exit ?? 0} |`]
  : [];
const text = `# Benchmarks

Measured by \`npm run bench\` (scripts/bench.mjs) on ${date}, Node ${process.version}, ${cpus().length} CPU(s),
${RUNS} runs each (median, min, max wall-clock milliseconds, including Node start-up).

| what | median ms | min ms | max ms | exit |
|---|---|---|---|---|
${[...rows, ...dbRows].join('\n')}

- \`validate prod\` runs against a local AWS endpoint (scripts/fake-aws.mjs) that delays every AWS call
  by 0 and by ${DELAY_MS} ms. It makes ${awsCalls} AWS calls per run (plus the health probes); the delay adds
  ${depth} x ${DELAY_MS} ms, the depth of the deepest chain: the wrong-account guard (STS) first, then every
  check concurrently, the longest chains being DescribeServices -> DescribeTaskDefinition and
  DescribeLoadBalancers -> health probe. The rest of the time is Node start-up and loading the SDK.
- \`--help\` loads no AWS SDK client (commands import their modules lazily; tested in test/e2e/cli.test.ts).
${db ? `- \`db health\`: ${db.detail ?? 'see scripts/bench-db.mjs'}` : '- `db health` on a large catalog: not measured in this run (scripts/bench-db.mjs missing, PostgreSQL unavailable, or BENCH_SKIP_DB=1).'}

## Retry mode

${RUNS} runs each of \`validate prod\` against the local endpoint, every one of the ${throttled[0].actions} actions it calls
answering ThrottlingException twice before answering (faults in scripts/fake-aws.mjs), with
\`AWS_RETRY_MODE\` forcing the mode:

| what | median ms | min ms | max ms | exit |
|---|---|---|---|---|
${retryRows.join('\n')}

Adaptive mode puts a client-side token bucket in front of every later call of a client once it has
seen a throttle, so a short burst of concurrent checks waits far longer than the throttles
themselves. fsops therefore uses \`standard\` (retries with jittered backoff, no rate limiting) for
read-only commands (validate, troubleshoot, alarms, metrics, db, logs errors), and \`adaptive\` only
where a long loop keeps calling one API: the wait loop of rollback/restart/scale (DescribeServices)
and \`logs tail --follow\` (FilterLogEvents). Both keep retrying (\`aws.maxAttempts\`); the test
test/e2e/validate-throttled.test.ts checks the findings under the same faults, not the time.

Timings belong here, not in tests: the test suite asserts behaviour (how many calls, which ones), never speed.
`;
writeFileSync(join(root, 'BENCHMARKS.md'), text);
console.error('wrote BENCHMARKS.md');
