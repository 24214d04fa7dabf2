import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface AwsSettings {
  region: string;
  profile?: string;
  /** Explicit `--endpoint-url`; AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> are read by the SDK itself. */
  endpoint?: string;
  maxAttempts: number;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  /**
   * `standard` (default): retries with jittered backoff, no client-side rate limiting: a few throttles
   * cost a few hundred milliseconds. `adaptive` adds a token bucket that slows every later call of the
   * client after a throttle: only for a long loop that keeps calling one API (BENCHMARKS.md, "Retry mode").
   * AWS_RETRY_MODE, when set, wins (the SDK reads it).
   */
  retryMode?: 'standard' | 'adaptive';
  /** The account check's whole budget (src/engine/session.ts verifyAccount); default 6 s. */
  preflightTimeoutMs?: number;
  /** The CloudWatch Logs copy of an audit line, in all (src/engine/audit.ts); default 10 s. */
  auditTimeoutMs?: number;
}

export const DEFAULT_PREFLIGHT_TIMEOUT_MS = 6000;
export const DEFAULT_AUDIT_TIMEOUT_MS = 10_000;

/** The SDK's shared client settings: retries (BENCHMARKS.md "Retry mode" for the choice) and timeouts. */
export function clientConfig(settings: AwsSettings) {
  return {
    region: settings.region,
    ...(settings.profile ? { profile: settings.profile } : {}),
    credentials: sharedCredentials(settings),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    maxAttempts: settings.maxAttempts,
    ...(process.env.AWS_RETRY_MODE ? {} : { retryMode: settings.retryMode ?? 'standard' }),
    requestHandler: {
      requestTimeout: settings.requestTimeoutMs,
      connectionTimeout: settings.connectTimeoutMs,
      // Without this the handler only logs a warning on stderr and keeps waiting.
      throwOnRequestTimeout: true,
    },
  };
}

const credentialProviders = new WeakMap<AwsSettings, AwsCredentialIdentityProvider>();

/**
 * One credential provider for every client built from the same settings (so an assume-role profile
 * calls STS once, not once per client), resolved on the first AWS call, and refreshed five minutes
 * before temporary credentials expire. It asks only the source the environment names:
 * - a profile (--profile, the environment's, or AWS_PROFILE): that profile alone (fromIni handles
 *   SSO, credential_process, role_arn/source_profile and credential_source). A missing or broken
 *   profile fails at once instead of falling through to instance-metadata probing;
 * - AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: those;
 * - neither: the SDK's default chain, which includes web identity, the ECS task role (container
 *   credentials endpoint) and EC2 instance metadata: how fsops runs as the scheduled ECS task.
 */
export function sharedCredentials(settings: AwsSettings): AwsCredentialIdentityProvider {
  let provider = credentialProviders.get(settings);
  if (provider) return provider;
  let current: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  provider = async (identityProperties) => {
    if (current && !(current.expiration && current.expiration.getTime() - Date.now() < 300_000))
      return current;
    pending ??= resolveCredentials(settings, identityProperties).finally(() => {
      pending = undefined;
    });
    current = await pending;
    return current;
  };
  credentialProviders.set(settings, provider);
  return provider;
}

async function resolveCredentials(
  settings: AwsSettings,
  // The asking client's settings (region, endpoint), as the SDK's own chain receives them.
  identityProperties: Parameters<AwsCredentialIdentityProvider>[0],
): Promise<AwsCredentialIdentity> {
  const profile = settings.profile ?? process.env.AWS_PROFILE;
  if (profile) {
    const { fromIni } = await import('@aws-sdk/credential-provider-ini');
    return fromIni({ profile })(identityProperties);
  }
  if (process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY) {
    const { fromEnv } = await import('@aws-sdk/credential-provider-env');
    return fromEnv()();
  }
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  return defaultProvider()(identityProperties);
}

/**
 * Every AWS client of one environment, each built on first use so that commands which do not
 * touch a service never load its SDK module (`fsops --help` loads none).
 */
export class AwsClients {
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(readonly settings: AwsSettings) {}

  private lazy<T>(key: string, build: () => Promise<T>): Promise<T> {
    let client = this.cache.get(key) as Promise<T> | undefined;
    if (!client) {
      client = build();
      this.cache.set(key, client);
    }
    return client;
  }

