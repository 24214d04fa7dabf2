import type { Command } from 'commander';
import { changeEnvOption, envOption, lazy, withSafetyOptions } from './shared.js';

/** Mutating commands never default an environment (docs/architecture.md), so their --env says so. */

function withWaitOptions(command: Command): Command {
  return command
    .option('--timeout <duration>', 'how long to wait for the service to settle, e.g. 10m, 1h (default 15m)')
    .option('--no-wait', 'start the change and return without waiting');
}

const EXIT_CODES = `
Exit codes: 0 done and verified; 1 the deployment failed, was rolled back by ECS, timed out, or a
check failed afterwards; 2 bad input, refused or not confirmed (nothing changed); 3 AWS could not be
reached; 130 interrupted (at the prompt: nothing changed; while waiting: the change continues in ECS).`;

/** Declares the service commands; each action lazily imports its module from src/commands/. */
export function declareServiceCommands(program: Command): void {
  withWaitOptions(
    withSafetyOptions(
      program
        .command('rollback')
        .description(
          'Roll a service back to its last good task definition, wait, and verify (deployment guide §10.1; runbook 002 Rollback Procedure)',
        )
        .argument('<component>', 'component, e.g. internal-pe or customer-portal')
        .addOption(changeEnvOption())
        .option(
          '--to <revision>',
          'roll back to this revision: a number (41), family:41, or a task definition ARN',
        ),
    ),
  )
    .addHelpText(
      'after',
      `
Target: a deployment in progress is rolled back by ECS itself (StopServiceDeployment ROLLBACK);
otherwise the task definition of the last deployment that completed before the current one (ECS
deployment history), else the nearest ACTIVE revision older than the running one. Unlike deployment
guide §10.1's script, never "the second newest revision", which can be the one already running,
and never forward to a revision the service was rolled back from (use --to for that).
After success the component's checks run (runbook 002: verify rollback).
${EXIT_CODES}

Examples:
  fsops rollback internal-pe --env prod --dry-run
  fsops rollback internal-pe --env prod
  fsops rollback customer-portal --env staging --to 41 --yes --timeout 20m`,
    )
    .action(lazy(() => import('../rollback.js'), 'rollback'));

  withSafetyOptions(
    program
      .command('deploy')
      .description(
        'Deploy a new image: gates, a new task-definition revision, rolling or ECS blue/green, the validate gate, and rollback on failure (ops guide §12.2.1; runbook 002 Rolling Updates; runbook 004 Blue-Green Deployment)',
      )
      .argument('<component>', 'component, e.g. internal-pe or customer-portal')
      .addOption(changeEnvOption())
      .option(
        '--image <tag|digest>',
        'the image to deploy: a tag (1.4.3), a digest (sha256:...), or the full reference of the same repository',
      )
      .option('--strategy <strategy>', 'rolling or blue-green (default: what the service is set up for)')
      .option(
        '--container <name>',
        'the container whose image changes (default: the only one, or the one named after the component)',
      )
      .option(
        '--bake-time <minutes>',
        'blue-green: minutes blue is kept beside green (default deploy.bakeTimeMinutes, 15)',
      )
      .option(
        '--timeout <duration>',
        'how long the deploy may take before fsops stops following it (default deploy.timeout, 30m)',
      )
      .option(
        '--allow-findings',
        'deploy an image whose scan has CRITICAL findings (or no finished scan); needs --reason',
      )
      .option(
        '--skip-staging-gate',
        'protected environments: skip "runs in staging and validate staging passes"; needs --reason',
      )
      .option('--override-freeze', 'deploy during a change freeze (deploy.freezes); needs --reason')
      .option(
        '--override-incident',
        'deploy during an open SEV1/SEV2 incident (e.g. its fix); needs --reason',
      )
      .option('--reason <text>', 'why an override is given (written to the audit log)')
      .option(
        '--staging-profile <profile>',
        'AWS profile for the staging gate (default environments.<staging>.profile)',
      ),
  )
    .addHelpText(
      'after',
      `
Before any change (each refusal exits 2 and is audited): the image exists in ECR and its scan has no
CRITICAL finding; in a protected environment (prod) 'latest' is refused and a mutable tag is deployed
by its digest; the same image runs in staging and staging's checks pass now; no open SEV1/SEV2
incident; no change freeze. Then the plan (the new revision's diff, strategy, bake time, gate, what
roll back means) is confirmed (prod: type its name), RegisterTaskDefinition and UpdateService run, and
the component's validate checks judge the release (rolling: after the rollout; blue-green: during the
bake, after green answered through the test listener). A failed gate rolls back and exits 1.
Ctrl-C says what state ECS is in and offers to stop with rollback. See docs/deploy.md.
${EXIT_CODES}

Examples:
  fsops deploy internal-pe --env staging --image 1.4.3 --dry-run
  fsops deploy internal-pe --env prod --image sha256:4f1c... --strategy blue-green
  fsops deploy internal-pe --env prod --image 1.4.3 --allow-findings --reason "CVE-2026-1 not reachable, fix in 1.4.4" --yes`,
    )
    .action(lazy(() => import('../deploy.js'), 'deploy'));

  program
    .command('deployments')
    .description('Recent deployments and revisions of a service, and what a rollback would pick')
    .argument('<component>', 'component, e.g. internal-pe')
    .addOption(envOption())
    .addHelpText(
      'after',
      `
Read-only. Text or --output json.

Examples:
  fsops deployments internal-pe --env prod
  fsops deployments internal-pe --env prod --output json | jq .rollback`,
    )
    .action(lazy(() => import('../deployments.js'), 'deployments'));

  withWaitOptions(
    withSafetyOptions(
      program
        .command('restart')
        .description(
          "Replace every task with a fresh one of the same revision, wait, and verify (runbook 004 Service Won't Start; ops guide §13.1.1)",
        )
        .argument('<component>', 'component, e.g. internal-pe')
        .addOption(changeEnvOption()),
    ),
  )
    .addHelpText(
      'after',
      `
A new deployment of the same task definition (ECS UpdateService --force-new-deployment), the ECS
form of "kubectl rollout restart".
${EXIT_CODES}

Examples:
  fsops restart internal-pe --env staging
  fsops restart internal-pe --env prod --yes`,
    )
    .action(lazy(() => import('../restart.js'), 'restart'));

  withWaitOptions(
    withSafetyOptions(
      program
        .command('scale')
        .description(
          'Set the desired task count of a service and wait until it runs (runbook 002 Horizontal Scaling; runbook 003 Stop writes immediately)',
        )
        .argument('<component>', 'component, e.g. internal-pe')
        .argument('<count>', 'desired number of tasks (0 or more)')
        .addOption(changeEnvOption())
        .option(
          '--allow-zero',
          'confirm scaling a protected environment (prod) to 0 when there is no terminal',
        )
        .option(
          '--allow-large',
          'confirm a large jump (more than twice the current or expected count, or +10 tasks) when there is no terminal',
        ),
    ),
  )
    .addHelpText(
      'after',
      `
Scaling a protected environment (prod) to 0 stops the component entirely (runbook 003 "Stop writes
immediately"): on a terminal you type 'stop <component>' even with --yes; without a terminal it needs
both --yes and --allow-zero. Expected counts per environment: deployment guide §4.1.
The count is bounded by the service's Application Auto Scaling maximum, else by
environments.<env>.limits.maxDesiredCount (default 20): over it, exit 2 and nothing changes. A large
jump (more than twice the current or expected count, or more than 10 tasks at once) needs the count
typed on a terminal, or --allow-large --yes without one.
${EXIT_CODES}

Examples:
  fsops scale internal-pe 5 --env prod
  fsops scale internal-pe 0 --env prod --yes --allow-zero`,
    )
    .action(lazy(() => import('../scale.js'), 'scale'));
}
