import { describeAwsError } from '../../base/aws/errors.js';
import type { CheckResult } from '../../base/model/check.js';

/**
 * A fact that arrived, or why it did not. Checks gather independent facts with `gather` (not
 * `Promise.all`): one fact that fails (a denied permission, a throttled API) becomes its own `error`
 * finding, and everything the facts that did arrive allow is still judged.
 */
export type Got<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Why a fact could not be read, in one line: the missing permission, or the AWS error described. */
export function failureReason(error: unknown): string {
  if (error instanceof Error && error.name === 'MissingPermission') return error.message;
  return describeAwsError(error);
}

/** Gathers independent facts at once; a failed one is a reason, never the others' loss. */
export async function gather<T extends readonly unknown[]>(
  ...facts: { [K in keyof T]: Promise<T[K]> }
): Promise<{ [K in keyof T]: Got<T[K]> }> {
  const settled = await Promise.allSettled(facts);
  return settled.map((s) =>
    s.status === 'fulfilled' ? { ok: true, value: s.value } : { ok: false, reason: failureReason(s.reason) },
  ) as { [K in keyof T]: Got<T[K]> };
}

/** `gather` for one fact. */
export async function attempt<T>(fact: Promise<T>): Promise<Got<T>> {
  const [got] = await gather<[T]>(fact);
  return got;
}

/** The `error` finding of one fact that could not be read: what it was and why; never a pass. */
export function unreadFact(
  id: string,
  resource: string,
  what: string,
  reason: string,
  remediation = 'Check the permission or the AWS error named here, then run again; the other findings were judged without this fact.',
): CheckResult {
  return {
    id,
    status: 'error',
    resource,
    expected: `${what} can be read`,
    observed: `could not read ${what}: ${reason}`,
    remediation,
  };
}

/**
 * Judges each item (a component, a service, a role) at once; one whose facts cannot be read is its
 * own error finding (`id`, the item's resource, what could not be read), the others are judged.
 */
export async function judgeEach<T>(
  items: readonly T[],
  id: string,
  about: (item: T) => { resource: string; what: string },
  judge: (item: T) => Promise<CheckResult | CheckResult[]>,
): Promise<CheckResult[]> {
  const judged = await gather(...items.map((item) => judge(item)));
  return judged.flatMap((got, i) => {
    if (got.ok) return Array.isArray(got.value) ? got.value : [got.value];
    const { resource, what } = about(items[i]!);
    return [unreadFact(id, resource, what, got.reason)];
  });
}
