import { UsageError } from '../base/model/errors.js';
import type { Runtime } from '../engine/runtime.js';
import { type ReadCommandOptions, runReadCommand } from './kit/read.js';

export interface PaymentsReconcileOptions extends ReadCommandOptions {
  date?: string;
}

/** --date: a calendar date YYYY-MM-DD that exists (2026-02-30 does not). */
export function parseReconcileDate(text: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!date || date.toISOString().slice(0, 10) !== text) {
    throw new UsageError(
      `--date '${text}' is not a date: give YYYY-MM-DD, e.g. 2026-12-06 (default: yesterday)`,
    );
  }
  return text;
}

/**
 * `fsops payments reconcile --env E [--date D]`: one day's payments against the LMS postings through the
 * read-only diagnostic session (runbook 003 daily reconciliation; ops guide §10.3.1). Exit 1 on a mismatch.
 */
export async function paymentsReconcile(
  options: PaymentsReconcileOptions,
  runtime: Runtime,
): Promise<number> {
  const date = options.date === undefined ? undefined : parseReconcileDate(options.date);
  return runReadCommand(
    {
      label: 'payments reconcile',
      procedure: { steps: [{ check: 'payments.reconcile', params: date ? { date } : {} }] },
    },
    options,
    runtime,
  );
}
