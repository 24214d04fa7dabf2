import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../../base/model/errors.js';
import { writeAtomic } from '../incident/store.js';
import { identifierPart, secondStamp } from './naming.js';

/**
 * The journal of one database recovery (`fsops recover db`): what was asked, the names it uses, what
 * each step did and what it found before changing it (maintenance mode's value, the writers' counts), so
 * that `--resume` continues after a crash or Ctrl-C and `--abort` knows what to undo. One JSON file per
 * recovery under the per-user state folder (beside the audit log), written atomically at every step;
 * one claim file per environment refuses a second recovery of it while one is under way.
 */

export type StepState = 'started' | 'done';

export interface RecoveryJournal {
  id: string;
  env: string;
  state: 'running' | 'done' | 'aborted';
  createdAt: string;
  /** When the recovery was asked for: the start of its RTO. */
  requestedAt: string;
  request: {
    toTime: string | null;
    snapshot: string | null;
    verifySql: string | null;
    incident: string | null;
  };
  names: { live: string; copy: string; old: string };
  /** The restore point (T or the snapshot's time). */
  restorePoint: string | null;
  steps: Record<string, { state: StepState; at: string }>;
  /** maintenance_mode before the recovery turned it on (null: the parameter did not exist). */
  maintenanceBefore?: string | null;
  /** Writer services and their desired counts before they were scaled to 0. */
  writers?: { service: string; desired: number }[];
  /** The verification of the copy, shown at the second confirmation. */
  verification?: { passed: boolean; at: string; lines: string[] };
  /** Newest row on the copy (RPO). */
  newestRow?: string | null;
  validatedAt?: string;
  events: { at: string; event: string }[];
}

export function recoveryId(env: string, at: Date): string {
  return `rec-${identifierPart(env)}-${secondStamp(at)}`;
}

export function recoveryNames(live: string, at: Date): RecoveryJournal['names'] {
  const stamp = secondStamp(at);
  return { live, copy: `${live}-recovery-${stamp}`, old: `${live}-pre-recovery-${stamp}` };
}

/** The journal folder: FSOPS_RECOVERY_DIR, else the configured one (`~/` expanded). */
export function recoveryDir(configured: string): string {
  const dir = process.env.FSOPS_RECOVERY_DIR || configured;
  return resolve(dir.startsWith('~/') ? join(homedir(), dir.slice(2)) : dir);
}

const ID = /^rec-[a-z0-9-]+-\d{8}-\d{6}$/;

export class RecoveryStore {
  constructor(readonly dir: string) {}

  private file(id: string): string {
    if (!ID.test(id)) {
      throw new UsageError(
        `invalid recovery id '${id}': ids look like rec-prod-20261129-023000 (see ${this.dir})`,
      );
    }
    return join(this.dir, `${id}.json`);
  }

  private claimFile(env: string): string {
    return join(this.dir, `${identifierPart(env)}.active`);
  }

  exists(id: string): boolean {
    return existsSync(this.file(id));
  }

  read(id: string): RecoveryJournal {
    const file = this.file(id);
    if (!existsSync(file)) throw new UsageError(`no recovery ${id} under ${this.dir}`);
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as RecoveryJournal;
    } catch (error) {
      throw new UsageError(`recovery journal ${file} is not valid JSON: ${(error as Error).message}`);
    }
  }

  write(journal: RecoveryJournal): void {
    mkdirSync(this.dir, { recursive: true });
    writeAtomic(this.file(journal.id), `${JSON.stringify(journal, null, 2)}\n`);
  }

  /** The recovery of `env` under way (claimed and not finished), if any. */
  active(env: string): string | null {
    const claim = this.claimFile(env);
    if (!existsSync(claim)) return null;
    const id = readFileSync(claim, 'utf8').trim();
    return id || null;
  }

  /** Claims `env` for `id` (atomic create): a second recovery of the environment is refused. */
  claim(env: string, id: string): void {
    mkdirSync(this.dir, { recursive: true });
    const file = this.claimFile(env);
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, `${id}\n`);
      closeSync(fd);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = this.active(env);
      if (holder !== id) throw secondRecovery(env, holder ?? '(unknown)');
    }
  }

  release(env: string, id: string): void {
    if (this.active(env) === id) rmSync(this.claimFile(env), { force: true });
  }

  list(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5))
      .sort();
  }
}

export function secondRecovery(env: string, holder: string): UsageError {
  return new UsageError(
    `a recovery of ${env} is already under way (${holder}): continue it with --resume ${holder} or undo it with --abort ${holder}; two recoveries of one environment are refused`,
  );
}

/** Marks a step and records an event (also for the incident timeline). */
export function markStep(journal: RecoveryJournal, step: string, state: StepState, event: string): void {
  const at = new Date().toISOString();
  journal.steps[step] = { state, at };
  journal.events.push({ at, event });
}

export const stepDone = (journal: RecoveryJournal, step: string) => journal.steps[step]?.state === 'done';
