import { loadConfig } from '../base/config/load.js';
import type { Config } from '../base/config/schema.js';
import { UsageError } from '../base/model/errors.js';
import { IncidentStore } from '../domain/incident/store.js';
import { listRunbooks } from '../engine/runbook.js';
import type { Runtime } from '../engine/runtime.js';
import type { GlobalOptions } from '../engine/session.js';
import type { ArgumentSpec, CommandSpec, OptionSpec } from './cli/command-tree.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

/**
 * The shell scripts only hand the words typed so far to `fsops __complete` and show what it prints, so
 * a command added to fsops completes without a new script.
 * Protocol: one candidate a line, `value<TAB>description`; a last line `:files` asks for file names.
 */
const SCRIPTS: Record<Shell, string> = {
  bash: `# fsops completion for bash. Install: fsops completion bash > ~/.local/share/bash-completion/completions/fsops
# (or add  source <(fsops completion bash)  to ~/.bashrc)
_fsops_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" line
  local -a out
  mapfile -t out < <(fsops __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  COMPREPLY=()
  for line in "\${out[@]}"; do
    if [[ "$line" == ":files" ]]; then
      mapfile -t -O "\${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
      compopt -o filenames 2>/dev/null
    else
      COMPREPLY+=("\${line%%$'\\t'*}")
    fi
  done
}
complete -F _fsops_complete fsops
`,
  zsh: `#compdef fsops
# fsops completion for zsh. Install: fsops completion zsh > "\${fpath[1]}/_fsops" (then restart zsh)
# (or add  source <(fsops completion zsh)  to ~/.zshrc, after compinit)
_fsops() {
  local -a out candidates
  local line
  out=("\${(@f)$(fsops __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  for line in "\${out[@]}"; do
    if [[ "$line" == ":files" ]]; then
      _files
    elif [[ "$line" == *$'\\t'* ]]; then
      candidates+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}")
    elif [[ -n "$line" ]]; then
      candidates+=("\${line//:/\\\\:}")
    fi
  done
  (( \${#candidates} )) && _describe -V fsops candidates
}
if [[ "$funcstack[1]" == "_fsops" ]]; then _fsops "$@"; else compdef _fsops fsops; fi
`,
  fish: `# fsops completion for fish. Install: fsops completion fish > ~/.config/fish/completions/fsops.fish
function __fsops_complete
    set -l words (commandline -opc)
    set -e words[1]
    set -l out (fsops __complete -- $words (commandline -ct) 2>/dev/null)
    if contains -- :files $out
        __fish_complete_path (commandline -ct)
    end
    for line in $out
        test "$line" = :files; or printf '%s\\n' $line
    end
end
complete -c fsops -f -a '(__fsops_complete)'
`,
};

/** `fsops completion bash|zsh|fish`: the script that completes fsops in that shell. */
export async function completion(
  shell: string | undefined,
  _options: GlobalOptions,
  runtime: Runtime,
): Promise<number> {
  if (!shell || !(SHELLS as readonly string[]).includes(shell)) {
    throw new UsageError(
      `${shell ? `unknown shell '${shell}'` : 'no shell given'}: valid shells are ${SHELLS.join(', ')}`,
    );
  }
  runtime.stdout.write(SCRIPTS[shell as Shell]);
  return 0;
}

/** `fsops __complete -- <words>` (hidden): the candidates for the last word, one a line. */
export async function complete(
  words: string[],
  _options: GlobalOptions,
  runtime: Runtime,
  program: CommandSpec,
): Promise<number> {
  const lines = completeWords(program, words, valueSources());
  runtime.stdout.write(lines.length > 0 ? `${lines.join('\n')}\n` : '');
  return 0;
}

export interface Candidate {
  value: string;
  description?: string;
}

/** Where dynamic values come from; the config is read at most once, and a broken one completes nothing. */
export interface ValueSources {
  environments(configPath?: string): Candidate[];
  components(configPath?: string): Candidate[];
  runbooks(): Candidate[];
  incidents(state: 'open' | 'resolved' | 'any', configPath?: string): Candidate[];
}

export const FILES = ':files';

/**
 * Fixed lists of arguments that the commands check themselves (test/unit/cli/completion.test.ts keeps
 * them equal to the commands' own lists).
 */
export const FIXED_ARGUMENT_VALUES: Record<string, string[]> = {
  drill: ['rds-failover', 'ecs-task-loss'],
  cadence: ['daily', 'weekly', 'monthly', 'quarterly'],
  phase: ['pre'],
  state: ['on', 'off', 'status'],
  group: ['rds', 'ecs', 'alb', 'payments', 'dynamodb'],
  shell: [...SHELLS],
};

/** Values of options by their long name, beyond commander's own choices. */
const OPTION_VALUES: Record<string, string[]> = {
  '--state': ['ALARM', 'OK', 'INSUFFICIENT_DATA'],
};

