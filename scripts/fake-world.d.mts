import type { FakeAws, FakeAwsOptions } from './fake-aws.mjs';
export const COMPONENTS: string[];
export interface WorldOverrides {
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data of every shape
  service?: (service: Record<string, any>, component: string) => Record<string, any>;
  db?: Record<string, unknown>;
  firingAlarms?: string[];
  /** Catalogue alarms (monitoring/alarms.yaml) the account lacks; topics whose subscriptions are gone. */
  missingAlarms?: string[];
  unsubscribedTopics?: string[];
  errorEvents?: { message: string; timestamp: number; eventId?: string }[];
  maintenanceMode?: string;
  /** The SSM redis_url (`/fivestar/payments/{env}/app/redis_url`); default redis://127.0.0.1:6379. */
  redisUrl?: string;
  // biome-ignore lint/suspicious/noExplicitAny: ElastiCache handlers of any shape
  elasticache?: Record<string, (input: Record<string, any>) => unknown>;
  // biome-ignore lint/suspicious/noExplicitAny: ECR handlers of any shape
  ecr?: Record<string, (input: Record<string, any>) => unknown>;
  http?: FakeAwsOptions['http'];
  /** GuardDuty REST routes ('POST /detector/d1/findings', ...) replacing the healthy ones. */
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data of every shape
  guardduty?: Record<string, (input: any) => any>;
  /** The cluster's services (default COMPONENTS); the bench's fleet case has 50. */
  components?: string[];
}
export function fivestarWorld(
  env: 'dev' | 'staging' | 'prod',
  albHost: string,
  overrides?: WorldOverrides,
): Required<Pick<FakeAwsOptions, 'handlers' | 'http'>>;
export function startFakeWorld(
  env: 'dev' | 'staging' | 'prod',
  overrides?: WorldOverrides,
  options?: Pick<FakeAwsOptions, 'faults' | 'delayMs'>,
): Promise<FakeAws>;
export interface BackupRdsOptions {
  now?: number;
  restoredEndpoint?: { Address: string; Port: number };
  sourceEndpoint?: { Address: string; Port: number };
  restoreDelayMs?: number;
  snapshotDelayMs?: number;
  failoverMs?: number;
  /** How long a renamed instance stays `renaming` (ModifyDBInstance NewDBInstanceIdentifier). */
  renameDelayMs?: number;
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data of every shape
  source?: Record<string, any>;
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data of every shape
  snapshots?: Record<string, any>[];
  drRegion?: string;
  drReplicatedLatest?: Date;
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data of every shape
  drCopies?: Record<string, any>[];
  restoreFault?: Error;
}
export interface BackupRdsState {
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data of every shape
  source: Record<string, any>;
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data of every shape
  snapshots: Record<string, any>[];
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data of every shape
  instances: Map<string, { instance: Record<string, any>; createdAt: number; deleting: boolean }>;
  deleted: { id: string; skipFinalSnapshot: boolean }[];
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data of every shape
  restores: { id: string; from: string; input: Record<string, any> }[];
  reboots: { at: number; forceFailover: boolean }[];
  /** ModifyDBInstance calls (renames, deletion protection), in order. */
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data of every shape
  modifications: { id: string; input: Record<string, any> }[];
}
export function backupRds(
  env: 'dev' | 'staging' | 'prod',
  options?: BackupRdsOptions,
): { handlers: Required<FakeAwsOptions>['handlers'][string]; state: BackupRdsState };

/** A second environment on the same endpoint, for requests signed with `accessKeyId`. */
export function addFakeWorld(
  fake: import('./fake-aws.mjs').FakeAws,
  env: string,
  accessKeyId: string,
  overrides?: WorldOverrides,
): Record<string, Record<string, import('./fake-aws.mjs').Handler>>;

export function guideLogGroups(env: 'dev' | 'staging' | 'prod'): string[];
export interface LogArchiveState {
  bucket: {
    missing: boolean;
    /** null: no lifecycle configuration. */
    lifecycleDays: number | null;
    /** null: Object Lock not enabled. */
    objectLock: { Mode: string; Days?: number; Years?: number } | null;
    sseAlgorithm: string;
    publicAccessBlocked: boolean;
  };
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data of every shape
  tasks: Record<string, any>[];
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data of every shape
  created: Record<string, any>[];
  polls: Map<string, number>;
  pollsToComplete: number;
  outcome: Record<string, 'FAILED' | 'CANCELLED' | 'COMPLETED'>;
  hold: Set<string>;
  limitExceeded: number;
}
export function logArchive(
  env: 'dev' | 'staging' | 'prod',
  options?: {
    now?: number | Date;
    archived?: boolean;
    pollsToComplete?: number;
    bucket?: Partial<LogArchiveState['bucket']>;
  },
): {
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data of every shape
  handlers: { logs: Record<string, (input: any) => unknown>; s3: Record<string, (input: any) => unknown> };
  state: LogArchiveState;
  bucket: string;
};
