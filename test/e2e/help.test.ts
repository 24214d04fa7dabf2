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

  it('fsops help nosuch: one line saying the command is unknown, exit 2; fsops help status still helps', async () => {
    const unknown = await runFsops(['help', 'nosuch']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(
      /^fsops: unknown command 'nosuch': the commands are validate, .*status.* \(see fsops --help\)\n$/,
    );
    const known = await runFsops(['help', 'status']);
    expect(known.code).toBe(0);
    expect(known.stdout).toMatch(/^Usage: fsops status/);
  });

  it.each(['validate', 'runbook list', 'runbook show', 'runbook run', 'config show', 'config validate'])(
    'fsops %s --help has examples',
    async (command) => {
      const { code, stdout } = await runFsops([...command.split(' '), '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`\\nExamples:\\n {2}fsops ${command}`));
    },
  );
});
