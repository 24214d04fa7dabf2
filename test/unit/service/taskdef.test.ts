import { describe, expect, it } from 'vitest';
import {
  diffTaskDefinitions,
  imageTag,
  parseTaskDef,
  shortTaskDef,
} from '../../../src/domain/ecs/taskdef.js';
import { arn, FAMILY, taskDefinition } from './builders.js';

describe('task definition names', () => {
  it('parses ARNs and family:revision, nothing else', () => {
    expect(parseTaskDef(arn(41))).toEqual({ family: FAMILY, revision: 41 });
    expect(parseTaskDef(`${FAMILY}:7`)).toEqual({ family: FAMILY, revision: 7 });
    expect(parseTaskDef(FAMILY)).toBeNull();
    expect(parseTaskDef(`${FAMILY}:0`)).toBeNull();
    expect(shortTaskDef(arn(41))).toBe(`${FAMILY}:41`);
  });

  it('reads image tags and digests', () => {
    expect(imageTag('123.dkr.ecr.ap-south-1.amazonaws.com/app:1.4.2')).toBe('1.4.2');
    expect(imageTag('registry:5000/app')).toBe('latest');
    expect(imageTag('app@sha256:0123456789abcdef0123')).toBe('sha256:0123456789ab');
  });
});

describe('diffTaskDefinitions', () => {
  it('shows images, CPU, memory and the names (never the values) of changed variables and secrets', () => {
    const from = taskDefinition(42, {
      cpu: '2048',
      containerDefinitions: [
        {
          name: 'internal-pe',
          image: 'repo/internal-pe:1.4.42',
          environment: [
            { name: 'PAYMENT_API_KEY', value: 'sk_live_SECRET_OLD' },
            { name: 'FEATURE_X', value: 'on' },
          ],
          secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:ap-south-1:1:secret:new' }],
        },
        { name: 'sidecar', image: 'repo/sidecar:2' },
      ],
    });
    const to = taskDefinition(41, {
      cpu: '1024',
      containerDefinitions: [
        {
          name: 'internal-pe',
          image: 'repo/internal-pe:1.4.41',
          environment: [
            { name: 'PAYMENT_API_KEY', value: 'sk_live_SECRET_NEW' },
            { name: 'LEGACY_MODE', value: 'true' },
          ],
          secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:ap-south-1:1:secret:old' }],
        },
      ],
    });
    const lines = diffTaskDefinitions(from, to);
    expect(lines).toEqual([
      'task cpu: 2048 -> 1024',
      'image internal-pe: repo/internal-pe:1.4.42 -> repo/internal-pe:1.4.41',
      'environment internal-pe added: LEGACY_MODE',
      'environment internal-pe removed: FEATURE_X',
      'environment internal-pe changed (values not shown): PAYMENT_API_KEY',
      'secrets internal-pe changed (values not shown): DB_PASSWORD',
      'container sidecar: removed',
    ]);
    const text = lines.join('\n');
    expect(text).not.toMatch(/sk_live|secret:old|secret:new|"on"|true/);
  });

  it('is empty for identical definitions', () => {
    expect(diffTaskDefinitions(taskDefinition(42), taskDefinition(42))).toEqual([]);
  });
});
