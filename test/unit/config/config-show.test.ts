import { describe, expect, it } from 'vitest';
import { parseConfigText, redactConfig } from '../../../src/base/config/load.js';
import { environmentView } from '../../../src/commands/config.js';

describe('config show --env: one environment as it runs', () => {
  it('shows every shared section, the limits and the environment overrides merged, no secrets', () => {
    const config = parseConfigText(`
environments:
  prod:
    limits: { maxDesiredCount: 12 }
    logs: { retentionDays: 90, kmsRequired: true }
    database:
      host: localhost
      port: 15432
      password: hunter2
      thresholds: { lockWaitSeconds: { warn: 5, fail: 30 } }
incident:
  notify:
    slack: { url: { env: FSOPS_SLACK_WEBHOOK_URL, secretId: fivestar/ops/slack, secretKey: url } }
`);
    const view = environmentView(redactConfig(config), 'prod');
    for (const section of [
      'incident',
      'backup',
      'security',
      'lms',
      'limits',
      'maintenance',
      'audit',
      'logArchive',
    ]) {
      expect(view, section).toHaveProperty(section);
    }
    expect(view.limits).toEqual({ maxDesiredCount: 12 });
    expect(view.lms).toMatchObject({ dynamodb: { table: 'prod-fivestar-transaction-queue' } });
    expect(view.logs).toEqual({
      errorPattern: 'ERROR',
      since: '15m',
      retentionDays: 90,
      kmsRequired: true,
      archiveRequired: true,
    });
    expect(view.names).toMatchObject({ logArchiveBucket: 'fivestar-payments-prod-log-archive' });
    expect(view.database).toMatchObject({
      host: 'localhost',
      port: 15432,
      password: '********',
      session: { statementTimeoutMs: 10000 },
      thresholds: { lockWaitSeconds: { warn: 5, fail: 30 }, longQuerySeconds: { warn: 60, fail: 300 } },
    });
    // the notification channel is a reference (a variable name, a secret id), never a value
    expect(view.incident).toMatchObject({
      notify: { slack: { url: { env: 'FSOPS_SLACK_WEBHOOK_URL', secretId: 'fivestar/ops/slack' } } },
    });
    expect(JSON.stringify(view)).not.toContain('hunter2');
  });

  it('an environment without limits shows the default maximum that fsops scale applies', () => {
    const view = environmentView(parseConfigText(''), 'staging');
    expect(view.limits).toEqual({ maxDesiredCount: 20 });
    expect(view.names).toMatchObject({ cluster: 'staging-fivestar-payments' });
  });
});
