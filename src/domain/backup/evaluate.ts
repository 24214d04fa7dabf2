import type { CheckResult } from '../../base/model/check.js';

/** Pure judgements of backups and test restores (deployment guide §2.2.3: RTO < 4 h, RPO < 1 h). */

const MINUTE = 60_000;
const HOUR = 3_600_000;

export const minutes = (ms: number) => ms / MINUTE;

/** "12.5 min" / "3.2 h" / "40 s". */
export function formatMinutes(ms: number): string {
  if (ms < MINUTE) return `${Math.round(ms / 1000)} s`;
  if (ms < 2 * HOUR) return `${(ms / MINUTE).toFixed(1)} min`;
  return `${(ms / HOUR).toFixed(1)} h`;
}

/** A table as `schema.table`. */
export interface TableRef {
  schema: string;
  table: string;
}

export const qualified = (t: TableRef) => `${t.schema}.${t.table}`;

/** Schemas and tables of the source that the restored copy lacks (extra ones on the copy are fine). */
export function compareSchemas(
  source: TableRef[],
  copy: TableRef[],
): { missingSchemas: string[]; missingTables: string[] } {
  const copySchemas = new Set(copy.map((t) => t.schema));
  const copyTables = new Set(copy.map(qualified));
  const missingSchemas = [...new Set(source.map((t) => t.schema))].filter((s) => !copySchemas.has(s)).sort();
  const missingTables = source
    .map(qualified)
    .filter((name) => !copyTables.has(name) && !missingSchemas.includes(name.split('.')[0]!))
    .sort();
  return { missingSchemas, missingTables };
}

export function evaluateSchemas(resource: string, source: TableRef[], copy: TableRef[]): CheckResult {
  const { missingSchemas, missingTables } = compareSchemas(source, copy);
  const missing = [...missingSchemas.map((s) => `schema ${s}`), ...missingTables.map((t) => `table ${t}`)];
  return {
    id: 'backup.verify.schema',
    title: 'Every schema and table of the source exists on the restored copy',
    status: source.length === 0 ? 'error' : missing.length ? 'fail' : 'pass',
    resource,
    expected: 'the schemas and tables of the source',
    observed:
      source.length === 0
        ? 'the source database lists no tables: nothing to compare'
        : missing.length
          ? `missing on the copy: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ` and ${missing.length - 20} more` : ''}`
          : `${new Set(source.map((t) => t.schema)).size} schema(s), ${source.length} table(s) present`,
    remediation:
      'The backup does not hold what the live database holds: check the snapshot/restore point and whether objects were created after it.',
  };
}

export interface CountComparison {
  table: string;
  source: number | null;
  copy: number | null;
  /** Why a side has no count (table missing, query failed). */
  problem?: string;
}

/** A key table's rows on the copy against the source, within a tolerance (the source keeps growing). */
export function evaluateRowCount(
  resource: string,
  c: CountComparison,
  tolerancePercent: number,
): CheckResult {
  const base = {
    id: 'backup.verify.row-count',
    title: `Row count of ${c.table} on the copy matches the source`,
    resource: `${resource} ${c.table}`,
    expected: `within ${tolerancePercent}% of the source`,
  };
  if (c.source === null || c.copy === null) {
    return {
      ...base,
      status: 'error',
      observed: `not compared: ${c.problem ?? 'no count'}`,
      remediation: 'Check backup.verify.keyTables names existing tables, and that the role may read them.',
    };
  }
  const diff = c.copy - c.source;
  const percent = c.source === 0 ? (c.copy === 0 ? 0 : 100) : (100 * Math.abs(diff)) / c.source;
  return {
    ...base,
    status: percent <= tolerancePercent ? 'pass' : 'fail',
    observed: `copy ${c.copy}, source ${c.source} (${diff >= 0 ? '+' : ''}${diff}, ${percent.toFixed(1)}%)`,
    remediation:
      'Rows are missing from the backup beyond what was written since the restore point: find out which and when.',
  };
}

/**
 * The real RPO of this recovery: restoring now would give back data up to the newest row of the copy.
 * `rpoMs` = restore requested - newest row; judged against the target for point-in-time restores, where
 * the RPO applies (a snapshot is as old as it is; its loss is reported, not judged). A newest row after
 * the restore point is a contradiction (wrong copy, or clocks): fail.
 */
