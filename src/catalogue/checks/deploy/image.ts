import { z } from 'zod';
import type { CheckResult } from '../../../base/model/check.js';
import { defineCheck } from '../../../base/model/check.js';
import {
  formatImageRef,
  formatRepository,
  gatherImageFacts,
  type ImageFacts,
  type ImageRef,
} from '../../../domain/release/image.js';

export const IMAGE_SOURCE =
  'ops guide §12.2.1 (Staging: security scanning passed); runbook 002 "Rolling Updates" (update image)';
const SCANNED = new Set(['COMPLETE', 'ACTIVE']);

/** The image's facts, gathered once per run (the plan reads the digest from the same answer). */
export function imageFactsKey(ref: ImageRef): string {
  return `deploy.image:${formatImageRef(ref)}`;
}

/** The image exists in ECR (pure). */
export function evaluateImageExists(facts: ImageFacts): CheckResult {
  const wanted = formatImageRef(facts.ref);
  if (!facts.found) {
    return {
      id: 'deploy.image.exists',
      title: 'The image exists in ECR',
      status: 'fail',
      resource: wanted,
      expected: 'the image exists in ECR',
      observed: `not found: ${facts.reason}`,
      remediation: `Push the image first, or check the tag: aws ecr describe-images --repository-name ${facts.ref.repository}.`,
    };
  }
  return {
    id: 'deploy.image.exists',
    title: 'The image exists in ECR',
    status: 'pass',
    resource: wanted,
    expected: 'the image exists in ECR',
    observed: `${facts.digest}${facts.tags.length ? ` (tags ${facts.tags.join(', ')})` : ''}${facts.pushedAt ? `, pushed ${new Date(facts.pushedAt).toISOString()}` : ''}`,
  };
}

/** Its scan has no CRITICAL finding, unless accepted with --allow-findings and a reason (pure). */
export function evaluateImageScan(facts: ImageFacts, allowFindings?: string): CheckResult | null {
  if (!facts.found) return null;
  const resource = formatImageRef(facts.ref);
  const expected = 'a finished ECR scan with no CRITICAL finding';
  const accepted = (observed: string): CheckResult => ({
    id: 'deploy.image.scan',
    title: 'The image scan has no CRITICAL finding',
    status: 'warn',
    resource,
    expected,
    observed: `${observed}; accepted with --allow-findings: ${allowFindings}`,
    remediation: 'Fix the findings in the next release (the acceptance is in the audit log).',
  });
  const scan = facts.scan;
  if (!scan.status || !SCANNED.has(scan.status)) {
    const observed = scan.status
      ? `scan ${scan.status}${scan.description ? `: ${scan.description}` : ''}`
      : 'the image was never scanned';
    if (allowFindings) return accepted(observed);
    return {
      id: 'deploy.image.scan',
      title: 'The image scan has no CRITICAL finding',
      status: 'error',
      resource,
      expected,
      observed,
      remediation: `Scan it (aws ecr start-image-scan --repository-name ${facts.ref.repository} --image-id imageDigest=${facts.digest}, or enable scan on push / Amazon Inspector) and deploy once it is COMPLETE; or accept the risk with --allow-findings --reason "<why>".`,
    };
  }
  const critical = scan.counts.CRITICAL ?? 0;
  const summary = Object.entries(scan.counts)
    .map(([severity, n]) => `${severity} ${n}`)
    .join(', ');
  if (critical > 0) {
    const names = scan.critical.length
      ? ` (${scan.critical.slice(0, 5).join(', ')}${scan.critical.length > 5 ? ', ...' : ''})`
      : '';
    const observed = `${critical} CRITICAL finding(s)${names}; ${summary}`;
    if (allowFindings) return accepted(observed);
    return {
      id: 'deploy.image.scan',
      title: 'The image scan has no CRITICAL finding',
      status: 'fail',
      resource,
      expected,
      observed,
      remediation: `Rebuild the image with the fixed packages (aws ecr describe-image-scan-findings --repository-name ${facts.ref.repository} --image-id imageDigest=${facts.digest} lists them); or accept the risk with --allow-findings --reason "<why>".`,
    };
  }
  return {
    id: 'deploy.image.scan',
    title: 'The image scan has no CRITICAL finding',
    status: 'pass',
    resource,
    expected,
    observed: `scan ${scan.status}${scan.completedAt ? ` at ${new Date(scan.completedAt).toISOString()}` : ''}: ${summary || 'no findings'}`,
  };
}

