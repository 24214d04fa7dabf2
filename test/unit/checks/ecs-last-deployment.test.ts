import { describe, expect, it } from 'vitest';
import { evaluateLastDeployment } from '../../../src/catalogue/checks/ecs-last-deployment.js';

const now = new Date('2026-11-29T10:00:00Z');

describe('evaluateLastDeployment', () => {
  it('names the newest deployment, its task definition and its age', () => {
    const result = evaluateLastDeployment(
      'prod-internal-pe-service',
      {
        deployments: [
          {
            status: 'ACTIVE',
            taskDefinition: 'arn:aws:ecs:ap-south-1:1:task-definition/prod-fivestar-internal-pe:42',
            createdAt: new Date('2026-11-28T10:00:00Z'),
          },
          {
            status: 'PRIMARY',
            rolloutState: 'IN_PROGRESS',
            taskDefinition: 'arn:aws:ecs:ap-south-1:1:task-definition/prod-fivestar-internal-pe:43',
            createdAt: new Date('2026-11-29T09:48:00Z'),
          },
        ],
      },
      now,
    );
    expect(result).toMatchObject({
      status: 'pass',
      observed:
        'prod-fivestar-internal-pe:43 PRIMARY IN_PROGRESS, started 12m ago (2026-11-29T09:48:00.000Z)',
    });
  });
  it('a missing service or a deployment without a start time is skipped, never passed', () => {
    expect(evaluateLastDeployment('s', null, now)).toMatchObject({
      status: 'skip',
      observed: 'service not found',
    });
    expect(evaluateLastDeployment('s', { deployments: [{ status: 'PRIMARY' }] }, now).status).toBe('skip');
  });
});
