import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  blockProblems,
  documentFiles,
  fillMarkers,
  markerProblems,
  numericPaths,
  unmarkedNumbers,
  yamlBlockProblems,
} from '../../../scripts/docs-numbers.mjs';
import { DEFAULT_CONFIG } from '../../../src/base/config/defaults.js';
import { levelsText } from '../../../src/catalogue/checks/database/common.js';
import { DEMO_THRESHOLDS } from '../../../src/domain/demo/thresholds.js';
import {
  albMetricSpecs,
  ecsMetricSpecs,
  paymentMetricSpecs,
  rdsMetricSpecs,
} from '../../../src/domain/metrics/definitions.js';
import { expectedText } from '../../../src/domain/metrics/series.js';
import { loadAlarmCatalogue } from '../../../src/domain/monitoring/alarm-catalogue.js';
import { renderAlarmTable } from '../../../src/domain/monitoring/alarm-table.js';
import { testEnv } from '../../helpers/context.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const roots = { config: DEFAULT_CONFIG, demo: DEMO_THRESHOLDS };
const files = documentFiles(root).map((file: string) => ({
  file,
  text: readFileSync(join(root, file), 'utf8'),
}));

describe('every number README.md and docs/ show comes from the code', () => {
  it('number markers say what the code says (npm run docs:numbers)', () => {
    expect(files.flatMap(({ file, text }) => markerProblems(file, text, roots))).toEqual([]);
    expect(files.some(({ text }) => text.includes('<!--n:thresholds.dbConnectionsPercent-->'))).toBe(true);
  });

  it('generated blocks (the shipped alarm table) are what the code generates', () => {
    const generators = { 'alarm-table': () => renderAlarmTable(loadAlarmCatalogue(), DEFAULT_CONFIG) };
    expect(files.flatMap(({ file, text }) => blockProblems(file, text, generators))).toEqual([]);
    expect(files.some(({ text }) => text.includes('<!--gen:alarm-table-->'))).toBe(true);
  });

  it('no config key is followed by a number typed by hand', () => {
    const paths = numericPaths(DEFAULT_CONFIG);
    expect(files.flatMap(({ file, text }) => unmarkedNumbers(file, text, paths))).toEqual([]);
  });

  it('yaml blocks show the defaults the code has (blocks of overrides are marked <!-- example -->)', () => {
    expect(files.flatMap(({ file, text }) => yamlBlockProblems(file, text, DEFAULT_CONFIG))).toEqual([]);
  });

  it("sample metric output shows the code's expected levels", () => {
    const env = testEnv('prod');
    const specs = [
      ...rdsMetricSpecs(env, {
        instance: 'prod-fivestar-payments-db',
        allocatedStorageGiB: 1000,
        maxConnections: { value: 200, from: 'ops guide §8.1.1' },
      }),
      ...ecsMetricSpecs(env, env.components),
      ...albMetricSpecs(env, [
        { component: 'internal-pe', name: 'a', dimension: 'app/a/1', targetGroups: ['targetgroup/t/1'] },
      ]),
      ...paymentMetricSpecs(env),
    ];
    const problems: string[] = [];
    let seen = 0;
    for (const { file, text } of files) {
      const lines = text.split('\n');
      lines.forEach((line: string, i: number) => {
        const expected = /^\s+expected:\s+(.*)$/.exec(line);
        if (!expected) return;
        const id = lines
          .slice(i, i + 6)
          .map((l: string) => /\bid: metrics\.(\S+)/.exec(l)?.[1])
          .find(Boolean);
        const spec = id && specs.find((s) => s.key === id);
        if (!spec) return;
        seen += 1;
        const code = spec.expected ?? expectedText(spec);
        if (expected[1] !== code) problems.push(`${file}:${i + 1}: ${expected[1]} (the code: ${code})`);
      });
    }
    expect(problems).toEqual([]);
    expect(seen).toBeGreaterThan(0);
  });

  it("sample JSON of db.connections.usage shows the code's levels", () => {
    const code = levelsText(DEFAULT_CONFIG.thresholds.dbConnectionsPercent, '% of max_connections');
    const samples = files.flatMap(({ file, text }) =>
      [...text.matchAll(/"id": "db\.connections\.usage"[\s\S]*?"expected": "([^"]*)"/g)].map((m) => ({
        file,
        expected: m[1],
      })),
    );
    expect(samples.length).toBeGreaterThan(0);
    for (const s of samples) expect(s).toEqual({ file: s.file, expected: code });
  });
});

describe('the number checks themselves', () => {
  const config = { thresholds: { cpuPercent: { warn: 70, fail: 80 } }, session: { poolSize: 3 } };

  it('a stale marker is found, and filled in with the code value', () => {
    const text = 'CPU fails at <!--n:thresholds.cpuPercent-->80/95<!--/n--> %';
    expect(markerProblems('x.md', text, { config })).toEqual([
      'x.md:1: says thresholds.cpuPercent is 80/95, the code says 70/80',
    ]);
    expect(fillMarkers(text, { config })).toBe('CPU fails at <!--n:thresholds.cpuPercent-->70/80<!--/n--> %');
    expect(markerProblems('x.md', '<!--n:thresholds.nope-->1<!--/n-->', { config })[0]).toContain(
      'names no default',
    );
  });

  it('a hand-typed number next to a key is found, in prose and in tables, not inside a marker', () => {
    const paths = numericPaths(config);
    expect(unmarkedNumbers('x.md', 'uses `thresholds.cpuPercent` (80/95: ops guide)', paths)).toHaveLength(1);
    expect(unmarkedNumbers('x.md', '| `session.poolSize` | 3 |', paths)).toHaveLength(1);
    expect(
      unmarkedNumbers('x.md', 'uses `cpuPercent` (<!--n:thresholds.cpuPercent-->70/80<!--/n-->)', paths),
    ).toEqual([]);
  });

  it('a yaml block with another default is found; one marked as an example is not', () => {
    const block = '```yaml\nthresholds:\n  cpuPercent: { warn: 80, fail: 95 }\n```\n';
    expect(yamlBlockProblems('x.md', block, config)).toHaveLength(1);
    expect(yamlBlockProblems('x.md', `<!-- example -->\n${block}`, config)).toEqual([]);
  });
});
