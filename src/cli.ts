import { Command, CommanderError, Help, Option } from 'commander';
import { ExitCode, ExitError } from './base/model/errors.js';
import { hideUrlCredentials } from './base/model/text.js';
import { declareBackupCommands } from './commands/cli/backup.js';
import { declareDatabaseCommands } from './commands/cli/database.js';
import { declareIncidentCommands, declareStatusCommand } from './commands/cli/incident.js';
import { declareMaintenanceCommands } from './commands/cli/maintenance.js';
import { declareMonitoringCommands } from './commands/cli/monitoring.js';
import { declareRecoverCommands } from './commands/cli/recover.js';
import { declareRedisCommands } from './commands/cli/redis.js';
import { declareSecurityCommands } from './commands/cli/security.js';
import { declareServiceCommands } from './commands/cli/service.js';
import { declareSetupCommands } from './commands/cli/setup.js';
import { envOption, globalEnvOption, lastExitCode, lazy, provideRuntime } from './commands/cli/shared.js';
import { declareTroubleshootCommands } from './commands/cli/troubleshoot.js';
import { dispatchInterrupt } from './engine/interrupt.js';

export function buildProgram(): Command {
  const program = new Command('fsops')
    .description(
      'On-call operations for the Fivestar Payments Engine: validate, roll back, troubleshoot, maintain.',
    )
    .version('0.1.0', '-V, --version')
    .option(
      '-c, --config <file>',
      'config file (default $FSOPS_CONFIG, then ./fsops.config.yaml, then ~/.config/fsops/config.yaml)',
    )
    // Before the subcommand (`fsops --env prod validate`) as well as after it; a subcommand's own --env
    // wins (optsWithGlobals). Changes still never take FSOPS_ENV (requireExplicitEnv).
    .addOption(globalEnvOption())
    .option('--region <region>', "AWS region (default: $AWS_REGION, then the environment's, ap-south-1)")
    .option('--profile <profile>', "AWS profile (default: $AWS_PROFILE, then the environment's)")
    .option('--endpoint-url <url>', 'send every AWS call to this endpoint (as the AWS CLI does)')
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['text', 'json', 'junit', 'markdown'])
        .default('text'),
    )
    .option('--strict', 'exit 1 on warnings too')
    .option('--only-problems', 'show only findings that are not passing')
    .option('--no-color', 'no colors (NO_COLOR is honoured too)')
    .option(
      '--publish',
      'also publish the run as CloudWatch metrics (namespace Fivestar/Ops or $FSOPS_PUBLISH_NAMESPACE; see docs/monitoring.md)',
    )
    .configureHelp({
      sortSubcommands: false,
      // The global options are listed once, in `fsops --help`; a command's help names them in one line.
      formatHelp(cmd, helper) {
        const text = Help.prototype.formatHelp.call(this, cmd, helper);
        return cmd.parent
          ? `${text}\n${helper.boxWrap(globalOptionsPointer(cmd), helper.helpWidth ?? 80)}\n`
          : text;
      },
    })
    .showSuggestionAfterError(true)
    .configureOutput({
      // Usage errors read like every other fsops error: one line, prefixed, with where to look.
      outputError: (text, write) => {
        const message = text
          .replace(/^error: /, '')
          .trim()
          .replace(/\s*\n\s*/g, ' ');
        write(
          `fsops: ${hideUrlCredentials(message)}${message.includes('Did you mean') ? '' : ' (see --help)'}\n`,
        );
      },
    })
    .exitOverride();
  program.addHelpText('after', PROGRAM_HELP);

  program
    .command('validate')
    .description(
      'Post-deploy validation of a whole environment (deployment guide §11.1, §12.1.1; ops guide §3)',
    )
    .argument('[env]', 'environment to validate (default $FSOPS_ENV)')
    .addOption(envOption())
    .option('--since <duration>', 'window for recent errors, e.g. 15m, 1h (default 15m)')
    .addHelpText(
      'after',
      '\nExamples:\n  fsops validate prod\n  fsops validate staging --output junit > validate.xml\n  fsops validate prod --only-problems --strict',
    )
    .action(lazy(() => import('./commands/validate.js'), 'validate'));

  const runbook = program.command('runbook').description('Declarative procedures from runbooks/*.yaml');
  runbook
    .command('list')
    .addHelpText(
      'after',
      '\nText, json or markdown.\n\nExamples:\n  fsops runbook list\n  fsops runbook list --output markdown',
    )
    .description('List the runbooks with their sources')
    .action(lazy(() => import('./commands/runbook.js'), 'runbookList'));
  runbook
    .command('show')
    .addHelpText(
      'after',
      '\nRead-only: prints the steps (checks, manual steps, actions) with their guide sections; text or json.\n\nExamples:\n  fsops runbook show validate\n  fsops runbook show troubleshoot/slow-api --output json',
    )
    .description("Show a runbook's steps and the guide sections they come from")
    .argument('<name>', 'runbook name (see `fsops runbook list`)')
    .action(lazy(() => import('./commands/runbook.js'), 'runbookShow'));
  runbook
    .command('run')
    .addHelpText(
      'after',
      `\nRuns the runbook's checks (read-only). Manual steps are asked on a terminal, else reported as skipped;\nactions are reported as skipped (to change things: fsops maintenance run).\n${CHECK_EXIT_CODES}\n\nExamples:\n  fsops runbook run troubleshoot/slow-api --env staging\n  fsops runbook run security --env prod --output junit > security.xml`,
    )
    .description("Run a runbook's checks against an environment")
    .argument('<name>', 'runbook name')
    .addOption(envOption())
    .option('--since <duration>', 'look-back window for logs and metrics (default 15m)')
    .action(lazy(() => import('./commands/runbook.js'), 'runbookRun'));

  const config = program.command('config').description('Show, validate, locate or start the configuration');
  config
    .command('show')
    .addHelpText(
      'after',
      '\nWithout --env: the whole configuration (built-in defaults merged with the file). With --env: what that\nenvironment runs with (its sizes, limits and names, every shared section with its overrides merged).\nPasswords are shown as ********; notification channels are references (variable names, secret ids).\n\nExamples:\n  fsops config show\n  fsops config show --env prod\n  fsops config show --env prod --output json | jq .incident',
    )
    .description(
      'Print the resolved configuration (secrets hidden); with --env, that environment with names filled in',
    )
    .addOption(envOption())
    .action(lazy(() => import('./commands/config.js'), 'configShow'));
  config
    .command('validate')
    .addHelpText(
      'after',
      '\nExit codes: 0 valid; 2 invalid (every problem with its dotted path), not found or not YAML.\n\nExamples:\n  fsops config validate\n  fsops config validate --config ./fsops.config.yaml',
    )
    .description('Validate the configuration file and report every problem with its path')
    .action(lazy(() => import('./commands/config.js'), 'configValidate'));
  config
    .command('path')
    .description('Where fsops looks for its config file, in order, and which one it reads')
    .addHelpText(
      'after',
      '\nOrder: --config, $FSOPS_CONFIG, ./fsops.config.yaml, $XDG_CONFIG_HOME/fsops/config.yaml (~/.config); none: the\nbuilt-in defaults. Text or json.\n\nExamples:\n  fsops config path\n  fsops config path --output json',
    )
    .action(lazy(() => import('./commands/config-path.js'), 'configPath'));
  config
    .command('init')
    .description('Write a commented starter config file (never overwrites one)')
    .addHelpText(
      'after',
      "\nWrites where fsops looks first: --config, else $FSOPS_CONFIG, else ./fsops.config.yaml. It holds what a team\nchanges for its account: region, components, resource names, each environment's account id and profile.\nExit codes: 0 written; 2 the file exists (nothing written).\n\nExamples:\n  fsops config init\n  fsops config init --config ~/.config/fsops/config.yaml",
    )
    .action(lazy(() => import('./commands/config-init.js'), 'configInit'));

  declareServiceCommands(program);
  declareTroubleshootCommands(program);
  declareDatabaseCommands(program);
  declareMaintenanceCommands(program);
  declareSecurityCommands(program);
  declareStatusCommand(program);
  declareIncidentCommands(program);
  declareMonitoringCommands(program);
  declareBackupCommands(program);
  declareRecoverCommands(program);
  declareSetupCommands(program);
  declareRedisCommands(program);
  return program;
}

