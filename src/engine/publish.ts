import type { Report } from '../base/model/finding.js';
import { DEFAULT_PUBLISH_NAMESPACE, putMetrics, reportMetrics } from '../domain/metrics/publish.js';
import { type GlobalOptions, openEnvSession } from './session.js';

/** What publishing needs of the command's options: the flag, and where the environment's AWS account is. */
export type PublishOptions = Partial<GlobalOptions>;

const publications: Promise<void>[] = [];

/** How long publishing may take before fsops gives up on it (the verdict is already printed). */
export const PUBLISH_TIMEOUT_MS = 30_000;

/**
 * `--publish`: the run as CloudWatch metrics in one PutMetricData call (more only above 1000 metrics).
 * A failure is reported on stderr and does not change the verdict's exit code: the checks ran and
 * their report was printed; a scheduled run's own failure rule (deploy/) still sees the exit code.
 */
export function startPublication(
  report: Report,
  options: PublishOptions,
  /** Where a failure is said: the command's runtime.stderr (src/engine/runtime.ts). */
  stderr: { write(text: string): unknown },
): void {
  publications.push(publishReport(report, options, stderr));
}

async function publishReport(
  report: Report,
  options: PublishOptions,
  stderr: { write(text: string): unknown },
): Promise<void> {
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
    stderr.write(
      `fsops: --publish: could not publish the run as CloudWatch metrics (${text}); the verdict and exit code are unchanged\n`,
    );
  }
}

/** Waits for every `--publish` the printer started (the entry point calls it before exiting). */
export async function settlePublications(): Promise<void> {
  await Promise.all(publications.splice(0));
}