/** The candidates for the last of `words` (what is typed after `fsops`), as protocol lines. */
export function completeWords(program: CommandSpec, words: string[], sources: ValueSources): string[] {
  const typed = words.length > 0 ? words.slice(0, -1) : [];
  const current = words.at(-1) ?? '';
  const path: CommandSpec[] = [program];
  let command = program;
  let positional = 0;
  let pending: OptionSpec | undefined;
  let configPath: string | undefined;
  const findOption = (flag: string) =>
    [...path]
      .reverse()
      .flatMap((c) => c.options)
      .find((o) => o.long === flag || o.short === flag);
  for (const word of typed) {
    if (pending) {
      if (pending.long === '--config') configPath = word;
      pending = undefined;
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      const [flag, value] = splitFlag(word);
      const option = findOption(flag);
      if (option?.long === '--config' && value !== undefined) configPath = value;
      if (option?.valueName && value === undefined) pending = option;
      continue;
    }
    const sub = command.commands.find((c) => c.name === word || c.aliases.includes(word));
    if (sub) {
      command = sub;
      path.push(sub);
      positional = 0;
    } else {
      positional += 1;
    }
  }
  const commandPath = path.slice(1).map((c) => c.name);
  let candidates: Candidate[] | typeof FILES;
  let prefix = '';
  if (pending) {
    candidates = optionValues(pending, sources, configPath);
  } else if (current.startsWith('--') && current.includes('=')) {
    const [flag] = splitFlag(current);
    const option = findOption(flag);
    prefix = `${flag}=`;
    candidates = option ? optionValues(option, sources, configPath) : [];
  } else if (current.startsWith('-')) {
    const seen = new Set<string>();
    candidates = [...path]
      .reverse()
      .flatMap((c) => c.options)
      .filter((o) => o.long && !seen.has(o.long) && seen.add(o.long))
      .map((o) => ({ value: o.long!, description: o.description }));
  } else {
    const argument =
      command.arguments[positional] ??
      (command.arguments.at(-1)?.variadic ? command.arguments.at(-1) : undefined);
    const values = argument ? argumentValues(argument, commandPath, sources, configPath) : [];
    if (values === FILES) return [FILES];
    candidates = [
      ...(positional === 0
        ? command.commands.map((c) => ({ value: c.name, description: firstSentence(c.description) }))
        : []),
      ...values,
    ];
  }
  if (candidates === FILES) return [FILES];
  const wanted = current.slice(prefix.length);
  return candidates
    .filter((c) => c.value.startsWith(wanted))
    .map((c) => `${prefix}${c.value}${c.description ? `\t${oneLine(c.description)}` : ''}`);
}

function splitFlag(word: string): [string, string | undefined] {
  const at = word.indexOf('=');
  return at > 0 && word.startsWith('--') ? [word.slice(0, at), word.slice(at + 1)] : [word, undefined];
}

function optionValues(
  option: OptionSpec,
  sources: ValueSources,
  configPath?: string,
): Candidate[] | typeof FILES {
  if (option.choices) return option.choices.map((value) => ({ value }));
  if (option.valueName === 'file' || option.valueName === 'dir') return FILES;
  if (option.long === '--env') return sources.environments(configPath);
  if (option.long === '--component') return sources.components(configPath);
  return (OPTION_VALUES[option.long ?? ''] ?? []).map((value) => ({ value }));
}

function argumentValues(
  argument: ArgumentSpec,
  commandPath: string[],
  sources: ValueSources,
  configPath?: string,
): Candidate[] | typeof FILES {
  if (argument.choices) return argument.choices.map((value) => ({ value }));
  const area = commandPath[0];
  switch (argument.name) {
    case 'env':
      return sources.environments(configPath);
    case 'component':
      return sources.components(configPath);
    case 'symptom':
      return sources
        .runbooks()
        .filter((r) => r.value.startsWith('troubleshoot/'))
        .map((r) => ({ ...r, value: r.value.slice('troubleshoot/'.length) }));
    case 'name':
      return area === 'runbook' ? sources.runbooks() : [];
    case 'id':
      if (area !== 'incident') return [];
      return sources.incidents(
        commandPath[1] === 'postmortem' ? 'resolved' : commandPath[1] === 'show' ? 'any' : 'open',
        configPath,
      );
    case 'file':
    case 'dir':
      return FILES;
    default:
      return (FIXED_ARGUMENT_VALUES[argument.name] ?? []).map((value) => ({ value }));
  }
}

/** The dynamic values, read from the config, runbooks/ and the incident records: no AWS call, no SDK. */
export function valueSources(): ValueSources {
  const configs = new Map<string, Config | null>();
  const config = (path?: string): Config | null => {
    const key = path ?? '';
    if (!configs.has(key)) {
      try {
        configs.set(key, loadConfig(path).config);
      } catch {
        configs.set(key, null);
      }
    }
    return configs.get(key)!;
  };
  return {
    environments: (path) =>
      Object.entries(config(path)?.environments ?? {}).map(([value, env]) => ({
        value,
        description: [env.region, env.accountId ? `account ${env.accountId}` : ''].filter(Boolean).join(', '),
      })),
    components: (path) => (config(path)?.components ?? []).map((value) => ({ value })),
    runbooks: () => {
      try {
        return listRunbooks().map((runbook) => ({ value: runbook.name, description: runbook.title }));
      } catch {
        return [];
      }
    },
    incidents: (state, path) => {
      const settings = config(path)?.incident;
      if (!settings) return [];
      try {
        const store = new IncidentStore(process.env.FSOPS_INCIDENT_DIR || settings.directory);
        return store
          .scan()
          .records.filter((record) => state === 'any' || record.state === state)
          .map((record) => ({ value: record.id, description: `${record.env}: ${record.title}` }));
      } catch {
        return [];
      }
    },
  };
}

function firstSentence(text: string): string {
  return text.split(/[;(]| \(/)[0]!.trim();
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
