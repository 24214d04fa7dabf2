import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AwsSettings, clientConfig, sharedCredentials } from '../../../src/base/aws/clients.js';

const settings = (extra: Partial<AwsSettings> = {}): AwsSettings => ({
  region: 'ap-south-1',
  maxAttempts: 1,
  requestTimeoutMs: 1000,
  connectTimeoutMs: 500,
  ...extra,
});

/** A local stand-in for the EC2 instance metadata and ECS container credentials endpoints; counts hits. */
async function metadataServer(): Promise<{ url: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        AccessKeyId: 'AKIDTASKROLE',
        SecretAccessKey: 'task-secret',
        Token: 'task-token',
        Expiration: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

describe('sharedCredentials', () => {
  let dir: string;
  let metadata: Awaited<ReturnType<typeof metadataServer>>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fsops-creds-'));
    metadata = await metadataServer();
    for (const name of [
      'AWS_PROFILE',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'AWS_EC2_METADATA_DISABLED',
    ])
      vi.stubEnv(name, undefined);
    vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'));
    // Any instance-metadata probe would land here and be counted.
    vi.stubEnv('AWS_EC2_METADATA_SERVICE_ENDPOINT', metadata.url);
    writeFileSync(
      join(dir, 'credentials'),
      '[oncall]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n',
    );
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    await new Promise((done) => metadata.server.close(done));
  });

  it('is one provider per settings, shared by every client built from them', () => {
    const s = settings();
    expect(clientConfig(s).credentials).toBe(clientConfig(s).credentials);
    expect(sharedCredentials(s)).toBe(clientConfig(s).credentials);
    expect(sharedCredentials(settings())).not.toBe(sharedCredentials(s));
  });

  it('reads the named profile alone', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDENV');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'env-secret');
    const credentials = await sharedCredentials(settings({ profile: 'oncall' }))();
    expect(credentials.accessKeyId).toBe('AKIDPROFILE');
    expect(metadata.hits).toEqual([]);
  });

  it('takes AWS_PROFILE when no profile is configured', async () => {
    vi.stubEnv('AWS_PROFILE', 'oncall');
    expect((await sharedCredentials(settings())()).accessKeyId).toBe('AKIDPROFILE');
  });

  it('fails at once on a profile that does not exist, without probing instance metadata', async () => {
    await expect(sharedCredentials(settings({ profile: 'nope' }))()).rejects.toMatchObject({
      name: 'CredentialsProviderError',
    });
    expect(metadata.hits).toEqual([]);
  });

  it('uses static environment credentials without probing anything', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDENV');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'env-secret');
    const provider = sharedCredentials(settings());
    const [a, b] = await Promise.all([provider(), provider()]);
    expect(a.accessKeyId).toBe('AKIDENV');
    expect(b).toBe(a);
    expect(metadata.hits).toEqual([]);
  });

  it('without a profile or keys, still reaches the ECS task role (container credentials endpoint)', async () => {
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_FULL_URI', `${metadata.url}/v2/credentials/task`);
    const provider = sharedCredentials(settings());
    const credentials = await provider();
    expect(credentials.accessKeyId).toBe('AKIDTASKROLE');
    expect(credentials.sessionToken).toBe('task-token');
    // Memoized until five minutes before it expires: the second call does not ask again.
    await provider();
    expect(metadata.hits).toEqual(['GET /v2/credentials/task']);
  });
});
