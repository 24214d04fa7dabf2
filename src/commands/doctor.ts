import { AwsClients } from '../base/aws/clients.js';
import { DEFAULT_CONFIG } from '../base/config/defaults.js';
import { loadConfig, resolveEnvironment } from '../base/config/load.js';
import type { Config } from '../base/config/schema.js';
import type { Finding } from '../base/model/finding.js';
import { buildReport } from '../base/model/finding.js';
import { onInterrupt } from '../engine/interrupt.js';
import { printerFor } from '../engine/printer.js';
import { createProgress } from '../engine/progress.js';
import type { Runtime } from '../engine/runtime.js';
import { type EnvSession, openEnvSession } from '../engine/session.js';
import { gather, interruptionOf, type ReadCommandOptions, type StepSpec } from './kit/read.js';

export type DoctorOptions = ReadCommandOptions;

/** Checks of this machine: they look at no environment. */
const machineSteps = (options: DoctorOptions): StepSpec[] => [
  { check: 'doctor.node' },
  { check: 'doctor.config', params: { configPath: options.config } },
];

/** Checks of one environment: its credentials and account, its database, the caller's IAM permissions. */
const ENVIRONMENT_STEPS: StepSpec[] = [
  { check: 'doctor.credentials' },
  { check: 'doctor.database' },
  { check: 'doctor.permissions' },
];

/**
 * `fsops doctor [--env E]`: is this machine ready for fsops? Node, the config (where fsops looked),
 * then for each environment (or E) the credentials and account (STS), the database, and the IAM
 * permissions each command family needs (iam:SimulatePrincipalPolicy over src/base/aws/permissions.ts).
 * Read-only; every problem is a finding with its fix, none stops the others.
 */
export async function doctor(options: DoctorOptions, runtime: Runtime): Promise<number> {
  const printer = printerFor(options, 'doctor', undefined, runtime);
  let config: Config | null = null;
  try {
    config = loadConfig(options.config).config;
  } catch {
    // doctor.config reports it, with the fix; the environments cannot be checked without it.
  }
  const envNames = options.env ? [options.env] : Object.keys(config?.environments ?? {});
  // An unknown --env is bad input (exit 2) before anything runs.
  const sessions = config ? envNames.map((name) => openEnvSession(options, name)) : [];
  const startedAt = runtime.clock.now();
  const progress = await createProgress('doctor', printer.format, runtime.stderr);
  // Ctrl-C, SIGTERM and SIGHUP stop doctor as they stop every read run: INTERRUPTED, exit 130.
  const stop = new AbortController();
  const release = onInterrupt(() => stop.abort());
  const window = {
    since: new Date(startedAt),
    now: new Date(startedAt),
    options,
    runtime,
    progress,
    signal: stop.signal,
  };
  try {
    const runs = await Promise.all([
      gather(sessions[0] ?? machineSession(), { steps: machineSteps(options) }, window),
      ...sessions.map((session) => gather(session, { steps: ENVIRONMENT_STEPS }, window)),
    ]);
    const findings: Finding[] = runs.flatMap((run) => run.findings);
    if (!config) findings.push(notChecked());
    progress.stop();
    const interruption = stop.signal.aborted
      ? interruptionOf(
          findings,
          runs.flatMap((run) => run.notDone ?? []),
        )
      : undefined;
    return printer.report(
      buildReport(
        'doctor',
        options.env ?? null,
        new Date(startedAt),
        findings,
        undefined,
        () => runtime.clock.now(),
        interruption,
      ),
    );
  } finally {
    release();
    progress.stop();
    for (const session of sessions) session.aws.destroy();
  }
}

/** Where the machine checks run when the config does not load: they read neither it nor AWS. */
function machineSession(): EnvSession {
  const env = resolveEnvironment(DEFAULT_CONFIG, Object.keys(DEFAULT_CONFIG.environments)[0]);
  return { config: DEFAULT_CONFIG, env, aws: new AwsClients({ region: env.region, ...DEFAULT_CONFIG.aws }) };
}

function notChecked(): Finding {
  return {
    id: 'doctor.environments',
    checkId: 'doctor.environments',
    title: 'Environments checked',
    status: 'error',
    severity: 'high',
    resource: 'environments',
    detail: '',
    expected: 'each environment of the config checked',
    observed: 'not checked: the config does not load (doctor.config)',
    remediation: 'Fix the config (doctor.config), then run fsops doctor again.',
    source: 'deployment guide §2.2 (accounts)',
  };
}
