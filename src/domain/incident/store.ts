import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ExitCode, ExitError, UsageError } from '../../base/model/errors.js';
import { hideUrlCredentials } from '../../base/model/text.js';
import { recordMarkdown } from './markdown.js';
import type { IncidentRecord } from './record.js';

const ID = /^INC-(\d{4})-(\d{3,})$/;
const LOCK = '.lock';
/** A lock older than this is left over from a process that died mid-write. */
const STALE_LOCK_MS = 120_000;

/**
 * The fields every reader relies on (list, status, the drill guard, update). A file that parses but
 * lacks them (`{}`, a truncated copy) is an unreadable record, reported by name, never left out silently.
 */
const RecordShape = z.looseObject({
  id: z.string(),
  revision: z.number().int(),
  env: z.string(),
  title: z.string(),
  severity: z.number().int().min(1).max(4),
  state: z.enum(['open', 'resolved']),
  startedAt: z.string(),
  updates: z.array(z.unknown()),
  snapshots: z.array(z.unknown()),
  timeline: z.array(z.unknown()),
  deliveries: z.array(z.unknown()),
});

/** A record fsops could not read: its id (the folder), its file and why. */
export interface UnreadableRecord {
  id: string;
  file: string;
  reason: string;
}

/** Every record under the folder: those read, and those that could not be (by name). */
export interface RecordScan {
  records: IncidentRecord[];
  unreadable: UnreadableRecord[];
}

/** `~/x` → the home folder's x; the default lives beside the audit log, in the user's state folder. */
export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/** Writes a file atomically: a temporary file next to it, then rename (readers never see half a file). */
export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, file);
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Incident records: one folder per incident (`<dir>/INC-2026-001/incident.json` for machines,
 * `incident.md` for people). Every change takes the incident's lock file (O_EXCL create, retried
 * until `lockTimeoutMs`), re-reads the record, applies the change and bumps `revision`: two engineers
 * updating at once both land, one after the other.
 */
/** Test seams of the store's lock (given per store, never global). */
export interface IncidentStoreHooks {
  /**
   * Called when a stale lock has been seen, before it is taken over: a test holds two contenders here
   * until both have seen it (test/unit/incident/lock-race.test.ts), the moment a naive takeover loses
   * an update.
   */
  staleLockSeen?(file: string): void | Promise<void>;
}

export class IncidentStore {
  readonly dir: string;

  constructor(
    dir: string,
    private readonly lockTimeoutMs = 10_000,
    private readonly hooks: IncidentStoreHooks = {},
  ) {
    this.dir = resolve(expandHome(dir));
  }

  /** The records folder must be a folder: a file there is a configuration error naming the path (exit 2). */
  private assertFolder(): void {
    let isFolder = true;
    try {
      isFolder = statSync(this.dir).isDirectory();
    } catch {
      return; // absent: created on the first `incident open`
    }
    if (!isFolder) {
      throw new UsageError(
        `the incident records folder ${this.dir} is a file, not a folder: point FSOPS_INCIDENT_DIR or incident.directory at a folder`,
      );
    }
  }

  folder(id: string): string {
    if (!ID.test(id))
      throw new UsageError(
        `invalid incident id '${id}': ids look like INC-2026-001 (see \`fsops incident list\`)`,
      );
    return join(this.dir, id);
  }

