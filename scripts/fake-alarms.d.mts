// Types of scripts/fake-alarms.mjs for the tests.
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
export const FAKE_CONFIG_VALUES: Record<string, number>;
export const FAKE_FAILED_LOGIN_PATTERN: string;
export function fakeAlb(
  env: string,
  account: string,
  component: string,
): { arn: string; targetGroupArn: string; dimension: string; targetGroupDimension: string };
export function fakeAlarmAccount(
  env: string,
  account: string,
  components: string[],
  overrides?: { missingAlarms?: string[]; unsubscribedTopics?: string[] },
): {
  alarms: Map<string, MetricAlarm>;
  // biome-ignore lint/suspicious/noExplicitAny: AWS wire data of every shape
  subscriptions: Record<string, any>[];
  // biome-ignore lint/suspicious/noExplicitAny: handlers of every shape
  [service: string]: any;
};
