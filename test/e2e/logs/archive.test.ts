import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, FAKE_CREDENTIALS, runFsops } from '../../helpers/cli.js';
import {
  type FakeAws,
  guideLogGroups,
  type LogArchiveState,
  logArchive,
  startFakeWorld,
} from '../../helpers/fake-aws.js';

// Run `npm run build` first. `fsops logs archive` through bin/fsops against the local fake AWS (CloudWatch
// Logs over JSON 1.1, S3 over REST-XML, path-style): plan, --dry-run, no terminal, --yes, refusals, the
// audit lines, and Ctrl-C in the middle of an export.

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const GROUPS = guideLogGroups('prod');
const BUCKET = 'fivestar-payments-prod-log-archive';

interface JsonFinding {
  id: string;
  status: string;
  resource: string;
  observed: string;
  remediation: string;
}

/** The healthy prod world with a log archive whose last month is not exported yet. */
async function world(options: Parameters<typeof logArchive>[1] = {}): Promise<LogArchiveState> {
  fake = await startFakeWorld('prod');
  const archive = logArchive('prod', { archived: false, ...options });
  Object.assign(fake.handlers.logs!, archive.handlers.logs);
  Object.assign(fake.handlers.s3!, archive.handlers.s3);
  return archive.state;
}

function home() {
  const dir = mkdtempSync(join(tmpdir(), 'fsops-archive-'));
  const config = join(dir, 'fsops.config.yaml');
  writeFileSync(config, 'logArchive:\n  pollSeconds: 0.02\n  timeoutMinutes: 1\n');
  return { dir, config, audit: join(dir, 'audit.jsonl') };
}

function auditLines(file: string): { command: string; result: string; detail?: string; env: string }[] {
  try {
    return readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
  } catch {
    return [];
  }
}

function archive(args: string[], where = home()) {
  return runFsops(
    ['logs', 'archive', '--env', 'prod', '--endpoint-url', fake!.url, '--config', where.config, ...args],
    { ...FAKE_CREDENTIALS, FSOPS_AUDIT_FILE: where.audit },
  );
}

const created = () => fake!.calls.filter((c) => c.action === 'CreateExportTask');

