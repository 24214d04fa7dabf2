import { DescribeImageScanFindingsCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ecrRepository,
  imageVulnerabilitiesCheck,
} from '../../../src/catalogue/checks/security/vulnerabilities.js';
import { runSteps } from '../../../src/engine/runner.js';
import { testContext } from '../../helpers/context.js';

const REGISTRY = '123456789014.dkr.ecr.ap-south-1.amazonaws.com';
const DIGEST_PE = `sha256:${'a'.repeat(64)}`;
const DIGEST_PORTAL = `sha256:${'b'.repeat(64)}`;

describe('vulnerabilities of the images that run (ECS and ECR at the SDK boundary)', () => {
  const ecs = mockClient(ECSClient);
  const ecr = mockClient(ECRClient);
  afterEach(() => {
    ecs.reset();
    ecr.reset();
  });

  function world() {
    ecs.on(DescribeServicesCommand).resolves({ services: [] });
    ecs.on(ListTasksCommand).callsFake((input: { serviceName: string; desiredStatus: string }) => ({
      taskArns:
        input.desiredStatus === 'RUNNING'
          ? [`arn:task/${input.serviceName}/1`, `arn:task/${input.serviceName}/2`]
          : [],
    }));
    ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks.map((arn) => {
        const portal = arn.includes('customer-portal');
        return {
          taskArn: arn,
          lastStatus: 'RUNNING',
          containers: [
            {
              name: 'app',
              // The task definition names a tag; what runs is the digest ECS resolved at launch.
              image: `${REGISTRY}/fivestar/${portal ? 'customer-portal' : 'internal-pe'}:v1.4.2`,
              imageDigest: portal ? DIGEST_PORTAL : DIGEST_PE,
            },
          ],
        };
      }),
    }));
  }

  async function run(params: Record<string, unknown> = {}) {
    const ctx = testContext({ envName: 'prod' });
    return runSteps([{ check: imageVulnerabilitiesCheck, params }], () => ctx, {
      concurrency: 4,
      timeoutMs: 10_000,
    });
  }

  it('a CRITICAL finding in a running image fails; HIGH warns; asked by digest, once per image', async () => {
    world();
    ecr
      .on(DescribeImageScanFindingsCommand)
      .callsFake((input: { repositoryName: string; imageId: { imageDigest: string } }) => ({
        imageScanStatus: { status: 'COMPLETE' },
        imageScanFindings: {
          imageScanCompletedAt: new Date('2026-12-06T02:00:00Z'),
          findingSeverityCounts:
            input.repositoryName === 'fivestar/internal-pe'
              ? { CRITICAL: 2, HIGH: 5, MEDIUM: 9 }
              : { HIGH: 1, LOW: 3 },
          findings:
            input.repositoryName === 'fivestar/internal-pe'
              ? [
                  { name: 'CVE-2026-0001', severity: 'CRITICAL' },
                  { name: 'CVE-2026-0002', severity: 'CRITICAL' },
                ]
              : [],
        },
      }));
    const findings = await run();
    expect(findings.map((f) => [f.resource, f.status])).toEqual([
      [`fivestar/internal-pe@${DIGEST_PE.slice(0, 19)}`, 'fail'],
      [`fivestar/customer-portal@${DIGEST_PORTAL.slice(0, 19)}`, 'warn'],
    ]);
    expect(findings[0]!.observed).toBe(
      'CRITICAL 2, HIGH 5, MEDIUM 9 (ECR basic scan of 2026-12-06); running in internal-pe (2 tasks)',
    );
    expect(findings[0]!.detail).toBe('CRITICAL: CVE-2026-0001, CVE-2026-0002');
    const asked = ecr.commandCalls(DescribeImageScanFindingsCommand).map((c) => c.args[0].input);
    expect(asked).toHaveLength(2);
    expect(asked[0]).toMatchObject({
      registryId: '123456789014',
      repositoryName: 'fivestar/internal-pe',
      imageId: { imageDigest: DIGEST_PE },
    });
  });

  it('a step naming its components looks at those only (the step parameter is accepted, not ignored)', async () => {
    world();
    ecr.on(DescribeImageScanFindingsCommand).resolves({
      imageScanStatus: { status: 'COMPLETE' },
      imageScanFindings: {
        imageScanCompletedAt: new Date('2026-12-06T02:00:00Z'),
        findingSeverityCounts: {},
      },
    });
    const findings = await run({ components: ['customer-portal'] });
    expect(findings.map((f) => [f.resource, f.status])).toEqual([
      [`fivestar/customer-portal@${DIGEST_PORTAL.slice(0, 19)}`, 'pass'],
    ]);
  });

  it('an image never scanned, or not from ECR, is an error, never a pass', async () => {
    world();
    ecr
      .on(DescribeImageScanFindingsCommand)
      .rejects(Object.assign(new Error('Image scan does not exist'), { name: 'ScanNotFoundException' }));
    const findings = await run();
    expect(findings.map((f) => f.status)).toEqual(['error', 'error']);
    expect(findings[0]!.observed).toBe('never scanned (running in internal-pe (2 tasks))');
  });

  it("one service whose tasks cannot be listed, and one image whose scan cannot be read, are their own errors; the other's CRITICAL still fails", async () => {
    world();
    const denied = (action: string) =>
      Object.assign(new Error(`User: x is not authorized to perform: ${action}`), {
        name: 'AccessDeniedException',
      });
    ecr.on(DescribeImageScanFindingsCommand).resolves({
      imageScanStatus: { status: 'COMPLETE' },
      imageScanFindings: { findingSeverityCounts: { CRITICAL: 1 }, findings: [] },
    });
    ecs
      .on(ListTasksCommand, { serviceName: 'prod-customer-portal-service' })
      .rejects(denied('ecs:ListTasks'));
    let findings = await run();
    expect(findings.map((f) => [f.resource, f.status])).toEqual([
      ['prod-customer-portal-service', 'error'],
      [`fivestar/internal-pe@${DIGEST_PE.slice(0, 19)}`, 'fail'],
    ]);
    expect(findings[0]!.observed).toMatch(
      /^could not read the running tasks of prod-customer-portal-service: .*ecs:ListTasks/,
    );

    ecs.reset();
    world();
    ecr
      .on(DescribeImageScanFindingsCommand, { repositoryName: 'fivestar/customer-portal' })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    findings = await run();
    expect(findings.map((f) => [f.resource, f.status])).toEqual([
      [`fivestar/internal-pe@${DIGEST_PE.slice(0, 19)}`, 'fail'],
      [`fivestar/customer-portal@${DIGEST_PORTAL.slice(0, 19)}`, 'error'],
    ]);
    expect(findings[1]!.observed).toMatch(
      /^could not read the ECR scan of fivestar\/customer-portal@sha256:b+: throttled by AWS/,
    );
  });

  it('parses ECR image URIs (tag, digest, nested repository); other registries are not ECR', () => {
    expect(ecrRepository(`${REGISTRY}/fivestar/internal-pe:v1`)).toEqual({
      registryId: '123456789014',
      repository: 'fivestar/internal-pe',
    });
    expect(ecrRepository(`${REGISTRY}/pe@${DIGEST_PE}`)).toEqual({
      registryId: '123456789014',
      repository: 'pe',
    });
    expect(ecrRepository('docker.io/library/nginx:1.27')).toBeNull();
  });
});
