import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { DescribeKeyCommand, type KeyMetadata, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  SetTopicAttributesCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/base/config/defaults.js';
import { UsageError } from '../../../src/base/model/errors.js';
import type { ActionContext } from '../../../src/catalogue/action.js';
import { alarmsApplyAction } from '../../../src/catalogue/actions/alarms-apply.js';
import { alarmsAuditCheck } from '../../../src/catalogue/checks/alarms-audit.js';
import { testAws, testContext, testEnv } from '../../helpers/context.js';

// The KMS key the alert topics are encrypted with (monitoring/alarms.yaml topicEncryption.kmsKeyId,
// alias/fivestar-alerts): the audit judges it (DescribeKey, once per run) and apply refuses to create or
// encrypt topics with a key that cannot encrypt. AWS faked at the SDK boundary.

const cloudwatch = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
const logs = mockClient(CloudWatchLogsClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const events = mockClient(EventBridgeClient);
const kms = mockClient(KMSClient);
const KEY = 'alias/fivestar-alerts';
const KEY_ARN = 'arn:aws:kms:ap-south-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });
const topicArn = (name: string) => `arn:aws:sns:ap-south-1:123456789012:${name}`;
const TOPICS = [
  'dev-fivestar-alerts-critical',
  'dev-fivestar-alerts-high',
  'dev-fivestar-alerts-warning',
  'dev-fivestar-payments-alerts',
  'dev-fivestar-security-alerts',
];

function key(meta: Partial<KeyMetadata>) {
  kms.on(DescribeKeyCommand).resolves({
    KeyMetadata: { KeyId: '1234abcd', Arn: KEY_ARN, Enabled: true, KeyState: 'Enabled', ...meta },
  });
}

beforeEach(() => {
  elb.on(DescribeLoadBalancersCommand).callsFake((input: { Names: string[] }) => ({
    LoadBalancers: [
      { LoadBalancerArn: `arn:aws:elasticloadbalancing:ap-south-1:1:loadbalancer/app/${input.Names[0]}/abc` },
    ],
  }));
  elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });
  logs.on(DescribeMetricFiltersCommand).resolves({ metricFilters: [] });
  events.on(DescribeRuleCommand).rejects(awsError('ResourceNotFoundException'));
  events.on(ListTargetsByRuleCommand).rejects(awsError('ResourceNotFoundException'));
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  cloudwatch.on(ListMetricsCommand).resolves({ Metrics: [] });
  // Every topic exists, encrypted with the catalogue's key.
  sns.on(ListTopicsCommand).resolves({ Topics: TOPICS.map((t) => ({ TopicArn: topicArn(t) })) });
  sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
  sns
    .on(GetTopicAttributesCommand)
    .resolves({ Attributes: { KmsMasterKeyId: KEY, Policy: '{"Statement":[]}' } });
  key({});
});
afterEach(() => {
  for (const mock of [cloudwatch, sns, logs, elb, events, kms]) mock.reset();
});

async function audit(summary = false) {
  const ctx = testContext({ envName: 'dev' });
  return alarmsAuditCheck.run(ctx, summary ? { summary } : {});
}
const topicKey = (results: Awaited<ReturnType<typeof audit>>) =>
  results.filter((r) => r.id === 'alarms.audit.topic-key' || r.resource === KEY);

describe('alarms.audit: the topics KMS key', () => {
  it('an enabled key passes; DescribeKey is asked once, for the catalogue key (none without topicEncryption)', async () => {
    const results = await audit();
    expect(topicKey(results)).toEqual([
      expect.objectContaining({
        id: 'alarms.audit.topic-key',
        status: 'pass',
        resource: KEY,
        observed: `Enabled (${KEY_ARN})`,
      }),
    ]);
    expect(kms.commandCalls(DescribeKeyCommand).map((c) => c.args[0].input)).toEqual([{ KeyId: KEY }]);
    kms.resetHistory();
    // A catalogue without topicEncryption judges no key and calls no KMS.
    const file = join(mkdtempSync(join(tmpdir(), 'fsops-cat-')), 'alarms.yaml');
    writeFileSync(
      file,
      readFileSync('monitoring/alarms.yaml', 'utf8').replace(/topicEncryption:\n\s+kmsKeyId: [^\n]+\n/, ''),
    );
    const plain = await alarmsAuditCheck.run(testContext({ envName: 'dev' }), { catalogue: file });
    expect(topicKey(plain)).toEqual([]);
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(0);
  });

  it('a disabled key fails with enable-key; the summary says every notification is dropped', async () => {
    key({ Enabled: false, KeyState: 'Disabled' });
    expect(topicKey(await audit())).toEqual([
      expect.objectContaining({
        status: 'fail',
        severity: 'critical',
        observed: `KMS key ${KEY} is disabled (KeyState Disabled): every message published to a topic encrypted with it is dropped`,
        remediation: `\`aws kms enable-key --key-id ${KEY_ARN}\`.`,
      }),
    ]);
    const [summary] = await audit(true);
    expect(summary).toMatchObject({ status: 'fail' });
    expect(summary!.observed).toContain(`the topic key ${KEY} cannot encrypt: every notification is dropped`);
  });

  it('a key pending deletion fails with cancel-key-deletion then enable-key', async () => {
    key({ Enabled: false, KeyState: 'PendingDeletion', DeletionDate: new Date('2026-12-14T00:00:00Z') });
    expect(topicKey(await audit())).toEqual([
      expect.objectContaining({
        status: 'fail',
        observed: `KMS key ${KEY} is pending deletion (deleted 2026-12-14): every message published to a topic encrypted with it is dropped`,
        remediation: `\`aws kms cancel-key-deletion --key-id ${KEY_ARN}\` then \`aws kms enable-key --key-id ${KEY_ARN}\` (a cancelled deletion leaves the key disabled).`,
      }),
    ]);
  });

  it('a missing key (NotFoundException) fails with how to create it', async () => {
    kms.on(DescribeKeyCommand).rejects(awsError('NotFoundException', `Alias ${KEY} is not found.`));
    const [found] = topicKey(await audit());
    expect(found).toMatchObject({
      status: 'fail',
      observed: `KMS key ${KEY} not found (NotFoundException): every message published to a topic encrypted with it is dropped`,
    });
    expect(found!.remediation).toContain(`aws kms create-alias --alias-name ${KEY}`);
  });

  it('DescribeKey denied: its own error naming kms:DescribeKey, never a pass; the topics are still judged', async () => {
    kms
      .on(DescribeKeyCommand)
      .rejects(awsError('AccessDeniedException', 'User is not authorized to perform: kms:DescribeKey'));
    const results = await audit();
    expect(topicKey(results)).toEqual([
      expect.objectContaining({
        id: 'alarms.audit.unread',
        status: 'error',
        observed: expect.stringMatching(
          /^could not read the KMS key alias\/fivestar-alerts of the alert topics \(kms:DescribeKey\): access denied/,
        ),
        remediation: expect.stringMatching(/^Grant kms:DescribeKey on alias\/fivestar-alerts/),
      }),
    ]);
    expect(results.filter((r) => r.id === 'alarms.audit.topic').length).toBeGreaterThan(0);
  });
});

