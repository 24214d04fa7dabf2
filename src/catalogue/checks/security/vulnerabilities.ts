import type { ImageScanFindings } from '@aws-sdk/client-ecr';
import type { CheckContext, CheckResult } from '../../../base/model/check.js';
import { componentsOf, componentsParams, defineCheck } from '../../../base/model/check.js';
import type { Status } from '../../../base/model/finding.js';
import { ecrRegistryOf, parseImageRef } from '../../../domain/release/image.js';
import { gather, judgeEach, unreadFact } from '../partial.js';
import { ecsTaskFacts } from '../troubleshoot/ecs-tasks.js';

/** An image that runs now: from the running tasks' containers (their digests, not the task definition's tag). */
export interface RunningImage {
  /** registry/repository, e.g. 123456789014.dkr.ecr.ap-south-1.amazonaws.com/fivestar/internal-pe */
  image: string;
  registryId: string | null;
  repository: string | null;
  digest: string | null;
  components: string[];
  tasks: number;
}

/** The repository of an ECR image URI (tag and digest stripped), or null for another registry. */
export function ecrRepository(image: string): { registryId: string; repository: string } | null {
  const ref = parseImageRef(image);
  const registry = ref ? ecrRegistryOf(ref) : null;
  return ref && registry ? { registryId: registry.registryId, repository: ref.repository } : null;
}

/** The distinct images of the components' running tasks, by digest. */
export async function runningImages(
  ctx: CheckContext,
  components: readonly string[],
): Promise<{ images: RunningImage[]; unread: CheckResult[] }> {
  const byKey = new Map<string, RunningImage>();
  // One service whose tasks cannot be read is its own error; the others' images are still checked.
  const got = await gather(...components.map((component) => ecsTaskFacts(ctx, component)));
  const unread: CheckResult[] = [];
  const facts = got.flatMap((one, i) => {
    const reason = one.ok ? one.value.unread.active : one.reason;
    if (reason === undefined && one.ok) return [one.value];
    const service = ctx.env.nameOf('service', components[i]!);
    unread.push(
      unreadFact('security.image-vulnerabilities', service, `the running tasks of ${service}`, reason!),
    );
    return [];
  });
  for (const fact of facts) {
    for (const task of fact.active.filter((t) => t.lastStatus === 'RUNNING')) {
      for (const container of task.containers ?? []) {
        if (!container.image) continue;
        const repo = ecrRepository(container.image);
        const digest =
          container.imageDigest ?? (container.image.includes('@') ? container.image.split('@')[1]! : null);
        const key = `${repo?.repository ?? container.image}@${digest ?? '?'}`;
        const entry =
          byKey.get(key) ??
          ({
            image: container.image.split('@')[0]!,
            registryId: repo?.registryId ?? null,
            repository: repo?.repository ?? null,
            digest,
            components: [],
            tasks: 0,
          } satisfies RunningImage);
        if (!entry.components.includes(fact.component)) entry.components.push(fact.component);
        entry.tasks += 1;
        byKey.set(key, entry);
      }
    }
  }
  return { images: [...byKey.values()], unread };
}

/** How a finding names an image: its repository and the start of its digest. */
function imageResource(image: RunningImage): string {
  return `${image.repository ?? image.image}@${image.digest ? image.digest.slice(0, 19) : '?'}`;
}

export type ScanOutcome =
  | {
      kind: 'scanned';
      status: string;
      counts: Record<string, number>;
      completedAt?: Date;
      enhanced: boolean;
      top: string[];
    }
  | { kind: 'not-scanned'; reason: string }
  | { kind: 'not-ecr' };

/** ECR's scan of one image (basic scanning, or Inspector's enhanced scanning through the same API). */
export async function imageScan(
  ctx: CheckContext,
  image: RunningImage,
  signal: AbortSignal,
): Promise<ScanOutcome> {
  if (!image.repository || !image.digest) return { kind: 'not-ecr' };
  const { DescribeImageScanFindingsCommand } = await import('@aws-sdk/client-ecr');
  const ecr = await ctx.aws.ecr();
  try {
    const out = await ecr.send(
      new DescribeImageScanFindingsCommand({
        ...(image.registryId ? { registryId: image.registryId } : {}),
        repositoryName: image.repository,
        imageId: { imageDigest: image.digest },
        maxResults: 100,
      }),
      { abortSignal: signal },
    );
    const status = out.imageScanStatus?.status ?? 'UNKNOWN';
    const findings: ImageScanFindings = out.imageScanFindings ?? {};
    const enhanced = (findings.enhancedFindings?.length ?? 0) > 0;
    const top = [
      ...(findings.enhancedFindings ?? [])
        .filter((f) => f.severity === 'CRITICAL')
        .map((f) => f.packageVulnerabilityDetails?.vulnerabilityId ?? f.title ?? 'finding'),
      ...(findings.findings ?? []).filter((f) => f.severity === 'CRITICAL').map((f) => f.name ?? 'finding'),
    ].slice(0, 5);
    return {
      kind: 'scanned',
      status,
      counts: (findings.findingSeverityCounts ?? {}) as Record<string, number>,
      ...(findings.imageScanCompletedAt ? { completedAt: findings.imageScanCompletedAt } : {}),
      enhanced,
      top,
    };
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'ScanNotFoundException') return { kind: 'not-scanned', reason: 'never scanned' };
    if (name === 'ImageNotFoundException')
      return { kind: 'not-scanned', reason: 'the image is no longer in ECR' };
    throw error;
  }
}

const ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'];

/** Judges one running image's scan (pure): CRITICAL fails, HIGH warns; unscanned or failed scans are errors. */
export function evaluateImageScan(image: RunningImage, scan: ScanOutcome): CheckResult {
  const resource = imageResource(image);
  const where = `running in ${image.components.join(', ')} (${image.tasks} task${image.tasks === 1 ? '' : 's'})`;
  const base = {
    resource,
    expected:
      'scanned, no CRITICAL finding (runbook 003 weekly dependency vulnerability scan; PCI DSS 6.3.3, 11.3.1)',
  };
  if (scan.kind === 'not-ecr') {
    return {
      ...base,
      status: 'error',
      observed: `${image.image} is not an ECR image with a digest: ECR cannot say what it contains (${where})`,
      remediation: 'Run images from ECR with scanning on, so that what runs can be checked.',
    };
  }
  if (scan.kind === 'not-scanned') {
    return {
      ...base,
      status: 'error',
      observed: `${scan.reason} (${where})`,
      remediation:
        'Turn on scan on push (or Inspector enhanced scanning) for the repository and scan this image: aws ecr start-image-scan.',
    };
  }
  if (scan.status !== 'COMPLETE' && scan.status !== 'ACTIVE') {
    return {
      ...base,
      status: 'error',
      observed: `scan ${scan.status} (${where})`,
      remediation: 'The scan did not complete: start it again (aws ecr start-image-scan) and re-run.',
    };
  }
  const counts = ORDER.filter((s) => (scan.counts[s] ?? 0) > 0).map((s) => `${s} ${scan.counts[s]}`);
  const critical = scan.counts.CRITICAL ?? 0;
  const high = scan.counts.HIGH ?? 0;
  const status: Status = critical > 0 ? 'fail' : high > 0 ? 'warn' : 'pass';
  return {
    ...base,
    status,
    observed: `${counts.length ? counts.join(', ') : 'no findings'} (${scan.enhanced ? 'Inspector' : 'ECR basic'} scan${scan.completedAt ? ` of ${scan.completedAt.toISOString().slice(0, 10)}` : ''}); ${where}`,
    detail: scan.top.length ? `CRITICAL: ${scan.top.join(', ')}` : '',
    remediation:
      critical > 0
        ? 'Rebuild the image on patched base images and dependencies, deploy it, and check again (ops guide §12.2.1 application updates).'
        : 'Plan the HIGH fixes into the next release.',
    value: critical,
    unit: 'critical',
  };
}

export const imageVulnerabilitiesCheck = defineCheck({
  id: 'security.image-vulnerabilities',
  title: 'Vulnerabilities of the images that run',
  severity: 'critical',
  source:
    'runbook 003 Weekly Tasks (dependency vulnerability scan); ops guide §12.2.1; runbook 003 PCI DSS checklist (vulnerability scanning)',
  remediation: 'Patch and redeploy the images with CRITICAL findings.',
  params: componentsParams,
  async run(ctx, params) {
    const components = componentsOf(ctx, params);
    const { images, unread } = await runningImages(ctx, components);
    if (images.length === 0) {
      if (unread.length) return unread;
      return [
        {
          status: 'error',
          resource: components.join(', '),
          expected: 'running tasks whose images can be checked',
          observed: 'no running task: nothing to check (the services are down, or the names are wrong)',
          remediation: 'Check the services (`fsops ecs tasks <component>`).',
        },
      ];
    }
    // One image whose scan cannot be read is its own error; the other images are judged.
    return [
      ...unread,
      ...(await judgeEach(
        images,
        'security.image-vulnerabilities',
        (image) => ({ resource: imageResource(image), what: `the ECR scan of ${imageResource(image)}` }),
        async (image) => evaluateImageScan(image, await imageScan(ctx, image, ctx.signal)),
      )),
    ];
  },
});
