/** Names and tags of what fsops creates for backups and drills (pure; see docs/backup.md). */

/** Every RDS resource fsops creates carries this tag, so `backup status` can find leftovers. */
export const MANAGED_TAG = { Key: 'managed-by', Value: 'fsops' } as const;
export const RESTORE_TEST_PURPOSE = 'restore-test';
export const PREMAINT_PURPOSE = 'pre-maintenance';
export const RECOVER_TABLE_PURPOSE = 'recover-table';

const pad = (n: number) => String(n).padStart(2, '0');

/** 20261129 (UTC). */
export function dateStamp(at: Date): string {
  return `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
}

/** 20261129-231502 (UTC): two test restores in the same minute do not collide. */
export function secondStamp(at: Date): string {
  return `${dateStamp(at)}-${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
}

/**
 * An RDS identifier part: lower case letters, digits and single hyphens (RDS identifiers may not hold
 * two hyphens in a row nor end with one).
 */
export function identifierPart(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** `{env}-fivestar-premaint-<date>-<ref>` (ops guide §12.1.1 "Full backup before maintenance"). */
export function premaintSnapshotName(env: string, at: Date, changeRef: string | undefined): string {
  const ref = changeRef ? identifierPart(changeRef) : '';
  return `${env}-fivestar-premaint-${dateStamp(at)}-${ref || `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}`}`;
}

/** `{env}-fivestar-restore-test-<stamp>`: the temporary instance of `backup verify`. */
export function restoreTestName(env: string, at: Date): string {
  return `${env}-fivestar-restore-test-${secondStamp(at)}`;
}

export const isRestoreTestName = (env: string, name: string) =>
  name.startsWith(`${env}-fivestar-restore-test-`);

/** `{env}-fivestar-recover-table-<stamp>`: the temporary instance of `recover table`. */
export function recoverTableInstanceName(env: string, at: Date): string {
  return `${identifierPart(env)}-fivestar-recover-table-${secondStamp(at)}`;
}

export const isRecoverTableName = (env: string, name: string) =>
  name.startsWith(`${identifierPart(env)}-fivestar-recover-table-`);

/** Tags as RDS takes them. */
export function fsopsTags(
  purpose: string,
  extra: Record<string, string> = {},
): { Key: string; Value: string }[] {
  return [
    { ...MANAGED_TAG },
    { Key: 'purpose', Value: purpose },
    ...Object.entries(extra).map(([Key, Value]) => ({ Key, Value })),
  ];
}

/** True when an RDS tag list marks the resource as made by fsops for `purpose`. */
export function isTaggedFor(
  purpose: string,
  tags: readonly { Key?: string; Value?: string }[] | undefined,
): boolean {
  const has = (key: string, value: string) => (tags ?? []).some((t) => t.Key === key && t.Value === value);
  return has(MANAGED_TAG.Key, MANAGED_TAG.Value) && has('purpose', purpose);
}

/** True when an RDS tag list marks the resource as fsops's restore test. */
export function isRestoreTestTagged(tags: readonly { Key?: string; Value?: string }[] | undefined): boolean {
  return isTaggedFor(RESTORE_TEST_PURPOSE, tags);
}

/** Tag of a copy left running on purpose (`backup verify --keep`): not an orphan of a killed run. */
export const KEEP_TAG = { Key: 'keep', Value: 'true' } as const;

export function isKeptTagged(tags: readonly { Key?: string; Value?: string }[] | undefined): boolean {
  return (tags ?? []).some((t) => t.Key === KEEP_TAG.Key && t.Value === KEEP_TAG.Value);
}

/** The restore-test instances of `env` (by tag or name), not already being deleted. */
export function restoreTestInstances<
  T extends {
    DBInstanceIdentifier?: string;
    DBInstanceStatus?: string;
    TagList?: { Key?: string; Value?: string }[];
  },
>(env: string, instances: readonly T[]): T[] {
  return instances.filter(
    (db) =>
      (isRestoreTestTagged(db.TagList) || isRestoreTestName(env, db.DBInstanceIdentifier ?? '')) &&
      db.DBInstanceStatus !== 'deleting',
  );
}