function context(): ActionContext {
  const signal = new AbortController().signal;
  return {
    env: testEnv('dev'),
    config: DEFAULT_CONFIG,
    aws: testAws(),
    now: new Date(),
    signal,
    stopRequested: () => signal.aborted,
    db: async () => {
      throw new Error('no database');
    },
    log: () => {},
  };
}

describe('alarms.apply: never a topic encrypted with a key that cannot encrypt', () => {
  beforeEach(() => {
    sns.on(ListTopicsCommand).resolves({ Topics: [] });
  });

  it('a missing key refuses the plan (UsageError: exit 2) with one line and the fix; nothing is created', async () => {
    kms.on(DescribeKeyCommand).rejects(awsError('NotFoundException', `Alias ${KEY} is not found.`));
    const refused = await alarmsApplyAction.plan(context(), {}).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UsageError);
    const message = (refused as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(
      /^alarms apply: not creating or encrypting topics with topicEncryption\.kmsKeyId alias\/fivestar-alerts: KMS key alias\/fivestar-alerts not found \(NotFoundException\)/,
    );
    expect(message).toContain(`Fix: Create a customer managed key`);
    expect(sns.commandCalls(CreateTopicCommand)).toHaveLength(0);
  });

  it('a disabled key or one pending deletion is refused too, with its fix', async () => {
    key({ Enabled: false, KeyState: 'Disabled' });
    await expect(alarmsApplyAction.plan(context(), {})).rejects.toThrow(
      /is disabled \(KeyState Disabled\).*Fix: `aws kms enable-key --key-id arn:aws:kms:/,
    );
    key({ Enabled: false, KeyState: 'PendingDeletion' });
    await expect(alarmsApplyAction.plan(context(), {})).rejects.toThrow(
      /pending deletion.*cancel-key-deletion/,
    );
  });

  it('an existing unencrypted topic is not encrypted with a missing key', async () => {
    sns.on(ListTopicsCommand).resolves({ Topics: TOPICS.map((t) => ({ TopicArn: topicArn(t) })) });
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: { Policy: '{"Statement":[]}' } });
    kms.on(DescribeKeyCommand).rejects(awsError('NotFoundException'));
    await expect(alarmsApplyAction.plan(context(), {})).rejects.toBeInstanceOf(UsageError);
    expect(sns.commandCalls(SetTopicAttributesCommand)).toHaveLength(0);
  });

  it('DescribeKey denied: the plan fails naming kms:DescribeKey (an error of the run, not a refusal)', async () => {
    kms.on(DescribeKeyCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
    const failed = await alarmsApplyAction.plan(context(), {}).catch((error: unknown) => error);
    expect(failed).not.toBeInstanceOf(UsageError);
    expect((failed as Error).message).toMatch(
      /^could not read the KMS key alias\/fivestar-alerts \(kms:DescribeKey\) before creating or encrypting topics with it: access denied/,
    );
  });

  it('an enabled key plans the encrypted topics; topics already encrypted need no DescribeKey', async () => {
    const plan = await alarmsApplyAction.plan(context(), {});
    expect(plan.lines).toContain(
      'create topic dev-fivestar-payments-alerts: SNS topic dev-fivestar-payments-alerts (team payments), encrypted with alias/fivestar-alerts, tagged ManagedBy=fsops',
    );
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(1);
    kms.resetHistory();
    sns.on(ListTopicsCommand).resolves({ Topics: TOPICS.map((t) => ({ TopicArn: topicArn(t) })) });
    await alarmsApplyAction.plan(context(), {});
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(0);
  });
});
