import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/base/config/defaults.js';
import {
  GUIDE_THRESHOLDS,
  GUIDE_VALUES,
  guideLevels,
  guideThresholdAt,
  renderThresholdsDoc,
} from '../../../src/base/config/guide-thresholds.js';
import { ThresholdsSchema } from '../../../src/base/config/schema.js';

describe('the thresholds table', () => {
  it('docs/thresholds.md is generated from it and up to date (npm run docs:thresholds)', () => {
    const committed = readFileSync(new URL('../../../docs/thresholds.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderThresholdsDoc());
  });

  it("covers every key of the config's thresholds (the defaults come from it)", () => {
    expect(Object.keys(guideLevels()).sort()).toEqual(Object.keys(ThresholdsSchema.shape).sort());
    expect(ThresholdsSchema.safeParse(DEFAULT_CONFIG.thresholds).success).toBe(true);
  });

  it("is the config's default levels", () => {
    for (const [key, levels] of Object.entries(guideLevels())) {
      expect(DEFAULT_CONFIG.thresholds[key as keyof typeof DEFAULT_CONFIG.thresholds]).toEqual(levels);
    }
  });

  it('an entry whose levels live elsewhere in the config shows the defaults of that path (RDS ReplicaLag)', () => {
    const lag = guideThresholdAt('database.thresholds.replicationLagSeconds')!;
    expect(lag).toMatchObject({ configKey: null, durationMinutes: 5 });
    expect({ warn: lag.warn, fail: lag.fail }).toEqual(
      DEFAULT_CONFIG.database.thresholds.replicationLagSeconds,
    );
    expect(renderThresholdsDoc()).toContain(
      '| RDS ReplicaLag (each read replica in the region) | `database.thresholds.replicationLagSeconds` |',
    );
  });

  it('every entry has a source, a direction-consistent warn/fail and a duration', () => {
    for (const t of GUIDE_THRESHOLDS) {
      // A guide section, or a runbook's named section (runbooks 002-004 number none): the Redis levels.
      expect(t.source).toMatch(/guide §|runbook 00[234] [A-Z]/);
      expect(t.direction === 'above' ? t.warn <= t.fail : t.warn >= t.fail).toBe(true);
      expect(t.durationMinutes).toBeGreaterThanOrEqual(0);
    }
  });

  it('CPU and memory carry the deployment guide §12.2.1 durations; payment success its four tiers', () => {
    const by = (key: string) => GUIDE_THRESHOLDS.find((t) => t.configKey === key)!;
    expect(by('cpuPercent')).toMatchObject({ warn: 70, fail: 80, durationMinutes: 5 });
    expect(by('memoryPercent')).toMatchObject({ warn: 75, fail: 85, durationMinutes: 3 });
    const success = by('paymentSuccessRatePercent');
    expect([success.warn, success.fail, ...success.tiers!.map((t) => t.level)]).toEqual([98, 95, 90, 80]);
  });

  it("ops guide §6.1.1's critical levels are tiers past the alert: CPU > 90%, memory > 95%, DB connections > 95%", () => {
    const by = (key: string) => GUIDE_THRESHOLDS.find((t) => t.configKey === key)!;
    for (const [key, fail, critical] of [
      ['cpuPercent', 80, 90],
      ['memoryPercent', 85, 95],
      ['dbConnectionsPercent', 80, 95],
    ] as const) {
      expect(by(key).fail).toBe(fail);
      expect(by(key).tiers).toEqual([
        { level: critical, severity: 'critical', label: 'critical', source: 'ops guide §6.1.1' },
      ]);
    }
  });

  it('shows every guide side by side: runbook 003 p99 and error-rate target are not hidden', () => {
    const doc = renderThresholdsDoc();
    expect(doc).toContain('runbook 003: P50 < 100 ms, P95 < 200 ms, P99 < 500 ms');
    expect(doc).toContain('runbook 003: target < 0.1%, alert > 0.5%');
    expect(doc).not.toContain('The guides name p95 only');
    expect(doc).not.toContain('no guide gives an error-rate target');
    for (const t of GUIDE_THRESHOLDS) expect(t.guides.length).toBeGreaterThan(0);
  });

  it("the schedules table's fsops values are the config's defaults", () => {
    const at = (path: string): unknown => {
      let node: unknown = DEFAULT_CONFIG;
      for (const part of path.split('.')) node = (node as Record<string, unknown>)?.[part];
      return node;
    };
    for (const v of GUIDE_VALUES)
      expect({ path: v.configPath, value: at(v.configPath) }).toEqual({ path: v.configPath, value: v.value });
  });
});
