import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_CREDENTIALS, runFsops } from '../../helpers/cli.js';

/** A loopback HTTP server that is not AWS: a web page, a 404 page, or no answer at all. */
async function notAws(mode: 'page' | 'not-found' | 'hang'): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    if (mode === 'hang') return;
    res.writeHead(mode === 'page' ? 200 : 404, { 'content-type': 'text/html' });
    res.end('<html><body>It works!</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

function expectOneLine(stderr: string, pattern: RegExp): void {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(pattern);
  expect(stderr).not.toMatch(/TypeError|SyntaxError|unexpected error|\n\s+at /);
}

describe('a malformed endpoint URL is refused up front', () => {
  for (const bad of ['notaurl', 'http://', 'ftp://sts.example.com', 'http://[::1']) {
    it(`--endpoint-url '${bad}': one line, exit 2`, async () => {
      const result = await runFsops(['validate', 'prod', '--endpoint-url', bad], FAKE_CREDENTIALS);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expectOneLine(
        result.stderr,
        /^fsops: --endpoint-url '.*' is not a valid endpoint URL \(.*\): give http\(s\):\/\/host/,
      );
    });
  }

  it('AWS_ENDPOINT_URL too, and for database commands without --env', async () => {
    const viaEnv = await runFsops(['validate', 'prod'], {
      ...FAKE_CREDENTIALS,
      AWS_ENDPOINT_URL: 'localhost:4566',
    });
    expect(viaEnv.code).toBe(2);
    expectOneLine(viaEnv.stderr, /^fsops: AWS_ENDPOINT_URL 'localhost:4566' is not a valid endpoint URL/);
    const db = await runFsops([
      'db',
      'connections',
      '--db-url',
      'postgres://u@127.0.0.1:1/x',
      '--endpoint-url',
      'nope',
    ]);
    expect(db.code).toBe(2);
    expectOneLine(db.stderr, /^fsops: --endpoint-url 'nope' is not a valid endpoint URL/);
  });
});

describe('an endpoint that is not AWS', () => {
  it('a web page: one line, exit 3 (it used to be "wrong AWS account: credentials are for unknown")', async () => {
    const fake = await notAws('page');
    server = fake.server;
    const result = await runFsops(['validate', 'prod', '--endpoint-url', fake.url], FAKE_CREDENTIALS);
    expect(result.code).toBe(3);
    expectOneLine(result.stderr, /^fsops: cannot verify the AWS identity for prod: .*names no account/);
  });

  it('a 404 page: one line, exit 3', async () => {
    const fake = await notAws('not-found');
    server = fake.server;
    const result = await runFsops(['validate', 'prod', '--endpoint-url', fake.url], FAKE_CREDENTIALS);
    expect(result.code).toBe(3);
    expectOneLine(
      result.stderr,
      /^fsops: cannot verify the AWS identity for prod: the endpoint did not answer like AWS/,
    );
  });

  it('no answer at all: the account check gives up on its own (it took 50 s), one line, exit 3', async () => {
    const fake = await notAws('hang');
    server = fake.server;
    // The bound under test (aws.preflightTimeoutMs, 6 s by default), short so the test is.
    const config = join(mkdtempSync(join(tmpdir(), 'fsops-preflight-')), 'fsops.config.yaml');
    writeFileSync(config, 'aws: { preflightTimeoutMs: 1000 }\n');
    const result = await runFsops(
      ['validate', 'prod', '--endpoint-url', fake.url, '--config', config],
      FAKE_CREDENTIALS,
    );
    expect(result.code).toBe(3);
    expectOneLine(
      result.stderr,
      /^fsops: cannot verify the AWS identity for prod: no answer from STS within 1 s \(endpoint http:\/\/127\.0\.0\.1:\d+\)\n$/,
    );
  }, 15_000);
});

describe('an AWS profile that does not exist', () => {
  it('--profile X says X was not found where the SDK looked, not "set --profile"', async () => {
    const result = await runFsops(['validate', 'prod', '--profile', 'nosuch']);
    expect(result.code).toBe(2);
    expectOneLine(
      result.stderr,
      /^fsops: AWS profile 'nosuch' not found in \S+aws-config or \S+aws-credentials/,
    );
    expect(result.stderr).not.toContain('set --profile');
  });

  it('AWS_PROFILE the same', async () => {
    const result = await runFsops(['validate', 'prod'], { AWS_PROFILE: 'typo' });
    expect(result.code).toBe(2);
    expectOneLine(result.stderr, /^fsops: AWS profile 'typo' not found in /);
  });
});
