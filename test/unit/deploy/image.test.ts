import { describe, expect, it } from 'vitest';
import {
  deployedReference,
  evaluateImageExists,
  evaluateImageScan,
  evaluateImageTag,
} from '../../../src/catalogue/checks/deploy/image.js';
import type { ImageFacts } from '../../../src/domain/release/image.js';
import {
  ecrRegistryOf,
  formatImageRef,
  parseImageRef,
  requestedImage,
} from '../../../src/domain/release/image.js';

const REGISTRY = '123456789099.dkr.ecr.ap-south-1.amazonaws.com';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const running = parseImageRef(`${REGISTRY}/fivestar/internal-pe:1.4.2`)!;

const found = (over: Partial<Extract<ImageFacts, { found: true }>> = {}): ImageFacts => ({
  found: true,
  ref: { ...running, tag: '1.4.3' },
  digest: DIGEST,
  tags: ['1.4.3'],
  mutability: 'MUTABLE',
  scan: { status: 'COMPLETE', counts: { HIGH: 2 }, critical: [] },
  ...over,
});

describe('image references', () => {
  it('parses ECR references with a tag or a digest and names the registry account and region', () => {
    expect(running).toEqual({ registry: REGISTRY, repository: 'fivestar/internal-pe', tag: '1.4.2' });
    expect(ecrRegistryOf(running)).toEqual({ registryId: '123456789099', region: 'ap-south-1' });
    const pinned = parseImageRef(`${REGISTRY}/fivestar/internal-pe@${DIGEST}`)!;
    expect(pinned.digest).toBe(DIGEST);
    expect(formatImageRef(pinned)).toBe(`${REGISTRY}/fivestar/internal-pe@${DIGEST}`);
    expect(parseImageRef('not an image')).toBeNull();
    expect(parseImageRef(`${REGISTRY}/repo@sha256:short`)).toBeNull();
  });

  it('--image takes a tag, a digest or a full reference of the same repository; anything else is bad input', () => {
    expect(requestedImage(running, '1.4.3')).toEqual({
      registry: REGISTRY,
      repository: 'fivestar/internal-pe',
      tag: '1.4.3',
    });
    expect(requestedImage(running, DIGEST)).toEqual({
      registry: REGISTRY,
      repository: 'fivestar/internal-pe',
      digest: DIGEST,
    });
    expect(requestedImage(running, `${REGISTRY}/fivestar/internal-pe:1.5.0`).tag).toBe('1.5.0');
    expect(() => requestedImage(running, `${REGISTRY}/other/app:1.0`)).toThrow(
      /is from .*other\/app, but the container runs/,
    );
    expect(() => requestedImage(running, 'a b')).toThrow(/invalid --image 'a b'/);
  });
});

describe('deploy.image evaluation', () => {
  it('a missing image fails and says how to push or check it', () => {
    const missing: ImageFacts = {
      found: false,
      ref: { ...running, tag: '9.9.9' },
      reason: 'ImageNotFoundException: gone',
    };
    const result = evaluateImageExists(missing);
    expect(result.status).toBe('fail');
    expect(result.observed).toContain('ImageNotFoundException');
    expect(evaluateImageScan(missing)).toBeNull();
  });

  it('CRITICAL findings fail the scan; --allow-findings turns them into a warning that carries the reason', () => {
    const critical = found({
      scan: { status: 'COMPLETE', counts: { CRITICAL: 2, HIGH: 1 }, critical: ['CVE-1', 'CVE-2'] },
    });
    const refused = evaluateImageScan(critical)!;
    expect(refused.status).toBe('fail');
    expect(refused.observed).toContain('2 CRITICAL finding(s) (CVE-1, CVE-2)');
    const accepted = evaluateImageScan(critical, 'not reachable, fixed in 1.4.4')!;
    expect(accepted.status).toBe('warn');
    expect(accepted.observed).toContain('accepted with --allow-findings: not reachable, fixed in 1.4.4');
  });

  it('an image never scanned (or a scan in progress) cannot pass: error, never pass', () => {
    expect(evaluateImageScan(found({ scan: { status: null, counts: {}, critical: [] } }))!.status).toBe(
      'error',
    );
    expect(
      evaluateImageScan(found({ scan: { status: 'IN_PROGRESS', counts: {}, critical: [] } }))!.status,
    ).toBe('error');
    expect(evaluateImageScan(found())!.status).toBe('pass');
  });

  it("in a protected environment 'latest' is refused with the digest to use; a mutable tag is pinned to its digest", () => {
    const latest = found({ ref: { ...running, tag: 'latest' }, tags: ['latest', '1.4.3'] });
    const refused = evaluateImageTag(latest, true)!;
    expect(refused.status).toBe('fail');
    expect(refused.remediation).toContain(`--image ${DIGEST}`);
    expect(evaluateImageTag(latest, false)).toBeNull();
    expect(evaluateImageTag(found(), true)!.observed).toContain(`deployed by its digest ${DIGEST}`);
    expect(deployedReference(found(), true)).toBe(`${REGISTRY}/fivestar/internal-pe@${DIGEST}`);
    expect(deployedReference(found({ mutability: 'IMMUTABLE' }), true)).toBe(
      `${REGISTRY}/fivestar/internal-pe:1.4.3`,
    );
    expect(deployedReference(found(), false)).toBe(`${REGISTRY}/fivestar/internal-pe:1.4.3`);
  });
});