  /** Allocates the next id of the year (mkdir is the atomic claim) and writes the first revision. */
  create(build: (id: string) => IncidentRecord, now: Date): IncidentRecord {
    this.assertFolder();
    mkdirSync(this.dir, { recursive: true });
    const year = now.getUTCFullYear();
    let next =
      1 +
      Math.max(
        0,
        ...this.ids()
          .filter((id) => id.startsWith(`INC-${year}-`))
          .map((id) => Number(ID.exec(id)![2])),
      );
    for (;;) {
      const id = `INC-${year}-${String(next).padStart(3, '0')}`;
      try {
        mkdirSync(join(this.dir, id));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          next += 1;
          continue;
        }
        throw error;
      }
      const record = { ...build(id), id, revision: 1 };
      this.write(record);
      return record;
    }
  }

  ids(): string[] {
    this.assertFolder();
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((name) => ID.test(name) && existsSync(join(this.dir, name, 'incident.json')))
      .sort();
  }

  read(id: string): IncidentRecord {
    const file = join(this.folder(id), 'incident.json');
    this.assertFolder();
    if (!existsSync(file)) {
      throw new UsageError(
        `no incident ${id} under ${this.dir} (see \`fsops incident list\`, or incident.directory in the config)`,
      );
    }
    const parsed = parseRecord(id, file);
    if ('reason' in parsed) throw new UsageError(`incident record ${file} ${parsed.reason}`);
    return parsed.record;
  }

  /** Every record, the unreadable ones by name: one bad file never hides the others. */
  scan(): RecordScan {
    const scan: RecordScan = { records: [], unreadable: [] };
    for (const id of this.ids()) {
      const file = join(this.dir, id, 'incident.json');
      const parsed = parseRecord(id, file);
      if ('reason' in parsed) scan.unreadable.push({ id, file, reason: parsed.reason });
      else scan.records.push(parsed.record);
    }
    return scan;
  }

  /**
   * Applies `change` to the latest revision under the incident's lock and writes the result. Returns the
   * record as written.
   */
  async update(id: string, change: (record: IncidentRecord) => IncidentRecord): Promise<IncidentRecord> {
    const { release, held } = await this.lock(id);
    try {
      const current = this.read(id);
      const next = { ...change(structuredClone(current)), id, revision: current.revision + 1 };
      // A holder slower than STALE_LOCK_MS may have been taken over: it must not write over the other.
      if (!held()) {
        throw new ExitError(
          ExitCode.unreachable,
          `incident ${id}: the lock was taken over while this update waited (held past ${STALE_LOCK_MS / 1000}s): nothing was changed; run it again`,
        );
      }
      this.write(next);
      return next;
    } finally {
      release();
    }
  }

  /** Writes a file into the incident's folder (the post-mortem), atomically. */
  writeExtra(id: string, name: string, text: string): string {
    const file = join(this.folder(id), name);
    writeAtomic(file, text);
    return file;
  }

  private write(record: IncidentRecord): void {
    const folder = this.folder(record.id);
    // A URL's credentials never reach the record (a health URL in a finding, a webhook in an error).
    writeAtomic(join(folder, 'incident.json'), hideUrlCredentials(`${JSON.stringify(record, null, 2)}\n`));
    writeAtomic(join(folder, 'incident.md'), hideUrlCredentials(recordMarkdown(record)));
  }

  /**
   * Takes the incident's lock: a file created with O_EXCL holding this process's token. A lock older
   * than STALE_LOCK_MS is left over from a process that died mid-write and is taken over atomically:
   * under a takeover guard (itself O_EXCL), the lock is checked stale again and a fresh one renamed
   * over it, then read back. Two processes finding the same stale lock never both hold it (the second
   * sees the first's fresh lock); release removes the lock only while it is still ours.
   */
  private async lock(id: string): Promise<{ release: () => void; held: () => boolean }> {
    const file = join(this.folder(id), LOCK);
    const token = `${process.pid} ${randomBytes(8).toString('hex')} ${new Date().toISOString()}\n`;
    const held = () => {
      try {
        return readFileSync(file, 'utf8') === token;
      } catch {
        return false;
      }
    };
    const release = () => {
      if (held()) rmSync(file, { force: true });
    };
    const deadline = Date.now() + this.lockTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (createExclusive(file, token)) return { release, held };
      if (olderThan(file, STALE_LOCK_MS)) {
        await this.hooks.staleLockSeen?.(file);
        if (takeOverStale(file, token)) return { release, held };
      }
      if (Date.now() > deadline) {
        throw new ExitError(
          ExitCode.unreachable,
          `incident ${id} is being updated by someone else (lock ${file} held for more than ${this.lockTimeoutMs} ms): try again; nothing was changed`,
        );
      }
      await sleep(20 + Math.min(200, attempt * 10) + Math.random() * 30);
    }
  }
}

/** Creates `file` holding `text` only if it does not exist (O_EXCL); false when it does. */
function createExclusive(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeFileSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

function olderThan(file: string, ms: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > ms;
  } catch {
    return false; // gone: the next attempt creates it
  }
}

/** A takeover guard older than this belongs to a process that died inside the few statements it covers. */
const STALE_GUARD_MS = 10_000;

/**
 * Replaces a lock seen stale with ours, atomically (see IncidentStore.lock); true when we now hold it.
 * Never "remove it, then create ours": a second process that saw the same stale lock would remove our
 * fresh one and hold it too.
 */
function takeOverStale(file: string, token: string): boolean {
  const guard = `${file}.takeover`;
  if (!createExclusive(guard, token)) {
    if (olderThan(guard, STALE_GUARD_MS)) rmSync(guard, { force: true });
    return false;
  }
  try {
    // Checked again under the guard: another process may have taken it over since we looked.
    if (!olderThan(file, STALE_LOCK_MS)) return false;
    const fresh = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(fresh, token);
    renameSync(fresh, file);
    return readFileSync(file, 'utf8') === token;
  } finally {
    rmSync(guard, { force: true });
  }
}

/** Reads and checks one incident.json: the record, or why it cannot be used (one line, no stack). */
function parseRecord(id: string, file: string): { record: IncidentRecord } | { reason: string } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      reason: code ? `cannot be read (${code})` : `is not valid JSON (${(error as Error).message})`,
    };
  }
  const shape = RecordShape.safeParse(data);
  if (!shape.success) {
    const fields = [
      ...new Set(shape.error.issues.map((issue) => issue.path.join('.') || '(the whole file)')),
    ];
    return { reason: `is not an incident record (missing or wrong: ${fields.join(', ')})` };
  }
  if (shape.data.id !== id) {
    return { reason: `is not an incident record of ${id} (it says ${JSON.stringify(shape.data.id)})` };
  }
  return { record: shape.data as unknown as IncidentRecord };
}

/** "INC-2026-003 (…/incident.json is not valid JSON …)": unreadable records for one line of output. */
export function describeUnreadable(unreadable: readonly UnreadableRecord[]): string {
  return unreadable.map((u) => `${u.file} ${u.reason}`).join('; ');
}
