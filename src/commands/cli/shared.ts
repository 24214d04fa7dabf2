import { type Command, Option } from 'commander';
import { ExitCode } from '../../base/model/errors.js';
import type { Runtime } from '../../engine/runtime.js';
import type { GlobalOptions } from '../../engine/session.js';

type Action = (...args: never[]) => Promise<number>;
let exitCode: number = ExitCode.ok;

export function lastExitCode(): number {
  return exitCode;
}

/** The runtime each program's commands get, given once by src/cli.ts (`provideRuntime`). */
const runtimes = new WeakMap<Command, () => Promise<Runtime>>();

/**
 * Gives the commands of `program` their runtime (src/engine/runtime.ts): src/cli.ts, the one place that
 * builds the process's, passes it here; `make` runs when a command runs (so `--help` loads none of it).
 */
export function provideRuntime(program: Command, make: () => Promise<Runtime>): void {
  runtimes.set(program, make);
}

function runtimeOf(command: Command): Promise<Runtime> {
  let root = command;
  while (root.parent) root = root.parent;
  const make = runtimes.get(root);
  if (!make) throw new Error(`no runtime was provided for '${root.name()}' (src/cli.ts provideRuntime)`);
  return make();
}

/**
 * An action that imports its command module only when it runs (so `fsops --help` loads no SDK) and
 * calls `mod[name](...positionalArgs, optionsWithGlobals, runtime)`, which returns the exit code. `extra`, when
 * given, adds one more argument built from the running command (`fsops __complete` gets the program's
 * commands that way).
 */
export function lazy<M, K extends keyof M>(
  load: () => Promise<M>,
  name: K,
  extra?: (command: Command) => unknown,
) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const options = { ...command.optsWithGlobals() } as GlobalOptions;
    const positional = args.slice(0, -2);
    const [mod, runtime] = await Promise.all([load(), runtimeOf(command)]);
    const more = extra ? [extra(command)] : [];
    try {
      // Every command gets the program's one runtime (src/engine/runtime.ts) after its options.
      exitCode = await (mod[name] as unknown as Action)(
        ...(positional as never[]),
        options as never,
        runtime as never,
        ...(more as never[]),
      );
    } finally {
      // `--publish` runs while the report prints; wait for it (it reports its own failures on stderr).
      if (options.publish) await (await import('../../engine/publish.js')).settlePublications();
    }
  };
}

export const envOption = () =>
  new Option(
    '-e, --env <env>',
    'environment (dev, staging, prod, or one from the config); default $FSOPS_ENV',
  );

/** The program's `-e, --env`, so that it may come before the subcommand too. */
export const globalEnvOption = () =>
  new Option(
    '-e, --env <env>',
    'environment (dev, staging, prod, or one from the config); default $FSOPS_ENV, except for changes',
  );

/** `--env` of a command that changes something: FSOPS_ENV is never its default (docs/architecture.md). */
export const changeEnvOption = (description = 'environment (required: FSOPS_ENV is not used for changes)') =>
  new Option('-e, --env <env>', description);

/** Flags of every mutating command (docs/architecture.md safety rules). */
export function withSafetyOptions(command: Command): Command {
  return command
    .option('--dry-run', 'show the plan and change nothing')
    .option('-y, --yes', 'do not ask for confirmation (required when there is no terminal)');
}

/** Flags of the commands that read Redis: where to connect instead of the environment's SSM redis_url. */
export function withRedisOptions(command: Command): Command {
  return command
    .option(
      '--redis-url <url>',
      "Redis URL, redis:// or rediss:// (default: the environment's SSM redis_url)",
    )
    .option(
      '--redis-host <host>',
      "connect through a tunnel: this host instead of Redis's (TLS still checks the real name)",
    )
    .option('--redis-port <port>', 'connect through a tunnel: this port');
}
