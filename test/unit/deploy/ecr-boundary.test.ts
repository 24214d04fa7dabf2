import {
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ImageNotFoundException,
  ScanNotFoundException,
} from '@aws-sdk/client-ecr';
import { ECSClient, ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { deployImageCheck } from '../../../src/catalogue/checks/deploy/image.js';
import { gatherImageFacts, parseImageRef } from '../../../src/domain/release/image.js';
import { startedDeploymentArn } from '../../../src/domain/release/lifecycle.js';
import { testContext } from '../../helpers/context.js';

// The SDK boundary: ECR and ECS answers as the SDK returns them, errors as the SDK raises them.
const ecr = mockClient(ECRClient);
const ecs = mockClient(ECSClient);
const ref = parseImageRef('123456789099.dkr.ecr.ap-south-1.amazonaws.com/fivestar/internal-pe:1.4.3')!;
const DIGEST = `sha256:${'3'.repeat(64)}`;

afterEach(() => {
  ecr.reset();
  ecs.reset();
});

const client = () =>
  new ECRClient({ region: 'ap-south-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

describe('ECR facts at the SDK boundary', () => {
  it('asks DescribeImages, DescribeImageScanFindings and DescribeRepositories for the registry of the reference', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: ['1.4.3'] }] });
    ecr.on(DescribeImageScanFindingsCommand).resolves({
      imageScanStatus: { status: 'COMPLETE' },
      imageScanFindings: {
        findingSeverityCounts: { CRITICAL: 1 },
        findings: [{ name: 'CVE-2026-1', severity: 'CRITICAL' }],
      },
    });
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [{ imageTagMutability: 'IMMUTABLE' }] });
    const facts = await gatherImageFacts(client(), ref);
    expect(facts).toMatchObject({
      found: true,
      digest: DIGEST,
      mutability: 'IMMUTABLE',
      scan: { counts: { CRITICAL: 1 }, critical: ['CVE-2026-1'] },
    });
    expect(ecr.commandCalls(DescribeImagesCommand)[0]!.args[0].input).toEqual({
      repositoryName: 'fivestar/internal-pe',
      registryId: '123456789099',
      imageIds: [{ imageTag: '1.4.3' }],
    });
  });

  it('ImageNotFoundException is a fact (not found); ScanNotFoundException is "never scanned"', async () => {
    ecr
      .on(DescribeImagesCommand)
      .rejects(new ImageNotFoundException({ message: 'no such image', $metadata: {} }));
    ecr
      .on(DescribeImageScanFindingsCommand)
      .rejects(new ImageNotFoundException({ message: 'no such image', $metadata: {} }));
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [] });
    expect(await gatherImageFacts(client(), ref)).toMatchObject({ found: false });
    ecr.reset();
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    ecr
      .on(DescribeImageScanFindingsCommand)
      .rejects(new ScanNotFoundException({ message: 'none', $metadata: {} }));
    ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [] });
    expect(await gatherImageFacts(client(), ref)).toMatchObject({ found: true, scan: { status: null } });
  });

  it('access denied is not "not found": the check becomes an error finding through the runner, never a pass', async () => {
    const denied = Object.assign(new Error('not authorized to perform ecr:DescribeImages'), {
      name: 'AccessDeniedException',
    });
    ecr.on(DescribeImagesCommand).rejects(denied);
    ecr.on(DescribeImageScanFindingsCommand).resolves({});
    ecr.on(DescribeRepositoriesCommand).resolves({});
    await expect(gatherImageFacts(client(), ref)).rejects.toThrow(/not authorized/);
    await expect(deployImageCheck.run(testContext(), { image: ref, protectedEnv: true })).rejects.toThrow(
      /not authorized/,
    );
  });
});

describe('the deployment an UpdateService started', () => {
  it('is the newest service deployment created since the update', async () => {
    ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        { serviceDeploymentArn: 'sd-old', createdAt: new Date('2026-12-07T09:00:00Z') },
        { serviceDeploymentArn: 'sd-new', createdAt: new Date('2026-12-07T10:00:01Z') },
      ],
    });
    const arn = await startedDeploymentArn(
      new ECSClient({ region: 'ap-south-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
      { cluster: 'c', service: 's', family: 'f' },
      new Date('2026-12-07T10:00:00Z'),
    );
    expect(arn).toBe('sd-new');
    expect(ecs.commandCalls(ListServiceDeploymentsCommand)[0]!.args[0].input.createdAt).toEqual({
      after: new Date('2026-12-07T09:59:00Z'),
    });
  });
});
