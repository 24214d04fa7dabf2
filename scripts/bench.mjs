// npm run bench: measures what on-call engineers wait for, and writes the figures to BENCHMARKS.md.
// - cold start: `fsops --help` and `fsops --version` (no AWS SDK may load);
// - `fsops validate prod` against a local AWS endpoint that adds a fixed delay to every AWS call, so
//   the wall time shows how deep the chain of calls is (independent calls run concurrently);
// - `fsops db health` on a large catalog (scripts/bench-db.mjs), when PostgreSQL is available;
// - `fsops redis` against a local redis-server with a backed-up webhook queue, when redis-server is available.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { digestOf, installRelease, releaseWorld } from './fake-release.mjs';
import { addFakeWorld, COMPONENTS, startFakeWorld } from './fake-world.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'fsops');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const DELAY_MS = Number(process.env.BENCH_AWS_DELAY_MS ?? 100);

// Peak RSS and CPU time (user + system) of the measured process itself, reported at exit by a preloaded
// hook in separate, untimed runs. CPU time is the figure to compare when the machine is busy: other
// processes stretch the wall clock, not the work fsops does.
const STATS_HOOK =
  "data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('\\nBENCH-STATS:'+u.maxRSS+','+(u.userCPUTime+u.systemCPUTime)+'\\n')})";
const STATS_RUNS = 3;

