import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/base/config/defaults.js';
import {
  loadConfig,
  parseConfigText,
  redactConfig,
  requireComponent,
  resolveEnvironment,
} from '../../../src/base/config/load.js';
import { UsageError } from '../../../src/base/model/errors.js';

describe('built-in defaults', () => {
  it('describe the guides: names, region and the §4.1 profiles', () => {
    const prod = resolveEnvironment(DEFAULT_CONFIG, 'prod');
    expect(prod.region).toBe('ap-south-1');
    expect(prod.nameOf('cluster')).toBe('prod-fivestar-payments');
    expect(prod.nameOf('service', 'internal-pe')).toBe('prod-internal-pe-service');
    expect(prod.nameOf('taskFamily', 'customer-portal')).toBe('prod-fivestar-customer-portal');
    expect(prod.nameOf('dbSecret')).toBe('fivestar/payments/prod/database');
    expect(prod.settings.ecs).toEqual({ desiredCount: 3, cpu: 2048, memory: 4096 });
    expect(prod.settings.rds.backupRetentionPeriod).toBe(35);
    expect(resolveEnvironment(DEFAULT_CONFIG, 'staging').settings.rds.backupRetentionPeriod).toBe(14);
    expect(resolveEnvironment(DEFAULT_CONFIG, 'dev').settings.logs.retentionDays).toBe(7);
  });
});

describe('parseConfigText', () => {
  it('overrides any part and keeps the rest', () => {
    const config = parseConfigText(`
names:
  cluster: fivestar-payments
environments:
  prod:
    profile: fivestar-prod
    accountId: "999999999999"
    ecs: { desiredCount: 4 }
    thresholds:
      cpuPercent: { warn: 70, fail: 85 }
    healthUrls:
      internal-pe: https://pe.example.com
`);
    const prod = resolveEnvironment(config, 'prod');
    expect(prod.nameOf('cluster')).toBe('fivestar-payments');
    expect(prod.profile).toBe('fivestar-prod');
    expect(prod.accountId).toBe('999999999999');
    expect(prod.settings.ecs).toEqual({ desiredCount: 4, cpu: 2048, memory: 4096 });
    expect(prod.thresholds.cpuPercent).toEqual({ warn: 70, fail: 85 });
    expect(prod.thresholds.memoryPercent).toEqual(DEFAULT_CONFIG.thresholds.memoryPercent);
  });

  it('reports every problem with its path at once', () => {
    const text = `
region: 5
environments:
  prod:
    accountId: "12"
    ecs: { cpu: -1 }
    bogus: true
names:
  service: "{env}-{servce}"
thresholds:
  cpuPercent: { warn: 95, fail: 90 }
`;
    let message = '';
    try {
      parseConfigText(text, 'fsops.config.yaml');
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      message = (error as Error).message;
    }
    expect(message).toContain('fsops.config.yaml is invalid');
    expect(message).toContain('region:');
    expect(message).toContain('environments.prod.accountId: an AWS account id is 12 digits');
    expect(message).toContain('environments.prod.ecs.cpu');
    expect(message).toContain('environments.prod: unknown setting bogus');
  });

  it('checks name placeholders and threshold order once the shape is valid', () => {
    expect(() => parseConfigText('names: { service: "{env}-{servce}" }')).toThrow(
      /names.service: unknown placeholder \{servce\}/,
    );
    expect(() => parseConfigText('thresholds: { cpuPercent: { warn: 95, fail: 90 } }')).toThrow(
      /thresholds.cpuPercent: warn \(95\) must come before fail \(90\)/,
    );
  });

  it('rejects YAML that does not parse, naming the line', () => {
    expect(() => parseConfigText('region: [unclosed\nnames: x', 'my.yaml')).toThrow(
      /my.yaml line \d+: not valid YAML/,
    );
    expect(() => parseConfigText('- a list', 'my.yaml')).toThrow(/expected a mapping/);
  });
});

describe('environments and components', () => {
  it('name the valid choices when given a wrong one', () => {
    expect(() => resolveEnvironment(DEFAULT_CONFIG, 'production')).toThrow(
      "unknown environment 'production': valid environments are dev, staging, prod",
    );
    expect(() => resolveEnvironment(DEFAULT_CONFIG, undefined)).toThrow(/no environment given/);
    const prod = resolveEnvironment(DEFAULT_CONFIG, 'prod');
    expect(() => requireComponent(prod, 'internal')).toThrow(
      "unknown component 'internal': valid components are internal-pe, customer-portal",
    );
  });
});

describe('loadConfig', () => {
  it('reads an explicit file and fails clearly when it is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsops-config-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'region: eu-west-1\n');
    expect(loadConfig(file)).toMatchObject({ path: file, config: { region: 'eu-west-1' } });
    expect(() => loadConfig(join(dir, 'missing.yaml'))).toThrow(/config file not found/);
  });

  it('hides database passwords when shown', () => {
    const config = parseConfigText('environments: { dev: { database: { password: hunter2 } } }');
    expect(JSON.stringify(redactConfig(config))).not.toContain('hunter2');
  });
});
