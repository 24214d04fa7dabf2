import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Deployment, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import { vi } from 'vitest';
import type { DeploymentHistory, HistoryDeployment, RollbackFacts } from '../../../src/domain/ecs/target.js';
import type { PromptIO } from '../../../src/engine/safety.js';
import { TEST_CREDENTIALS } from '../../helpers/context.js';

export const FAMILY = 'prod-fivestar-internal-pe';
export const arn = (revision: number, family = FAMILY) =>
  `arn:aws:ecs:ap-south-1:123456789014:task-definition/${family}:${revision}`;

export function deployment(revision: number, overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: `ecs-svc/${revision}`,
    status: 'PRIMARY',
    taskDefinition: arn(revision),
    desiredCount: 3,
    runningCount: 3,
    pendingCount: 0,
    failedTasks: 0,
    rolloutState: 'COMPLETED',
    ...overrides,
  };
}

export function service(revision: number, overrides: Partial<Service> = {}): Service {
  return {
    serviceName: 'prod-internal-pe-service',
    status: 'ACTIVE',
    taskDefinition: arn(revision),
    desiredCount: 3,
    runningCount: 3,
    pendingCount: 0,
    deployments: [deployment(revision)],
    events: [],
    ...overrides,
  };
}

let sequence = 0;
export function historyEntry(
  revision: number,
  status: string,
  finishedAt: string,
  overrides: Partial<HistoryDeployment> = {},
): HistoryDeployment {
  sequence += 1;
  return {
    arn: `arn:aws:ecs:ap-south-1:123456789014:service-deployment/prod-fivestar-payments/prod-internal-pe-service/d${sequence}`,
    status,
    createdAt: new Date(new Date(finishedAt).getTime() - 600_000),
    finishedAt: new Date(finishedAt),
    targetTaskDefinition: arn(revision),
    sourceTaskDefinitions: [],
    targetImages: [],
    ...overrides,
  };
}

export function facts(
  running: Service,
  activeRevisions: number[],
  history: DeploymentHistory | HistoryDeployment[] = { available: false, reason: 'AccessDeniedException' },
): RollbackFacts {
  return {
    service: running,
    family: FAMILY,
    activeRevisions: [...activeRevisions].sort((a, b) => b - a).map((r) => arn(r)),
    history: Array.isArray(history) ? { available: true, deployments: history } : history,
  };
}

export function taskDefinition(revision: number, overrides: Partial<TaskDefinition> = {}): TaskDefinition {
  return {
    taskDefinitionArn: arn(revision),
    family: FAMILY,
    revision,
    status: 'ACTIVE',
    cpu: '2048',
    memory: '4096',
    registeredAt: new Date('2026-11-20T10:00:00Z'),
    containerDefinitions: [
      {
        name: 'internal-pe',
        image: `123456789014.dkr.ecr.ap-south-1.amazonaws.com/fivestar-internal-pe:1.4.${revision}`,
        environment: [{ name: 'ASPNETCORE_ENVIRONMENT', value: 'Production' }],
        secrets: [
          {
            name: 'DATABASE_CONNECTION_STRING',
            valueFrom:
              'arn:aws:secretsmanager:ap-south-1:123456789014:secret:fivestar/payments/prod/database',
          },
        ],
      },
    ],
    ...overrides,
  };
}

/**
 * A scripted terminal for the service commands' tests: `isTTY` as given, every question answered
 * `answer` (and kept in `asked`), what it prints (the plan) handed to `print`.
 */
export function scriptedTerminal(
  isTTY: boolean,
  answer: string,
  print: (text: string) => void,
): PromptIO & { asked: string[] } {
  const asked: string[] = [];
  return {
    isTTY,
    asked,
    async ask(question) {
      asked.push(question);
      return answer;
    },
    print,
  };
}

/** The audit records written to `dir`/audit.jsonl, in order (none yet: []). */
export function auditRecords(dir: string): Record<string, unknown>[] {
  try {
    return readFileSync(join(dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  } catch {
    return [];
  }
}

/** What every service command test runs under: the audit file in `dir`, the test credentials. */
export function stubCommandEnv(dir: string): void {
  vi.stubEnv('FSOPS_AUDIT_FILE', join(dir, 'audit.jsonl'));
  vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
}