export function evaluateRpo(input: {
  resource: string;
  newestRow: Date | null;
  table: string | null;
  restorePoint: Date;
  requestedAt: Date;
  targetMinutes: number;
  judged: boolean;
}): CheckResult {
  const base = {
    id: 'backup.verify.rpo',
    title: 'Recovery point: newest row on the copy against the restore point',
    resource: input.resource,
    expected: `data up to the restore point ${input.restorePoint.toISOString()}; RPO <= ${input.targetMinutes} min (deployment guide §2.2.3)`,
  };
  if (!input.newestRow) {
    return {
      ...base,
      status: 'error',
      observed: input.table
        ? `no row with a timestamp in ${input.table} on the copy`
        : 'no key table with a timestamp column (backup.verify.keyTables[].timestampColumn)',
      remediation: 'Name a key table with a timestamp column that the application writes to all the time.',
    };
  }
  const behindRestorePoint = input.restorePoint.getTime() - input.newestRow.getTime();
  const rpo = input.requestedAt.getTime() - input.newestRow.getTime();
  const observed = `newest row ${input.newestRow.toISOString()} in ${input.table}: ${formatMinutes(Math.max(0, behindRestorePoint))} before the restore point; RPO of this recovery ${formatMinutes(Math.max(0, rpo))}`;
  if (behindRestorePoint < -MINUTE) {
    return {
      ...base,
      status: 'fail',
      observed: `newest row ${input.newestRow.toISOString()} is AFTER the restore point (${formatMinutes(-behindRestorePoint)})`,
      remediation:
        'The copy holds data from after the point it was restored to: check the instance and the clocks.',
    };
  }
  const over = input.judged && minutes(rpo) > input.targetMinutes;
  return {
    ...base,
    status: over ? 'fail' : 'pass',
    observed: input.judged ? observed : `${observed} (a snapshot restore: not judged against the RPO)`,
    remediation:
      'Point-in-time recovery lags: check the instance is not stuck (storage-full, backing-up) and WAL archiving (LatestRestorableTime).',
  };
}

/** RTO: restore requested -> first successful query on the copy, against the target. */
export function evaluateRto(
  resource: string,
  requestedAt: Date,
  firstQueryAt: Date | null,
  targetMinutes: number,
): CheckResult {
  const base = {
    id: 'backup.verify.rto',
    title: 'Recovery time: restore requested to first successful query',
    resource,
    expected: `<= ${targetMinutes} min (deployment guide §2.2.3: RTO < 4 hours)`,
  };
  if (!firstQueryAt) {
    return {
      ...base,
      status: 'error',
      observed: 'not measured: no query on the copy succeeded',
      remediation: 'See the other findings for why the copy was not reachable.',
    };
  }
  const ms = firstQueryAt.getTime() - requestedAt.getTime();
  return {
    ...base,
    status: minutes(ms) <= targetMinutes ? 'pass' : 'fail',
    observed: `${formatMinutes(ms)} (${requestedAt.toISOString()} -> ${firstQueryAt.toISOString()})`,
    remediation:
      'A restore takes longer than the RTO allows: a larger instance class for restores, smaller databases (retention), or a warm standby.',
  };
}

/** Where a point-in-time restore may land: [earliest, latest]. */
export function checkRestoreTime(
  time: Date,
  window: { earliest: Date | null; latest: Date | null },
): string | null {
  if (!window.latest) return 'the instance has no LatestRestorableTime (automated backups off?)';
  if (time.getTime() > window.latest.getTime()) {
    return `is after the latest restorable time ${window.latest.toISOString()}`;
  }
  if (window.earliest && time.getTime() < window.earliest.getTime()) {
    return `is before the earliest restorable time ${window.earliest.toISOString()}`;
  }
  return null;
}

/** Cross-region copy lag: replicated automated backups against the RPO, copied snapshots against their age limit. */
export function evaluateCrossRegion(input: {
  resource: string;
  drRegion: string | null;
  replicatedLatest: Date | null;
  newestCopy: { id: string; at: Date } | null;
  rpoMinutes: number;
  copyMaxAgeHours: number;
  now: Date;
}): CheckResult {
  const base = {
    id: 'backup.cross-region',
    title: 'Backups are copied to the DR region',
    resource: input.resource,
  };
  if (!input.drRegion) {
    return {
      ...base,
      status: 'skip',
      expected: 'automated backups replicated to the DR region (deployment guide §2.2.3)',
      observed: 'not checked: no DR region configured (backup.drRegion)',
      remediation: 'Set backup.drRegion to the region the backups are replicated to.',
    };
  }
  if (input.replicatedLatest) {
    const lag = input.now.getTime() - input.replicatedLatest.getTime();
    return {
      ...base,
      status: minutes(lag) <= input.rpoMinutes ? 'pass' : 'fail',
      expected: `automated backup replication to ${input.drRegion}, restorable there within ${input.rpoMinutes} min`,
      observed: `replicated; latest restorable time in ${input.drRegion} ${input.replicatedLatest.toISOString()} (lag ${formatMinutes(lag)})`,
      remediation: `Replication to ${input.drRegion} lags: check the replication (aws rds describe-db-instance-automated-backups --region ${input.drRegion}).`,
    };
  }
  if (input.newestCopy) {
    const age = input.now.getTime() - input.newestCopy.at.getTime();
    return {
      ...base,
      status: age <= input.copyMaxAgeHours * HOUR ? 'pass' : 'fail',
      expected: `a snapshot copy in ${input.drRegion} from the last ${input.copyMaxAgeHours}h`,
      observed: `newest copy ${input.newestCopy.id} at ${input.newestCopy.at.toISOString()} (${formatMinutes(age)} ago); no automated backup replication`,
      remediation: `Copy snapshots daily, or turn on automated backup replication to ${input.drRegion} (aws rds start-db-instance-automated-backups-replication).`,
    };
  }
  return {
    ...base,
    status: 'fail',
    expected: `automated backup replication or snapshot copies in ${input.drRegion} (deployment guide §2.2.3)`,
    observed: `nothing in ${input.drRegion}: no replicated automated backup, no copied snapshot`,
    remediation: `aws rds start-db-instance-automated-backups-replication --source-db-instance-arn <arn> --region ${input.drRegion}`,
  };
}
