import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../src/base/aws/clients.js';
import { appendAudit } from '../../../src/engine/audit.js';
import { type FakeAws, startFakeAws } from '../../helpers/fake-aws.js';
import { testRuntime } from '../../helpers/runtime.js';

let fake: FakeAws | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('appendAudit: the CloudWatch Logs copy', () => {
  it('a CloudWatch Logs endpoint that never answers does not hold the change: the local line is written, a warning, and on', async () => {
    process.env.AWS_ACCESS_KEY_ID ??= 'AKIDFAKE';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'fake-secret';
    fake = await startFakeAws({ faults: [{ service: 'logs', action: 'CreateLogStream', kind: 'hang' }] });
    // The SDK's own bound (5 attempts of a minute each) would hold the change for minutes.
    const aws = new AwsClients({
      region: 'ap-south-1',
      endpoint: fake.url,
      maxAttempts: 5,
      requestTimeoutMs: 60_000,
      connectTimeoutMs: 1000,
      // The bound under test (config aws.auditTimeoutMs, 10 s by default), short so the test is.
      auditTimeoutMs: 300,
    });
    const file = join(mkdtempSync(join(tmpdir(), 'fsops-audit-')), 'audit.jsonl');
    const savedFile = process.env.FSOPS_AUDIT_FILE;
    delete process.env.FSOPS_AUDIT_FILE;
    const runtime = testRuntime();
    try {
      await appendAudit(
        { identity: null, env: 'prod', command: 'rollback', result: 'started' },
        { file, logGroup: '/fivestar/fsops-audit' },
        aws,
        runtime.stderr,
      );
      expect(runtime.err()).toContain('could not write the audit record to /fivestar/fsops-audit');
    } finally {
      aws.destroy();
      if (savedFile !== undefined) process.env.FSOPS_AUDIT_FILE = savedFile;
    }
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ result: 'started', env: 'prod' });
  }, 10_000);
});
