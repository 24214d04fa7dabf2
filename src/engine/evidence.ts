import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { ExitCode, UsageError } from '../base/model/errors.js';
import { overallStatus, type Report } from '../base/model/finding.js';
import { localUser } from './audit.js';
import type { Printer } from './printer.js';
import { toMarkdown } from './render.js';
import type { RunnerHooks } from './runner.js';
import type { OutputStream, Runtime } from './runtime.js';

export type EvidenceFormat = 'json' | 'markdown';

/**
 * `--report FILE`: the format from the extension, and a place to write it, both checked before anything
 * runs: evidence that cannot be written must stop the run before it changes something, not after.
 */
export function evidenceFormat(file: string | undefined): EvidenceFormat | null {
  if (!file) return null;
  const ext = extname(file).toLowerCase();
  let format: EvidenceFormat;
  if (ext === '.json') format = 'json';
  else if (ext === '.md' || ext === '.markdown') format = 'markdown';
  else throw new UsageError(`--report ${file}: the file name must end in .json, .md or .markdown`);
  try {
    mkdirSync(dirname(file), { recursive: true });
    accessSync(existsSync(file) ? file : dirname(file), constants.W_OK);
  } catch (error) {
    throw new UsageError(
      `cannot write the report to ${file}: ${(error as Error).message}. Nothing was checked or changed.`,
    );
  }
  return format;
}

export interface StepTiming {
  step: string;
  startedAt: string;
  durationMs: number;
  status: Report['status'];
}

export interface Evidence extends Report {
  ranBy: { user: string; awsIdentity: string | null; host: string | null };
  finishedAt: string;
  steps: StepTiming[];
  /** The change approval reference (ops guide §12.1.2), when one was given. */
  changeRef?: string | null;
}

/**
 * Times each check of a runbook run through the runner's hooks (keyed by the step object), on the
 * command's clock (runtime.clock).
 */
export function stepTimer(
  clock: Pick<Runtime['clock'], 'now'>,
  hooks: RunnerHooks = {},
): { hooks: RunnerHooks; timings: StepTiming[] } {
  const started = new Map<unknown, number>();
  const timings: StepTiming[] = [];
  return {
    timings,
    hooks: {
      onCheckStart(step) {
        started.set(step, clock.now());
        hooks.onCheckStart?.(step);
      },
      onCheckDone(step, findings) {
        const at = started.get(step) ?? clock.now();
        // Ranked as the report is (src/base/model/finding.ts), so a step and the report agree.
        const status = overallStatus(findings);
        timings.push({
          step: `check:${step.check.id}`,
          startedAt: new Date(at).toISOString(),
          durationMs: clock.now() - at,
          status,
        });
        hooks.onCheckDone?.(step, findings);
      },
    },
  };
}

export function buildEvidence(
  report: Report,
  steps: StepTiming[],
  awsIdentity: string | null,
  /** When the run finished (the command's clock). */
  finishedAt: Date,
  changeRef?: string | null,
): Evidence {
  return {
    ...report,
    ranBy: { user: localUser(), awsIdentity, host: process.env.HOSTNAME ?? null },
    finishedAt: finishedAt.toISOString(),
    steps: [...steps].sort((a, b) => a.startedAt.localeCompare(b.startedAt)),
    ...(changeRef !== undefined ? { changeRef } : {}),
  };
}

export function renderEvidence(evidence: Evidence, format: EvidenceFormat): string {
  if (format === 'json') return `${JSON.stringify(evidence, null, 2)}\n`;
  const lines = [
    `# Maintenance evidence: fsops ${evidence.command}${evidence.env ? ` (${evidence.env})` : ''}`,
    '',
    `- Result: **${evidence.status.toUpperCase()}**`,
    `- Run by: ${evidence.ranBy.user}${evidence.ranBy.host ? ` on ${evidence.ranBy.host}` : ''}; AWS identity: ${evidence.ranBy.awsIdentity ?? 'not used'}`,
    `- Started: ${evidence.startedAt}; finished: ${evidence.finishedAt} (${(evidence.durationMs / 1000).toFixed(1)}s)`,
    ...(evidence.changeRef !== undefined
      ? [`- Change reference: ${evidence.changeRef ?? 'none recorded'}`]
      : []),
    '',
    '## Steps',
    '',
    '| Step | Status | Started | Duration |',
    '|---|---|---|---|',
    ...evidence.steps.map(
      (s) => `| ${s.step} | ${s.status} | ${s.startedAt} | ${(s.durationMs / 1000).toFixed(2)}s |`,
    ),
    '',
    toMarkdown(evidence).replace(/^## /, '## Findings: '),
  ];
  return `${lines.join('\n')}`;
}

/**
 * Writes the evidence after the run. The run has happened by now (changes included), so a failure here
 * must not hide its report: it returns the problem for the caller to print after the report.
 */
export function writeEvidence(file: string, evidence: Evidence, format: EvidenceFormat): string | null {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, renderEvidence(evidence, format));
    return null;
  } catch (error) {
    return `cannot write the report to ${file}: ${(error as Error).message} (the run itself finished; its report is on stdout)`;
  }
}

/** The exit code after the evidence was (or was not) written: a lost evidence file is at least exit 3. */
export function afterEvidence(code: number, problem: string | null, stderr: OutputStream): number {
  if (!problem) return code;
  stderr.write(`fsops: ${problem}\n`);
  return code === ExitCode.interrupted ? code : Math.max(code, ExitCode.unreachable);
}

/**
 * The end of a run of changes (every command that calls runChanges): prints the report, writes the
 * `--report` evidence, and gives the exit code — the report's (130 when it is INTERRUPTED), 2 after a
 * declined prompt; a lost evidence file makes it at least 3.
 */
export function finishChangeRun(
  printer: Printer,
  report: Report,
  run: {
    declined: boolean;
    reportFile?: string;
    evidence: EvidenceFormat | null;
    timings: StepTiming[];
    identity: string | null;
    changeRef?: string | null;
    /**
     * The command's runtime (src/engine/runtime.ts): its clock dates the evidence, a lost evidence
     * file is said on its stderr.
     */
    runtime: Pick<Runtime, 'stderr' | 'clock'>;
  },
): number {
  const code = printer.report(report);
  const problem =
    run.evidence && run.reportFile
      ? writeEvidence(
          run.reportFile,
          buildEvidence(report, run.timings, run.identity, new Date(run.runtime.clock.now()), run.changeRef),
          run.evidence,
        )
      : null;
  return afterEvidence(
    code === ExitCode.interrupted ? code : run.declined ? ExitCode.usage : code,
    problem,
    run.runtime.stderr,
  );
}
