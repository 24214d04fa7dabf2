import { alarmsApplyAction } from '../actions/alarms-apply.js';
import type { ActionDefinition } from '../actions/types.js';
import { promptIO } from '../engine/change.js';
import { ExitCode } from '../engine/model/errors.js';
import { buildReport, emitReport } from '../engine/output.js';
import { outputFormat } from '../engine/printer.js';
import { runActions } from '../engine/run-actions.js';
import type { PromptIO } from '../engine/safety.js';
import { type GlobalOptions, openEnvSession, requireExplicitEnv, verifyAccount } from '../engine/session.js';
import { loadAlarmCatalogue } from '../monitoring/alarm-catalogue.js';

export interface AlarmsApplyOptions extends GlobalOptions {
  catalogue?: string;
  dryRun?: boolean;
  yes?: boolean;
  /** Tests pass a scripted prompt. */
  io?: PromptIO;
}

/**
 * `fsops alarms apply --env E`: creates or corrects the catalogue's alarms (PutMetricAlarm) through
 * the guarded-change path: plan with each alarm's diff, --dry-run, confirmation (prod: type the name),
 * --yes without a terminal, audit lines before and after. A second apply plans nothing.
 */
export async function alarmsApply(options: AlarmsApplyOptions): Promise<number> {
  const envName = requireExplicitEnv(options, 'alarms apply changes CloudWatch alarms');
  loadAlarmCatalogue(options.catalogue);
  const format = outputFormat(options);
  const session = openEnvSession(options, envName);
  const startedAt = new Date();
  const interruption = { interrupted: false };
  try {
    const identity = await verifyAccount(session, true);
    const findings = await runActions(
      [
        {
          action: alarmsApplyAction as ActionDefinition<never>,
          params: options.catalogue ? { catalogue: options.catalogue } : {},
        },
      ],
      {
        audit: { env: session.env.name, target: session.config.audit, aws: session.aws },
        identity: identity?.arn ?? null,
        command: 'alarms apply',
        target: session.env.name,
        protectedEnv: session.env.settings.protected,
        yes: options.yes,
        dryRun: options.dryRun,
        io: options.io ?? promptIO(format),
        context: {
          env: session.env,
          config: session.config,
          now: startedAt,
          db: () => Promise.reject(new Error('alarms apply uses no database')),
          log: (text) => {
            if (format === 'text') process.stderr.write(`${text}\n`);
          },
          aws: session.aws,
        },
        interruption,
      },
    );
    const code = emitReport(buildReport('alarms apply', session.env.name, startedAt, findings), options);
    return interruption.interrupted ? ExitCode.interrupted : code;
  } finally {
    session.aws.destroy();
  }
}
