import type { FakeAws, FakeAwsOptions } from './fake-aws.mjs';
export const COMPONENTS: string[];
export interface WorldOverrides {
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data of every shape
  service?: (service: Record<string, any>, component: string) => Record<string, any>;
  db?: Record<string, unknown>;
  firingAlarms?: string[];
  errorEvents?: { message: string; timestamp: number; eventId?: string }[];
  maintenanceMode?: string;
  http?: FakeAwsOptions['http'];
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
