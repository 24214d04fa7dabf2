import type { ECRClient } from '@aws-sdk/client-ecr';
import { UsageError } from '../../base/model/errors.js';

/**
 * A container image reference as a task definition holds it:
 * `123456789014.dkr.ecr.ap-south-1.amazonaws.com/fivestar/internal-pe:1.4.2` or `...@sha256:<64 hex>`.
 */
export interface ImageRef {
  /** `123456789014.dkr.ecr.ap-south-1.amazonaws.com`; absent for Docker Hub style names. */
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** Parses an image reference; null when it is not one. */
export function parseImageRef(text: string): ImageRef | null {
  const trimmed = text.trim();
  if (!trimmed || /\s/.test(trimmed)) return null;
  let rest = trimmed;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_PATTERN.test(digest)) return null;
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : undefined;
  const path = hasRegistry ? rest.slice(slash + 1) : rest;
  const colon = path.lastIndexOf(':');
  const repository = colon >= 0 ? path.slice(0, colon) : path;
  const tag = colon >= 0 ? path.slice(colon + 1) : undefined;
  if (!repository || !/^[a-z0-9]+(?:[._/-][a-z0-9]+)*$/.test(repository)) return null;
  if (tag !== undefined && !TAG_PATTERN.test(tag)) return null;
  return {
    ...(registry ? { registry } : {}),
    repository,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** The reference as text; a digest wins over a tag (what ECS pulls is then fixed). */
export function formatImageRef(ref: ImageRef): string {
  const name = ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository;
  if (ref.digest) return `${name}@${ref.digest}`;
  return `${name}:${ref.tag ?? 'latest'}`;
}

/** The ECR registry (account) and region of a reference, or null when it is not an ECR image. */
export function ecrRegistryOf(ref: ImageRef): { registryId: string; region: string } | null {
  const match = ref.registry ? ECR_HOST.exec(ref.registry) : null;
  return match ? { registryId: match[1]!, region: match[2]! } : null;
}

const IMAGE_HINT =
  'give a tag (1.4.3), a digest (sha256:<64 hex>), or the full reference of the same repository';

/** A tag, a digest, or a full reference with one of them, as `--image` may be; else why not (pure). */
function imageArgument(given: string): { tag: string } | { digest: string } | ImageRef {
  const text = given.trim();
  if (DIGEST_PATTERN.test(text)) return { digest: text };
  if (TAG_PATTERN.test(text) && !text.includes('/')) return { tag: text };
  const ref = parseImageRef(text);
  if (!ref || (!ref.tag && !ref.digest)) throw new UsageError(`invalid --image '${given}': ${IMAGE_HINT}`);
  return ref;
}

/** `--image` checked on its own, before any AWS call: bad input is exit 2 with what is valid. */
export function checkImageArgument(given: string): void {
  imageArgument(given);
}

/**
 * The image to deploy from `--image`: a tag (`1.4.3`) or a digest (`sha256:...`) of the repository the
 * container runs now, or a full reference of that same repository. Another repository is refused: a
 * deploy changes the version, not what is deployed.
 */
export function requestedImage(current: ImageRef, given: string): ImageRef {
  const ref = imageArgument(given);
  if (!('repository' in ref)) return { ...withoutVersion(current), ...ref };
  if (ref.repository !== current.repository || (ref.registry ?? '') !== (current.registry ?? '')) {
    throw new UsageError(
      `--image '${given}' is from ${formatRepository(ref)}, but the container runs ${formatRepository(current)}: ${IMAGE_HINT}`,
    );
  }
  return ref;
}

function withoutVersion(ref: ImageRef): ImageRef {
  return { ...(ref.registry ? { registry: ref.registry } : {}), repository: ref.repository };
}

export function formatRepository(ref: ImageRef): string {
  return ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository;
}

export interface ScanFacts {
  /** ECR's scan status (COMPLETE, ACTIVE, IN_PROGRESS, FAILED, ...), or null when the image was never scanned. */
  status: string | null;
  description?: string;
  completedAt?: Date;
  /** Findings by severity (CRITICAL, HIGH, ...). */
  counts: Record<string, number>;
  /** Names (CVE ids) of the CRITICAL findings on the first page. */
  critical: string[];
}

export type ImageFacts =
  | { found: false; ref: ImageRef; reason: string }
  | {
      found: true;
      ref: ImageRef;
      digest: string;
      tags: string[];
      pushedAt?: Date;
      /** The repository's tag mutability (MUTABLE, IMMUTABLE, ...), when it could be read. */
      mutability?: string;
      scan: ScanFacts;
    };

const errorName = (error: unknown) => (error as { name?: string })?.name ?? '';

/**
 * What ECR knows of one image: DescribeImages (exists, digest, tags), DescribeImageScanFindings (the
 * scan) and DescribeRepositories (tag mutability), concurrently. A missing image or repository is a
 * fact (`found: false`); anything else (denied, throttled past retries) throws for the check to judge.
 */
export async function gatherImageFacts(
  ecr: ECRClient,
  ref: ImageRef,
  signal?: AbortSignal,
): Promise<ImageFacts> {
  const { DescribeImagesCommand, DescribeImageScanFindingsCommand, DescribeRepositoriesCommand } =
    await import('@aws-sdk/client-ecr');
  const registryId = ecrRegistryOf(ref)?.registryId;
  const imageId = ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? 'latest' };
  const sent = { abortSignal: signal };
  const base = { repositoryName: ref.repository, ...(registryId ? { registryId } : {}) };
  const [images, scan, repository] = await Promise.allSettled([
    ecr.send(new DescribeImagesCommand({ ...base, imageIds: [imageId] }), sent),
    ecr.send(new DescribeImageScanFindingsCommand({ ...base, imageId, maxResults: 100 }), sent),
    ecr
      .send(new DescribeRepositoriesCommand({ ...base, repositoryNames: [ref.repository] }), sent)
      .then((out) => out.repositories?.[0]?.imageTagMutability),
  ]);
  if (images.status === 'rejected') {
    const name = errorName(images.reason);
    if (name === 'ImageNotFoundException' || name === 'RepositoryNotFoundException') {
      return { found: false, ref, reason: `${name}: ${(images.reason as Error).message}` };
    }
    throw images.reason;
  }
  const detail = images.value.imageDetails?.[0];
  if (!detail?.imageDigest) return { found: false, ref, reason: 'DescribeImages returned no image' };
  let scanFacts: ScanFacts;
  if (scan.status === 'fulfilled') {
    const findings = scan.value.imageScanFindings;
    scanFacts = {
      status: scan.value.imageScanStatus?.status ?? null,
      description: scan.value.imageScanStatus?.description,
      completedAt: findings?.imageScanCompletedAt,
      counts: countsOf(findings?.findingSeverityCounts),
      critical: [
        ...(findings?.findings ?? []).filter((f) => f.severity === 'CRITICAL').map((f) => f.name ?? '?'),
        ...(findings?.enhancedFindings ?? [])
          .filter((f) => f.severity === 'CRITICAL')
          .map((f) => f.packageVulnerabilityDetails?.vulnerabilityId ?? f.title ?? '?'),
      ],
    };
  } else if (errorName(scan.reason) === 'ScanNotFoundException') {
    scanFacts = { status: null, counts: {}, critical: [] };
  } else {
    throw scan.reason;
  }
  return {
    found: true,
    ref,
    digest: detail.imageDigest,
    tags: detail.imageTags ?? [],
    pushedAt: detail.imagePushedAt,
    ...(repository.status === 'fulfilled' && repository.value ? { mutability: repository.value } : {}),
    scan: scanFacts,
  };
}

function countsOf(counts: Partial<Record<string, number>> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(counts ?? {}).filter(([, n]) => typeof n === 'number')) as Record<
    string,
    number
  >;
}