  ecs(): Promise<ECSClient> {
    return this.lazy(
      'ecs',
      async () => new (await import('@aws-sdk/client-ecs')).ECSClient(clientConfig(this.settings)),
    );
  }
  ecr(): Promise<ECRClient> {
    return this.lazy(
      'ecr',
      async () => new (await import('@aws-sdk/client-ecr')).ECRClient(clientConfig(this.settings)),
    );
  }
  rds(): Promise<RDSClient> {
    return this.lazy(
      'rds',
      async () => new (await import('@aws-sdk/client-rds')).RDSClient(clientConfig(this.settings)),
    );
  }
  /** RDS in another region (the DR region of cross-region backup copies); same credentials and endpoint. */
  rdsIn(region: string): Promise<RDSClient> {
    return this.lazy(
      `rds:${region}`,
      async () =>
        new (await import('@aws-sdk/client-rds')).RDSClient(clientConfig({ ...this.settings, region })),
    );
  }
  logs(): Promise<CloudWatchLogsClient> {
    return this.lazy(
      'logs',
      async () =>
        new (await import('@aws-sdk/client-cloudwatch-logs')).CloudWatchLogsClient(
          clientConfig(this.settings),
        ),
    );
  }
  cloudwatch(): Promise<CloudWatchClient> {
    return this.lazy(
      'cloudwatch',
      async () =>
        new (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient(clientConfig(this.settings)),
    );
  }
  codedeploy(): Promise<CodeDeployClient> {
    return this.lazy(
      'codedeploy',
      async () =>
        new (await import('@aws-sdk/client-codedeploy')).CodeDeployClient(clientConfig(this.settings)),
    );
  }
  elbv2(): Promise<ElasticLoadBalancingV2Client> {
    return this.lazy(
      'elbv2',
      async () =>
        new (await import('@aws-sdk/client-elastic-load-balancing-v2')).ElasticLoadBalancingV2Client(
          clientConfig(this.settings),
        ),
    );
  }
  ssm(): Promise<SSMClient> {
    return this.lazy(
      'ssm',
      async () => new (await import('@aws-sdk/client-ssm')).SSMClient(clientConfig(this.settings)),
    );
  }
  secrets(): Promise<SecretsManagerClient> {
    return this.lazy(
      'secrets',
      async () =>
        new (await import('@aws-sdk/client-secrets-manager')).SecretsManagerClient(
          clientConfig(this.settings),
        ),
    );
  }
  sts(): Promise<STSClient> {
    return this.lazy(
      'sts',
      async () => new (await import('@aws-sdk/client-sts')).STSClient(clientConfig(this.settings)),
    );
  }
  eventbridge(): Promise<EventBridgeClient> {
    return this.lazy(
      'eventbridge',
      async () =>
        new (await import('@aws-sdk/client-eventbridge')).EventBridgeClient(clientConfig(this.settings)),
    );
  }
  ec2(): Promise<EC2Client> {
    return this.lazy(
      'ec2',
      async () => new (await import('@aws-sdk/client-ec2')).EC2Client(clientConfig(this.settings)),
    );
  }

  autoScaling(): Promise<ApplicationAutoScalingClient> {
    return this.lazy(
      'autoScaling',
      async () =>
        new (await import('@aws-sdk/client-application-auto-scaling')).ApplicationAutoScalingClient(
          clientConfig(this.settings),
        ),
    );
  }
  guardduty(): Promise<GuardDutyClient> {
    return this.lazy(
      'guardduty',
      async () =>
        new (await import('@aws-sdk/client-guardduty')).GuardDutyClient(clientConfig(this.settings)),
    );
  }
  cloudtrail(): Promise<CloudTrailClient> {
    return this.lazy(
      'cloudtrail',
      async () =>
        new (await import('@aws-sdk/client-cloudtrail')).CloudTrailClient(clientConfig(this.settings)),
    );
  }
  configService(): Promise<ConfigServiceClient> {
    return this.lazy(
      'configService',
      async () =>
        new (await import('@aws-sdk/client-config-service')).ConfigServiceClient(clientConfig(this.settings)),
    );
  }
  /** IAM is global: the SDK signs for us-east-1 whatever the region. */
  iam(): Promise<IAMClient> {
    return this.lazy(
      'iam',
      async () => new (await import('@aws-sdk/client-iam')).IAMClient(clientConfig(this.settings)),
    );
  }
  sns(): Promise<SNSClient> {
    return this.lazy(
      'sns',
      async () => new (await import('@aws-sdk/client-sns')).SNSClient(clientConfig(this.settings)),
    );
  }
  dynamodb(): Promise<DynamoDBClient> {
    return this.lazy(
      'dynamodb',
      async () => new (await import('@aws-sdk/client-dynamodb')).DynamoDBClient(clientConfig(this.settings)),
    );
  }

  /**
   * S3 (the log archive bucket's settings). With an explicit endpoint, path-style addressing: a local or
   * private endpoint has no wildcard DNS for bucket.host names.
   */
  s3(): Promise<S3Client> {
    return this.lazy(
      's3',
      async () =>
        new (await import('@aws-sdk/client-s3')).S3Client({
          ...clientConfig(this.settings),
          ...(this.settings.endpoint ? { forcePathStyle: true } : {}),
        }),
    );
  }

  /** Kinesis Data Firehose (the delivery streams of the log archive's subscription filters). */
  firehose(): Promise<FirehoseClient> {
    return this.lazy(
      'firehose',
      async () => new (await import('@aws-sdk/client-firehose')).FirehoseClient(clientConfig(this.settings)),
    );
  }

  /** KMS (the key the alert topics are encrypted with). */
  kms(): Promise<KMSClient> {
    return this.lazy(
      'kms',
      async () => new (await import('@aws-sdk/client-kms')).KMSClient(clientConfig(this.settings)),
    );
  }

  elasticache(): Promise<ElastiCacheClient> {
    return this.lazy(
      'elasticache',
      async () =>
        new (await import('@aws-sdk/client-elasticache')).ElastiCacheClient(clientConfig(this.settings)),
    );
  }

  destroy(): void {
    for (const client of this.cache.values()) {
      void client.then((c) => (c as { destroy?: () => void }).destroy?.()).catch(() => undefined);
    }
  }
}