/**
 * The tag in a protected environment (pure): `latest` is refused (it names whatever was pushed last);
 * another tag of a MUTABLE repository is deployed by its digest, so what was checked is what runs.
 */
export function evaluateImageTag(facts: ImageFacts, protectedEnv: boolean): CheckResult | null {
  if (!facts.found || facts.ref.digest || !protectedEnv) return null;
  const tag = facts.ref.tag ?? 'latest';
  const resource = formatImageRef(facts.ref);
  if (tag === 'latest') {
    return {
      id: 'deploy.image.tag',
      title: 'A release tag or a digest in a protected environment',
      status: 'fail',
      resource,
      expected: 'a release tag or a digest in a protected environment',
      observed: `'latest' names whatever was pushed last; it is ${facts.digest} now`,
      remediation: `Deploy the digest: --image ${facts.digest} (or the release tag it carries: ${facts.tags.filter((t) => t !== 'latest').join(', ') || 'none'}).`,
    };
  }
  const mutable = isMutable(facts.mutability);
  return {
    id: 'deploy.image.tag',
    title: 'A release tag or a digest in a protected environment',
    status: 'pass',
    resource,
    expected: 'a release tag or a digest in a protected environment',
    observed: mutable
      ? `tag ${tag} of ${formatRepository(facts.ref)} is mutable (${facts.mutability ?? 'mutability unknown'}): deployed by its digest ${facts.digest}`
      : `tag ${tag} is immutable (${facts.mutability})`,
  };
}

export const deployImageCheck = defineCheck({
  id: 'deploy.image',
  title: 'The image to deploy exists in ECR and passed its scan',
  severity: 'critical',
  source: IMAGE_SOURCE,
  remediation: 'Push and scan the image before deploying it.',
  params: z
    .object({
      /** The image as --image gave it (tag or digest), in the repository the container runs. */
      image: z
        .object({
          registry: z.string().optional(),
          repository: z.string().min(1),
          tag: z.string().optional(),
          digest: z.string().optional(),
        })
        .strict(),
      /** A protected environment (prod): `latest` is refused and mutable tags are pinned to their digest. */
      protectedEnv: z.boolean(),
      /** --allow-findings --reason: CRITICAL findings (or no finished scan) are accepted, audited with this reason. */
      allowFindings: z.string().min(1).optional(),
    })
    .strict(),
  async run(ctx, params) {
    const facts = await ctx.once(imageFactsKey(params.image), async (signal) =>
      gatherImageFacts(await ctx.aws.ecr(), params.image, signal),
    );
    return [
      evaluateImageExists(facts),
      evaluateImageScan(facts, params.allowFindings),
      evaluateImageTag(facts, params.protectedEnv),
    ].filter((r): r is CheckResult => r !== null);
  },
});

/** For the plan: the reference ECS will pull (digest-pinned when the tag is mutable in a protected environment). */
export function deployedReference(facts: ImageFacts, protectedEnv: boolean): string {
  if (!facts.found) return formatImageRef(facts.ref);
  const pin = protectedEnv && !facts.ref.digest && isMutable(facts.mutability);
  return formatImageRef(pin ? { ...facts.ref, tag: undefined, digest: facts.digest } : facts.ref);
}

/** Unknown mutability counts as mutable: pinning to the digest is always safe. */
function isMutable(mutability: string | undefined): boolean {
  return mutability !== 'IMMUTABLE';
}
