import type { Config } from '../../base/config/schema.js';
import type { AlarmCatalogue, AlarmEntry } from './alarm-catalogue.js';

const SYMBOL: Record<string, string> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

const cell = (text: string) => text.replaceAll('|', '\\|');

function valueAt(config: Config, path: string): unknown {
  let node: unknown = config;
  for (const part of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  return node;
}

function level(entry: AlarmEntry, config: Config): string {
  if (entry.thresholdFrom) {
    const value = Number(valueAt(config, entry.thresholdFrom.path)) * entry.thresholdFrom.scale;
    return `${Number(value.toPrecision(12))} (\`${entry.thresholdFrom.path}\`${entry.thresholdFrom.scale !== 1 ? ` x ${entry.thresholdFrom.scale}` : ''})`;
  }
  if (entry.thresholdByEnv)
    return Object.entries(entry.thresholdByEnv)
      .map(([env, v]) => `${env} ${v}`)
      .join(', ');
  return String(entry.threshold);
}

/**
 * The catalogue's alarms as a Markdown table (docs/monitoring.md, filled in by `npm run docs:numbers`
 * and checked by test/unit/config/docs-numbers.test.ts): every level as the default config makes it.
 */
export function renderAlarmTable(catalogue: AlarmCatalogue, config: Config): string {
  const rows = catalogue.alarms.map((a) => {
    const measured = a.math
      ? `${a.namespace} ${a.math.label} (${a.math.expression})`
      : `${a.namespace} ${a.metric}, ${a.extendedStatistic ?? a.statistic}`;
    const held = `${a.datapointsToAlarm ?? a.evaluationPeriods} of ${a.evaluationPeriods} x ${a.period} s`;
    const topics = (a.notify ?? [a.severity]).map((k) => `\`${k}\``).join(', ');
    return `| \`${a.name}\` | ${cell(measured)} | ${SYMBOL[a.comparison]} ${cell(level(a, config))} for ${held}${a.treatMissingData === 'breaching' ? ', missing = breaching' : ''} | ${a.severity} -> ${topics} | ${cell(a.source)} |`;
  });
  return ['| alarm | metric | level | severity -> topics | guide |', '|---|---|---|---|---|', ...rows].join(
    '\n',
  );
}