describe('fsops logs archive (bin/fsops, local AWS endpoint)', () => {
  it('--dry-run: the plan on stderr, every group "not exported", audited dry-run, nothing created', async () => {
    await world();
    const where = home();
    const result = await archive(['--month', '2026-11', '--dry-run', '--output', 'json'], where);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      '2026-11 (2026-11-01T00:00Z .. 2026-12-01T00:00Z), one export at a time (CloudWatch Logs runs one per account), to s3://fivestar-payments-prod-log-archive:',
    );
    expect(result.stderr).toContain(
      '/ecs/prod-fivestar-internal-pe -> ecs/prod-fivestar-internal-pe/2026/11/',
    );
    const findings: JsonFinding[] = JSON.parse(result.stdout).findings;
    expect(findings.map((f) => [f.resource, f.observed])).toEqual(
      GROUPS.map((g) => [g, 'not exported (dry run)']),
    );
    expect(created()).toEqual([]);
    expect(auditLines(where.audit)).toEqual([
      expect.objectContaining({
        command: 'logs archive: logs.archive-export',
        result: 'dry-run',
        env: 'prod',
      }),
    ]);
  });

  it('no terminal and no --yes: refused in one line (exit 2), audited, nothing created', async () => {
    await world();
    const where = home();
    const result = await archive(['--month', '2026-11'], where);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^fsops: .*--yes/);
    expect(created()).toEqual([]);
    expect(auditLines(where.audit).map((l) => l.result)).toEqual(['refused']);
  });

  it('--yes: each group exported in turn to {group}/{yyyy}/{mm}, audited started then succeeded, logs.archive checked again', async () => {
    const state = await world();
    const where = home();
    const result = await archive(['--yes', '--output', 'json'], where);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    const exports: JsonFinding[] = report.findings.filter((f: JsonFinding) => f.id === 'logs.archive-export');
    expect(exports.map((f) => f.status)).toEqual(Array(5).fill('pass'));
    expect(exports[0]!.observed).toMatch(/^COMPLETED in \d+ s \(task export-1\)$/);
    // The export tasks, one after the other: each created only after the one before completed.
    expect(state.created.map((c) => [c.logGroupName, c.destination, c.destinationPrefix])).toEqual(
      GROUPS.map((g) => [g, BUCKET, `${g.slice(1)}/${expectedMonth().replace('-', '/')}`]),
    );
    const order = fake!.calls
      .filter(
        (c) => c.action === 'CreateExportTask' || (c.action === 'DescribeExportTasks' && c.input.taskId),
      )
      .map((c) =>
        c.action === 'CreateExportTask' ? `create ${c.input.logGroupName}` : `poll ${c.input.taskId}`,
      );
    expect(order.filter((o) => o.startsWith('create'))).toHaveLength(5);
    for (let i = 1; i < 5; i++) {
      expect(order.indexOf(`create ${GROUPS[i]}`)).toBeGreaterThan(order.lastIndexOf(`poll export-${i}`));
    }
    // The check runs again after the exports: the month is now in the archive.
    const recheck: JsonFinding[] = report.findings.filter((f: JsonFinding) => f.id === 'logs.archive.group');
    expect(recheck.map((f) => f.status)).toEqual(Array(5).fill('pass'));
    expect(auditLines(where.audit).map((l) => l.result)).toEqual(['started', 'succeeded']);
    // A second run finds nothing to do.
    const again = await archive(['--yes', '--output', 'json'], where);
    expect(again.code).toBe(0);
    expect(
      JSON.parse(again.stdout)
        .findings.filter((f: JsonFinding) => f.id === 'logs.archive-export')
        .map((f: JsonFinding) => f.observed),
    ).toEqual([0, 1, 2, 3, 4].map((i) => `already exported (task export-${i + 1})`));
    expect(state.created).toHaveLength(5);
  });

  it('an export that FAILS is a failing finding (exit 1, audited failed); LimitExceeded is waited out', async () => {
    const state = await world();
    state.outcome[GROUPS[2]!] = 'FAILED';
    state.limitExceeded = 2;
    const where = home();
    const result = await archive(['--yes', '--output', 'json'], where);
    expect(result.code).toBe(1);
    const exports: JsonFinding[] = JSON.parse(result.stdout).findings.filter(
      (f: JsonFinding) => f.id === 'logs.archive-export',
    );
    expect(exports.map((f) => f.status)).toEqual(['pass', 'pass', 'fail', 'pass', 'pass']);
    expect(exports[2]!.observed).toBe('FAILED (task export-3): export failed');
    expect(created().filter((c) => c.input.logGroupName === GROUPS[0])).toHaveLength(3);
    expect(auditLines(where.audit).map((l) => l.result)).toEqual(['started', 'failed']);
  });

  it('an open month and a bucket without Object Lock are refused in one line (exit 2) with the fix; nothing created', async () => {
    const state = await world();
    const open = await archive(['--month', '2099-01', '--yes']);
    expect(open.code).toBe(2);
    expect(open.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^fsops: refusing to export: 2099-01 is in the future: export a closed month, e.g. --month \d{4}-\d{2}$/,
      ),
    ]);
    const notAMonth = await archive(['--month', '2026-13', '--yes']);
    expect([notAMonth.code, notAMonth.stderr.trim()]).toEqual([
      2,
      "fsops: --month '2026-13' is not a month: give YYYY-MM, e.g. 2026-11",
    ]);
    // Bad input is refused before any AWS call (not even the account check).
    expect(fake!.calls).toEqual([]);
    state.bucket.objectLock = null;
    const unlocked = await archive(['--yes']);
    expect(unlocked.code).toBe(2);
    expect(unlocked.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^fsops: refusing to export to s3:\/\/fivestar-payments-prod-log-archive: Object Lock not enabled \(ObjectLockConfigurationNotFoundError\); fix: aws s3api put-object-lock-configuration /,
      ),
    ]);
    expect(created()).toEqual([]);
  });

  it('Ctrl-C while the second export runs: INTERRUPTED (exit 130), what completed and what did not, audited interrupted', async () => {
    const state = await world();
    state.hold.add(GROUPS[1]!);
    const where = home();
    const child = spawn(
      process.execPath,
      [
        BIN,
        'logs',
        'archive',
        '--env',
        'prod',
        '--yes',
        '--endpoint-url',
        fake!.url,
        '--config',
        where.config,
      ],
      {
        env: {
          PATH: process.env.PATH,
          TMPDIR: process.env.TMPDIR,
          HOME: where.dir,
          NO_COLOR: '1',
          AWS_EC2_METADATA_DISABLED: 'true',
          FSOPS_AUDIT_FILE: where.audit,
          ...FAKE_CREDENTIALS,
        },
        cwd: where.dir,
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The second export is created and being waited for.
    while (!fake!.calls.some((c) => c.action === 'DescribeExportTasks' && c.input.taskId === 'export-2')) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGINT');
    const code = await exited;
    expect(code, stderr).toBe(130);
    expect(stdout).toMatch(/^fsops logs archive prod: INTERRUPTED/m);
    expect(stdout).not.toMatch(/: PASS/);
    // What was done and what was not, by group.
    expect(stdout).toMatch(
      new RegExp(
        `Done:\\n  - logs\\.archive-export \\[${GROUPS[0]}\\]: COMPLETED in \\d+ s \\(task export-1\\)\\nNot done:\\n`,
      ),
    );
    expect(stdout).toContain(
      `  - logs.archive-export [${GROUPS[1]}]: not done: interrupted (Ctrl-C) while task export-2 was RUNNING; CloudWatch Logs carries on with it (run again to wait for it)\n`,
    );
    for (const group of GROUPS.slice(2))
      expect(stdout).toContain(
        `  - logs.archive-export [${group}]: not done: interrupted (Ctrl-C); run again to finish\n`,
      );
    expect(stdout).toContain('  - not checked again after the changes: logs.archive');
    expect(state.created).toHaveLength(2);
    expect(auditLines(where.audit).map((l) => l.result)).toEqual(['started', 'interrupted']);
  }, 30_000);
});

/** The last closed month as the command computes it (UTC). */
function expectedMonth(): string {
  const now = new Date();
  const prev = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${prev.getUTCFullYear()}-${String(prev.getUTCMonth() + 1).padStart(2, '0')}`;
}
