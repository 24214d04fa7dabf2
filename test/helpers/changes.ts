import { DEFAULT_CONFIG } from '../../src/base/config/defaults.js';
import {
  type ActionBase,
  type ChangeStep,
  type ChangesResult,
  type RunChangesOptions,
  runChanges,
} from '../../src/engine/changes.js';
import type { Runtime } from '../../src/engine/runtime.js';
import { testAws } from './context.js';
import { testRuntime } from './runtime.js';

/** An action context of no environment: the default config, test AWS clients, no database. */
export function quietContext(): ActionBase {
  return {
    env: null,
    config: DEFAULT_CONFIG,
    aws: testAws(),
    now: new Date(),
    db: async () => {
      throw new Error('no database in this test');
    },
  };
}

/**
 * The one driver (src/engine/changes.ts runChanges) on a target built from a bare action context, as
 * the db commands build theirs: `target` names it on the plan and in the audit (no environment).
 * `context` replaces what it names of quietContext() (a database session, another config). Without
 * `io`, the terminal of testRuntime(): none, so only --yes (or a dry run) goes ahead; without
 * `runtime`, a testRuntime() collects the driver's notices (not printed).
 */
export function runTestChanges(
  steps: readonly ChangeStep[],
  options: Omit<RunChangesOptions, 'log' | 'io'> & {
    io?: RunChangesOptions['io'];
    target: string;
    protectedEnv?: boolean;
    identity?: string | null;
    /** Where the driver's notices go and its clock (a testRuntime() by default). */
    runtime?: Pick<Runtime, 'stderr' | 'clock'>;
    context?: Partial<ActionBase> & { log?(text: string): void };
  },
): Promise<ChangesResult> {
  const { target, protectedEnv, identity, context = {}, runtime = testRuntime(), ...run } = options;
  const { log, ...given } = context;
  const base = { ...quietContext(), ...given };
  return runChanges(
    {
      label: target,
      protectedEnv: protectedEnv ?? false,
      identity: identity ?? null,
      audit: { target: base.config.audit ?? DEFAULT_CONFIG.audit, aws: base.aws },
      context: base,
      runtime,
    },
    steps,
    { io: testRuntime().io, ...run, ...(log ? { log } : {}) },
  );
}
