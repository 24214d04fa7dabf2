import { DEFAULT_PUBLISH_NAMESPACE, putMetrics, reportMetrics } from '../metrics/publish.js';
import { exitCodeFor, type Finding, overallStatus, type Report } from './finding.js';
import { render } from './render.js';
import { type GlobalOptions, openEnvSession, outputFormat } from './session.js';

export function buildReport(
  command: string,
  env: string | null,
  startedAt: Date,
  findings: Finding[],
  notes?: string[],
): Report {
  return {
    command,
    env,
    status: overallStatus(findings),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    findings,
    ...(notes?.length ? { notes } : {}),
  };
}

/**
 * Prints the report in the chosen format to stdout and returns the exit code its findings give (0/1; see README "Exit codes").
 * With `--publish` it also sends the run to CloudWatch as metrics (src/metrics/publish.ts); the entry
 * point waits for that (settlePublications) before exiting.
 */
export function emitReport(report: Report, options: GlobalOptions): number {
  process.stdout.write(
    render(report, outputFormat(options), { onlyProblems: options.onlyProblems, color: options.color }),
  );
  if (options.publish) publications.push(publishReport(report, options));
  return exitCodeFor(report.findings, options.strict ?? false);
}

const publications: Promise<void>[] = [];

/** How long publishing may take before fsops gives up on it (the verdict is already printed). */
export const PUBLISH_TIMEOUT_MS = 30_000;

/**
 * `--publish`: the run as CloudWatch metrics in one PutMetricData call (more only above 1000 metrics).
 * A failure is reported on stderr and does not change the verdict's exit code: the checks ran and
 * their report was printed; a scheduled run's own failure rule (deploy/) still sees the exit code.
 */
async function publishReport(report: Report, options: GlobalOptions): Promise<void> {
  try {
    if (!report.env) throw new Error('the run has no environment to publish under');
    const session = openEnvSession(options, report.env);
    try {
      const namespace = process.env.FSOPS_PUBLISH_NAMESPACE || DEFAULT_PUBLISH_NAMESPACE;
      await putMetrics(
        await session.aws.cloudwatch(),
        namespace,
        reportMetrics(report),
        AbortSignal.timeout(PUBLISH_TIMEOUT_MS),
      );
    } finally {
      session.aws.destroy();
    }
  } catch (error) {
    const text = `${(error as Error).name}: ${(error as Error).message}`.replace(/\p{Cc}/gu, ' ');
    process.stderr.write(
      `fsops: --publish: could not publish the run as CloudWatch metrics (${text}); the verdict and exit code are unchanged\n`,
    );
  }
}

/** Waits for every `--publish` started by emitReport (the entry point calls it before exiting). */
export async function settlePublications(): Promise<void> {
  await Promise.all(publications.splice(0));
}