/** One line naming the global options (those the command does not declare itself), for its --help. */
function globalOptionsPointer(cmd: Command): string {
  let root = cmd;
  while (root.parent) root = root.parent;
  const own = new Set(cmd.options.map((option) => option.long));
  const names = root.options
    .filter((option) => option.long !== '--version' && !own.has(option.long))
    .map((option) => option.long);
  return `Global options: ${names.join(', ')} (before or after the command; see fsops --help)`;
}

const CHECK_EXIT_CODES =
  'Exit codes: 0 nothing failed (warnings allowed; --strict makes them 1); 1 a check failed; 2 bad input;\n3 something could not be checked (AWS or the database unreachable, access denied, timeout); 130 interrupted.';

const PROGRAM_HELP = `
Environment: --env E or FSOPS_ENV (validate takes it as its argument). Commands that change something
never use FSOPS_ENV: they need --env, show their plan, ask (prod: type the name), and --dry-run works.

${CHECK_EXIT_CODES}

Examples:
  fsops demo                                       # a local PostgreSQL with trouble in it, no AWS
  fsops validate prod --only-problems
  fsops troubleshoot                               # the symptoms; then fsops troubleshoot <symptom> --env E
  fsops status --env prod --watch
  fsops db health --env prod
  fsops rollback internal-pe --env prod --dry-run

fsops <command> --help gives its flags, the guide sections it implements and examples; fsops help
environment the environment variables; README.md and docs/ the rest.`;

