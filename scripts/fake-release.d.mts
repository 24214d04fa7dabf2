import type { FakeAws, Handler } from './fake-aws.mjs';

export const REGISTRY: string;
export const BLUE_GREEN_STAGES: string[];
export function digestOf(n: number): string;

export interface ReleaseImage {
  digest: string;
  tags?: string[];
  critical?: number;
  high?: number;
  /** null: never scanned (ScanNotFoundException). */
  scan?: string | null;
}

export interface ReleaseOptions {
  component?: string;
  revision?: number;
  image?: string;
  runningDigest?: string;
  images?: Record<string, ReleaseImage>;
  mutability?: 'MUTABLE' | 'IMMUTABLE';
  strategy?: 'ROLLING' | 'BLUE_GREEN';
  /** A rolling service that is ready for blue/green (its load balancer has advancedConfiguration). */
  advanced?: boolean;
  controller?: 'ECS' | 'CODE_DEPLOY';
  rolloutPolls?: number;
  rolloutFails?: boolean;
  stagePolls?: number;
  hold?: { stage: string; polls: number };
  alarmRollbackAt?: string;
  alarmName?: string;
  // biome-ignore lint/suspicious/noExplicitAny: the fake's service deployment record
  onStage?(stage: string, deployment: any): void;
  /** PaymentSuccessRate datapoints, one per period ending now (default [99.6, 99.7]; [] none). */
  successRate?: number[];
  /** Blue/green: a PAUSE lifecycle hook at this stage (held until ContinueServiceDeployment). */
  pauseHook?: string;
  /** CODE_DEPLOY: polls the original task set is kept after traffic moved (default 1). */
  cdHold?: number;
  /** CODE_DEPLOY: the deployment fails and CodeDeploy rolls it back. */
  cdFails?: boolean;
  /** CODE_DEPLOY: the group's termination wait in minutes (default 5; 0: no kept phase). */
  terminationWait?: number;
  logEvents?: LogEvent[];
}

export interface LogEvent {
  timestamp: number;
  message: string;
}

export interface ReleaseState {
  running: number;
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data
  deploymentConfiguration: Record<string, any>;
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data
  deployments: Record<string, any>[];
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data
  serviceDeployments: Record<string, any>[];
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data
  updates: Record<string, any>[];
  stops: { serviceDeploymentArn: string; stopType: string }[];
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data
  registered: Record<string, any>[];
  polls: number;
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data
  taskSets: Record<string, any>[];
  // biome-ignore lint/suspicious/noExplicitAny: the fake's CodeDeploy deployments
  codeDeployments: Record<string, any>[];
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data
  cdCreates: Record<string, any>[];
  cdStops: { deploymentId: string; autoRollbackEnabled?: boolean }[];
  continues: { serviceDeploymentArn: string; hookId: string; action: string }[];
  /** The log group's error events (FilterLogEvents answers the window asked). */
  logEvents: LogEvent[];
}

export interface ReleaseWorld {
  handlers: Record<string, Record<string, Handler>>;
  state: ReleaseState;
  arnOf(revision: number): string;
  repository: string;
}

export function releaseWorld(env: string, options?: ReleaseOptions): ReleaseWorld;
export function installRelease(fake: FakeAws, env: string, options?: ReleaseOptions): ReleaseWorld;