function run(args, env = {}, nodeArgs = [], script = bin) {
  const home = mkdtempSync(join(tmpdir(), 'fsops-bench-'));
  return new Promise((done, fail) => {
    const started = performance.now();
    execFile(
      process.execPath,
      [...nodeArgs, ...(script ? [script] : []), ...args],
      {
        env: { PATH: process.env.PATH, HOME: home, NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true', ...env },
        cwd: home,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const ms = performance.now() - started;
        if (error && typeof error.code !== 'number') return fail(error);
        done({ ms, code: error ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/** Peak resident memory (MiB, the largest of STATS_RUNS runs) and median CPU time (ms). */
async function stats(args, env, nodeArgs, script) {
  const rss = [];
  const cpu = [];
  for (let i = 0; i < STATS_RUNS; i++) {
    const out = await run(args, env, ['--import', STATS_HOOK, ...nodeArgs], script);
    const [kib, micros] = (/BENCH-STATS:(\d+),(\d+)/.exec(out.stderr) ?? []).slice(1).map(Number);
    rss.push(kib / 1024);
    cpu.push(micros / 1000);
  }
  cpu.sort((a, b) => a - b);
  return { rssMiB: Math.round(Math.max(...rss)), cpuMs: Math.round(cpu[Math.floor(STATS_RUNS / 2)]) };
}

async function measure(name, args, env, { nodeArgs = [], script = bin } = {}) {
  const times = [];
  let last;
  await run(args, env, nodeArgs, script); // warm-up: file system cache, compile cache
  for (let i = 0; i < RUNS; i++) {
    last = await run(args, env, nodeArgs, script);
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
    ...(await stats(args, env, nodeArgs, script)),
  };
  console.error(
    `${name}: median ${result.medianMs}ms (min ${result.minMs}, max ${result.maxMs}), exit ${result.exit}, CPU ${result.cpuMs}ms, peak RSS ${result.rssMiB} MiB`,
  );
  return { ...result, last };
}

const load = loadavg()[0].toFixed(1);
const results = [];
const bare = await measure('node -e 0 (Node start-up alone)', ['-e', '0'], {}, { script: null });
const help = await measure('fsops --help (cold start)', ['--help']);
const version = await measure('fsops --version', ['--version']);
results.push(bare, help, version);
const ratio = (r) => (r.medianMs / bare.medianMs).toFixed(2);
console.error(`--help ${ratio(help)}x, --version ${ratio(version)}x node -e 0`);

const credentials = { AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench' };
async function measureValidate(delayMs, components) {
  const fake = await startFakeWorld('prod', components ? { components } : {}, { delayMs });
  const args = ['validate', 'prod', '--endpoint-url', fake.url, '--output', 'json'];
  if (components) args.push('--config', fleetConfig(components));
  const what = components ? `, ${components.length} services` : '';
  const result = await measure(
    `fsops validate prod (every AWS call +${delayMs}ms${what})`,
    args,
    credentials,
    {
      rss: true,
    },
  );
  const report = JSON.parse(result.last.stdout);
  result.checks = new Set(report.findings.map((f) => f.id.split(':')[0])).size;
  result.findings = report.findings.length;
  fake.calls.length = 0;
  await run(args, credentials);
  const calls = fake.calls.length;
  await fake.close();
  console.error(`  ${calls} AWS calls, ${result.findings} findings`);
  return { result, calls };
}

/** A config whose prod cluster runs `components` (the fleet case). */
function fleetConfig(components) {
  const dir = mkdtempSync(join(tmpdir(), 'fsops-bench-fleet-'));
  const file = join(dir, 'fsops.config.yaml');
  writeFileSync(file, `components:\n${components.map((c) => `  - ${c}`).join('\n')}\n`);
  return file;
}
const baseline = await measureValidate(0);
const delayed = await measureValidate(DELAY_MS);
results.push(baseline.result, delayed.result);
const fleet = (n) =>
  Array.from({ length: n }, (_, i) => (i < 2 ? COMPONENTS[i] : `svc-${String(i).padStart(2, '0')}`));
const fleet2 = await measureValidate(DELAY_MS, fleet(2));
const fleet50 = await measureValidate(DELAY_MS, fleet(50));
results.push(fleet2.result, fleet50.result);

// `deploy` to prod: everything before the first change (the gates: ECR image and scan, incidents, freeze,
// and the staging gate through staging's own credentials; the plan), as a --dry-run. Independent calls run
// concurrently: staging's session and checks start beside prod's reads.
async function measureDeploy(delayMs) {
  const fake = await startFakeWorld('prod', {}, { delayMs });
  installRelease(fake, 'prod');
  const staging = addFakeWorld(fake, 'staging', 'AKIDSTAGING');
  for (const [svc, handlers] of Object.entries(
    releaseWorld('staging', { revision: 50, runningDigest: digestOf(3) }).handlers,
  )) {
    staging[svc] = { ...staging[svc], ...handlers };
  }
  const dir = mkdtempSync(join(tmpdir(), 'fsops-bench-deploy-'));
  writeFileSync(join(dir, 'fsops.yaml'), 'environments:\n  staging:\n    profile: staging\n');
  writeFileSync(
    join(dir, 'credentials'),
    '[staging]\naws_access_key_id = AKIDSTAGING\naws_secret_access_key = bench\n',
  );
  const args = [
    'deploy',
    'internal-pe',
    '--env',
    'prod',
    '--image',
    '1.4.3',
    '--dry-run',
    '--output',
    'json',
  ];
  args.push('--config', join(dir, 'fsops.yaml'), '--endpoint-url', fake.url);
  const env = {
    ...credentials,
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    FSOPS_AUDIT_FILE: join(dir, 'audit.jsonl'),
    FSOPS_INCIDENT_DIR: join(dir, 'incidents'),
  };
  const result = await measure(
    `fsops deploy internal-pe --env prod --dry-run (every AWS call +${delayMs}ms)`,
    args,
    env,
  );
  fake.calls.length = 0;
  await run(args, env);
  const calls = fake.calls.length;
  await fake.close();
  console.error(`  ${calls} AWS calls (prod and staging), exit ${result.exit}`);
  return { result, calls };
}
const deployBase = await measureDeploy(0);
const deployPlan = await measureDeploy(DELAY_MS);
results.push(deployBase.result, deployPlan.result);
const deployDepth = ((deployPlan.result.medianMs - deployBase.result.medianMs) / DELAY_MS).toFixed(1);
const deployLoad = loadavg()[0].toFixed(1);

// `logs errors --since 24h`: Logs Insights aggregates server-side, so the client's calls and memory
// do not grow with the number of events. The fake answers the stats query from N generated events.
async function measureLogs(events) {
  const fake = await startFakeWorld('prod', {}, { delayMs: 0 });
  Object.assign(fake.handlers.logs, insightsHandlers(events));
  const args = [
    'logs',
    'errors',
    'internal-pe',
    '--env',
    'prod',
    '--since',
    '24h',
    '--endpoint-url',
    fake.url,
    '--output',
    'json',
  ];
  const result = await measure(
    `fsops logs errors --since 24h (${events.toLocaleString('en-US')} error events)`,
    args,
    credentials,
  );
  fake.calls.length = 0;
  await run(args, credentials);
  result.calls = fake.calls.map((c) => c.action).join(', ');
  await fake.close();
  console.error(`  calls: ${result.calls}`);
  return result;
}
function insightsHandlers(total) {
  const signatures = 40;
  let polls = 0;
  return {
    StartQuery: () => ({ queryId: 'q-bench' }),
    GetQueryResults: () => {
      polls += 1;
      if (polls % 2 === 1) return { status: 'Running', results: [] };
      const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
      const results = Array.from({ length: signatures }, (_, i) => [
        { field: 'sigKey', value: `ERROR payment failed: code E${i}` },
        { field: 'eventCount', value: String(Math.floor(total / signatures)) },
        { field: 'firstSeen', value: now },
        { field: 'lastSeen', value: now },
        { field: 'example', value: `ERROR payment failed: code E${i} order 12345` },
      ]);
      return { status: 'Complete', results };
    },
    StopQuery: () => ({ success: true }),
  };
}
const logs2k = await measureLogs(2_000);
const logs200k = await measureLogs(200_000);
results.push(logs2k, logs200k);
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

// `fsops redis`: one connection (PING x3, INFO, LLEN/LINDEX of the two queue keys) against a local
// redis-server holding a backlog of 50,000 webhooks, plus the ElastiCache side from the fake AWS.
let redisResult = null;
if (process.env.BENCH_SKIP_REDIS !== '1') {
  const { startLocalRedis, LocalRedisError } = await import(join(root, 'dist', 'redis', 'local-server.js'));
  const server = await startLocalRedis().catch((error) => {
    if (error instanceof LocalRedisError) {
      console.error(`redis bench skipped: ${error.message}`);
      return null;
    }
    throw error;
  });
  if (server) {
    const ioredis = await import('ioredis');
    const Redis = ioredis.Redis ?? ioredis.default;
    const client = new Redis(server.url);
    const fake = await startFakeWorld('dev', { redisUrl: server.url });
    // The ElastiCache metrics: CloudWatch has no datapoints for the fake group (judged "no data", skip).
    fake.handlers.monitoring = {
      ...fake.handlers.monitoring,
      GetMetricData: () => ({ MetricDataResults: [] }),
    };
    try {
      const now = Date.now();
      for (let batch = 0; batch < 50; batch += 1) {
        const items = Array.from({ length: 1000 }, (_, i) =>
          JSON.stringify({
            id: `wh_${batch}_${i}`,
            timestamp: new Date(now - 600_000 + batch * 1000 + i).toISOString(),
          }),
        );
        await client.lpush('webhook_queue', ...items);
      }
      const args = ['redis', '--env', 'dev', '--endpoint-url', fake.url, '--output', 'json'];
      redisResult = await measure(
        'fsops redis --env dev (local redis-server, 50,000 queued webhooks; ElastiCache side from the fake AWS)',
        args,
        credentials,
      );
      const errors = JSON.parse(redisResult.last.stdout).findings.filter((f) => f.status === 'error');
      if (errors.length)
        throw new Error(
          `redis checks could not run: ${errors.map((f) => `${f.id}: ${f.observed}`).join('; ')}`,
        );
      results.push(redisResult);
    } finally {
      await client.quit();
      await fake.close();
      await server.stop();
    }
  }
}

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
const rows = results.map(
  (r) => `| ${r.name} | ${r.medianMs} | ${r.minMs} | ${r.maxMs} | ${r.cpuMs} | ${r.rssMiB} | ${r.exit} |`,
);
const dbRows = db
  ? [`| ${db.name} | ${db.medianMs} | ${db.minMs ?? ''} | ${db.maxMs ?? ''} | | | ${db.exit ?? 0} |`]
  : [];
const text = `# Benchmarks

Measured by \`npm run bench\` (scripts/bench.mjs) on ${date}, Node ${process.version}, ${cpus().length} CPU(s),
${RUNS} runs each (median, min, max wall-clock milliseconds, including Node start-up).

| what | median ms | min ms | max ms | CPU ms | peak RSS MiB | exit |
|---|---|---|---|---|---|---|
${[...rows, ...dbRows].join('\n')}

- \`validate prod\` runs against a local AWS endpoint (scripts/fake-aws.mjs) that delays every AWS call
  by 0 and by ${DELAY_MS} ms. It makes ${awsCalls} AWS calls per run (plus the health probes); the delay adds
  ${depth} x ${DELAY_MS} ms. The deepest chain is four calls: the wrong-account guard (STS) first, then
  every check concurrently, the longest chain being the alarm audit's DescribeLoadBalancers ->
  DescribeTargetGroups -> DescribeAlarms and ListMetrics (the alarm names carry the ALB dimensions; the
  SNS topics are read beside the load balancers). The rest is Node start-up, loading the bundle's chunks
  and the checks' own work; how much of the loading a delay hides moves the ratio away from 4.
- \`deploy internal-pe --env prod --dry-run\` (the plan: everything before the first change, with the staging
  gate) makes ${deployPlan.calls} AWS calls in prod and staging; at ${DELAY_MS} ms each the delay adds ${deployDepth} x ${DELAY_MS} ms (load
  average ${deployLoad} when it was measured). The chain is two round trips: first, at once, prod's
  GetCallerIdentity, DescribeServices and DescribeTaskDefinition of the family (its newest revision, the
  running one in the common case; otherwise a third call), and staging's GetCallerIdentity with its
  checks (ListTasks, DescribeLoadBalancers, DescribeAlarms, GetMetricData, FilterLogEvents); then the
  three ECR calls together, beside staging's DescribeTasks and health probes. The account guards are
  awaited before anything read is used. The rest is Node start-up, loading the bundle and the checks'
  own work, which a loaded machine stretches (CPU ms is the figure to compare).
- \`--help\` is ${ratio(help)}x and \`--version\` ${ratio(version)}x \`node -e 0\` in this run.
- \`validate prod\` runs ${baseline.result.checks} checks with ${baseline.result.findings} findings. Fleet: ${fleet2.calls} AWS calls with 2
  services, ${fleet50.calls} with 50 (DescribeServices in batches of 10).
- \`logs errors --since 24h\`: ${logs200k.calls} (the same calls for 2,000 and 200,000 events: Logs
  Insights aggregates server-side, the client holds one row per signature).
- CPU ms (median user + system time) and peak RSS (largest \`maxRSS\`) come from ${STATS_RUNS} more runs with a
  preloaded hook (\`process.resourceUsage()\` at exit); load average at the start ${load}, at the end
  ${loadavg()[0].toFixed(1)}: on a shared machine wall times stretch, CPU ms much less.
- \`--help\` and \`--version\` into a pipe are answered by bin/fsops from dist/fast-paths.json; through the
  bundle (a terminal's \`--help\`) they load no AWS SDK code (test/e2e/startup.test.ts, an ESM module probe).
${db ? `- \`db health\`: ${db.detail ?? 'see scripts/bench-db.mjs'}` : '- `db health` on a large catalog: not measured in this run (scripts/bench-db.mjs missing, PostgreSQL unavailable, or BENCH_SKIP_DB=1).'}
${redisResult ? '- `redis`: one read-only connection to a local redis-server (src/domain/redis/local-server.ts) holding 50,000 queued webhooks (LLEN is O(1), the oldest item one LINDEX), the ElastiCache side (DescribeReplicationGroups, DescribeSnapshots, one GetMetricData) from the fake AWS; exit 1: the queue is backed up on purpose.' : '- `redis`: not measured in this run (redis-server unavailable, or BENCH_SKIP_REDIS=1).'}

## Retry mode

${RUNS} runs each of \`validate prod\` against the local endpoint, every one of the ${throttled[0].actions} actions it calls
answering ThrottlingException twice before answering (faults in scripts/fake-aws.mjs), with
\`AWS_RETRY_MODE\` forcing the mode:

| what | median ms | min ms | max ms | exit |
|---|---|---|---|---|
${throttled.map(({ result: r }) => `| ${r.name} | ${r.medianMs} | ${r.minMs} | ${r.maxMs} | ${r.exit} |`).join('\n')}

Adaptive mode puts a client-side token bucket in front of every later call of a client once it has
seen a throttle, so a short burst of concurrent checks waits far longer than the throttles
themselves. fsops therefore uses \`standard\` (retries with jittered backoff, no rate limiting) for
read-only commands (validate, troubleshoot, alarms, metrics, db, logs errors), and \`adaptive\` only
where a long loop keeps calling one API: the wait loop of rollback/restart/scale (DescribeServices)
and \`logs tail --follow\` (FilterLogEvents). Both keep retrying (\`aws.maxAttempts\`); the test
test/e2e/validate-throttled.test.ts checks the findings under the same faults, not the time.

Timings belong here, not in tests: the test suite asserts behaviour (how many calls, which ones), never speed.
`;
// Hand-written history below the marker (before/after per change) survives a re-run.
const MARKER = '<!-- history: kept by npm run bench -->';
const previous = existsSync(join(root, 'BENCHMARKS.md'))
  ? readFileSync(join(root, 'BENCHMARKS.md'), 'utf8')
  : '';
const history = previous.includes(MARKER) ? previous.slice(previous.indexOf(MARKER)) : '';
writeFileSync(join(root, 'BENCHMARKS.md'), history ? `${text}\n${history}` : text);
console.error('wrote BENCHMARKS.md');