function fail(code: number, message: string): number {
  process.stderr.write(`fsops: ${hideUrlCredentials(message)}\n`);
  return code;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  // The one place the process's runtime is built (src/engine/runtime.ts): every command gets it from
  // here, and the engine below takes its streams, terminal and clock from the command.
  provideRuntime(program, async () => (await import('./engine/runtime.js')).processRuntime());
  try {
    await program.parseAsync(argv);
    return lastExitCode();
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end here with 0; every other commander error is a usage error (already printed).
      return error.exitCode === 0 ? 0 : ExitCode.usage;
    }
    // The message may carry text fsops did not write (an AWS error message, a name from the config):
    // its control and escape sequences are shown, never sent to the terminal (loaded only on this path).
    const { clean } = await import('./engine/render.js');
    if (error instanceof ExitError) return fail(error.code, clean(error.message));
    const detail = process.env.FSOPS_DEBUG
      ? `\n${(error as Error).stack}`
      : ' (set FSOPS_DEBUG=1 for the stack trace)';
    return fail(ExitCode.unreachable, clean(`unexpected error: ${(error as Error).message}${detail}`));
  }
}

// A reader that went away (a dropped SSH session after SIGHUP, `| head -1`) ends output quietly: what
// fsops writes after is lost, but the run still ends on its own terms (its audit outcome, its exit code),
// instead of crashing on the closed pipe with exit 1.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

// Every signal that ends fsops goes through one path. A command that registered an interrupt handler
// (src/engine/interrupt.ts: a change in flight, a wait, a temporary instance to delete) finishes on its
// own terms and exits 130, whichever signal it was: Ctrl-C, SIGTERM (an ECS task stop, a cancelled CI
// job) or SIGHUP (a dropped SSH session). Otherwise fsops exits through process.exit, so that the 'exit'
// handlers clean up what it started (the demo's PostgreSQL and its directory). Only Ctrl-C prints: after
// SIGHUP the terminal may be gone.
for (const [signal, exitCode] of [
  ['SIGINT', ExitCode.interrupted],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  process.on(signal, () => {
    if (dispatchInterrupt()) return;
    if (signal === 'SIGINT') process.stderr.write('\nfsops: interrupted\n');
    process.exit(exitCode);
  });
}

// A closed pipe (`fsops logs tail --follow | head -1`, `fsops status --watch | head`) ends quietly,
// for every command: the reader has gone, so there is nothing to say. A command with work in flight (a
// follow, a watch, a change, a wait) stops on its own terms, as on Ctrl-C; any other finishes, its
// output going nowhere. Without this, the stream's EPIPE error is an uncaught exception with a stack
// trace. It never exits by itself: a command already ending (after SIGHUP) still audits its outcome.
let pipeClosed = false;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    if (pipeClosed) return;
    pipeClosed = true;
    dispatchInterrupt();
  });
}

const code = await main(process.argv);
// Let stdout drain (large JSON reports into a pipe) before exiting; open sockets must not keep us alive.
process.stdout.write('', () => process.exit(code));
