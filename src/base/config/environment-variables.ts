/**
 * Every environment variable fsops reads, or that changes what it does (the AWS SDK, Node, the
 * terminal): the one list behind `fsops help environment` and README.md's table
 * (test/unit/config/environment-variables.test.ts keeps both, and src/, in step with it).
 */
export interface EnvironmentVariable {
  name: string;
  group: 'fsops' | 'notifications' | 'database' | 'AWS' | 'terminal and paths' | 'Node.js';
  meaning: string;
}

export const ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = [
  {
    name: 'FSOPS_CONFIG',
    group: 'fsops',
    meaning:
      'config file when `--config` is not given (else ./fsops.config.yaml, then $XDG_CONFIG_HOME/fsops/config.yaml)',
  },
  {
    name: 'FSOPS_ENV',
    group: 'fsops',
    meaning:
      'environment of read commands when `--env` is not given; never used by commands that change something',
  },
  {
    name: 'FSOPS_CHANGE_REF',
    group: 'fsops',
    meaning:
      'change reference (ticket) of `maintenance run`/`checklist` and `backup snapshot` when `--change-ref` is not given',
  },
  {
    name: 'FSOPS_AUDIT_FILE',
    group: 'fsops',
    meaning: 'audit log file (JSON lines); overrides `audit.file` (default ~/.local/state/fsops/audit.jsonl)',
  },
  {
    name: 'FSOPS_INCIDENT_DIR',
    group: 'fsops',
    meaning:
      'folder of the incident records; overrides `incident.directory` (default ~/.local/state/fsops/incidents)',
  },
  {
    name: 'FSOPS_RECOVERY_DIR',
    group: 'fsops',
    meaning:
      'folder of the `recover db` journals; overrides `backup.recover.directory` (default ~/.local/state/fsops/recoveries)',
  },
  {
    name: 'FSOPS_PUBLISH_NAMESPACE',
    group: 'fsops',
    meaning: 'CloudWatch namespace of `--publish` (default Fivestar/Ops)',
  },
  {
    name: 'FSOPS_PG_BIN',
    group: 'fsops',
    meaning:
      'folder of the PostgreSQL server binaries (initdb, pg_ctl) for `fsops demo` and the tests; else PATH, then /usr/lib/postgresql/*/bin',
  },
  {
    name: 'FSOPS_REDIS_SERVER',
    group: 'fsops',
    meaning:
      'the redis-server binary for `fsops demo`, the tests and the benchmark; else PATH, then /usr/bin/redis-server',
  },
  {
    name: 'FSOPS_DEBUG',
    group: 'fsops',
    meaning: 'set to 1: an unexpected error prints its stack trace (src/*.ts lines through the source maps)',
  },
  {
    name: 'FSOPS_V8_OPTIMIZE',
    group: 'fsops',
    meaning:
      "set to 1: keep V8's optimizing compilers (a long `logs tail --follow` or `demo`); off by default for short runs",
  },
  {
    name: 'FSOPS_SLACK_WEBHOOK_URL',
    group: 'notifications',
    meaning:
      'Slack incoming webhook of `incident --notify` (the variable named by `incident.notify.slack.url.env`; else its Secrets Manager secret)',
  },
  {
    name: 'FSOPS_PAGERDUTY_ROUTING_KEY',
    group: 'notifications',
    meaning: 'PagerDuty Events API v2 routing key (`incident.notify.pagerduty.routingKey.env`)',
  },
  {
    name: 'FSOPS_INCIDENT_WEBHOOK_URL',
    group: 'notifications',
    meaning: 'generic JSON webhook of incident notices (`incident.notify.webhook.url.env`)',
  },
  {
    name: 'DATABASE_URL',
    group: 'database',
    meaning: 'PostgreSQL URL of the database commands when neither `--db-url` nor `--env` is given',
  },
  {
    name: 'AWS_PROFILE',
    group: 'AWS',
    meaning: "AWS profile when `--profile` is not given (before the environment's `profile`)",
  },
  {
    name: 'AWS_REGION',
    group: 'AWS',
    meaning: "AWS region when `--region` is not given (before the environment's, then `region`)",
  },
  {
    name: 'AWS_ACCESS_KEY_ID',
    group: 'AWS',
    meaning:
      'with AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN): static credentials, used when no profile is named',
  },
  { name: 'AWS_SECRET_ACCESS_KEY', group: 'AWS', meaning: 'see AWS_ACCESS_KEY_ID' },
  { name: 'AWS_SESSION_TOKEN', group: 'AWS', meaning: 'see AWS_ACCESS_KEY_ID (temporary credentials)' },
  {
    name: 'AWS_ENDPOINT_URL',
    group: 'AWS',
    meaning:
      'send every AWS call to this endpoint, as `--endpoint-url` (AWS_ENDPOINT_URL_<SERVICE> for one service)',
  },
  {
    name: 'AWS_RETRY_MODE',
    group: 'AWS',
    meaning: 'standard or adaptive: overrides the retry mode fsops picks (BENCHMARKS.md, "Retry mode")',
  },
  {
    name: 'AWS_CONFIG_FILE',
    group: 'AWS',
    meaning: 'the AWS config file of profiles (default ~/.aws/config)',
  },
  {
    name: 'AWS_SHARED_CREDENTIALS_FILE',
    group: 'AWS',
    meaning: 'the AWS credentials file (default ~/.aws/credentials)',
  },
  {
    name: 'NO_COLOR',
    group: 'terminal and paths',
    meaning: 'any value: no colors (as `--no-color`)',
  },
  {
    name: 'FORCE_COLOR',
    group: 'terminal and paths',
    meaning: 'colors even when stdout is not a terminal',
  },
  {
    name: 'XDG_CONFIG_HOME',
    group: 'terminal and paths',
    meaning: 'where the user config is looked for: $XDG_CONFIG_HOME/fsops/config.yaml (default ~/.config)',
  },
  {
    name: 'USER',
    group: 'terminal and paths',
    meaning: 'who ran a change, in the audit log and evidence reports',
  },
  {
    name: 'HOSTNAME',
    group: 'terminal and paths',
    meaning: 'the machine, in evidence reports',
  },
  {
    name: 'NODE_COMPILE_CACHE',
    group: 'Node.js',
    meaning: "folder of Node's compile cache of the bundle (default the OS temp folder)",
  },
  {
    name: 'NODE_DISABLE_COMPILE_CACHE',
    group: 'Node.js',
    meaning: 'set to 1: no compile cache',
  },
];

/** `fsops help environment`: the variables by group, for a terminal. */
export function environmentHelp(): string {
  const width = Math.max(...ENVIRONMENT_VARIABLES.map((v) => v.name.length));
  const groups = [...new Set(ENVIRONMENT_VARIABLES.map((v) => v.group))];
  const sections = groups.map((group) => {
    const lines = ENVIRONMENT_VARIABLES.filter((v) => v.group === group).map(
      (v) => `  ${v.name.padEnd(width)}  ${wrap(v.meaning.replaceAll('`', ''), 96 - width, width + 4)}`,
    );
    return `${group}:\n${lines.join('\n')}`;
  });
  return `Environment variables fsops reads (flags win over them):\n\n${sections.join('\n\n')}\n`;
}

/** README.md's table of the same list (between the environment-variables markers). */
export function environmentMarkdown(): string {
  const rows = ENVIRONMENT_VARIABLES.map((v) => `| \`${v.name}\` | ${v.group} | ${v.meaning} |`);
  return ['| variable | group | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** Words into lines of at most `width` characters, every line after the first indented by `indent`. */
function wrap(text: string, width: number, indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}
