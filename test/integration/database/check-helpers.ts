import { z } from 'zod';
import type { Check } from '../../../src/base/model/check.js';
import type { Finding } from '../../../src/base/model/finding.js';
import { type DbSession, openDbSession } from '../../../src/domain/db/connection.js';
import { parseDbUrl } from '../../../src/domain/db/target.js';
import { createFactCache, runSteps } from '../../../src/engine/runner.js';
import { testContext } from '../../helpers/context.js';

export interface RunOptions {
  /** YAML overrides of the config, e.g. database thresholds for the pathology under test. */
  configYaml?: string;
  params?: Record<string, unknown>;
  envName?: string;
}

/**
 * The parameters of `given` that this check takes: `fsops db` gives each check its own
 * (src/commands/db-checks.ts paramsFor); a check refuses a parameter it does not take.
 */
function paramsOf(check: Check, given: Record<string, unknown>): Record<string, unknown> {
  const takes = check.params instanceof z.ZodObject ? Object.keys(check.params.shape) : [];
  return Object.fromEntries(Object.entries(given).filter(([key]) => takes.includes(key)));
}

/** Runs checks as `fsops db ...` does: one read-only session, concurrently, errors as findings. */
export async function runChecks(checks: Check[], url: string, options: RunOptions = {}): Promise<Finding[]> {
  const base = testContext({ configYaml: options.configYaml, envName: options.envName ?? 'dev' });
  const session: DbSession = await openDbSession(parseDbUrl(url, 'test'), {
    readOnly: true,
    settings: base.env.config.database.session,
  });
  try {
    const once = createFactCache();
    return await runSteps(
      checks.map((check) => ({ check, params: paramsOf(check, options.params ?? {}) })),
      (signal) => ({ ...base, signal, once, db: async () => session }),
      { concurrency: 8, timeoutMs: 20_000 },
    );
  } finally {
    await session.close();
  }
}

export async function runCheck(check: Check, url: string, options: RunOptions = {}): Promise<Finding[]> {
  return runChecks([check], url, options);
}

export function byId(findings: Finding[], id: string): Finding[] {
  return findings.filter((f) => f.id === id);
}

export function statuses(findings: Finding[]): string[] {
  return findings.map((f) => `${f.id}:${f.status}`);
}

/** Polls until `probe` is true (statistics and lock waits arrive asynchronously). */
export async function waitFor(
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
