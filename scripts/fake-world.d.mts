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
  http?: FakeAwsOptions['http'];
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
