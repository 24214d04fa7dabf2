import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ALWAYS_ALLOWED,
  AWS_PERMISSIONS,
  allActions,
  IAM_ACTION_OF_OPERATION,
} from '../../../src/base/aws/permissions.js';

const ROOT = resolve(import.meta.dirname, '../../..');

/** The IAM service prefix of each AWS SDK client package (@aws-sdk/client-<name>). */
const IAM_PREFIX: Record<string, string> = {
  'application-auto-scaling': 'application-autoscaling',
  cloudtrail: 'cloudtrail',
  cloudwatch: 'cloudwatch',
  codedeploy: 'codedeploy',
  'cloudwatch-logs': 'logs',
  'config-service': 'config',
  dynamodb: 'dynamodb',
  elasticache: 'elasticache',
  eventbridge: 'events',
  firehose: 'firehose',
  ec2: 'ec2',
  ecr: 'ecr',
  ecs: 'ecs',
  'elastic-load-balancing-v2': 'elasticloadbalancing',
  guardduty: 'guardduty',
  iam: 'iam',
  kms: 'kms',
  rds: 'rds',
  s3: 's3',
  'secrets-manager': 'secretsmanager',
  sns: 'sns',
  ssm: 'ssm',
  sts: 'sts',
};

/**
 * The IAM actions src/ really calls: in each file, every `XxxCommand` and `paginateXxx` that one of
 * the @aws-sdk/client-* packages the file imports defines (its dist-types/commands/XxxCommand.d.ts or
 * pagination/XxxPaginator.d.ts), as `<prefix>:Xxx`, with the file that calls it.
 */
function actionsCalledInSrc(): Map<string, string> {
  const called = new Map<string, string>();
  for (const file of readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const text = readFileSync(join(ROOT, 'src', file), 'utf8');
    const clients = [...new Set([...text.matchAll(/@aws-sdk\/client-([a-z0-9-]+)/g)].map((m) => m[1]!))];
    const operations = new Set(
      [...text.matchAll(/\b([A-Z]\w*)Command\b|\bpaginate([A-Z]\w*)\b/g)].map((m) => m[1] ?? m[2]!),
    );
    for (const client of clients) {
      const types = join(ROOT, 'node_modules', '@aws-sdk', `client-${client}`, 'dist-types');
      for (const operation of operations) {
        if (
          existsSync(join(types, 'commands', `${operation}Command.d.ts`)) ||
          existsSync(join(types, 'pagination', `${operation}Paginator.d.ts`))
        ) {
          const named = `${IAM_PREFIX[client] ?? `?${client}`}:${operation}`;
          called.set(IAM_ACTION_OF_OPERATION[named] ?? named, `src/${file}`);
        }
      }
    }
  }
  return called;
}

describe('the IAM actions fsops needs (src/base/aws/permissions.ts) are the ones src/ calls', () => {
  const called = actionsCalledInSrc();

  it('every AWS SDK client fsops depends on has its IAM prefix here', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const clients = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
      .filter((name) => name.startsWith('@aws-sdk/client-'))
      .map((name) => name.slice('@aws-sdk/client-'.length));
    expect(clients.filter((client) => !IAM_PREFIX[client])).toEqual([]);
  });

  it('finds the calls (the scan itself works)', () => {
    expect(called.has('ecs:UpdateService')).toBe(true);
    expect(called.has('cloudwatch:DescribeAlarms')).toBe(true); // through paginateDescribeAlarms
    // S3's IAM action names differ from its API: GetBucketLifecycleConfiguration needs s3:GetLifecycleConfiguration.
    expect(called.has('s3:GetLifecycleConfiguration')).toBe(true);
    expect(called.has('s3:GetBucketLifecycleConfiguration')).toBe(false);
    expect(called.size).toBeGreaterThan(50);
  });

  it('lists every action src/ calls', () => {
    const listed = new Set<string>([...allActions(), ...ALWAYS_ALLOWED]);
    const missing = [...called]
      .filter(([action]) => !listed.has(action))
      .map(([a, file]) => `${a} (${file})`);
    expect(missing).toEqual([]);
  });

  it('lists no action src/ no longer calls', () => {
    expect(allActions().filter((action) => !called.has(action))).toEqual([]);
  });

  it('every family names its commands and has actions', () => {
    for (const family of AWS_PERMISSIONS) {
      expect(family.commands.length, family.family).toBeGreaterThan(3);
      expect(family.actions.length, family.family).toBeGreaterThan(0);
    }
  });
});
