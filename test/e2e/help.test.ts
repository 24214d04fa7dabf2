import { describe, expect, it } from 'vitest';
import { runFsops } from '../helpers/cli.js';

// The commands src/cli.ts declares itself (the areas' commands: test/unit/cli/help.test.ts).
describe('fsops --help and the commands of src/cli.ts (spawned)', () => {
  it('fsops --help says how to pick an environment, the exit codes, and gives examples', async () => {
    const { code, stdout } = await runFsops(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('FSOPS_ENV');
    expect(stdout).toMatch(/Exit codes: 0 nothing failed .*; 1 a check failed; 2 bad input;/);
    expect(stdout).toMatch(/\nExamples:\n {2}fsops demo /);
    expect(stdout).toContain('default $FSOPS_CONFIG, then');
  });

  it.each(['validate', 'runbook list', 'runbook show', 'runbook run', 'config show', 'config validate'])(
    'fsops %s --help has examples',
    async (command) => {
      const { code, stdout } = await runFsops([...command.split(' '), '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`\\nExamples:\\n {2}fsops ${command}`));
    },
  );

  it('the global options are listed once, in fsops --help; a command names them in one line', async () => {
    const top = await runFsops(['--help']);
    for (const flag of [
      '--config <file>',
      '--endpoint-url <url>',
      '--output <format>',
      '--publish',
      '--no-color',
    ])
      expect(top.stdout).toContain(flag);
    for (const command of [['validate'], ['db', 'health'], ['rollback'], ['incident', 'open']]) {
      const { code, stdout } = await runFsops([...command, '--help']);
      expect(code).toBe(0);
      expect(stdout).not.toContain('Global Options');
      expect(stdout).not.toContain('--endpoint-url <url>');
      expect(stdout.replace(/\s+/g, ' ')).toMatch(
        /Global options: --config, (--env, )?--region, --profile, --endpoint-url, --output, --strict, --only-problems, --no-color, --publish \(before or after the command; see fsops --help\)/,
      );
    }
  });

  it('fsops help environment prints the variables; fsops help <command> a command; anything else exit 2', async () => {
    const env = await runFsops(['help', 'environment']);
    expect(env.code).toBe(0);
    expect(env.stdout).toMatch(/^Environment variables fsops reads/);
    expect(env.stdout).toContain('FSOPS_PAGERDUTY_ROUTING_KEY');
    const db = await runFsops(['help', 'db', 'health']);
    expect(db).toMatchObject({ code: 0 });
    expect(db.stdout).toMatch(/^Usage: fsops db health/);
    const bad = await runFsops(['help', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      "fsops: no command or help topic 'nope': see fsops --help for the commands; topics: environment\n",
    );
  });
});
