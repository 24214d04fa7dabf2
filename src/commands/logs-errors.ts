import { requireComponent } from '../base/config/load.js';
import { UsageError } from '../base/model/errors.js';
import type { Runtime } from '../engine/runtime.js';
import { openEnvSession } from '../engine/session.js';
import { type ReadCommandOptions, runReadCommand } from './kit/read.js';

export interface LogsErrorsOptions extends ReadCommandOptions {
  pattern?: string;
  source?: string;
  top?: string;
}

const SOURCES = ['app', 'rds'] as const;

/**
 * `fsops logs errors <component>`: error events grouped by message signature (deployment guide
 * §12.2.2); `--source rds`: slow statements from the PostgreSQL log group instead.
 */
export async function logsErrors(
  component: string | undefined,
  options: LogsErrorsOptions,
  runtime: Runtime,
): Promise<number> {
  const source = options.source ?? 'app';
  if (!(SOURCES as readonly string[]).includes(source)) {
    throw new UsageError(`unknown --source '${source}': valid sources are ${SOURCES.join(', ')}`);
  }
  const show = options.top === undefined ? 10 : Number(options.top);
  if (!Number.isInteger(show) || show < 1)
    throw new UsageError(`--top must be a whole number >= 1 (got '${options.top}')`);
  const session = openEnvSession(options);
  const defaultSince = session.config.troubleshoot.since;
  if (source === 'rds') {
    if (options.pattern)
      throw new UsageError('--pattern applies to application logs; --source rds reads `duration` lines');
    return runReadCommand(
      {
        label: 'logs errors --source rds',
        procedure: { steps: [{ check: 'logs.slow-statements', params: { show } }] },
        defaultSince,
        session,
      },
      options,
      runtime,
    );
  }
  const name = requireComponent(session.env, component);
  return runReadCommand(
    {
      label: `logs errors ${name}`,
      procedure: {
        steps: [{ check: 'logs.errors', params: { components: [name], pattern: options.pattern, show } }],
      },
      defaultSince,
      session,
    },
    options,
    runtime,
  );
}
